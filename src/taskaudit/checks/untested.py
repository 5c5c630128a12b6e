"""Spec (untested requirements): which requirements of the statement does no test exercise?

A requirement sentence (one with "must", "should", "shall", "returns", "raises", "throws"...)
that quotes something concrete - a code span, a quoted string, a number - is exercised when a
test holds one of those things. When none of them appears in any test, the requirement is
probably not checked: a solution can ignore it and still pass. Precision first: a sentence with
nothing concrete to look for is never reported.

- S151 (info): a requirement sentence none of whose literals appears in the tests.
"""

from __future__ import annotations

import re

from taskaudit.checks.base import AuditConfig, AuditContext, CheckSkipped, register
from taskaudit.model import Finding, Question, Severity, Task
from taskaudit.spec.statement import sentences

NAME = "untested"

S151 = register("S151", Question.SPEC, Severity.INFO,
                "Requirement no test exercises", NAME)

_REQUIREMENT = re.compile(
    r"\b(must|should|shall|needs? to|has to|have to|returns?|raises?|throws?|rejects?|"
    r"outputs?|prints?|writes?)\b", re.I)
# Code spans, quoted strings (an apostrophe inside a word is not a quote) and numbers.
_LITERALS = re.compile(r"`([^`\n]+)`|\"([^\"\n]+)\"|(?<![A-Za-z])'([^'\n]{2,40})'(?![A-Za-z])|"
                       r"(?<![\w.])(\d+(?:\.\d+)?)(?![\w.])")
# Literals that say nothing specific (a type, a keyword): finding them proves nothing.
_TOO_COMMON = {"0", "1", "2", "str", "int", "string", "list", "bool", "true", "false", "none",
               "null", "text", "data", "value", "input", "output"}


class UntestedCheck:
    name = NAME
    question = Question.SPEC
    description = "Requirement sentences of the statement that no test exercises."

    def needs(self, task: Task, config: AuditConfig) -> list[tuple[str, int]]:
        return []

    def run(self, ctx: AuditContext) -> list[Finding]:
        task = ctx.task
        tests = "\n".join(c.decode("utf-8", errors="replace") for c in task.test_files.values())
        if not tests.strip():
            raise CheckSkipped("the task has no test text")
        tests_low = tests.lower()
        findings, reported = [], set()
        for sentence in sentences(task.statement):
            if not _REQUIREMENT.search(sentence.text) or _looks_like_code(sentence.text):
                continue
            literals = [next(g for g in m.groups() if g) for m in _LITERALS.finditer(sentence.text)]
            literals = [lit.strip() for lit in literals if lit.strip().lower() not in _TOO_COMMON]
            if not literals:
                continue
            if any(_present(lit, tests, tests_low) for lit in literals):
                continue
            if (sentence.line, tuple(literals)) in reported:
                continue
            reported.add((sentence.line, tuple(literals)))
            findings.append(ctx.finding(
                S151,
                f"statement line {sentence.line} states a requirement, and none of "
                f"{', '.join(repr(x) for x in literals[:5])} appears in any test",
                location=ctx.location("statement", sentence.line),
                evidence={"statement_span": sentence.evidence(), "looked_for": literals,
                          "test_location": None}))
        return findings


def _present(literal: str, tests: str, tests_low: str) -> bool:
    if literal in tests or literal.lower() in tests_low:
        return True
    # `Encode("x") returns "12x", nil`: the quoted values inside a code span count one by one.
    inner = [a or b for a, b in re.findall(r'"([^"]+)"|\'([^\']+)\'', literal) if (a or b) != literal]
    if any(len(v) > 1 and v in tests for v in inner):
        return True
    # `encode(text)` is exercised by a test calling encode(...): compare the callee too.
    call = re.match(r"([A-Za-z_][\w.]*)\s*\(", literal)
    if call and re.search(rf"\b{re.escape(call.group(1).split('.')[-1])}\s*\(", tests):
        return True
    # A file or module: rle.py is exercised by `import rle`.
    stem = re.match(r"([A-Za-z_]\w*)\.(?:py|js|ts|go|rs|java)$", literal)
    return bool(stem and re.search(rf"\b{re.escape(stem.group(1))}\b", tests))


def _looks_like_code(text: str) -> bool:
    """A line of code in the statement (a prompt's signature or body), not a sentence."""
    bare = re.sub(r"`[^`]*`", "", text)
    return bool(re.match(r"\s*(?:return|def|import|from|for|while|class|function|const|let|var)\b", bare)
                or bare.count("(") >= 3)
