"""Small, quote-aware text helpers for reading assertions out of test sources.

Assertions are found by their shape (``assert_eq!(call, expected)``, ``assertEquals(expected,
call)``...) and their arguments split at top-level commas. Only literal arguments are kept:
a probe can only answer a case whose input and output it can write down in the solution.
"""

from __future__ import annotations

import re

_OPEN, _CLOSE = "([{", ")]}"


def balanced(text: str, open_at: int) -> int | None:
    """Index just past the bracket matching ``text[open_at]``; None if it never closes."""
    depth, i, quote = 0, open_at, None
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch in "\"'`":
            quote = ch
        elif ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def split_top(text: str, sep: str = ",") -> list[str]:
    """Split at ``sep`` outside brackets and string literals; parts stripped, empties dropped."""
    parts, depth, quote, start, i = [], 0, None, 0, 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch in "\"'`":
            quote = ch
        elif ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def split_comparison(text: str, ops: tuple[str, ...] = ("===", "==")) -> tuple[str, str] | None:
    """``left === right`` at the top level (outside brackets and strings) -> (left, right)."""
    depth, quote, i = 0, None, 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch in "\"'`":
            quote = ch
        elif ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
        elif depth == 0:
            for op in ops:
                if text.startswith(op, i) and text[i + len(op) : i + len(op) + 1] != "=":
                    return text[:i].strip(), text[i + len(op) :].strip()
        i += 1
    return None


def call_sites(text: str, pattern: str) -> list[tuple[int, str, int]]:
    """(line, argument text, end index) for every ``pattern(`` call; ``pattern`` is a regex
    ending just before the opening parenthesis."""
    out = []
    for m in re.finditer(pattern + r"\s*\(", text):
        open_at = m.end() - 1
        end = balanced(text, open_at)
        if end is not None:
            out.append((text.count("\n", 0, m.start()) + 1, text[open_at + 1 : end - 1], end))
    return out


_CALL = re.compile(r"^(?:[A-Za-z_][\w]*\s*(?:\.|::)\s*)*([A-Za-z_]\w*)\s*\(")
_UNWRAP = re.compile(r"^\s*\.\s*(unwrap|expect)\s*\(")


def parse_call(text: str) -> tuple[str, list[str], bool] | None:
    """``[qualifier.]name(args)[.unwrap()]`` -> (name, args, unwrapped); None for anything else."""
    text = text.strip()
    m = _CALL.match(text)
    if not m:
        return None
    end = balanced(text, m.end() - 1)
    if end is None:
        return None
    rest, unwrapped = text[end:], False
    u = _UNWRAP.match(rest)
    if u:
        close = balanced(rest, u.end() - 1)
        if close is None:
            return None
        rest, unwrapped = rest[close:], True
    if rest.strip():
        return None
    return m.group(1), split_top(text[m.end() : end - 1]), unwrapped


_STRING = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`(?:\\.|[^`\\$])*`')
_NUMBER = re.compile(r"^-?(?:0[xX][0-9a-fA-F_]+|[0-9][0-9_]*(?:\.[0-9_]+)?(?:[eE][-+]?[0-9]+)?)"
                     r"(?:[a-zA-Z][a-zA-Z0-9]*)?$")
_WORDS = {
    "true", "false", "True", "False", "None", "null", "nil", "undefined",
    "vec!", "Some", "Ok", "new", "String", "List.of", "Map.of",
}


def is_literal(text: str) -> bool:
    """True when ``text`` is built only of literals (strings, numbers, booleans, null, lists):
    something that means the same in the solution's scope as in the test's."""
    if not text.strip():
        return False
    stripped = _STRING.sub('""', text)
    for token in re.findall(r"[A-Za-z_][\w.!]*|[-]?[0-9][\w.]*", stripped):
        if token in _WORDS or _NUMBER.match(token):
            continue
        if token.startswith(("vec!",)):
            continue
        return False
    return True
