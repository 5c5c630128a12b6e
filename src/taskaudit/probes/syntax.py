"""Tree-sitter parsers for the probe generators (the official grammar wheels, loaded lazily)."""

from __future__ import annotations

import functools


@functools.cache
def parser(language: str):
    from tree_sitter import Language, Parser

    if language == "javascript":
        import tree_sitter_javascript as grammar

        lang = grammar.language()
    elif language == "typescript":
        import tree_sitter_typescript as grammar

        lang = grammar.language_typescript()
    elif language == "go":
        import tree_sitter_go as grammar

        lang = grammar.language()
    elif language == "rust":
        import tree_sitter_rust as grammar

        lang = grammar.language()
    elif language == "java":
        import tree_sitter_java as grammar

        lang = grammar.language()
    else:
        raise ValueError(language)
    return Parser(Language(lang))


def parse(language: str, source: bytes):
    return parser(language).parse(source).root_node


def walk(node):
    """Every node under ``node``, depth first, in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def text(node) -> str:
    return node.text.decode(errors="replace") if node is not None else ""


def outermost(spans: list) -> list:
    """Drop functions nested inside another one's body: their spans would overlap."""
    kept = []
    for fn in sorted(spans, key=lambda f: (f.file, f.body_start, -f.body_end)):
        if any(k.file == fn.file and k.body_start <= fn.body_start and fn.body_end <= k.body_end for k in kept):
            continue
        kept.append(fn)
    return kept
