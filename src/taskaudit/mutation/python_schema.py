"""Mutant schemata for Python: every mutant of a function compiled into the solution at once.

For each outermost ``def`` that holds mutants, the instrumented file carries, at the same
place and indentation as the original (so no line is re-indented and multi-line strings stay
byte-identical)::

    def encode__ta_orig(text): ...          # the original, renamed
    def encode__ta_m7(text): ...            # one copy per mutant, with the mutant applied
    @decorators                             # the original decorators, on the trampoline
    def encode(*_ta_a, _ta_v={0: encode__ta_orig, 7: encode__ta_m7}, **_ta_k):
        return _ta_v.get(_taskaudit_switch.hit(3), _ta_v[0])(*_ta_a, **_ta_k)

``_taskaudit_switch.hit(3)`` records that function 3 was reached (coverage for the dry run)
and returns the active mutant id. The copies are undecorated, so ``staticmethod``,
``classmethod``, ``property`` and caching decorators wrap the trampoline and see the same
arguments as before. Mutants outside any function (module or class level code) are not
expressible this way; they are returned in ``unexpressed`` and rebuilt instead.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from taskaudit.mutation.model import Mutant
from taskaudit.mutation.treesitter import parser_for, text, walk

SWITCH_IMPORT = "import taskaudit.mutation.switch as _taskaudit_switch\n"


@dataclass
class Schema:
    files: dict[str, bytes] = field(default_factory=dict)  # instrumented sources
    mutants: list[Mutant] = field(default_factory=list)  # the ones the schema expresses
    unexpressed: list[Mutant] = field(default_factory=list)  # need a rebuild
    ids: dict[str, int] = field(default_factory=dict)  # mutant id -> switch number (1..)
    function_of: dict[str, int] = field(default_factory=dict)  # mutant id -> function key
    functions: dict[int, str] = field(default_factory=dict)  # function key -> "file:line name"


def build_schema(workspace: dict[str, bytes], mutants: list[Mutant]) -> Schema:
    schema = Schema()
    by_file: dict[str, list[Mutant]] = defaultdict(list)
    for m in mutants:
        by_file[m.file].append(m)
    next_function = 0
    for path in sorted(by_file):
        source = workspace[path]
        root = parser_for("python").parse(source).root_node
        groups: dict[tuple[int, int], list[Mutant]] = defaultdict(list)
        nodes = {}
        for m in by_file[path]:
            fn = _outermost_function(root, m.start, m.end)
            if fn is None:
                schema.unexpressed.append(m)
                continue
            groups[(fn.start_byte, fn.end_byte)].append(m)
            nodes[(fn.start_byte, fn.end_byte)] = fn
        if not groups:
            continue
        pieces: list[tuple[int, int, bytes]] = []  # (start, end, replacement) in the file
        for span in sorted(groups):
            key = next_function = next_function + 1
            fn = nodes[span]
            block = _instrument(source, fn, groups[span], key, schema)
            outer = fn.parent if fn.parent is not None and fn.parent.type == "decorated_definition" else fn
            pieces.append((outer.start_byte, outer.end_byte, block))
            name = text(fn.child_by_field_name("name"))
            schema.functions[key] = f"{path}:{fn.start_point[0] + 1} {name}"
        out = source
        for start, end, replacement in sorted(pieces, reverse=True):
            out = out[:start] + replacement + out[end:]
        at = _import_position(parser_for("python").parse(out).root_node)
        out = out[:at] + SWITCH_IMPORT.encode() + out[at:]
        try:
            compile(out, path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            # The schema broke something this generator did not foresee: rebuild them all.
            schema.unexpressed.extend(m for ms in groups.values() for m in ms)
            continue
        schema.files[path] = out
        schema.mutants.extend(m for ms in groups.values() for m in ms)
    schema.mutants.sort(key=lambda m: (m.file, m.start, m.id))
    return schema


def _outermost_function(root, start: int, end: int):
    """The outermost ``def`` containing the span [start, end), or None."""
    node = root.descendant_for_byte_range(start, max(start, end - 1))
    found = None
    while node is not None:
        if node.type == "function_definition":
            found = node
        node = node.parent
    if found is not None and found.start_byte == start and found.end_byte == end:
        return None  # the mutant replaces the whole function: nothing to dispatch
    return found


def _instrument(source: bytes, fn, mutants: list[Mutant], key: int, schema: Schema) -> bytes:
    """The copies and the trampoline that replace one (decorated) function definition."""
    outer = fn.parent if fn.parent is not None and fn.parent.type == "decorated_definition" else fn
    line_start = source.rfind(b"\n", 0, outer.start_byte) + 1
    indent = source[line_start : outer.start_byte]
    if indent.strip():
        indent = b" " * (outer.start_byte - line_start)  # e.g. ``class A: def f(): ...`` on one line
    name_node = fn.child_by_field_name("name")
    name = text(name_node)
    body = source[fn.start_byte : fn.end_byte]
    name_at = name_node.start_byte - fn.start_byte

    def renamed(code: bytes, new_name: str) -> bytes:
        return code[:name_at] + new_name.encode() + code[name_at + len(name_node.text) :]

    copies = [renamed(body, f"{name}__ta_orig")]
    table = [f"0: {name}__ta_orig"]
    for m in sorted(mutants, key=lambda m: m.start):
        number = len(schema.ids) + 1
        schema.ids[m.id] = number
        schema.function_of[m.id] = key
        local_start, local_end = m.start - fn.start_byte, m.end - fn.start_byte
        mutated = body[:local_start] + m.replacement.encode() + body[local_end:]
        if local_start < name_at + len(name_node.text) and local_end > name_at:
            continue  # a mutant of the name itself (never generated)
        copies.append(renamed(mutated, f"{name}__ta_m{number}"))
        table.append(f"{number}: {name}__ta_m{number}")
    decorators = b""
    if outer is not fn:
        decorators = source[outer.start_byte : fn.start_byte]  # "@a\n    @b\n    "
    step = b"\t" if b"\t" in indent else b"    "
    # An async def returns a coroutine to await; an async generator is returned as it is.
    is_async = text(fn).startswith("async") and not any(n.type == "yield" for n in walk(fn))
    call = f"_ta_v.get(_taskaudit_switch.hit({key}), _ta_v[0])(*_ta_a, **_ta_k)"
    trampoline = (
        f"def {name}(*_ta_a, _ta_v={{{', '.join(table)}}}, **_ta_k):\n".encode()
        + indent + step
        + (f"return await {call}" if is_async else f"return {call}").encode()
    )
    if is_async:
        trampoline = b"async " + trampoline
    sep = b"\n" + indent
    return sep.join(copies) + sep + decorators + trampoline


def _import_position(root) -> int:
    """Where the switch import goes: after the docstring and ``from __future__`` imports."""
    at, first = 0, True
    for child in root.children:
        if child.type == "comment":
            continue
        docstring = (
            first
            and child.type == "expression_statement"
            and child.named_child_count == 1
            and child.named_children[0].type == "string"
        )
        if child.type == "future_import_statement" or docstring:
            at, first = child.end_byte, False
            continue
        break
    if not at:
        return 0
    newline = root.text.find(b"\n", at)
    return len(root.text) if newline < 0 else newline + 1
