"""The tree-sitter plumbing every compiled-language module of the input-space analysis shares:
one cached parser per grammar, node text, a pre-order walk, and the names test files call.

The language modules (golang.py, rust.py, java.py, javascript.py) keep only what differs: which
node is a call, and which field of a qualified callee (``pkg.F``, ``crate::f``, ``obj.f``) is
the function's own name.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from functools import cache

# grammar -> (module, function returning the language pointer)
GRAMMARS = {
    "go": ("tree_sitter_go", "language"),
    "rust": ("tree_sitter_rust", "language"),
    "java": ("tree_sitter_java", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
}


@cache
def parser(grammar: str):
    import tree_sitter

    module, function = GRAMMARS[grammar]
    return tree_sitter.Parser(tree_sitter.Language(getattr(importlib.import_module(module), function)()))


def parse(grammar: str, source: bytes):
    """The root node of ``source`` in ``grammar`` (tree-sitter never raises: errors are nodes)."""
    return parser(grammar).parse(source).root_node


def text(node) -> str:
    return node.text.decode("utf-8", errors="replace")


def walk(node) -> Iterator:
    """Every node below ``node`` (itself included), in source order."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def callee(call, qualified: dict[str, str]) -> str:
    """The called function's own name: ``f`` of ``f(...)``, and of ``x.f(...)`` when the
    function node's type is a key of ``qualified`` (its value names the field holding ``f``)."""
    func = call.child_by_field_name("function")
    if func is None:
        return ""
    if func.type == "identifier":
        return text(func)
    if func.type in qualified:
        name = func.child_by_field_name(qualified[func.type])
        return text(name) if name is not None else ""
    return ""


def called_names(test_files: dict[str, bytes], suffixes: tuple[str, ...], parse_file: Callable[[bytes, str], object],
                 call_type: str, name_of: Callable[[object], str]) -> set[str]:
    """Every function name the test files (those ending in ``suffixes``) call."""
    names: set[str] = set()
    for path, source in test_files.items():
        if path.endswith(suffixes):
            for n in walk(parse_file(source, path)):
                if n.type == call_type:
                    name = name_of(n)
                    if name:
                        names.add(name)
    return names
