"""Strength (static): do the tests assert enough to tell a right solution from a wrong one?

A cheap first answer to the strength question, read from the test sources without running
anything: a test with no assertion passes for any solution that does not crash, and a suite
with only a couple of assertions pins down very little behaviour. Mutation testing and cheat
probes answer the same question with execution evidence; this check only flags the obvious.
"""

from __future__ import annotations

from taskaudit.checks.base import AuditConfig, AuditContext, CheckSkipped, register
from taskaudit.model import Finding, Question, Severity, Task

NAME = "assertions"
MIN_ASSERTION_POINTS = 3

W001 = register("W001", Question.STRENGTH, Severity.WARNING, "Tests assert very little", NAME)
W002 = register("W002", Question.STRENGTH, Severity.WARNING, "Test without an assertion", NAME)


class AssertionsCheck:
    name = NAME
    question = Question.STRENGTH
    description = "Counts assertion points per test in the test sources (static)."

    def needs(self, task: Task, config: AuditConfig) -> list[tuple[str, int]]:
        return []

    def run(self, ctx: AuditContext) -> list[Finding]:
        from taskaudit.languages import ToolchainMissing, get_language

        if ctx.task.metadata.get("runnable") is False:
            # The test files of such a task are patch hunks, not whole files: counting their
            # assertions would measure the patch, not the tests.
            raise CheckSkipped("the test files are patch hunks (no repository checkout): "
                               "assertions are not counted")

        try:
            language = get_language(ctx.task.language)
        except ToolchainMissing as exc:
            raise CheckSkipped(str(exc)) from None
        if not hasattr(language, "assertion_points"):
            raise CheckSkipped(f"static test analysis is not implemented for {ctx.task.language}")
        tests = language.assertion_points(ctx.task.test_files)
        if not tests:
            raise CheckSkipped("no test functions found in the test sources")
        findings = []
        total = sum(points for *_, points in tests)
        table = {f"{path}::{name}": points for path, name, _, points in tests}
        if total < MIN_ASSERTION_POINTS:
            path, _, line, _ = tests[0]
            findings.append(
                ctx.finding(
                    W001,
                    f"{len(tests)} test(s) with {total} assertion point(s) in all: most "
                    "wrong solutions that share the happy path will pass",
                    location=ctx.location(f"tests/{path}", line),
                    evidence={"assertion_points": table, "minimum": MIN_ASSERTION_POINTS},
                )
            )
        for path, name, line, points in tests:
            if points == 0:
                findings.append(
                    ctx.finding(
                        W002,
                        f"{name} asserts nothing: it passes for any solution that does not "
                        "raise",
                        location=ctx.location(f"tests/{path}", line),
                        evidence={"test": f"{path}::{name}", "assertion_points": 0},
                    )
                )
        return findings
