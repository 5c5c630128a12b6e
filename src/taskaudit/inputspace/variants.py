"""Plausible-wrong variants of a Python reference: the mistakes real solutions make.

Not near neighbours of the reference (that is mutation testing) but what a solver that
passes weak tests typically gets wrong:
- a wrapping call removed: ``sorted(x)``, ``set(x)``, ``abs(x)``, ``reversed(x)``, ``list(set(x))``
  -> ``x``; ``x.lower()`` / ``upper`` / ``strip`` / ``casefold`` -> ``x``; ``xs.sort()`` dropped;
- a bound narrowed: ``range(a, b)`` -> ``range(a, b - 1)`` and ``range(a + 1, b)``, ``<=`` -> ``<``;
- a special case dropped: an ``if`` without ``else`` whose body returns, raises or continues.

Each variant is a source edit (byte span -> replacement), so its evidence is a small diff.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Callable
from dataclasses import dataclass

_UNWRAP_CALLS = {"sorted", "set", "abs", "reversed", "frozenset", "round"}
_UNWRAP_METHODS = {"lower", "upper", "strip", "lstrip", "rstrip", "casefold", "title", "capitalize"}
MAX_VARIANTS = 40


@dataclass(frozen=True)
class SourceEdit:
    path: str
    start: int  # byte offsets in the original file
    end: int
    replacement: str
    description: str

    def apply(self, source: bytes) -> bytes:
        return source[: self.start] + self.replacement.encode() + source[self.end :]

    def diff(self, source: bytes) -> str:
        before = source.decode(errors="replace").splitlines(keepends=True)
        after = self.apply(source).decode(errors="replace").splitlines(keepends=True)
        return "".join(difflib.unified_diff(before, after, f"a/{self.path}", f"b/{self.path}", n=1))


class NodeEdits:
    """The plausible-wrong edits of one file in a tree-sitter language (Go, Rust, Java,
    JavaScript): each replaces one node's text; ``distinct`` keeps those that change the file,
    differ from each other and still parse, in source order, MAX_VARIANTS at most."""

    def __init__(self, path: str, source: bytes, parses: Callable[[bytes], bool]) -> None:
        self.path, self.source, self.parses = path, source, parses
        self.edits: list[SourceEdit] = []

    def add(self, node, replacement: str, description: str) -> None:
        self.edits.append(SourceEdit(self.path, node.start_byte, node.end_byte, replacement,
                                     f"line {node.start_point[0] + 1}: {description}"))

    def distinct(self) -> list[SourceEdit]:
        kept: list[SourceEdit] = []
        seen: set[bytes] = set()
        for edit in sorted(self.edits, key=lambda e: (e.start, e.end, e.description)):
            changed = edit.apply(self.source)
            if changed == self.source or changed in seen or not self.parses(changed):
                continue
            seen.add(changed)
            kept.append(edit)
        return kept[:MAX_VARIANTS]


class _Offsets:
    def __init__(self, source: bytes) -> None:
        self.source = source
        self.starts = [0]
        for i, b in enumerate(source):
            if b == 10:
                self.starts.append(i + 1)

    def span(self, node: ast.AST) -> tuple[int, int]:
        start = self.starts[node.lineno - 1] + node.col_offset
        end = self.starts[node.end_lineno - 1] + node.end_col_offset
        return start, end

    def text(self, node: ast.AST) -> str:
        a, b = self.span(node)
        return self.source[a:b].decode("utf-8", errors="replace")


def plausible_wrong(path: str, source: bytes) -> list[SourceEdit]:
    """Edits of one source file, in source order, each one compiling; at most MAX_VARIANTS."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    off = _Offsets(source)
    edits: list[SourceEdit] = []

    def add(node: ast.AST, replacement: str, description: str) -> None:
        a, b = off.span(node)
        edits.append(SourceEdit(path, a, b, replacement, f"line {node.lineno}: {description}"))

    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and not node.keywords:
            func = node.func
            if isinstance(func, ast.Name) and func.id in _UNWRAP_CALLS and len(node.args) == 1:
                add(node, f"({off.text(node.args[0])})", f"{func.id}(...) removed")
            elif isinstance(func, ast.Name) and func.id == "list" and len(node.args) == 1:
                inner = node.args[0]
                if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "set" and len(inner.args) == 1:
                    add(node, f"list({off.text(inner.args[0])})", "deduplication (list(set(...))) removed")
            elif isinstance(func, ast.Attribute) and func.attr in _UNWRAP_METHODS and not node.args:
                add(node, f"({off.text(func.value)})", f".{func.attr}() removed")
            elif isinstance(func, ast.Name) and func.id == "range" and 1 <= len(node.args) <= 2:
                if len(node.args) == 1:
                    add(node, f"range({off.text(node.args[0])} - 1)", "range bound narrowed (stop - 1)")
                else:
                    lo, hi = (off.text(a) for a in node.args)
                    add(node, f"range({lo}, {hi} - 1)", "range bound narrowed (stop - 1)")
                    add(node, f"range({lo} + 1, {hi})", "range bound narrowed (start + 1)")
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Attribute) and func.attr in ("sort", "reverse"):
                add(node, "pass", f".{func.attr}() call dropped")
        elif isinstance(node, ast.Compare) and len(node.ops) == 1:
            op = node.ops[0]
            if isinstance(op, (ast.LtE, ast.GtE)):
                new = "<" if isinstance(op, ast.LtE) else ">"
                add(node, f"{off.text(node.left)} {new} {off.text(node.comparators[0])}", f"{'<=' if new == '<' else '>='} narrowed to {new}")
        elif isinstance(node, ast.If) and not node.orelse and node.body:
            last = node.body[-1]
            if isinstance(last, (ast.Return, ast.Raise, ast.Continue)):
                add(node, "pass", f"special case `if {off.text(node.test)}:` dropped")

    kept: list[SourceEdit] = []
    seen: set[bytes] = set()
    for edit in sorted(edits, key=lambda e: (e.start, e.end, e.description)):
        changed = edit.apply(source)
        if changed == source or changed in seen:
            continue
        try:
            ast.parse(changed)
        except (SyntaxError, ValueError):
            continue
        seen.add(changed)
        kept.append(edit)
    return kept[:MAX_VARIANTS]
