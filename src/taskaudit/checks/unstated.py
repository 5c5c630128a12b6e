"""Spec (unstated behaviour): do the tests check edge cases and errors the statement never mentions?

A test that expects an error, or checks what happens on empty, null, negative or very large
input, asks for behaviour the solver must guess when the statement says nothing about it. Static:
each test line is read for the edge case it exercises (an empty literal or a null passed to a
call, a negative number, a huge constant, an error assertion), and the statement for any word
about that case.

- S141 (warning): the tests expect an error and the statement mentions no error at all.
- S142 (info): the tests exercise an edge case (empty / null / negative / overflow) the
  statement never mentions. Often benign (the natural behaviour), so it is context.
"""

from __future__ import annotations

import re

from taskaudit.checks.base import AuditConfig, AuditContext, CheckSkipped, register
from taskaudit.model import Finding, Location, Question, Severity, Task
from taskaudit.spec import code

NAME = "unstated"

S141 = register("S141", Question.SPEC, Severity.WARNING,
                "Tests expect an error the statement never mentions", NAME)
S142 = register("S142", Question.SPEC, Severity.INFO,
                "Tests check an edge case the statement never mentions", NAME)

_ARG = r"(?:[(,\[]\s*)"
_END = r"(?=\s*[,)\]])"
# Per case: (what a test line does, what the statement would say about it).
CASES: dict[str, tuple[re.Pattern, re.Pattern]] = {
    "error": (
        re.compile(r"raises|assertRaises|\.toThrow|assert\.(?:throws|rejects)|assertThrows|"
                   r"should_panic|is_err\(\)|unwrap_err|expect_err|err\s*==\s*nil|errors\.(?:Is|As)\("),
        re.compile(r"rais|throw|error|exception|invalid|reject|panic|fail|illegal|not allowed|"
                   r"must not|cannot|can't", re.I),
    ),
    "empty": (
        re.compile(_ARG + r"(?:\"\"|''|\[\]|\{\}|vec!\[\]|Vec::new\(\)|"
                   r"List\.of\(\)|String::new\(\)|\"\"\.to_string\(\))" + _END),
        re.compile(r"empty|\"\"|''|``|\[\]|no (?:elements|items|characters|words|values)|"
                   r"zero-length|length 0|blank|nothing", re.I),
    ),
    "null": (
        re.compile(_ARG + r"(?:None|null|undefined|nil)" + _END),
        re.compile(r"\bNone\b|\bnull\b|\bnil\b|\bundefined\b|missing|absent|no value", re.I),
    ),
    "negative": (
        re.compile(_ARG + r"-\s?\d+(?:\.\d+)?" + _END),
        re.compile(r"negative|below zero|less than (?:0|zero)|<\s?0|non-negative|nonnegative|"
                   r"positive|natural|unsigned|-\d|minus|signed|integer", re.I),
    ),
    "overflow": (
        re.compile(r"\b(?:sys\.maxsize|MAX_SAFE_INTEGER|Integer\.MAX_VALUE|Long\.MAX_VALUE|"
                   r"i32::MAX|i64::MAX|u64::MAX|math\.MaxInt\d*)\b|" + _ARG + r"\d{10,}" + _END),
        re.compile(r"overflow|large|maximum|\bmax\b|bits?\b|2\^|2\*\*|10\^|big|limit|range", re.I),
    ),
}


_IMPORT = re.compile(r"\s*(?:import|use|from\s+\S+\s+import)\b")


class UnstatedCheck:
    name = NAME
    question = Question.SPEC
    description = "Edge cases and errors the tests check but the statement never mentions."

    def needs(self, task: Task, config: AuditConfig) -> list[tuple[str, int]]:
        return []

    def run(self, ctx: AuditContext) -> list[Finding]:
        task = ctx.task
        lines = test_lines(task)
        if not lines:
            raise CheckSkipped("no test source to read")
        findings = []
        for case, (in_test, in_statement) in CASES.items():
            # An import (`import static ...assertThrows;`) names the assertion; the line that
            # makes it is the evidence.
            hit = next(((p, n, t) for p, n, t in lines
                        if in_test.search(t) and not _IMPORT.match(t)), None)
            if hit is None or in_statement.search(task.statement):
                continue
            path, number, text = hit
            where = ctx.location(f"tests/{path}", number) or Location(path=f"tests/{path}", line=number)
            evidence = {
                "case": case,
                "test_location": {"path": where.path, "line": number, "text": text.strip()[:300]},
                "statement_span": None,
                "statement_searched_for": in_statement.pattern,
            }
            if case == "error":
                findings.append(ctx.finding(
                    S141, f"the tests expect an error ({path}:{number}) but the statement never "
                    "mentions errors, invalid input or rejection", location=where, evidence=evidence))
            else:
                findings.append(ctx.finding(
                    S142, f"the tests check {case} input ({path}:{number}: {text.strip()[:80]}) "
                    f"but the statement never mentions the {case} case", location=where,
                    evidence=evidence))
        return findings


def test_lines(task: Task) -> list[tuple[str, int, str]]:
    """(path, line number, text) of the test source lines, comments dropped."""
    out = []
    for path in sorted(task.test_files):
        if code.language_of(path, task.language) is None:
            continue
        text = task.test_files[path].decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            stripped = line.strip()
            if stripped.startswith(("#", "//", "*", "/*")):
                continue
            out.append((path, number, line))
    return out

