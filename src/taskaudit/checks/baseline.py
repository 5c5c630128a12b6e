"""Validity: without a solution, the tests fail.

Runs the tests on the starter files alone and classifies every test the reference produced:
fail-to-pass (it needs the solution: it checks something) or pass-to-pass (it passes with
no solution at all). A pass-to-pass test checks nothing the task asks for; a task where no
test goes from fail to pass accepts a solver that does nothing.
"""

from __future__ import annotations

from taskaudit.checks.base import AuditConfig, AuditContext, CheckSkipped, CheckInfraError, register
from taskaudit.checks.reference import run_evidence
from taskaudit.model import Finding, Outcome, Question, RunStatus, Severity, Task

NAME = "baseline"

V004 = register(
    "V004", Question.VALIDITY, Severity.WARNING, "Test passes without a solution", NAME
)
V005 = register(
    "V005", Question.VALIDITY, Severity.ERROR, "No test fails without a solution", NAME
)


class BaselineCheck:
    name = NAME
    question = Question.VALIDITY
    description = "Runs the tests on the starter files only; each test must need the solution."

    def needs(self, task: Task, config: AuditConfig) -> list[tuple[str, int]]:
        # Without a reference there is nothing to compare the baseline with.
        if task.metadata.get("runnable") is False:
            return []
        return [("baseline", 1)] if task.reference_available else []

    def run(self, ctx: AuditContext) -> list[Finding]:
        if ctx.task.metadata.get("runnable") is False:
            from taskaudit.checks.reference import not_runnable_reason

            raise CheckSkipped(not_runnable_reason(ctx.task))
        expected: list[str] = ctx.shared.get("expected_tests") or []
        if not expected:
            raise CheckSkipped("the reference produced no test results to compare with")
        run = ctx.run("baseline")
        if run.status == RunStatus.INFRA_ERROR:
            raise CheckInfraError(f"baseline run: {run.detail}")
        # Any other status (timeout, crash, import error, incomplete) means no test passed:
        # a starter that does not even import fails every test, which is the point.
        outcomes = run.outcomes() if run.status == RunStatus.COMPLETED else {}
        reference_passing = set(expected)
        for ref in ctx.shared.get("reference_runs", []):
            reference_passing &= {t for t, o in ref.outcomes().items() if o == Outcome.PASSED}
        classified = {
            test: (
                "pass-to-pass" if outcomes.get(test) == Outcome.PASSED else "fail-to-pass"
            )
            for test in expected
            if test in reference_passing
        }
        ctx.shared["test_classes"] = classified
        pass_to_pass = sorted(t for t, c in classified.items() if c == "pass-to-pass")
        findings = []
        evidence = {"classification": classified, **run_evidence(run, expected)}
        if classified and len(pass_to_pass) == len(classified):
            findings.append(
                ctx.finding(
                    V005,
                    f"all {len(classified)} tests that pass on the reference also pass on "
                    "the starter files alone: a solver that changes nothing is accepted",
                    location=ctx.location("starter_dir") or ctx.location("tests_dir"),
                    evidence=evidence,
                )
            )
            return findings
        for test in pass_to_pass:
            findings.append(
                ctx.finding(
                    V004,
                    f"{test} passes with the starter files alone, so it checks nothing the "
                    "task asks the solver to build",
                    location=ctx.test_location(test),
                    evidence={**run_evidence(run, [test]), "classification": classified},
                )
            )
        return findings
