"""Input classes: a few properties that describe one argument value.

Each argument value gets labels such as ``negative``, ``empty``, ``duplicates``, ``mixed case``
or ``at constant 10``; an input's classes are ``"<param>: <label>"`` for each of its arguments.
A class the generated inputs reach and no test input reaches is what W301 reports when a
wrong solution shows that it matters.
"""

from __future__ import annotations

import string
import unicodedata


def value_labels(value: object, constants: frozenset[int] = frozenset()) -> set[str]:
    labels: set[str] = set()
    if value is None:
        return {"None"}
    if isinstance(value, bool):
        return {"True" if value else "False"}
    if isinstance(value, (int, float)):
        labels.add("negative" if value < 0 else "zero" if value == 0 else "positive")
        if value == 1:
            labels.add("one")
        if abs(value) >= 1000:
            labels.add("large magnitude")
        if isinstance(value, float) and value != int(value):
            labels.add("fractional")
        if isinstance(value, int):
            for c in constants:
                if value in (c - 1, c, c + 1) and c not in (0, 1, -1):
                    labels.add(f"at constant {c}")
        return labels
    if isinstance(value, str):
        return labels | _string_labels(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
        labels.add(_size_bucket(len(items)))
        if len(items) != len(set(map(repr, items))):
            labels.add("duplicates")
        if isinstance(value, (list, tuple)) and len(items) >= 2:
            try:
                if items == sorted(items):
                    labels.add("sorted ascending")
                elif items == sorted(items, reverse=True):
                    labels.add("sorted descending")
                else:
                    labels.add("unsorted")
            except TypeError:
                pass
        numbers = [v for v in items if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if any(v < 0 for v in numbers):
            labels.add("has a negative element")
            if len(numbers) == len(items) and all(v < 0 for v in numbers):
                labels.add("all negative")
        if any(v == 0 for v in numbers):
            labels.add("has a zero element")
        strings = [v for v in items if isinstance(v, str)]
        if any(v == "" for v in strings):
            labels.add("has an empty string")
        for s in strings:
            labels |= {f"element {lbl}" for lbl in _string_labels(s) if lbl in ("mixed case", "non-ASCII", "whitespace")}
        if any(isinstance(v, (list, tuple, dict, set)) for v in items):
            labels.add("nested")
        return labels
    if isinstance(value, dict):
        labels.add(_size_bucket(len(value)))
        return labels
    return labels


def _size_bucket(n: int) -> str:
    if n == 0:
        return "empty"
    if n == 1:
        return "one element"
    if n <= 10:
        return "small (2-10)"
    return "long (>10)"


def _string_labels(text: str) -> set[str]:
    labels: set[str] = set()
    if text == "":
        return {"empty"}
    if len(text) == 1:
        labels.add("one character")
    if len(text) > 20:
        labels.add("long (>20)")
    if any(ch.isspace() for ch in text):
        labels.add("whitespace")
        if text != text.strip():
            labels.add("leading/trailing whitespace")
        if text.strip() == "":
            labels.add("only whitespace")
    uppers = any(ch.isupper() for ch in text)
    lowers = any(ch.islower() for ch in text)
    if uppers and lowers:
        labels.add("mixed case")
    elif uppers:
        labels.add("upper case")
    if any(ch.isdigit() for ch in text):
        labels.add("digits")
        if text[0].isdigit():
            labels.add("leading digit")
    if any(ch in string.punctuation for ch in text):
        labels.add("punctuation")
    if any(ord(ch) > 127 for ch in text):
        labels.add("non-ASCII")
    if len(text) != len(set(text)) and len(text) > 1:
        labels.add("repeated characters")
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        labels.add("control character")
    return labels


def input_classes(params: list[str], args: tuple, constants: frozenset[int] = frozenset()) -> set[str]:
    classes: set[str] = set()
    for name, value in zip(params, args):
        classes |= {f"{name}: {label}" for label in value_labels(value, constants)}
    return classes
