"""Small helpers shared by the tree-sitter based mutation backends (Python, JS/TS).

Parsers are built lazily (the grammar wheels are imported only when a backend generates
mutants) and cached per grammar. ``MutantSink`` turns "replace this node's span with that
text" into :class:`Mutant` objects with stable ids.
"""

from __future__ import annotations

import importlib
from collections import Counter
from functools import cache

from taskaudit.mutation.model import Mutant


@cache
def parser_for(grammar: str):
    """A tree-sitter parser for ``python`` | ``javascript`` | ``typescript`` | ``tsx``."""
    from tree_sitter import Language, Parser

    if grammar in ("typescript", "tsx"):
        module = importlib.import_module("tree_sitter_typescript")
        lang = module.language_typescript() if grammar == "typescript" else module.language_tsx()
    else:
        lang = importlib.import_module(f"tree_sitter_{grammar}").language()
    return Parser(Language(lang))


def walk(node):
    """Every node below ``node`` in source order (depth first, pre-order)."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def text(node) -> str:
    return node.text.decode("utf-8", errors="replace")


class MutantSink:
    """Collects the mutants of one file; ids are ``file:line:col:operator:n`` (n counts
    mutants of the same operator at the same place), so the same source gives the same ids."""

    def __init__(self, path: str, source: bytes) -> None:
        self.path, self.source = path, source
        self.mutants: list[Mutant] = []
        self._seen: Counter[tuple[int, int, str]] = Counter()
        self._spans: set[tuple[int, int, str]] = set()

    def add(self, operator: str, start: int, end: int, replacement: str, description: str, *,
            context: str = "") -> None:
        original = self.source[start:end].decode("utf-8", errors="replace")
        if replacement == original or (start, end, replacement) in self._spans:
            return  # a no-op or a duplicate of another operator's mutant
        self._spans.add((start, end, replacement))
        line = self.source.count(b"\n", 0, start) + 1
        column = start - (self.source.rfind(b"\n", 0, start) + 1) + 1
        key = (line, column, operator)
        n = self._seen[key]
        self._seen[key] += 1
        self.mutants.append(
            Mutant(
                id=f"{self.path}:{line}:{column}:{operator}:{n}",
                operator=operator,
                file=self.path,
                line=line,
                column=column,
                start=start,
                end=end,
                original=original,
                replacement=replacement,
                description=description,
                context=context,
            )
        )

    def replace_node(self, operator: str, node, replacement: str, description: str, **kw) -> None:
        self.add(operator, node.start_byte, node.end_byte, replacement, description, **kw)
