"""What the Go, Rust and Java operator passes share: the swap tables every language uses the
same way, the walk over the syntax tree, and how a mutant and its schema site are recorded.

A language's pass subclasses ``OperatorPass``: it says which nodes to skip (``skip``), may
adjust a site's kind (``site_kind``), and implements ``on_<node type>`` handlers that call
``add``. ``run_pass`` parses a file and returns its candidates (none for a file that does not
parse: a mutant of broken code means nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from tree_sitter import Language, Node, Parser

from taskaudit.mutation.compiled_support.schema import Candidate, MutantMaker

REL_SWAP = {"<": ">=", ">": "<=", "<=": ">", ">=": "<", "==": "!=", "!=": "=="}
BOUNDARY = {"<": "<=", "<=": "<", ">": ">=", ">=": ">"}


@cache
def parser(grammar: str) -> Parser:
    """A parser for ``tree_sitter_<grammar>`` (the official grammar wheel), made once."""
    import importlib

    module = importlib.import_module(f"tree_sitter_{grammar}")
    return Parser(Language(module.language()))


class OperatorPass:
    def __init__(self, path: str, source: bytes, root: Node) -> None:
        self.path, self.source, self.root = path, source, root
        self.make = MutantMaker(path, source)
        self.out: list[Candidate] = []

    def text(self, node: Node) -> str:
        return self.source[node.start_byte : node.end_byte].decode(errors="replace")

    def add(self, operator: str, node: Node, replacement: str, description: str, site: Node, kind: str,
            start: int | None = None, end: int | None = None, context: str = "") -> None:
        """A mutant replacing ``node`` (or the span ``start:end``), wrapped at ``site``."""
        start = node.start_byte if start is None else start
        end = node.end_byte if end is None else end
        mutant = self.make(operator, start, end, replacement, description, context)
        self.out.append(Candidate(mutant, site.start_byte, site.end_byte, self.site_kind(site, kind)))

    def site_kind(self, site: Node, kind: str) -> str:
        return kind

    def skip(self, node: Node) -> bool:
        """True for a node whose subtree gets no mutant (constant contexts, test code ...)."""
        return False

    def visit(self, node: Node) -> None:
        if self.skip(node):
            return
        handler = getattr(self, f"on_{node.type}", None)
        if handler is not None:
            handler(node)
        for child in node.children:
            self.visit(child)

    def run(self) -> list[Candidate]:
        self.visit(self.root)
        return self.out


def run_pass(grammar: str, make_pass: Callable[[str, bytes, Node], OperatorPass], path: str,
             source: bytes) -> list[Candidate]:
    tree = parser(grammar).parse(source)
    if tree.root_node.has_error:
        return []
    return make_pass(path, source, tree.root_node).run()


def enclosing(node: Node, kinds: tuple[str, ...], stop: tuple[str, ...] = ()) -> Node | None:
    """The nearest ancestor of one of ``kinds``, or None past one of ``stop`` (a function)."""
    parent = node.parent
    while parent is not None:
        if parent.type in kinds:
            return parent
        if parent.type in stop:
            return None
        parent = parent.parent
    return None
