"""Examples stated in a task's statement, extracted so they can be run against the reference.

Recognised forms (Python call syntax; JavaScript shares it):

* doctests: ``>>> f(x)`` followed by the expected output (read line by line, as doctest
  does, but tolerant of the Markdown around it: ``doctest.DocTestParser`` rejects a whole
  statement when one line after an example is indented less);
* inline: ``f(x) == y``, ``f(x) -> y``, ``f(x) => y``, ``f(x) ==> y``, ``f(x) ➞ y``,
  ``f(x) returns y``, ``f(x) should return y``, ``f(x) # => y`` (backticks allowed around
  either side);
* simple tables: a row whose cell holds the call and whose next cell the value
  (``| `f(x)` | `y` |``).

An example is kept only when its call is to a function the reference defines and both sides
parse as expressions made of literals (the expected side) - so prose like "returns twelve x" is
skipped rather than guessed at.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from taskaudit.spec.statement import Span, span

_SEPARATOR = (
    # A lone "=" or "is" is left out on purpose: statements use them for definitions
    # ("tri(n) = 1 + n / 2") far more often than for examples.
    # "|" separates the cells of a table row: | `f(x)` | `y` |
    r"\s*`?\s*#?\s*(?:\||==>|===|==|=>|->|➞|→|⇒|\breturns?\b|\bshould\s+return\b|\bshould\s+be\b|"
    r"\bgives\b|\bevaluates\s+to\b)\s*:?\s*"
)
_CALL_START = re.compile(r"(?<![\w.])([A-Za-z_]\w*)\(")


@dataclass(frozen=True)
class Example:
    call: str  # the call expression as written, e.g. encode("aaabcc")
    function: str  # the function it calls
    expected: str  # the expected value's source (or doctest output text)
    kind: str  # "doctest" | "inline"
    span: Span  # where the statement states it
    raises: str | None = None  # a doctest that expects an exception: its type name


def _balanced_call(line: str, start: int) -> int | None:
    """End offset of the call whose name starts at ``start`` (parentheses balanced, strings
    skipped), or None."""
    depth, i, quote = 0, line.index("(", start), None
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def literal_expression(source: str) -> bool:
    """Whether ``source`` is an expression of literals only (``"x" * 12``, ``[1, 2]``, ``-3``)."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in ("True", "False", "None"):
            return False
        if isinstance(node, (ast.Call, ast.Attribute, ast.Lambda, ast.NamedExpr, ast.Await,
                             ast.Subscript, ast.Starred, ast.JoinedStr)):
            return False
    return True


def _expected_prefix(rest: str) -> str | None:
    """The longest start of ``rest`` that is a literal expression (prose follows it)."""
    rest = rest.strip()
    if rest.startswith("`"):
        end = rest.find("`", 1)
        inner = rest[1:end] if end > 1 else ""
        # Go's (value, error) results: `"3a1b2c", nil` states the value and no error.
        pair = re.fullmatch(r"(.+?),\s*nil", inner.strip())
        if pair and literal_expression(pair.group(1)):
            inner = pair.group(1)
        if inner and literal_expression(inner):
            return inner
        return None
    word = re.match(r"(true|false|null|none)\b", rest, re.I)
    if word:  # prose booleans ("=> true"): the value, whatever language the statement borrows from
        return {"true": "True", "false": "False"}.get(word.group(1).lower(), "None")
    cuts = sorted({len(rest), *(m.start() for m in re.finditer(r"[\s,;.`]", rest))}, reverse=True)
    for cut in cuts:
        candidate = rest[:cut].strip()
        if candidate and literal_expression(candidate):
            # Normalised source: drops a trailing comment the parser would otherwise accept.
            return ast.unparse(ast.parse(candidate, mode="eval"))
    return None


def _call_ok(call: str) -> bool:
    try:
        tree = ast.parse(call, mode="eval")
    except (SyntaxError, ValueError, RecursionError):
        return False
    return isinstance(tree.body, ast.Call) and all(
        literal_expression(ast.unparse(a)) for a in [*tree.body.args, *(k.value for k in tree.body.keywords)]
    )


@dataclass(frozen=True)
class _Doctest:
    source: str
    want: str
    lineno: int  # 0-based line of the ">>>"


def _doctests(statement: str) -> list[_Doctest]:
    lines = statement.splitlines()
    found, i = [], 0
    while i < len(lines):
        match = re.match(r"(\s*)>>> ?(.*)$", lines[i])
        if not match:
            i += 1
            continue
        indent, source, start = len(match.group(1)), [match.group(2)], i
        i += 1
        while i < len(lines) and re.match(r"\s*\.\.\.(?: |$)", lines[i]):
            source.append(re.sub(r"^\s*\.\.\. ?", "", lines[i]))
            i += 1
        want = []
        while (i < len(lines) and lines[i].strip() and not lines[i].lstrip().startswith(">>>")
               and len(lines[i]) - len(lines[i].lstrip()) >= indent):
            want.append(lines[i].strip())
            i += 1
        found.append(_Doctest("\n".join(source), "\n".join(want), start))
    return found


def extract(statement: str, functions: set[str]) -> list[Example]:
    """Every example in ``statement`` that calls one of ``functions`` (names the reference defines)."""
    found: list[Example] = []
    seen: set[tuple[str, str]] = set()
    doctest_lines: set[int] = set()
    parsed = _doctests(statement)
    offsets = [0]
    for line in statement.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    for ex in parsed:
        source = ex.source.strip()
        doctest_lines.add(ex.lineno)
        match = _CALL_START.match(source)
        if not match or match.group(1) not in functions or not ex.want.strip():
            continue
        if _balanced_call(source, 0) != len(source) or not _call_ok(source):
            continue
        # The docstring's closing quotes follow the last example's output in a prompt.
        want = "\n".join(
            ln for ln in ex.want.strip().splitlines() if ln.strip() not in ('"""', "'''")
        ).strip()
        if not want:
            continue
        raises = None
        if want.startswith("Traceback"):
            last = want.splitlines()[-1]
            raises = re.match(r"([\w.]+)", last).group(1) if re.match(r"[\w.]+", last) else "Exception"
        start = offsets[ex.lineno] + statement[offsets[ex.lineno]:].find(source)
        key = (source, want)
        if key not in seen:
            seen.add(key)
            found.append(Example(source, match.group(1), want, "doctest",
                                 span(statement, start, start + len(source)), raises))
    for number, line in enumerate(statement.splitlines()):
        if line.lstrip().startswith((">>>", "...")) or number in doctest_lines:
            continue
        for match in _CALL_START.finditer(line):
            if match.group(1) not in functions:
                continue
            end = _balanced_call(line, match.start())
            if end is None:
                continue
            call = line[match.start():end]
            sep = re.match(_SEPARATOR, line[end:])
            if not sep or not _call_ok(call):
                continue
            expected = _expected_prefix(line[end + sep.end():])
            if expected is None or (call, expected) in seen:
                continue
            seen.add((call, expected))
            start = offsets[number] + match.start()
            found.append(Example(call, match.group(1), expected, "inline",
                                 span(statement, start, offsets[number] + end + sep.end()
                                      + len(expected))))
    return found
