"""JavaScript input-space support: targets, seeds, plausible-wrong variants and missing tests,
all read from tree-sitter syntax trees (never run).

- Targets: top-level functions (``function f(a, b)``, ``const f = (a, b) => ...``) of the
  solution's ``.js``/``.mjs``/``.cjs`` files that the module exports (``module.exports = {...}``,
  ``exports.f =``, ``export function``, ``export {...}``) and that the tests call or the
  statement names. Parameters must be plain identifiers.
- Seeds: calls ``f(...)`` / ``m.f(...)`` in the test files whose arguments are literals: strings,
  numbers, booleans, ``null``, arrays, objects with plain keys, unary minus, template strings
  without substitutions and ``"x".repeat(n)``.
- Plausible-wrong variants: ``.toLowerCase()``/``toUpperCase``/``trim``/``sort``/``reverse``
  removed, ``Math.abs(x)`` -> ``x``, ``new Set(x)`` -> ``x``, ``<=``/``>=`` narrowed, an ``if``
  without ``else`` whose body returns / throws / continues dropped.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath

from taskaudit.inputspace import treesitter
from taskaudit.inputspace.execute import CallResult
from taskaudit.inputspace.missing_tests import MissingTest
from taskaudit.inputspace.signature import Param, Target
from taskaudit.inputspace.treesitter import text as _text
from taskaudit.inputspace.treesitter import walk as _walk
from taskaudit.inputspace.variants import NodeEdits, SourceEdit
from taskaudit.model import Task

SUFFIXES = (".js", ".mjs", ".cjs")
TS_SUFFIXES = (".ts", ".mts", ".cts")
_MAX_SIZE = 10_000
_JS_ERRORS = {"Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError"}


def _parse(source: bytes, path: str = ""):
    return treesitter.parse("typescript" if path.endswith(TS_SUFFIXES) else "javascript", source)


def _ts_hint(annotation) -> "ast.expr | None":
    """A Python hint for a TypeScript parameter type (``number`` says too little: None)."""
    import ast

    text = _text(annotation).lstrip(":").strip().replace(" ", "") if annotation is not None else ""
    m = re.fullmatch(r"(?:Array<(\w+)>|(\w+)\[\])", text)
    inner = (m.group(1) or m.group(2)) if m else None
    names = {"string": "str", "boolean": "bool"}
    if text in names:
        return ast.parse(names[text], mode="eval").body
    if inner is not None:
        return ast.parse(f"list[{names.get(inner, 'object')}]" if inner in names else "list", mode="eval").body
    return None



# --------------------------------------------------------------------------- targets


def _exports(root) -> set[str] | None:
    """Exported names, or None when the module's exports cannot be read (then: all functions)."""
    names: set[str] = set()
    found = False
    for n in _walk(root):
        if n.type == "assignment_expression":
            left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
            target = _text(left) if left is not None else ""
            if target == "module.exports" and right is not None:
                found = True
                if right.type == "object":
                    for child in right.named_children:
                        if child.type == "shorthand_property_identifier":
                            names.add(_text(child))
                        elif child.type == "pair":
                            key = child.child_by_field_name("key")
                            if key is not None:
                                names.add(_text(key).strip("'\""))
                        elif child.type == "method_definition":
                            key = child.child_by_field_name("name")
                            if key is not None:
                                names.add(_text(key))
                elif right.type == "identifier":
                    names.add(_text(right))
            elif target.startswith(("module.exports.", "exports.")):
                found = True
                names.add(target.rsplit(".", 1)[1])
        elif n.type == "export_statement":
            found = True
            for child in _walk(n):
                if child.type in ("function_declaration", "generator_function_declaration"):
                    name = child.child_by_field_name("name")
                    if name is not None:
                        names.add(_text(name))
                elif child.type == "variable_declarator":
                    name = child.child_by_field_name("name")
                    if name is not None:
                        names.add(_text(name))
                elif child.type == "export_specifier":
                    alias = child.child_by_field_name("alias") or child.child_by_field_name("name")
                    if alias is not None:
                        names.add(_text(alias))
    return names if found else None


def _params(node) -> list[Param] | None:
    params = node.child_by_field_name("parameters")
    if params is None:  # `x => ...`
        single = node.child_by_field_name("parameter")
        return [Param(_text(single))] if single is not None and single.type == "identifier" else None
    out = []
    for p in params.named_children:
        if p.type == "required_parameter":  # TypeScript: `name: type`
            pattern = p.child_by_field_name("pattern")
            if pattern is None or pattern.type != "identifier" or p.child_by_field_name("value") is not None:
                return None
            out.append(Param(_text(pattern), _ts_hint(p.child_by_field_name("type"))))
            continue
        if p.type != "identifier":
            return None  # defaults, destructuring, rest, optional: no plain positional signature
        out.append(Param(_text(p)))
    return out


def _functions(root) -> list[tuple[str, list[Param], int]]:
    found = []
    for top in root.named_children:
        node = top
        if node.type == "export_statement":
            node = node.child_by_field_name("declaration") or node
        if node.type == "function_declaration":
            name = node.child_by_field_name("name")
            params = _params(node)
            if name is not None and params:
                found.append((_text(name), params, node.start_point[0] + 1))
        elif node.type in ("lexical_declaration", "variable_declaration"):
            for decl in node.named_children:
                if decl.type != "variable_declarator":
                    continue
                name, value = decl.child_by_field_name("name"), decl.child_by_field_name("value")
                if name is not None and value is not None and value.type in ("arrow_function", "function_expression", "function"):
                    params = _params(value)
                    if params:
                        found.append((_text(name), params, decl.start_point[0] + 1))
    return found


def called_names(test_files: dict[str, bytes]) -> set[str]:
    return treesitter.called_names(test_files, (*SUFFIXES, *TS_SUFFIXES), _parse, "call_expression", _callee)


def _callee(call) -> str:
    return treesitter.callee(call, {"member_expression": "property"})  # f(...) and obj.f(...)


def targets(task: Task, workspace: dict[str, bytes]) -> list[Target]:
    wanted = called_names(task.test_files) | set(re.findall(r"[A-Za-z_$][\w$]*", task.statement))
    paths = task.solution_paths or sorted(task.solution_files)
    out: list[Target] = []
    for path in sorted(paths):
        if not path.endswith((*SUFFIXES, *TS_SUFFIXES)) or path not in workspace or path.endswith(".d.ts"):
            continue
        root = _parse(workspace[path], path)
        exported = _exports(root)
        for name, params, line in _functions(root):
            if name in wanted and (exported is None or name in exported):
                out.append(Target(module=path, function=name, params=params, path=path, line=line))
    return out


# --------------------------------------------------------------------------- seeds


class _NotLiteral(Exception):
    pass


def _string(node) -> str:
    raw = _text(node)
    if node.type == "template_string":
        if any(c.type == "template_substitution" for c in node.named_children):
            raise _NotLiteral("template substitution")
        body = raw[1:-1]
        return json.loads('"' + body.replace('"', '\\"').replace("\n", "\\n") + '"')
    quote = raw[0]
    body = raw[1:-1]
    if quote == "'":
        body = body.replace('\\"', '"').replace('"', '\\"').replace("\\'", "'")
    try:
        return json.loads('"' + body + '"')
    except ValueError:
        raise _NotLiteral("string escape") from None


def evaluate(node):
    t = node.type
    if t in ("string", "template_string"):
        return _string(node)
    if t == "number":
        text = _text(node).replace("_", "")
        try:
            value = float(text) if any(ch in text for ch in ".eE") and not text.startswith("0x") else int(text, 0)
        except ValueError:
            raise _NotLiteral(text) from None
        return int(value) if isinstance(value, float) and value.is_integer() and abs(value) < 2**53 else value
    if t == "true":
        return True
    if t == "false":
        return False
    if t == "null":
        return None
    if t == "parenthesized_expression":
        return evaluate(node.named_children[0])
    if t == "unary_expression":
        op = node.child_by_field_name("operator")
        arg = evaluate(node.child_by_field_name("argument"))
        if op is not None and _text(op) == "-" and isinstance(arg, (int, float)):
            return -arg
        raise _NotLiteral("unary")
    if t == "array":
        return [evaluate(c) for c in node.named_children]
    if t == "object":
        out = {}
        for pair in node.named_children:
            if pair.type != "pair":
                raise _NotLiteral("object member")
            key = pair.child_by_field_name("key")
            k = _string(key) if key.type == "string" else _text(key)
            out[k] = evaluate(pair.child_by_field_name("value"))
        return out
    if t == "call_expression":  # "x".repeat(12)
        func = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        if func is not None and func.type == "member_expression" and _text(func.child_by_field_name("property")) == "repeat":
            base = evaluate(func.child_by_field_name("object"))
            count = [evaluate(a) for a in args.named_children]
            if isinstance(base, str) and len(count) == 1 and isinstance(count[0], int) and len(base) * count[0] <= _MAX_SIZE:
                return base * count[0]
        raise _NotLiteral("call")
    raise _NotLiteral(t)


def seeds(test_files: dict[str, bytes], target: Target) -> list[tuple]:
    out: list[tuple] = []
    seen: set[str] = set()
    for path in sorted(test_files):
        if not path.endswith((*SUFFIXES, *TS_SUFFIXES)):
            continue
        for n in _walk(_parse(test_files[path], path)):
            if n.type != "call_expression" or _callee(n) != target.function:
                continue
            args_node = n.child_by_field_name("arguments")
            if args_node is None or len(args_node.named_children) != len(target.params):
                continue
            try:
                args = tuple(evaluate(a) for a in args_node.named_children)
            except (_NotLiteral, RecursionError, ValueError):
                continue
            key = repr(args)
            if key not in seen:
                seen.add(key)
                out.append(args)
    return out


# --------------------------------------------------------------------------- wrong variants

_UNWRAP_METHODS = {"toLowerCase", "toUpperCase", "trim", "trimStart", "trimEnd", "sort", "reverse", "toSorted"}


def plausible_wrong(path: str, source: bytes) -> list[SourceEdit]:
    root = _parse(source, path)
    edits = NodeEdits(path, source, lambda changed: not _parse(changed, path).has_error)
    add = edits.add

    for n in _walk(root):
        if n.type == "call_expression":
            func, args = n.child_by_field_name("function"), n.child_by_field_name("arguments")
            if func is None or func.type != "member_expression" or args is None:
                continue
            prop, obj = func.child_by_field_name("property"), func.child_by_field_name("object")
            name = _text(prop) if prop is not None else ""
            if name in _UNWRAP_METHODS and obj is not None and (not args.named_children or name in ("sort", "toSorted")):
                add(n, f"({_text(obj)})", f".{name}() removed")
            elif _text(func) == "Math.abs" and len(args.named_children) == 1:
                add(n, f"({_text(args.named_children[0])})", "Math.abs(...) removed")
        elif n.type == "new_expression":
            ctor = n.child_by_field_name("constructor")
            args = n.child_by_field_name("arguments")
            if ctor is not None and _text(ctor) == "Set" and args is not None and len(args.named_children) == 1:
                add(n, f"({_text(args.named_children[0])})", "deduplication (new Set(...)) removed")
        elif n.type == "binary_expression":
            op = n.child_by_field_name("operator")
            if op is not None and _text(op) in ("<=", ">="):
                left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
                new = _text(op)[0]
                add(n, f"{_text(left)} {new} {_text(right)}", f"{_text(op)} narrowed to {new}")
        elif n.type == "if_statement" and n.child_by_field_name("alternative") is None:
            body = n.child_by_field_name("consequence")
            last = body.named_children[-1] if body is not None and body.type == "statement_block" and body.named_children else body
            if last is not None and last.type in ("return_statement", "throw_statement", "continue_statement"):
                cond = n.child_by_field_name("condition")
                add(n, ";", f"special case `if {_text(cond) if cond is not None else ''}` dropped")

    return edits.distinct()


# --------------------------------------------------------------------------- missing tests


def _import_spec(task: Task, target: Target) -> tuple[str, bool] | None:
    """(the specifier the tests load the target's file by, whether they use ESM import)."""
    stem = PurePosixPath(target.path).stem
    for path, source in sorted(task.test_files.items()):
        text = source.decode("utf-8", errors="replace")
        for m in re.finditer(r"""(require\(\s*|from\s+|import\(\s*)(["'])([^"']+)\2""", text):
            spec = m.group(3)
            if PurePosixPath(spec).stem == stem or PurePosixPath(spec).name == stem:
                return spec, not m.group(1).startswith("require")
    return None


def _literal(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def js_test(task: Task, target: Target, args: tuple, expected: CallResult, why: str) -> MissingTest | None:
    from taskaudit.inputspace.pyharness import decode

    spec = _import_spec(task, target)
    if spec is None:
        return None
    specifier, esm = spec
    try:
        call_args = ", ".join(_literal(a) for a in args)
    except (TypeError, ValueError):
        return None
    call = f"{target.function}({call_args})"
    if expected.kind == "value":
        try:
            value = decode(expected.value)
        except (ValueError, TypeError, KeyError):
            return None
        if isinstance(value, (set, tuple)) or (isinstance(value, dict) and not all(isinstance(k, str) for k in value)):
            return None
        check = f"  assert.deepStrictEqual({call}, {_literal(value)});"
    elif expected.kind == "raise":
        error = expected.error if expected.error in _JS_ERRORS else None
        check = f"  assert.throws(() => {call}{', ' + error if error else ''});"
    else:
        return None
    if esm:
        head = (f'import {{ test }} from "node:test";\nimport assert from "node:assert/strict";\n'
                f'import {{ {target.function} }} from {json.dumps(specifier)};\n')
        name = "taskaudit_missing.test.ts" if target.path.endswith(TS_SUFFIXES) else "taskaudit_missing.test.mjs"
    else:
        head = (f'const {{ test }} = require("node:test");\nconst assert = require("node:assert/strict");\n'
                f'const {{ {target.function} }} = require({json.dumps(specifier)});\n')
        name = "taskaudit_missing.test.js"
    source = (
        "// Written by taskaudit (input-space analysis): pins the reference's behaviour on an\n"
        f"// input no test covers ({why}).\n{head}\n"
        f"test({json.dumps(f'{target.function} on {why}')}, () => {{\n{check}\n}});\n"
    )
    return MissingTest(name, source)


def js_module_path(target: Target) -> str:
    """The file the JavaScript harness loads for a target (TypeScript: its transpiled output)."""
    path = PurePosixPath(target.path)
    return str(path.with_suffix({".ts": ".js", ".mts": ".mjs", ".cts": ".cjs"}.get(path.suffix, path.suffix)))


def transpile_workspaces(workspaces: list[dict[str, bytes]]) -> list[dict[str, bytes]]:
    """Each workspace with its TypeScript sources transpiled (types stripped) beside them.

    Runs the cached TypeScript compiler's ``transpileModule`` outside the sandbox, as taskaudit
    compiles TypeScript for test runs: it reads the task's code and never executes it."""
    import subprocess
    import tempfile
    from pathlib import Path

    from taskaudit.inputspace.execute import HarnessError
    from taskaudit.languages.javascript_support.toolchain import (
        find_node,
        typescript_dir,
    )

    node = find_node()
    ts_dir, problem = typescript_dir()
    if isinstance(node, str) or ts_dir is None:
        raise HarnessError(node if isinstance(node, str) else problem)
    files = {f"{i}/{p}": c.decode("utf-8", errors="replace") for i, ws in enumerate(workspaces)
             for p, c in ws.items() if p.endswith(TS_SUFFIXES) and not p.endswith(".d.ts")}
    kind = "commonjs"
    package = workspaces[0].get("package.json", b"") if workspaces else b""
    if b'"type"' in package and b'"module"' in package:
        kind = "es2022"
    with tempfile.TemporaryDirectory(prefix="taskaudit-ts-") as tmp:
        job = Path(tmp) / "job.json"
        job.write_text(json.dumps({"module": kind, "files": files}))
        done = subprocess.run(
            [node[0], str(Path(__file__).with_name("ts_transpile.cjs")), str(ts_dir / "node_modules" / "typescript"), str(job)],
            capture_output=True, text=True, timeout=300, env={"PATH": "/usr/bin:/bin"},
        )
    if done.returncode != 0:
        raise HarnessError(f"transpiling TypeScript failed: {done.stderr[-800:]}")
    out = json.loads(done.stdout)
    result = [dict(ws) for ws in workspaces]
    for key, js in out.items():
        i, _, path = key.partition("/")
        target = Target(module="", function="", params=[], path=path, line=0)
        result[int(i)][js_module_path(target)] = js.encode()
    return result
