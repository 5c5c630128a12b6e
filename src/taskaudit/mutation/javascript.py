"""JavaScript and TypeScript mutation backend: tree-sitter operators, schemata, a warm worker.

Generation walks the syntax tree (tree-sitter-javascript, tree-sitter-typescript) and emits the
operators of ``model.OPERATORS``; nothing inside a type annotation or an import is mutated.

Schemata: the body of every outermost function (declaration, method, function expression,
arrow function) that holds mutants becomes a switch on the active mutant::

    function encode(text) { switch (__taskaudit_hit(3)) {
      case 7: { <body with mutant 7> } break;
      default: { <original body> } } }

``__taskaudit_hit(3)`` records that function 3 ran (coverage) and returns the active mutant id.
Each copy stays inside the same function, so ``this``, ``arguments``, ``await`` and ``yield``
mean what they meant. An arrow with an expression body gets a block body returning each
variant. Every loop body in a schematised function starts with ``__taskaudit_tick();``: with
the switch call, the ticks the worker's hit limit counts (an endless loop stops in a few ms).
A mutant outside any function (a module-level constant, a parameter default) becomes a
conditional on the switch where it stands; it acts at load time, so the worker reloads the
modules for it. TypeScript schemata carry ``// @ts-nocheck`` (a mutant need not type-check to
be tested; Stryker does the same) and are compiled once with the task's tests.

Whether other mutants may run without a reload is decided from the task's files by
``javascript_state.py`` (docs/mutation.md, "Isolation between mutants").

The warm worker (``js_support/worker.cjs``) runs node:test suites in one Node process through a
small in-process implementation of the node:test API, and jest/vitest suites through their API
on the same runner (``js_support/runner_api.cjs``: the runner's own ``expect``); a supervisor
process interrupts a mutant past its CPU-time limit and restarts the worker after one that
will not stop or ends the process (docs/mutation.md, "Timeouts"). Mutants the schema cannot
wrap and suites the in-process runner does not reproduce are rebuilt (a fresh run per mutant).
"""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

from taskaudit.mutation.base import MutationJob
from taskaudit.mutation.javascript_state import resettable_regexes, task_state
from taskaudit.mutation.model import Mutant, MutantResult, Outcome
from taskaudit.mutation.treesitter import MutantSink, parser_for, text, walk

SUPPORT = Path(__file__).resolve().parent / "js_support"
SUPPORT_TARGET = "/taskaudit-mutation"

_ARITHMETIC = {"+": "-", "-": "+", "*": "/", "/": "*", "%": "*", "**": "*"}
_AUGMENTED = {"+=": "-=", "-=": "+=", "*=": "/=", "/=": "*=", "%=": "*="}
_RELATIONAL = {"<": ">=", ">=": "<", ">": "<=", "<=": ">", "===": "!==", "!==": "===",
               "==": "!=", "!=": "=="}
_BOUNDARY = {"<": "<=", "<=": "<", ">": ">=", ">=": ">"}
_LOGICAL = {"&&": "||", "||": "&&", "??": "&&"}
_NORMALIZING = {"trim", "trimStart", "trimEnd", "toLowerCase", "toUpperCase",
                "toLocaleLowerCase", "toLocaleUpperCase", "normalize", "sort"}
_OUTPUT = {"log", "info", "warn", "error", "debug"}
_FUNCTIONS = ("function_declaration", "function_expression", "function", "arrow_function",
              "method_definition", "generator_function_declaration", "generator_function")
_SKIP_INSIDE = ("type_annotation", "type_arguments", "type_parameters", "type_alias_declaration",
                "interface_declaration", "import_statement", "export_clause", "enum_declaration",
                "ambient_declaration", "abstract_class_declaration", "decorator")
_EXITS = ("return_statement", "throw_statement", "break_statement", "continue_statement")


def grammar_for(path: str) -> str:
    if path.endswith(".tsx"):
        return "tsx"
    if path.endswith((".ts", ".mts", ".cts")):
        return "typescript"
    return "javascript"


def generate_js(path: str, source: bytes) -> list[Mutant]:
    """Every mutant of one JS/TS file, in source order."""
    tree = parser_for(grammar_for(path)).parse(source)
    if tree.root_node.has_error:
        return []
    sink = MutantSink(path, source)
    skip_ranges: list[tuple[int, int]] = []
    for node in walk(tree.root_node):
        if any(s <= node.start_byte and node.end_byte <= e for s, e in skip_ranges):
            continue
        kind = node.type
        if kind in _SKIP_INSIDE:
            skip_ranges.append((node.start_byte, node.end_byte))
            continue
        if kind == "binary_expression":
            op = node.child_by_field_name("operator")
            symbol = text(op) if op is not None else ""
            if symbol in _ARITHMETIC:
                sink.replace_node("arithmetic", op, _ARITHMETIC[symbol], f"replaced {symbol} with {_ARITHMETIC[symbol]}")
            if symbol in _BOUNDARY:
                sink.replace_node("boundary", op, _BOUNDARY[symbol], f"replaced {symbol} with {_BOUNDARY[symbol]}")
            if symbol in _RELATIONAL:
                sink.replace_node("relational", op, _RELATIONAL[symbol], f"replaced {symbol} with {_RELATIONAL[symbol]}")
            if symbol in _LOGICAL:
                sink.replace_node("logical", op, _LOGICAL[symbol], f"replaced {symbol} with {_LOGICAL[symbol]}")
        elif kind == "augmented_assignment_expression":
            op = node.child_by_field_name("operator")
            if op is not None and text(op) in _AUGMENTED:
                sink.replace_node("arithmetic", op, _AUGMENTED[text(op)], f"replaced {text(op)} with {_AUGMENTED[text(op)]}")
        elif kind == "update_expression":
            op = next((c for c in node.children if c.type in ("++", "--")), None)
            if op is not None:
                swap = "--" if op.type == "++" else "++"
                sink.replace_node("arithmetic", op, swap, f"replaced {op.type} with {swap}")
        elif kind == "unary_expression":
            op = node.child_by_field_name("operator")
            arg = node.child_by_field_name("argument")
            if op is not None and arg is not None and text(op) == "!":
                sink.replace_node("negation", node, text(arg), "removed !")
        elif kind in ("if_statement", "while_statement", "do_statement"):
            cond = node.child_by_field_name("condition")
            if cond is not None and not _negated(cond):
                sink.replace_node("negation", cond, f"(!{text(cond)})", "negated the condition")
            if kind == "if_statement":
                _guard(sink, node)
        elif kind == "ternary_expression":
            cond = node.child_by_field_name("condition")
            if cond is not None:
                sink.replace_node("negation", cond, f"!({text(cond)})", "negated the condition")
        elif kind == "number":
            _number(sink, node)
        elif kind in ("true", "false"):
            swap = "false" if kind == "true" else "true"
            sink.replace_node("constant", node, swap, f"replaced {kind} with {swap}")
        elif kind in ("string", "template_string"):
            _string(sink, node)
        elif kind in ("array", "object") and node.named_child_count:
            if node.parent is not None and node.parent.type in ("variable_declarator", "assignment_expression") \
                    and node.parent.child_by_field_name("left" if node.parent.type == "assignment_expression" else "name") == node:
                continue  # a destructuring pattern, not a value
            empty = "[]" if kind == "array" else "{}"
            replacement = "({})" if kind == "object" else empty
            sink.replace_node("constant", node, replacement, f"replaced the {kind} with {empty}")
        elif kind == "return_statement":
            value = node.named_children[0] if node.named_children else None
            if value is not None and text(value) != "undefined":
                sink.replace_node("return_value", value, "undefined", "returned undefined")
        elif kind == "throw_statement":
            sink.replace_node("remove_raise", node, "{}", "removed the throw")
        elif kind == "expression_statement":
            only = node.named_children[0] if node.named_child_count == 1 else None
            if only is not None and only.type == "await_expression" and only.named_child_count:
                only = only.named_children[0]
            if only is not None and only.type == "call_expression":
                sink.replace_node("remove_call", node, "{}", f"removed the call {_short(only)}")
        elif kind in ("break_statement", "continue_statement"):
            if not node.named_child_count:  # unlabelled only
                swap = "continue;" if kind == "break_statement" else "break;"
                sink.replace_node("loop_control", node, swap, f"replaced {text(node).rstrip(';')} with {swap.rstrip(';')}")
        elif kind == "call_expression":
            fn = node.child_by_field_name("function")
            args = node.child_by_field_name("arguments")
            if fn is not None and fn.type == "member_expression" and args is not None:
                prop = fn.child_by_field_name("property")
                obj = fn.child_by_field_name("object")
                if prop is not None and obj is not None and text(prop) in _NORMALIZING:
                    sink.replace_node("normalizing_call", node, text(obj), f"removed .{text(prop)}()")
    mutants = [_with_context(tree.root_node, m) for m in sink.mutants]
    return sorted(mutants, key=lambda m: (m.start, m.end, m.operator, m.replacement))


def _negated(cond) -> bool:
    inner = cond.named_children[0] if cond.type == "parenthesized_expression" and cond.named_child_count else cond
    return inner.type == "unary_expression" and text(inner).startswith("!")


def _short(node) -> str:
    s = " ".join(text(node).split())
    return s if len(s) <= 40 else s[:37] + "..."


def _guard(sink: MutantSink, node) -> None:
    if node.child_by_field_name("alternative") is not None:
        return
    body = node.child_by_field_name("consequence")
    if body is None:
        return
    statements = [c for c in body.named_children if c.type != "comment"] if body.type == "statement_block" else [body]
    if len(statements) == 1 and statements[0].type in _EXITS:
        sink.replace_node("remove_guard", node, "{}", "removed the guard clause")


def _number(sink: MutantSink, node) -> None:
    raw = text(node).replace("_", "")
    try:
        value = int(raw, 0) if not any(c in raw for c in ".eE") or raw.startswith("0x") else float(raw)
    except ValueError:
        return
    if isinstance(value, float) and not value.is_integer():
        replacements = ["0"]
    else:
        value = int(value)
        replacements = {0: ["1"], 1: ["0", "2"]}.get(value, ["0", str(value + 1)])
    for r in replacements:
        sink.replace_node("constant", node, r, f"replaced {text(node)} with {r}")


def _string(sink: MutantSink, node) -> None:
    parent = node.parent
    if parent is not None and parent.type in ("import_statement", "export_statement", "pair",
                                              "property_identifier", "call_expression"):
        if parent.type == "pair" and parent.child_by_field_name("key") == node:
            return  # an object key
        if parent.type in ("import_statement", "export_statement"):
            return
    if parent is not None and parent.type == "arguments" and parent.parent is not None:
        fn = parent.parent.child_by_field_name("function")
        if fn is not None and text(fn) in ("require", "import"):
            return
    if parent is not None and parent.type == "expression_statement":
        return  # a directive ("use strict") or a bare string
    raw = text(node)
    if raw in ('""', "''", "``"):
        replacement, what = '"TASKAUDIT"', "a non-empty string"
    else:
        replacement, what = '""', "an empty string"
    sink.replace_node("constant", node, replacement, f"replaced the string with {what}")


_STATEMENT_OPERATORS = {"remove_raise", "remove_call", "remove_guard"}


def _with_context(root, m: Mutant) -> Mutant:
    """Mark a mutant inside the arguments of a thrown error or a console call."""
    if m.operator in _STATEMENT_OPERATORS:
        return m
    node = root.descendant_for_byte_range(m.start, max(m.start, m.end - 1))
    p = node.parent if node is not None else None
    while p is not None and p.type not in _FUNCTIONS and p.type not in ("statement_block", "program"):
        if p.type == "arguments" and p.parent is not None:
            call = p.parent
            fn = call.child_by_field_name("function") if call.type == "call_expression" else call.child_by_field_name("constructor")
            name = text(fn).rsplit(".", 1)[-1] if fn is not None else ""
            if call.type == "new_expression" and name.endswith("Error"):
                return replace(m, context="error_message")
            if call.type == "call_expression" and text(fn).startswith("console.") and name in _OUTPUT:
                return replace(m, context="output_message")
        p = p.parent
    return m


# --------------------------------------------------------------------------- schemata

PRELUDE = ("var __taskaudit_hit = (typeof globalThis !== 'undefined' && globalThis.__taskaudit_hit) "
           "|| function () { return 0; };\n"
           "var __taskaudit_tick = (typeof globalThis !== 'undefined' && globalThis.__taskaudit_tick) "
           "|| function () {};\n"
           "var __taskaudit_reset = (typeof globalThis !== 'undefined' && globalThis.__taskaudit_reset) "
           "|| function () {};\n")


@dataclass
class JsSchema:
    files: dict[str, bytes] = field(default_factory=dict)
    mutants: list[Mutant] = field(default_factory=list)
    unexpressed: list[Mutant] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)
    function_of: dict[str, int] = field(default_factory=dict)


def build_js_schema(workspace: dict[str, bytes], mutants: list[Mutant]) -> JsSchema:
    schema = JsSchema()
    by_file: dict[str, list[Mutant]] = defaultdict(list)
    for m in mutants:
        by_file[m.file].append(m)
    next_key = 0
    for path in sorted(by_file):
        source = workspace[path]
        grammar = grammar_for(path)
        root = parser_for(grammar).parse(source).root_node
        groups: dict[tuple[int, int], list[Mutant]] = defaultdict(list)
        bodies = {}
        outside: list[Mutant] = []
        for m in by_file[path]:
            body = _outermost_body(root, m.start, m.end)
            if body is None:
                outside.append(m)
                continue
            groups[(body.start_byte, body.end_byte)].append(m)
            bodies[(body.start_byte, body.end_byte)] = body
        pieces = []
        for span in sorted(groups):
            next_key += 1
            pieces.append((span[0], span[1], _switch(source, bodies[span], groups[span], next_key, schema)))
        in_functions = [m for ms in groups.values() for m in ms]
        out = _assemble(path, source, pieces)
        if pieces and parser_for(grammar).parse(out).root_node.has_error:
            _forget(schema, in_functions)
            schema.unexpressed.extend(by_file[path])
            continue
        # Mutants outside any function (module-level constants, parameter defaults, top-level
        # statements) as conditionals on the switch; they act at load time, so the worker
        # reloads the task's modules for each (reached while loading). What this cannot wrap,
        # or a file that would not parse with the wrappers, is rebuilt.
        wrapped: list[Mutant] = []
        if outside:
            next_key += 1
            wrappers, wrapped = _wrap_outside(root, source, outside, next_key, schema, [sp for sp in groups])
            with_wrappers = _assemble(path, source, pieces + wrappers)
            if wrappers and not parser_for(grammar).parse(with_wrappers).root_node.has_error:
                out = with_wrappers
            else:
                _forget(schema, wrapped)
                wrapped = []
        schema.unexpressed.extend(m for m in outside if m not in wrapped)
        if not in_functions and not wrapped:
            continue
        schema.files[path] = out
        schema.mutants.extend(in_functions + wrapped)
    schema.mutants.sort(key=lambda m: (m.file, m.start, m.id))
    return schema


def _forget(schema: JsSchema, mutants: list[Mutant]) -> None:
    for m in mutants:
        schema.ids.pop(m.id, None)
        schema.function_of.pop(m.id, None)


def _assemble(path: str, source: bytes, pieces: list[tuple[int, int, bytes]]) -> bytes:
    """The instrumented file: the pieces in place, the prelude, the regex resets."""
    out = source
    for start, end, replacement in sorted(pieces, reverse=True):
        out = out[:start] + replacement + out[end:]
    at = _prelude_position(out, grammar_for(path))
    prelude = PRELUDE
    if grammar_for(path) != "javascript":
        prelude = "// @ts-nocheck\n" + prelude
    out = out[:at] + prelude.encode() + out[at:]
    # A /g or /y regex keeps lastIndex between calls: the worker resets it before a mutant
    # that runs without reloading the file (javascript_state.py), as a fresh load would.
    sticky = resettable_regexes(path, source)
    if sticky:
        resets = " ".join(f"{name}.lastIndex = 0;" for name in sticky)
        out += f"\n__taskaudit_reset(function () {{ {resets} }});\n".encode()
    return out


# What a mutant outside functions may be wrapped as: an expression becomes
# `(__taskaudit_hit(k) === n ? (mutated) : (original))`, a statement (the removal operators)
# `if (__taskaudit_hit(k) === n) { mutated } else { original }`.
_WRAP_EXPRESSIONS = {"number", "string", "template_string", "true", "false", "array", "object",
                     "binary_expression", "unary_expression", "update_expression", "ternary_expression",
                     "augmented_assignment_expression", "parenthesized_expression"}
_WRAP_STATEMENTS = {"expression_statement", "if_statement", "throw_statement"}
_NO_WRAP_PARENTS = {"jsx_attribute", "jsx_expression", "as_expression", "satisfies_expression",
                    "type_assertion", "decorator", "enum_body", "property_signature", "pair_pattern"}


def _wrap_outside(root, source: bytes, mutants: list[Mutant], key: int, schema: JsSchema,
                  function_spans: list[tuple[int, int]]):
    """(pieces, wrapped mutants): one conditional per place (the mutants of one expression
    chained in it), none overlapping another or a schematised function body; the rest is
    left to the rebuild."""
    places: dict[tuple[int, int], list[tuple[int, bytes]]] = {}
    kinds: dict[tuple[int, int], str] = {}
    wrapped = []
    for m in sorted(mutants, key=lambda m: (m.start, m.end)):
        anchor = _anchor(root, m)
        if anchor is None:
            continue
        a, b = anchor.start_byte, anchor.end_byte
        if (a, b) not in places and any(a < e and s < b for s, e in [*function_spans, *places]):
            continue
        original = source[a:b]
        mutated = original[: m.start - a] + m.replacement.encode() + original[m.end - a :]
        number = len(schema.ids) + 1
        schema.ids[m.id] = number
        schema.function_of[m.id] = key
        places.setdefault((a, b), []).append((number, mutated))
        kinds[(a, b)] = anchor.type
        wrapped.append(m)
    pieces = []
    for (a, b), variants in places.items():
        original = source[a:b]
        if kinds[(a, b)] in _WRAP_STATEMENTS:
            code = b" else ".join(b"if (__taskaudit_hit(%d) === %d) { %s }" % (key, n, v) for n, v in variants)
            code += b" else { %s }" % original
        else:
            code = b"(" + b"".join(b"__taskaudit_hit(%d) === %d ? (%s) : " % (key, n, v) for n, v in variants)
            code += b"(%s))" % original
        pieces.append((a, b, code))
    return pieces, wrapped


def _anchor(root, m: Mutant):
    """The smallest expression (or, for the removal operators, statement) holding the
    mutant's span, if it can be wrapped where it stands."""
    node = root.descendant_for_byte_range(m.start, max(m.start, m.end - 1))
    statements = m.operator in ("remove_call", "remove_guard", "remove_raise")
    while node is not None and node.type != "program":
        if node.start_byte <= m.start and m.end <= node.end_byte:
            if statements and node.type in _WRAP_STATEMENTS and node.start_byte == m.start and node.end_byte == m.end:
                return node
            if not statements and node.type in _WRAP_EXPRESSIONS:
                parent = node.parent
                if parent is None or parent.type in _NO_WRAP_PARENTS or parent.type.startswith("jsx"):
                    return None
                if parent.type == "pair" and parent.child_by_field_name("key") == node:
                    return None
                if node.type in ("string", "template_string") and parent.type == "expression_statement":
                    return None  # a directive
                return node
        if node.type in _FUNCTIONS or node.type.endswith("_statement") or node.type.endswith("declaration"):
            return None  # no expression between the span and a statement: not wrapped
        node = node.parent
    return None


def _outermost_body(root, start: int, end: int):
    node = root.descendant_for_byte_range(start, max(start, end - 1))
    found = None
    while node is not None:
        if node.type in _FUNCTIONS:
            body = node.child_by_field_name("body")
            if body is not None and body.start_byte <= start and end <= body.end_byte and not (
                body.start_byte == start and body.end_byte == end
            ):
                found = body
        node = node.parent
    return found


_LOOPS = ("for_statement", "for_in_statement", "while_statement", "do_statement")
TICK = b"__taskaudit_tick();"


def _loop_ticks(body) -> list[tuple[int, int, bytes]]:
    """Where the hit counter ticks in a schematised body: at the top of every loop body
    (docs/mutation.md, "Timeouts"). (offset in the body, 0 closes / 1 opens, text) each; a
    loop body that is a single statement is wrapped in a block holding the tick."""
    ticks = []
    for node in walk(body):
        if node.type not in _LOOPS:
            continue
        loop_body = node.child_by_field_name("body")
        if loop_body is None:
            continue
        start, end = loop_body.start_byte - body.start_byte, loop_body.end_byte - body.start_byte
        if loop_body.type == "statement_block":
            ticks.append((start + 1, 1, TICK))
        else:
            ticks += [(start, 1, b"{" + TICK + b" "), (end, 0, b" }")]
    return ticks


def _render(original: bytes, ticks, mutant: tuple[int, int, bytes] | None = None) -> bytes:
    """``original`` with the ticks inserted and, if given, a mutant's (start, end, replacement)
    applied (offsets in ``original``). A tick inside the mutated span is dropped: the
    replacement stands as the operator wrote it (its loops then rely on the CPU limit)."""
    edits = [(at, at, order, code) for at, order, code in ticks
             if mutant is None or not (mutant[0] < at < mutant[1])]
    if mutant is not None:
        edits.append((mutant[0], mutant[1], 0, mutant[2]))
    # A tick at the mutant's start goes before the replacement, one at its end after it;
    # at one offset a closing brace comes before an opening tick.
    out, at = [], 0
    for start, end, _, code in sorted(edits, key=lambda e: (e[0], e[1], e[2])):
        out += [original[at:start], code]
        at = end
    out.append(original[at:])
    return b"".join(out)


def _switch(source: bytes, body, mutants: list[Mutant], key: int, schema: JsSchema) -> bytes:
    original = source[body.start_byte : body.end_byte]
    block = body.type == "statement_block"
    ticks = _loop_ticks(body)

    def inner(code: bytes) -> bytes:
        return code[1:-1] if block else b"return (" + code + b");"

    cases = []
    for m in sorted(mutants, key=lambda m: m.start):
        number = len(schema.ids) + 1
        schema.ids[m.id] = number
        schema.function_of[m.id] = key
        a, b = m.start - body.start_byte, m.end - body.start_byte
        mutated = _render(original, ticks, (a, b, m.replacement.encode()))
        cases.append(b"case %d: {" % number + inner(mutated) + b"\n} break;")
    return (b"{ switch (__taskaudit_hit(%d)) { " % key + b" ".join(cases)
            + b" default: {" + inner(_render(original, ticks)) + b"\n} } }")


def _prelude_position(source: bytes, grammar: str) -> int:
    """After a hashbang and the directive prologue ("use strict")."""
    root = parser_for(grammar).parse(source).root_node
    at = 0
    for child in root.children:
        if child.type in ("hash_bang_line", "comment"):
            at = child.end_byte
            continue
        if child.type == "expression_statement" and child.named_child_count == 1 and child.named_children[0].type == "string":
            at = child.end_byte
            continue
        break
    if at:
        newline = source.find(b"\n", at)
        return len(source) if newline < 0 else newline + 1
    return 0


# --------------------------------------------------------------------------- the backend


class JavaScriptMutation:
    language = "javascript"
    strategy = "schemata+warm-worker"

    def generate(self, files: dict[str, bytes], paths: list[str]) -> list[Mutant]:
        mutants: list[Mutant] = []
        for path in sorted(paths):
            if path in files and path.endswith((".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")) \
                    and not path.endswith(".d.ts"):
                mutants.extend(generate_js(path, files[path]))
        return mutants

    def normalised(self, source: bytes) -> str | None:
        return None  # no cheap canonical form: equivalence is left to the differ hook

    def execute(self, job: MutationJob) -> list[MutantResult]:
        from taskaudit.mutation.rebuild import rebuild_results

        schema = build_js_schema(job.workspace, job.mutants)
        results: dict[str, MutantResult] = {}
        rebuild = list(schema.unexpressed)
        if schema.mutants:
            worker = run_js_worker(job, schema)
            for m in schema.mutants:
                r = worker.get(m.id)
                if r is None:
                    rebuild.append(m)
                else:
                    results[m.id] = r
        for r in rebuild_results(job, rebuild, build_failed=Outcome.UNVIABLE):
            results[r.mutant.id] = r
        return [results[m.id] for m in job.mutants]


class TypeScriptMutation(JavaScriptMutation):
    language = "typescript"


def run_js_worker(job: MutationJob, schema: JsSchema) -> dict[str, MutantResult]:
    """All schematised mutants in one sandboxed Node worker; results by mutant id.

    Absent from the answer: mutants the worker could not run (the caller rebuilds them).
    """
    from taskaudit.languages.javascript_support.layout import RESULTS
    from taskaudit.model import Outcome as TestOutcome
    from taskaudit.runner import _write_tree
    from taskaudit.sandbox.base import Limits, Mount, SandboxRequest

    expected = sorted(t.test_id for t in job.reference.tests if t.outcome == TestOutcome.PASSED)
    root = Path(tempfile.mkdtemp(prefix="taskaudit-mutjs-"))
    try:
        workspace, tests_dir, results_dir = root / "app", root / "tests", root / "results"
        _write_tree(workspace, {**job.workspace, **schema.files})
        _write_tree(tests_dir, job.task.test_files)
        results_dir.mkdir()
        prepared = job.language.prepare(workspace, tests_dir, results_dir)
        if getattr(prepared, "infra_error", "") or getattr(prepared, "build_error", ""):
            job.notes.append("schemata did not build; mutants rebuilt instead: "
                             + (prepared.infra_error or prepared.build_error)[:300])
            return {}
        runner = getattr(prepared, "runner", "") or "node"
        if runner == "node":  # taskaudit's driver: its argv ends with (test file id, path to run) pairs
            files = prepared.argv[4:] if "--compiled" not in prepared.argv else prepared.argv[5:]
        else:  # jest / vitest: the worker runs the test files with their API (js_support/runner_api.cjs)
            files = _runner_files(prepared)
        nonce = secrets.token_hex(16)
        (results_dir / "mutation-nonce").write_text(nonce)
        # Whether a mutant can run without reloading the task's modules (docs/mutation.md,
        # "Isolation between mutants"): "" when no task file keeps state a test can change.
        stateful = task_state({**{f"app/{k}": v for k, v in job.workspace.items()},
                               **{f"tests/{k}": v for k, v in job.task.test_files.items()}},
                              {f"app/{k}" for k in schema.files})
        plan = {
            "expected": expected,
            "mutants": [[schema.ids[m.id], schema.function_of[m.id]] for m in schema.mutants],
            "stateful": stateful,
        }
        (results_dir / "plan.json").write_text(json.dumps(plan))
        argv = [prepared.argv[0], f"{SUPPORT_TARGET}/worker.cjs", "supervise", RESULTS, *files]
        wall = max(60.0, job.task.timeout_sec) + len(schema.mutants) * (1.5 + 2 * job.reference.duration_sec)
        started = time.monotonic()
        process = job.sandbox.run(
            SandboxRequest(
                argv=argv,
                cwd=prepared.cwd,
                mounts=[*prepared.mounts, Mount(host=SUPPORT, target=SUPPORT_TARGET)],
                env={**prepared.env, "TASKAUDIT_MUTATION_RUNNER": runner},
                limits=Limits(wall_seconds=wall, memory_mb=4096),
                address_space_ok=False,
            )
        )
        elapsed = time.monotonic() - started
        lines = _read_lines(results_dir / "mutation.jsonl", nonce)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    header = next((x for x in lines if x.get("kind") == "header"), None)
    if header is None or header.get("error"):
        why = (header or {}).get("error") or process.sandbox_error or process.stderr[-600:].decode(errors="replace")
        job.notes.append(f"in-process runner unusable, mutants rebuilt instead: {why}")
        return {}
    restarts = next((x.get("restarts", 0) for x in lines if x.get("kind") == "footer"), 0)
    job.notes.append(f"warm worker: {len(schema.mutants)} schematised mutants in {elapsed:.2f} s; "
                     f"{restarts} restarts")
    footer = next((x for x in lines if x.get("kind") == "footer"), None)
    if footer:
        job.stats.update({
            "worker_peak_rss_mib": round(footer.get("peak_rss", 0) / (1 << 20), 1),
            "worker_cpu_sec": round(footer.get("cpu_sec", 0.0), 3),
            "worker_wall_sec": round(elapsed, 3),
            "worker_restarts": footer.get("restarts", 0),
            "worker_reloads": footer.get("reloads", 0),
        })
    if header.get("stateful"):
        job.notes.append(f"modules reloaded for every mutant: {header['stateful'][:200]}")
    cpu = sorted(x["cpu_ms"] for x in lines if x.get("kind") == "mutant" and "cpu_ms" in x)
    if cpu:
        job.stats["median_cpu_ms_per_mutant"] = round(cpu[len(cpu) // 2], 3)
    by_key = {schema.ids[m.id]: m for m in schema.mutants}
    results: dict[str, MutantResult] = {}
    for line in lines:
        if line.get("kind") != "mutant" or line.get("key") not in by_key:
            continue
        m = by_key[line["key"]]
        if line.get("outcome") == "fresh":
            continue  # reached while loading the tests: rebuilt
        results[m.id] = MutantResult(
            m, Outcome(line["outcome"]), killed_by=sorted(line.get("killed_by", [])),
            covered_by=sorted(line.get("covered_by", [])), detail=str(line.get("detail", ""))[:500],
            duration_ms=float(line.get("ms", 0.0)),
        )
    return results


def _runner_files(prepared) -> list[str]:
    """(test file id, sandbox path to load) pairs of a jest/vitest run, flattened: the compiled
    form of TypeScript tests (jest), the pristine tests otherwise."""
    from taskaudit.languages.javascript_support.layout import COMPILED_TESTS, TESTS

    compiled = {rel: out for out, rel in (getattr(prepared, "compiled_ids", {}) or {}).items()}
    files: list[str] = []
    for rel in prepared.test_files:
        files += [rel, f"{COMPILED_TESTS}/{compiled[rel]}" if rel in compiled else f"{TESTS}/{rel}"]
    return files


def _read_lines(path: Path, nonce: str) -> list[dict]:
    from taskaudit.mutation.python import _read_lines as read

    return read(path, nonce)
