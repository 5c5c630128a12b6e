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

Rust and Java statements write examples in their own syntax (``Rle.encode("x".repeat(12))``
returns ``"12x"``; ``decode("3")`` returns ``Err(RleError::Malformed)``): ``extract(...,
language=)`` reads calls with a qualifier (``Cls.f(`` / ``Type::f(``) and accepts, on both
sides, literals and the few standard constructors a value is written with (``"x".to_string()``,
``vec![..]``, ``Some``/``Ok``/``Err``, ``List.of``, ``new int[]{..}``) plus names the reference
defines (``RleError::Malformed``); any other name (a variable: ``encode(text)``) drops the
example. Java's ``f(x)`` *throws* ``SomeException`` is an example that expects an exception. Also read:
``>>> f(x)`` doctests with the value on the next line, inside comments (HumanEval-X's Javadoc,
MultiPL-E's ``// >>>``), and ``assert_eq!(f(x), y)`` / ``assertEquals(y, f(x))`` lines.
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
# Rust and Java calls may carry a qualifier: Rle.encode( / Stack::new( / rle::encode(
_QUALIFIED_CALL = {
    "rust": re.compile(r"(?<![\w.:])((?:[A-Za-z_]\w*::)*)([A-Za-z_]\w*)\("),
    "java": re.compile(r"(?<![\w.])((?:[A-Z]\w*\.)?)([A-Za-z_]\w*)\("),
}
# Names a Rust or Java value is written with in a statement, besides literals and the names the
# reference defines. A name outside these (a variable, a helper the statement never defines)
# drops the example: it cannot be run as written.
_NATIVE_NAMES = {
    "rust": frozenset({
        "true", "false", "Some", "None", "Ok", "Err", "String", "Vec", "vec", "new", "from",
        "to_string", "to_owned", "into", "repeat", "as_str", "as_slice", "iter", "collect",
        "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
        "f32", "f64", "char", "str", "bool", "as", "MAX", "MIN",
    }),
    "java": frozenset({
        "true", "false", "null", "new", "String", "repeat", "List", "of", "Arrays", "asList",
        "Map", "Set", "int", "long", "double", "float", "boolean", "char", "byte", "short",
        "Integer", "Long", "Double", "Boolean", "Character", "Float", "valueOf", "MAX_VALUE",
        "MIN_VALUE", "ArrayList", "HashMap", "HashSet", "Optional", "empty", "Pair", "with",
    }),
}
_NATIVE_STRING = re.compile(r"""r(#*)".*?"\1|b?"(?:\\.|[^"\\])*"|b?'(?:\\.|[^'\\])'""", re.S)
_NATIVE_NUMBER = re.compile(r"(?<![\w.])\d[\w.]*")
# Java: `f(x)` throws `IllegalArgumentException`
_THROWS = re.compile(r"\s*`?\s*(?:throws|raises)\s+(?:an?\s+)?`?([A-Z]\w*(?:Exception|Error))\b")


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


def native_literal(source: str, language: str, defined: set[str]) -> bool:
    """Whether ``source`` (Rust or Java) is a value written with literals, the standard
    constructors of ``_NATIVE_NAMES`` and names the reference defines - nothing else."""
    source = source.strip()
    if not source or _balanced(source) is False:
        return False
    masked = _NATIVE_NUMBER.sub("0", _NATIVE_STRING.sub('""', source))
    if re.search(r"[;\n]|//|/\*|=(?!=)|\|\||&&", masked):
        return False  # statements, comments, closures, logic: not a written value
    allowed = _NATIVE_NAMES[language] | defined
    return all(name in allowed for name in re.findall(r"[A-Za-z_]\w*", masked))


def _balanced(source: str) -> bool:
    masked = _NATIVE_STRING.sub('""', source)
    depth = 0
    for ch in masked:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth < 0:
            return False
    return depth == 0


def _native_expected(rest: str, language: str, defined: set[str]) -> str | None:
    """The value after a separator in a Rust or Java example: a backticked span, or the longest
    start of the text that is a written value (prose follows it)."""
    rest = rest.strip()
    if rest.startswith("`"):
        end = rest.find("`", 1)
        inner = rest[1:end].strip() if end > 1 else ""
        return inner if inner and native_literal(inner, language, defined) else None
    word = re.match(r"(true|false)\b", rest)
    if word:
        return word.group(1)
    cuts = sorted({len(rest), *(m.start() for m in re.finditer(r"[\s,;`]|\.(?:\s|$)", rest))},
                  reverse=True)
    for cut in cuts:
        candidate = rest[:cut].strip()
        if candidate and native_literal(candidate, language, defined):
            return candidate
    return None


_COMMENT = re.compile(r"^\s*(?:///?|/?\*+|#)?\s?")


def _native_doctests(statement: str, functions: set[str], language: str, defined: set[str],
                     offsets: list[int]) -> list[Example]:
    """``>>> f(x)`` followed by the value on the next line, inside comments or not (HumanEval-X
    Java Javadoc, MultiPL-E ``// >>> f(x)`` / ``// (value)`` and ``/// >>>`` in Rust)."""
    found = []
    lines = statement.splitlines()
    for number, line in enumerate(lines[:-1]):
        match = re.match(r"^\s*(?:///?|/?\*+|#)?\s*>>>\s*(.+?)\s*$", line)
        if not match:
            continue
        source = match.group(1).rstrip(";")
        call = _QUALIFIED_CALL[language].match(source)
        if not call or call.group(2) not in functions or _balanced_call(source, call.start(2)) != len(source):
            continue
        args = source[call.end():-1]
        value = _COMMENT.sub("", lines[number + 1]).strip()
        if value.startswith(">>>") or not value or (args.strip() and not native_literal(args, language, defined)):
            continue
        if not native_literal(value, language, defined):
            continue
        start = offsets[number] + line.index(source)
        found.append(Example(source, call.group(2), value, "doctest",
                             span(statement, start, start + len(source))))
    return found


_ASSERT_EQUAL = {"rust": re.compile(r"\bassert_eq!\s*\("), "java": re.compile(r"\bassertEquals\s*\(")}


def _top_level_split(text: str) -> list[str]:
    """``text`` split at the commas outside brackets and string literals."""
    parts, depth, quote, start, i = [], 0, None, 0, 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch == '"' or (ch == "'" and i + 2 < len(text) and text[i + 2] == "'"):
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _native_asserts(statement: str, functions: set[str], language: str, defined: set[str],
                    offsets: list[int]) -> list[Example]:
    """``assert_eq!(f(x), y);`` (Rust) and ``assertEquals(y, f(x));`` (Java) in a statement."""
    found = []
    for number, line in enumerate(statement.splitlines()):
        for match in _ASSERT_EQUAL[language].finditer(line):
            end = _balanced_call(line, match.start())
            if end is None:
                continue
            args = _top_level_split(line[match.end():end - 1])
            if len(args) < 2:
                continue
            pair = args[:2] if language == "rust" else args[1::-1]  # (call, expected)
            call = _QUALIFIED_CALL[language].match(pair[0])
            if not call or call.group(2) not in functions or _balanced_call(pair[0], call.start(2)) != len(pair[0]):
                continue
            inner = pair[0][call.end():-1]
            if inner.strip() and not native_literal(inner, language, defined):
                continue
            if not native_literal(pair[1], language, defined):
                continue
            start = offsets[number] + match.start()
            found.append(Example(pair[0], call.group(2), pair[1], "inline",
                                 span(statement, start, offsets[number] + end)))
    return found


def _extract_native(statement: str, functions: set[str], language: str,
                    defined: set[str]) -> list[Example]:
    """Doctest, inline and table examples of a Rust or Java statement (see the module docstring)."""
    offsets = [0]
    for line in statement.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    found = _native_doctests(statement, functions, language, defined, offsets)
    found += _native_asserts(statement, functions, language, defined, offsets)
    seen: set[tuple[str, str]] = {(e.call, e.expected) for e in found}
    done_lines = {e.span.line - 1 for e in found}
    for number, line in enumerate(statement.splitlines()):
        if number in done_lines or ">>>" in line:
            continue
        for match in _QUALIFIED_CALL[language].finditer(line):
            name = match.group(2)
            if name not in functions:
                continue
            end = _balanced_call(line, match.start(2))
            if end is None:
                continue
            call = line[match.start():end]
            args = line[match.end():end - 1]
            if args.strip() and not native_literal(args, language, defined):
                continue
            rest, raises = line[end:], None
            thrown = _THROWS.match(rest) if language == "java" else None
            if thrown:
                raises, expected, stop = thrown.group(1), thrown.group(1), end + thrown.end()
            else:
                sep = re.match(_SEPARATOR, rest)
                if not sep:
                    continue
                expected = _native_expected(rest[sep.end():], language, defined)
                if expected is None:
                    continue
                stop = end + sep.end() + len(expected)
            if (call, expected) in seen:
                continue
            seen.add((call, expected))
            found.append(Example(call, name, expected, "inline",
                                 span(statement, offsets[number] + match.start(), offsets[number] + stop),
                                 raises))
    return found


def extract(statement: str, functions: set[str], language: str = "python",
            defined: set[str] | None = None) -> list[Example]:
    """Every example in ``statement`` that calls one of ``functions`` (names the reference defines).

    ``language`` "rust" or "java" reads examples in that language's syntax; ``defined`` is every
    name the reference defines (types, enum variants, constants) that a value may be written with.
    """
    if language in _QUALIFIED_CALL:
        return _extract_native(statement, functions, language, defined or functions)
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
