"""The input domain the statement states, read from simple phrases.

Recognised, per sentence: "non-negative", "positive", "non-empty", "lowercase", "sorted",
"length at least two" / "at least 2 elements" (only when the sentence talks about the input — it names a parameter or says given / input /
assume — and the phrase comes before any word about the output: "Given a positive n, return
..." constrains n, "Return the positive part" does not), and bounds such as ``1 <= n <= 100``,
``n > 0``, ``0 ≤ len(xs) ≤ 50``. A constraint applies to the parameters the sentence names;
when it names none, to every parameter whose shape it fits.

An input is then
- ``invalid`` when it breaks a constraint: dropped, never run against solutions;
- ``stated`` when it satisfies the constraints and at least one constraint applies to it;
- ``unstated`` when no constraint applies: the statement neither admits nor rules it out.
What the reference does on ``stated`` and ``unstated`` inputs decides the rest (analysis.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from taskaudit.inputspace.shapes import Shape

_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n\s*\n|\n\s*[-*]\s+")
_INPUT_WORDS = re.compile(r"\b(given|input|inputs|assume|assumed|guaranteed|will be|argument|parameter)\b", re.I)
_OUTPUT_WORDS = re.compile(r"\b(return|returns|returned|output|result)\b", re.I)
_OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, "≤": lambda a, b: a <= b,
        ">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "≥": lambda a, b: a >= b}
_NUM = r"-?\d+(?:\.\d+)?(?:\s*\*\s*10\s*\*\*\s*\d+|e\d+)?"
_CMP = r"(<=|≤|<|>=|≥|>)"
_RANGE = re.compile(rf"({_NUM})\s*{_CMP}\s*(len\(\s*\w+\s*\)|\w+(?:\.length)?)\s*{_CMP}\s*({_NUM})")
_ONE_SIDED = re.compile(rf"\b(len\(\s*\w+\s*\)|[A-Za-z_]\w*)\s*{_CMP}\s*({_NUM})(?!\s*(?:<=|≤|<|>=|≥|>))")


ALL = "*"  # a Constraint on the whole argument tuple ("of equal length")


@dataclass
class Constraint:
    param: str  # a parameter name, or ALL
    text: str  # the statement's words, for evidence
    test: Callable[[object], bool]


_WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten".split())}


def _count(word: str) -> int | None:
    return int(word) if word.isdigit() else _WORDS.get(word)


def _number(text: str) -> float:
    text = text.replace(" ", "")
    if "*10**" in text:
        base, exp = text.split("*10**")
        return float(base) * 10 ** int(exp)
    return float(text)


def _numbers_of(value: object) -> list[float] | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return [value]
    if isinstance(value, (list, tuple, set)) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in value
    ):
        return list(value)
    return None


def _fits(shape: Shape, family: str) -> bool:
    kind = shape.kind if shape.kind != "optional" else shape.items[0].kind
    elem = shape.items[0].kind if kind in ("list", "set") and shape.items else None
    if family == "number":
        return kind in ("int", "float") or elem in ("int", "float")
    if family == "sized":
        return kind in ("str", "list", "set", "dict", "tuple")
    if family == "text":
        return kind == "str" or elem == "str"
    if family == "sequence":
        return kind in ("list", "tuple")
    return False


def _all_numbers(pred: Callable[[float], bool]) -> Callable[[object], bool]:
    def test(value: object) -> bool:
        numbers = _numbers_of(value)
        return True if numbers is None else all(pred(v) for v in numbers)

    return test


def _lowercase(value: object) -> bool:
    items = [value] if isinstance(value, str) else list(value) if isinstance(value, (list, tuple)) else []
    return all(not isinstance(s, str) or not any(ch.isupper() for ch in s) for s in items)


def _sorted(value: object) -> bool:
    try:
        return not isinstance(value, (list, tuple)) or list(value) == sorted(value)
    except TypeError:
        return True


def parse_domain(statement: str, params: list[str], shapes: list[Shape]) -> list[Constraint]:
    constraints: list[Constraint] = []
    for sentence in _SENTENCE.split(statement):
        if not sentence.strip():
            continue
        named = [p for p in params if re.search(rf"\b{re.escape(p)}\b", sentence)]

        def targets(family: str) -> list[str]:
            chosen = named or params
            return [p for p in chosen if _fits(shapes[params.index(p)], family)]

        talks_of_input = bool(named or _INPUT_WORDS.search(sentence))
        low = sentence.lower()

        def phrase(pattern: str) -> bool:
            """The phrase occurs before any word about the output ("Given a positive n, return ...")."""
            m = re.search(pattern, low)
            return bool(m and talks_of_input and not _OUTPUT_WORDS.search(low[: m.start()]))

        if phrase(r"\bnon-?negative\b"):
            constraints += [Constraint(p, "non-negative", _all_numbers(lambda v: v >= 0)) for p in targets("number")]
        if phrase(r"(?<!non-)(?<!non)\bpositive\b"):
            constraints += [Constraint(p, "positive", _all_numbers(lambda v: v > 0)) for p in targets("number")]
        if phrase(r"\bnon-?empty\b|\bnot empty\b"):
            constraints += [Constraint(p, "non-empty", lambda v: len(v) > 0) for p in targets("sized")]
        if phrase(r"\blower-?\s?case\b"):
            constraints += [Constraint(p, "lowercase", _lowercase) for p in targets("text")]
        if phrase(r"\bsorted\b|\bascending order\b"):
            constraints += [Constraint(p, "sorted", _sorted) for p in targets("sequence")]
        at_least = re.search(r"\b(?:length|size|len)\s+(?:of\s+)?(?:at least|>=|≥)\s+(\w+)|"
                             r"\bat least (\w+) (?:elements?|items?|numbers?|values?|characters?|entries)", low)
        if at_least and talks_of_input:
            n = _count(at_least.group(1) or at_least.group(2))
            if n is not None:
                constraints += [Constraint(p, f"length at least {n}", lambda v, n=n: len(v) >= n)
                                for p in targets("sized")]
        if re.search(r"\b(?:equal|same) lengths?\b|\bof the same size\b", low):
            sized = [params.index(p) for p in (named or params) if _fits(shapes[params.index(p)], "sized")]
            if len(sized) >= 2:
                constraints.append(Constraint(ALL, "equal length", lambda args, sized=sized: len(
                    {len(args[i]) for i in sized if hasattr(args[i], "__len__")}) <= 1))
        constraints += _bounds(sentence, params)
    return constraints


def _bounds(sentence: str, params: list[str]) -> list[Constraint]:
    found: list[Constraint] = []
    spans: list[tuple[int, int]] = []
    for m in _RANGE.finditer(sentence):
        lo, op1, subject, op2, hi = m.groups()
        c = _bound(subject, params, m.group(0), lambda x, lo=lo, op1=op1, hi=hi, op2=op2: _OPS[op1](_number(lo), x) and _OPS[op2](x, _number(hi)))
        if c:
            found.append(c)
            spans.append(m.span())
    for m in _ONE_SIDED.finditer(sentence):
        if any(a <= m.start() < b for a, b in spans):
            continue
        subject, op, bound = m.groups()
        c = _bound(subject, params, m.group(0), lambda x, op=op, bound=bound: _OPS[op](x, _number(bound)))
        if c:
            found.append(c)
    return found


def _bound(subject: str, params: list[str], text: str, holds: Callable[[float], bool]) -> Constraint | None:
    subject = subject.replace(" ", "")
    if subject.startswith("len("):
        name = subject[4:-1]
        if name in params:
            return Constraint(name, text, lambda v: not hasattr(v, "__len__") or holds(len(v)))
        return None
    if subject.endswith(".length"):
        name = subject[: -len(".length")]
        if name in params:
            return Constraint(name, text, lambda v: not hasattr(v, "__len__") or holds(len(v)))
        return None
    if subject in params:
        return Constraint(subject, text, _all_numbers(holds))
    return None


def validity(args: tuple, params: list[str], constraints: list[Constraint]) -> tuple[str, list[str]]:
    """("invalid" | "stated" | "unstated", the constraint texts that decided it)."""
    broken: list[str] = []
    applied: list[str] = []
    for c in constraints:
        value = args if c.param == ALL else args[params.index(c.param)]
        try:
            ok = c.test(value)
        except (TypeError, ValueError):
            ok = True  # the constraint does not speak about values of this kind
        (applied if ok else broken).append(f"{c.param}: {c.text}")
    if broken:
        return "invalid", broken
    return ("stated" if applied else "unstated"), applied
