"""Python mutation backend: operators on tree-sitter syntax trees, schemata, a warm worker.

Generation walks the solution's syntax tree and emits every mutant of ``model.OPERATORS``
(docs/mutation.md lists them). Execution compiles every mutant of a function into the
solution at once (``schema.py``): the function is kept as ``name__ta_orig``, each mutant of
it becomes ``name__ta_m<k>``, and ``name`` becomes a trampoline asking the runtime switch
which one to call. One sandboxed pytest process (``python_worker.py``) collects the tests
once, records in a dry run which tests reach which functions, then forks once per mutant
and runs only the tests reaching it. Mutants the schema cannot express (module or class
level code) and mutants reached while the tests are imported run in a fresh process: a
rebuild of the workspace with the mutated file, through the ordinary runner.
"""

from __future__ import annotations

import ast
import json
import secrets
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from taskaudit.mutation.base import MutationJob
from taskaudit.mutation.model import Mutant, MutantResult, Outcome
from taskaudit.mutation.treesitter import MutantSink, parser_for, text, walk

# --------------------------------------------------------------------------- operators

_ARITHMETIC = {"+": "-", "-": "+", "*": "/", "/": "*", "//": "*", "%": "*", "**": "*"}
_AUGMENTED = {"+=": "-=", "-=": "+=", "*=": "/=", "/=": "*=", "//=": "*=", "%=": "*="}
_RELATIONAL = {"<": ">=", ">=": "<", ">": "<=", "<=": ">", "==": "!=", "!=": "==",
               "in": "not in", "not in": "in", "is": "is not", "is not": "is"}
_BOUNDARY = {"<": "<=", "<=": "<", ">": ">=", ">=": ">"}
_NORMALIZING_METHODS = {"strip", "lstrip", "rstrip", "lower", "upper", "casefold", "title",
                        "capitalize", "normalize"}
_NORMALIZING_FUNCTIONS = {"sorted", "abs"}
_OUTPUT_CALLS = {"print", "debug", "info", "warning", "warn", "error", "exception", "critical", "log"}


def generate_python(path: str, source: bytes) -> list[Mutant]:
    """Every mutant of one Python file, in source order."""
    tree = parser_for("python").parse(source)
    if tree.root_node.has_error:
        return []  # not valid Python: the reference run would have said so
    sink = MutantSink(path, source)
    for node in walk(tree.root_node):
        kind = node.type
        if kind == "binary_operator":
            op = node.child_by_field_name("operator")
            if op is not None and text(op) in _ARITHMETIC:
                sink.replace_node("arithmetic", op, _ARITHMETIC[text(op)],
                                  f"replaced {text(op)} with {_ARITHMETIC[text(op)]}")
        elif kind == "augmented_assignment":
            op = node.child_by_field_name("operator")
            if op is not None and text(op) in _AUGMENTED:
                sink.replace_node("arithmetic", op, _AUGMENTED[text(op)],
                                  f"replaced {text(op)} with {_AUGMENTED[text(op)]}")
        elif kind == "comparison_operator":
            for op in node.children[1::2]:  # operands and operators alternate
                symbol = " ".join(text(op).split())
                if symbol in _BOUNDARY:
                    sink.replace_node("boundary", op, _BOUNDARY[symbol],
                                      f"replaced {symbol} with {_BOUNDARY[symbol]}")
                if symbol in _RELATIONAL:
                    sink.replace_node("relational", op, _RELATIONAL[symbol],
                                      f"replaced {symbol} with {_RELATIONAL[symbol]}")
        elif kind == "boolean_operator":
            op = node.child_by_field_name("operator")
            swap = {"and": "or", "or": "and"}.get(text(op)) if op is not None else None
            if swap:
                sink.replace_node("logical", op, swap, f"replaced {text(op)} with {swap}")
        elif kind == "not_operator":
            arg = node.child_by_field_name("argument")
            if arg is not None:
                sink.replace_node("negation", node, text(arg), "removed not")
        elif kind in ("if_statement", "elif_clause", "while_statement"):
            cond = node.child_by_field_name("condition")
            if cond is not None and cond.type != "not_operator":
                sink.replace_node("negation", cond, f"not ({text(cond)})", "negated the condition")
            if kind == "if_statement":
                _guard(sink, node)
        elif kind == "integer":
            _integer(sink, node)
        elif kind in ("true", "false"):
            swap = "False" if kind == "true" else "True"
            sink.replace_node("constant", node, swap, f"replaced {text(node)} with {swap}")
        elif kind in ("string", "concatenated_string"):
            _string(sink, node)
        elif kind in ("list", "set", "dictionary", "tuple") and node.named_child_count:
            empty = {"list": "[]", "set": "set()", "dictionary": "{}", "tuple": "()"}[kind]
            if node.parent is None or node.parent.type not in ("subscript", "with_item"):
                sink.replace_node("constant", node, empty, f"replaced the {kind} with {empty}")
        elif kind == "return_statement":
            value = node.named_children[0] if node.named_children else None
            if value is not None and value.type != "none":
                sink.replace_node("return_value", value, "None", "returned None")
        elif kind == "raise_statement":
            sink.replace_node("remove_raise", node, "pass", "removed the raise")
        elif kind == "expression_statement":
            only = node.named_children[0] if node.named_child_count == 1 else None
            if only is not None and only.type == "call":
                sink.replace_node("remove_call", node, "pass", f"removed the call {_short(only)}")
        elif kind in ("break_statement", "continue_statement"):
            swap = "continue" if kind == "break_statement" else "break"
            sink.replace_node("loop_control", node, swap, f"replaced {text(node)} with {swap}")
        elif kind == "call":
            _normalizing(sink, node)
    mutants = [_with_context(tree.root_node, m) for m in sink.mutants]
    return sorted(mutants, key=lambda m: (m.start, m.end, m.operator, m.replacement))


_STATEMENT_OPERATORS = {"remove_raise", "remove_call", "remove_guard"}


def _with_context(root, m: Mutant) -> Mutant:
    """Mark a mutant that only touches the arguments of a raised error or a print/log call."""
    if m.context or m.operator in _STATEMENT_OPERATORS:
        return m
    node = root.descendant_for_byte_range(m.start, max(m.start, m.end - 1))
    context = _message_context(node) if node is not None else ""
    return replace(m, context=context) if context else m


def _short(node) -> str:
    s = " ".join(text(node).split())
    return s if len(s) <= 40 else s[:37] + "..."


def _guard(sink: MutantSink, node) -> None:
    """``if cond: return/raise/continue/break`` with no else: remove the whole statement."""
    if node.child_by_field_name("alternative") is not None:
        return
    block = node.child_by_field_name("consequence")
    body = [c for c in (block.named_children if block else []) if c.type != "comment"]
    exits = ("return_statement", "raise_statement", "continue_statement", "break_statement")
    if len(body) == 1 and body[0].type in exits:
        sink.replace_node("remove_guard", node, "pass", "removed the guard clause")


def _integer(sink: MutantSink, node) -> None:
    try:
        value = int(text(node).replace("_", ""), 0)
    except ValueError:
        return
    replacements = {0: ["1"], 1: ["0", "2"]}.get(value, ["0", str(value + 1)])
    for r in replacements:
        sink.replace_node("constant", node, r, f"replaced {text(node)} with {r}")


def _string(sink: MutantSink, node) -> None:
    parent = node.parent
    if node.type == "string" and parent is not None and parent.type == "concatenated_string":
        return  # the whole concatenation is one constant
    if parent is not None and parent.type == "expression_statement" and parent.named_child_count == 1:
        return  # a docstring or a bare string: no behaviour
    if _in(node, ("import_statement", "import_from_statement", "type")):
        return
    raw = text(node)
    if _is_empty_string(raw):
        replacement, what = '"TASKAUDIT"', "a non-empty string"
    else:
        replacement, what = '""', "an empty string"
    sink.replace_node("constant", node, replacement, f"replaced the string with {what}",
                      context=_message_context(node))


def _is_empty_string(raw: str) -> bool:
    body = raw.lstrip("rRbBuUfF")
    return body in ('""', "''", '""""""', "''''''")


def _in(node, kinds: tuple[str, ...]) -> bool:
    p = node.parent
    while p is not None:
        if p.type in kinds:
            return True
        p = p.parent
    return False


def _message_context(node) -> str:
    """"error_message" inside a raise; "output_message" inside print()/logging calls."""
    p, child = node.parent, node
    while p is not None and p.type not in ("function_definition", "module", "block", "lambda"):
        if p.type == "raise_statement" and child.type == "call":
            args = child.child_by_field_name("arguments")
            inside = args is not None and args.start_byte <= node.start_byte < args.end_byte
            return "error_message" if inside else ""
        if p.type == "assert_statement" and child.start_byte != p.named_children[0].start_byte:
            return "error_message"  # the assert's message, not its condition
        if p.type == "argument_list" and p.parent is not None and p.parent.type == "call":
            p = p.parent
            fn = p.child_by_field_name("function")
            name = text(fn).rsplit(".", 1)[-1] if fn is not None else ""
            if name in _OUTPUT_CALLS:
                return "output_message"
            if name.endswith(("Error", "Exception", "Warning")):
                return "error_message"
        p, child = p.parent, p
    return ""


def _normalizing(sink: MutantSink, node) -> None:
    fn = node.child_by_field_name("function")
    args = node.child_by_field_name("arguments")
    if fn is None or args is None or args.type != "argument_list":
        return
    if fn.type == "attribute":
        name = fn.child_by_field_name("attribute")
        obj = fn.child_by_field_name("object")
        if name is not None and obj is not None and text(name) in _NORMALIZING_METHODS:
            sink.replace_node("normalizing_call", node, text(obj), f"removed .{text(name)}()")
    elif fn.type == "identifier" and text(fn) in _NORMALIZING_FUNCTIONS:
        positional = [a for a in args.named_children if a.type not in ("keyword_argument", "comment")]
        if len(positional) == 1 and len(args.named_children) == 1:
            arg = positional[0]
            if arg.type not in ("list_splat", "dictionary_splat"):
                sink.replace_node("normalizing_call", node, f"({text(arg)})", f"removed {text(fn)}()")


def compiles(source: bytes, path: str) -> str | None:
    """None when ``source`` compiles, else the error (compile() never runs the code)."""
    try:
        compile(source, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def same_code(before: bytes, after: bytes) -> bool:
    """True when both sources have the same syntax tree (the mutant cannot differ)."""
    try:
        return ast.dump(ast.parse(before)) == ast.dump(ast.parse(after))
    except (SyntaxError, ValueError):
        return False


# --------------------------------------------------------------------------- the backend


class PythonMutation:
    language = "python"
    strategy = "schemata+warm-worker"

    def generate(self, files: dict[str, bytes], paths: list[str]) -> list[Mutant]:
        mutants: list[Mutant] = []
        for path in sorted(paths):
            if path.endswith(".py") and path in files:
                mutants.extend(generate_python(path, files[path]))
        return mutants

    def normalised(self, source: bytes) -> str | None:
        """A canonical form of the source for the likely-equivalent test (the AST dump)."""
        try:
            return ast.dump(ast.parse(source))
        except (SyntaxError, ValueError):
            return None

    def execute(self, job: MutationJob) -> list[MutantResult]:
        from taskaudit.mutation.python_schema import build_schema
        from taskaudit.mutation.rebuild import rebuild_results

        results: dict[str, MutantResult] = {}
        viable: list[Mutant] = []
        for m in job.mutants:
            error = compiles(m.apply(job.workspace[m.file]), m.file)
            if error:
                results[m.id] = MutantResult(m, Outcome.UNVIABLE, detail=error)
            else:
                viable.append(m)

        schema = build_schema(job.workspace, viable)
        rebuild = list(schema.unexpressed)
        if schema.mutants:
            worker = run_worker(job, schema)
            for m in schema.mutants:
                r = worker.get(m.id)
                if r is None or r.outcome == Outcome.ERROR and r.detail.startswith("fresh process"):
                    rebuild.append(m)  # reached at import time, or the worker never got to it
                else:
                    results[m.id] = r
        for r in rebuild_results(job, rebuild, build_failed=Outcome.KILLED):
            results[r.mutant.id] = r
        return [results[m.id] for m in job.mutants]


# --------------------------------------------------------------------------- the warm worker

WORKSPACE, TESTS, RESULTS, HARNESS = "/app", "/tests", "/results", "/taskaudit-harness"


def run_worker(job: MutationJob, schema) -> dict[str, MutantResult]:
    """Run every schematised mutant in one sandboxed pytest process; results by mutant id.

    Mutants it has no trustworthy result for are absent (the caller rebuilds them) or ERROR.
    """
    import sys

    from taskaudit.languages.python import HARNESS_INI
    from taskaudit.model import Outcome as TestOutcome
    from taskaudit.runner import _write_tree
    from taskaudit.sandbox.base import Limits, Mount, SandboxRequest

    expected = sorted(t.test_id for t in job.reference.tests if t.outcome == TestOutcome.PASSED)
    # A mutant's own limits derive from the time its covering tests took in the dry run (the
    # worker applies them, python_worker.limits_for); the sandbox's limit on the whole worker
    # allows every mutant more than that.
    per_mutant = 1.5 + 2 * job.reference.duration_sec
    wall = max(60.0, job.task.timeout_sec) + len(schema.mutants) * per_mutant
    root = Path(tempfile.mkdtemp(prefix="taskaudit-mut-"))
    try:
        workspace, tests_dir, results_dir, harness = (
            root / "app", root / "tests", root / "results", root / "harness")
        _write_tree(workspace, {**job.workspace, **schema.files})
        _write_tree(tests_dir, job.task.test_files)
        results_dir.mkdir()
        harness.mkdir()
        (harness / "pytest.ini").write_text(HARNESS_INI)
        nonce = secrets.token_hex(16)
        (results_dir / "mutation-nonce").write_text(nonce)
        plan = {
            "expected": expected,
            "mutants": [[schema.ids[m.id], schema.function_of[m.id]] for m in schema.mutants],
        }
        (harness / "plan.json").write_text(json.dumps(plan))
        argv = [
            sys.executable, "-I", "-B", "-m", "pytest",
            "-c", f"{HARNESS}/pytest.ini", f"--rootdir={TESTS}", f"--confcutdir={TESTS}",
            "-o", f"pythonpath={WORKSPACE}",
            "-p", "taskaudit.mutation.python_worker",
            "-p", "no:cacheprovider", "-q", "--color=no", "-p", "no:junitxml",
            # No global output capture: each forked child's output goes to /dev/null anyway,
            # and starting and stopping capture around every phase of every test costs more
            # than most tests (capsys and capfd still work).
            "--capture=no",
            # Plugins that only turn stray exceptions into warnings: not needed for pass/fail,
            # and their per-phase hooks cost a fifth of a mutant's time.
            "-p", "no:faulthandler", "-p", "no:unraisableexception", "-p", "no:threadexception",
            TESTS,
        ]
        language = job.language
        mounts = [
            *language.toolchain_mounts(),
            Mount(host=harness, target=HARNESS),
            Mount(host=workspace, target=WORKSPACE, writable=True),
            Mount(host=tests_dir, target=TESTS),
            Mount(host=results_dir, target=RESULTS, writable=True),
        ]
        started = time.monotonic()
        process = job.sandbox.run(
            SandboxRequest(
                argv=argv,
                cwd=WORKSPACE,
                mounts=mounts,
                env={
                    "TASKAUDIT_RESULTS_DIR": RESULTS,
                    "TASKAUDIT_MUTATION_PLAN": f"{HARNESS}/plan.json",
                    "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
                },
                limits=Limits(wall_seconds=wall, memory_mb=4096),
                address_space_ok=False,  # the worker caps each forked mutant itself
            )
        )
        elapsed = time.monotonic() - started
        lines = _read_lines(results_dir / "mutation.jsonl", nonce)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    by_key = {schema.ids[m.id]: m for m in schema.mutants}
    header = next((line for line in lines if line.get("kind") == "header"), None)
    results: dict[str, MutantResult] = {}
    if header is None:
        why = process.sandbox_error or (
            f"the worker ended before collecting the tests (exit {process.exit_code}): "
            + process.stdout[-800:].decode(errors="replace"))
        job.notes.append(f"warm worker unusable, mutants rebuilt instead: {why}")
        return results  # every mutant falls back to a rebuild
    job.notes.append(
        f"warm worker: {len(schema.mutants)} schematised mutants in {elapsed:.2f} s; "
        f"dry run {header.get('dry_ms', 0):.0f} ms")
    footer = next((line for line in lines if line.get("kind") == "footer"), None)
    if footer:
        job.stats.update({
            "worker_peak_rss_mib": round(footer.get("peak_rss_kib", 0) / 1024, 1),
            "child_peak_rss_mib": round(footer.get("children_peak_rss_kib", 0) / 1024, 1),
            "worker_cpu_sec": round(footer.get("cpu_sec", 0.0), 3),
            "worker_wall_sec": round(elapsed, 3),
        })
    cpu = sorted(line["cpu_ms"] for line in lines if line.get("kind") == "mutant" and "cpu_ms" in line)
    if cpu:
        job.stats["median_cpu_ms_per_mutant"] = round(cpu[len(cpu) // 2], 3)
    for line in lines:
        if line.get("kind") != "mutant" or line.get("key") not in by_key:
            continue
        m = by_key[line["key"]]
        outcome = line.get("outcome")
        if outcome == "fresh":
            results[m.id] = MutantResult(m, Outcome.ERROR, detail="fresh process: reached at import")
            continue
        results[m.id] = MutantResult(
            m,
            Outcome(outcome),
            killed_by=sorted(line.get("killed_by", [])),
            covered_by=sorted(line.get("covered_by", [])),
            detail=line.get("detail", ""),
            duration_ms=float(line.get("ms", 0.0)),
        )
    if process.timed_out or process.limit_hit:
        for m in schema.mutants:
            if m.id not in results:
                results[m.id] = MutantResult(
                    m, Outcome.ERROR,
                    detail=f"the warm worker hit its {process.limit_hit or 'time'} limit first")
    return results


def _read_lines(path: Path, nonce: str) -> list[dict]:
    """The worker's JSON lines that carry this run's nonce (anything else is ignored)."""
    try:
        raw = path.read_bytes()[: 64 << 20]
    except OSError:
        return []
    out = []
    for chunk in raw.splitlines():
        try:
            item = json.loads(chunk)
        except ValueError:
            continue
        if isinstance(item, dict) and item.get("nonce") == nonce:
            out.append(item)
    return out
