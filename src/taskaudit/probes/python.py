"""Probe generation for Python tasks (the standard library's ``ast`` reads the sources)."""

from __future__ import annotations

import ast
from pathlib import PurePosixPath

from taskaudit.probes.model import Case, Function

language = "python"


def _offsets(source: str) -> list[int]:
    """Byte offset of each line's start (ast columns are UTF-8 byte offsets already)."""
    starts, total = [0], 0
    for line in source.splitlines(keepends=True):
        total += len(line.encode())
        starts.append(total)
    return starts


def functions(files: dict[str, bytes], paths: list[str]) -> list[Function]:
    found = []
    for path in paths:
        if not path.endswith(".py") or path not in files:
            continue
        text = files[path].decode(errors="replace")
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        starts = _offsets(text)
        scopes = [(tree.body, False)] + [
            (node.body, True) for node in tree.body if isinstance(node, ast.ClassDef)
        ]
        for body, is_method in scopes:
            for node in body:
                if not isinstance(node, ast.FunctionDef) or node.name.startswith("__"):
                    continue
                args = [a.arg for a in node.args.posonlyargs + node.args.args]
                if is_method and args and args[0] in ("self", "cls"):
                    args = args[1:]
                first, last = node.body[0], node.body[-1]
                found.append(
                    Function(
                        name=node.name,
                        file=path,
                        params=[(a, None) for a in args],
                        returns=ast.unparse(node.returns) if node.returns else None,
                        body_start=starts[first.lineno - 1] + first.col_offset,
                        body_end=starts[last.end_lineno - 1] + last.end_col_offset,
                        extra={"method": is_method},
                    )
                )
    return found


# ------------------------------------------------------------------ bodies


def default(fn: Function) -> str:
    return "None"


def echo(fn: Function) -> str | None:
    return fn.params[0][0] if fn.params else None


def answer(fn: Function, case: Case) -> str:
    return case.expected


def matches(fn: Function, case: Case) -> str | None:
    if len(case.args) != len(fn.params):
        return None
    names = ", ".join(p for p, _ in fn.params)
    return f"({names},) == ({', '.join(case.args)},)"


def body(fn: Function, branches: list[tuple[str, str]], fallback: str) -> str:
    expr = fallback
    for cond, value in reversed(branches):
        expr = f"({value}) if {cond} else ({expr})"
    return f"return {expr}"


ALWAYS_EQUAL_HELPER = '''

class _ProbeAlwaysEqual(str):
    """taskaudit probe: equal to everything, so `assert f(x) == y` cannot fail."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = str.__hash__
'''


def always_equal(files: dict[str, bytes], fns: list[Function]) -> dict[str, bytes]:
    out = dict(files)
    for path in sorted({fn.file for fn in fns}):
        mine = sorted((f for f in fns if f.file == path), key=lambda f: f.body_start, reverse=True)
        source = out[path]
        for fn in mine:
            source = source[: fn.body_start] + b"return _ProbeAlwaysEqual()" + source[fn.body_end :]
        out[path] = source + ALWAYS_EQUAL_HELPER.encode()
    return out


# ------------------------------------------------------------------ cases


def _call(node: ast.AST) -> tuple[str, list[ast.expr]] | None:
    if isinstance(node, ast.Call) and not node.keywords:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name:
            return name, list(node.args)
    return None


def _literal(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _parametrize(fn: ast.FunctionDef) -> list[dict[str, ast.expr]]:
    """The rows of ``@pytest.mark.parametrize("a,b", [(1, 2), ...])`` as name -> literal node."""
    rows: list[dict[str, ast.expr]] = [{}]
    for dec in fn.decorator_list:
        if not (isinstance(dec, ast.Call) and ast.unparse(dec.func).endswith("parametrize")):
            continue
        if len(dec.args) < 2 or not isinstance(dec.args[1], (ast.List, ast.Tuple)):
            return []
        names_node = dec.args[0]
        if isinstance(names_node, ast.Constant) and isinstance(names_node.value, str):
            names = [n.strip() for n in names_node.value.split(",") if n.strip()]
        elif isinstance(names_node, (ast.List, ast.Tuple)):
            names = [e.value for e in names_node.elts if isinstance(e, ast.Constant)]
        else:
            return []
        values = []
        for elt in dec.args[1].elts:
            items = elt.elts if len(names) > 1 and isinstance(elt, ast.Tuple) else [elt]
            if len(items) != len(names):
                return []
            values.append(dict(zip(names, items)))
        rows = [{**r, **v} for r in rows for v in values]
    return rows


def cases(test_files: dict[str, bytes]) -> list[Case]:
    out: list[Case] = []
    for path, content in sorted(test_files.items()):
        if not PurePosixPath(path).name.endswith(".py"):
            continue
        try:
            tree = ast.parse(content.decode(errors="replace"))
        except SyntaxError:
            continue
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            rows = _parametrize(fn)
            for node in ast.walk(fn):
                pair = _pair(node)
                if pair is None:
                    continue
                (name, args), expected = pair
                for row in rows:
                    sub = [row.get(a.id, a) if isinstance(a, ast.Name) else a for a in args]
                    exp = row.get(expected.id, expected) if isinstance(expected, ast.Name) else expected
                    if all(_literal(a) for a in sub) and _literal(exp):
                        out.append(
                            Case(name, [ast.unparse(a) for a in sub], ast.unparse(exp), path, node.lineno)
                        )
    return out


def _pair(node: ast.AST):
    """``assert call == expected`` (either side) or ``assertEqual(call, expected)``."""
    if isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare):
        cmp = node.test
        if len(cmp.ops) == 1 and isinstance(cmp.ops[0], ast.Eq):
            left, right = cmp.left, cmp.comparators[0]
            for call, other in ((left, right), (right, left)):
                got = _call(call)
                if got:
                    return got, other
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in ("assertEqual", "assertEquals") and len(node.args) == 2:
            for call, other in ((node.args[0], node.args[1]), (node.args[1], node.args[0])):
                got = _call(call)
                if got:
                    return got, other
    return None


# ------------------------------------------------------------------ harness attacks


def _prepend(source: bytes, code: str) -> bytes:
    """Insert ``code`` after a module docstring / __future__ imports, so the file still parses."""
    text = source.decode(errors="replace")
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return code.encode() + source
    lines = text.splitlines(keepends=True)
    after = 0
    for node in tree.body:
        is_doc = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        if is_doc or (isinstance(node, ast.ImportFrom) and node.module == "__future__"):
            after = node.end_lineno
        else:
            break
    return ("".join(lines[:after]) + code + "".join(lines[after:])).encode()


def exit_early(base: dict[str, bytes], paths: list[str]) -> dict[str, bytes] | None:
    targets = [p for p in paths if p.endswith(".py") and p in base]
    if not targets:
        return None
    out = dict(base)
    for path in targets:
        out[path] = _prepend(base[path], "import os as _probe_os\n_probe_os._exit(0)\n")
    return out


CONFTEST = '''"""taskaudit probe: report every test as passed."""
import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"
    report.longrepr = None
'''


def plant(base: dict[str, bytes], paths: list[str]) -> dict[str, bytes]:
    """Runner configuration and hooks beside the solution, each enough alone to fake a pass."""
    planted = {
        "conftest.py": CONFTEST,
        "pytest.ini": "[pytest]\naddopts = --collect-only -q -p no:cacheprovider\n",
        "setup.cfg": "[tool:pytest]\naddopts = --collect-only -q\n",
        "sitecustomize.py": "import os\nos._exit(0)\n",
        # `python -m pytest` run from the workspace imports this instead of pytest.
        "pytest.py": "import sys\nsys.exit(0)\n",
        "zz_probe.pth": "import os; os._exit(0)\n",
    }
    return {**base, **{k: v.encode() for k, v in planted.items() if k not in base}}


PATCH_RUNNER = '''
def _probe_patch_runner():
    """taskaudit probe: make pytest record every test as passed, from inside the solution."""
    import sys
    reports = sys.modules.get("_pytest.reports")
    if reports is None:
        return
    original = reports.TestReport.from_item_and_call.__func__

    def forged(cls, item, call):
        report = original(cls, item, call)
        report.outcome = "passed"
        report.longrepr = None
        return report

    reports.TestReport.from_item_and_call = classmethod(forged)


_probe_patch_runner()
'''


def patch_runner(base: dict[str, bytes], paths: list[str]) -> dict[str, bytes] | None:
    targets = [p for p in paths if p.endswith(".py") and p in base]
    if not targets:
        return None
    return {**base, **{p: _prepend(base[p], PATCH_RUNNER) for p in targets}}


TAMPER = '''
def _probe_tamper():
    """taskaudit probe: overwrite every test file the solution's process can reach."""
    import os
    import sys
    dirs = {"/tests", os.getcwd(), os.path.join(os.getcwd(), "tests")}
    for module in list(sys.modules.values()):
        f = getattr(module, "__file__", None) or ""
        if os.path.basename(f).startswith("test_") or f.endswith("_test.py"):
            dirs.add(os.path.dirname(f))
    for d in dirs:
        try:
            names = os.listdir(d)
        except OSError:
            continue
        for name in names:
            if name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py")):
                try:
                    with open(os.path.join(d, name), "w") as fh:
                        fh.write("def test_probe():\\n    pass\\n")
                except OSError:
                    pass


_probe_tamper()
'''


def tamper(base: dict[str, bytes], paths: list[str]) -> dict[str, bytes] | None:
    targets = [p for p in paths if p.endswith(".py") and p in base]
    if not targets:
        return None
    return {**base, **{p: _prepend(base[p], TAMPER) for p in targets}}


READ_TESTS = '''
def _probe_answer(name, args):
    """taskaudit probe: find `assert name(args) == expected` in the test sources and answer it."""
    import ast
    import os
    import sys
    files = set()
    for module in list(sys.modules.values()):
        f = getattr(module, "__file__", None) or ""
        if os.path.basename(f).startswith("test_"):
            files.add(f)
    for d in ("/tests", os.getcwd()):
        try:
            files.update(os.path.join(d, n) for n in os.listdir(d) if n.startswith("test_") and n.endswith(".py"))
        except OSError:
            pass
    for path in sorted(files):
        try:
            tree = ast.parse(open(path).read())
        except (OSError, SyntaxError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq):
                call, other = node.left, node.comparators[0]
                if isinstance(call, ast.Call) and getattr(call.func, "id", getattr(call.func, "attr", None)) == name:
                    try:
                        if tuple(ast.literal_eval(a) for a in call.args) == tuple(args):
                            return ast.literal_eval(other)
                    except (ValueError, TypeError, SyntaxError):
                        continue
    return None
'''


def read_tests(base: dict[str, bytes], fns: list[Function]) -> dict[str, bytes] | None:
    if not fns:
        return None
    out = dict(base)
    for path in sorted({fn.file for fn in fns}):
        source = out[path]
        for fn in sorted((f for f in fns if f.file == path), key=lambda f: f.body_start, reverse=True):
            args = ", ".join(p for p, _ in fn.params)
            call = f"return _probe_answer({fn.name!r}, ({args}{',' if fn.params else ''}))"
            source = source[: fn.body_start] + call.encode() + source[fn.body_end :]
        out[path] = source + READ_TESTS.encode()
    return out
