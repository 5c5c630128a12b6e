"""Validity: the reference solution passes every test, every time.

Runs the reference N times (default 3). A test that fails in every run means the tests
reject a solution the task itself calls right; a test whose outcome changes between runs is
flaky and will reject right solutions at random. Leaves the tests the reference produced in
``ctx.shared["expected_tests"]`` for the checks that compare other variants with it.
"""

from __future__ import annotations

from taskaudit.checks.base import not_runnable_reason  # noqa: F401 - used by other checks
from taskaudit.checks.base import (
    AuditConfig,
    AuditContext,
    CheckInfraError,
    CheckSkipped,
    register,
)
from taskaudit.model import Finding, Outcome, Question, RunResult, RunStatus, Severity, Task

NAME = "reference"

V001 = register("V001", Question.VALIDITY, Severity.ERROR, "Reference solution fails tests", NAME)
V002 = register(
    "V002", Question.VALIDITY, Severity.ERROR, "Reference run does not complete", NAME
)
V003 = register("V003", Question.VALIDITY, Severity.ERROR, "Flaky test", NAME)
V006 = register("V006", Question.VALIDITY, Severity.ERROR, "No tests found", NAME)
V007 = register(
    "V007", Question.VALIDITY, Severity.WARNING, "Test skipped on the reference", NAME
)

_INFRA = {RunStatus.INFRA_ERROR}
_TIMEOUT = {RunStatus.TIMEOUT}


def run_evidence(run: RunResult, tests: list[str] | None = None) -> dict:
    """The parts of a run a reviewer needs to check a finding by hand."""
    outcomes = run.outcomes()
    shown = tests if tests is not None else sorted(outcomes)
    return {
        "variant": run.variant,
        "status": run.status.value,
        "command": " ".join(run.command),
        "exit_code": run.exit_code,
        "detail": run.detail,
        "outcomes": {t: outcomes.get(t, Outcome.MISSING).value for t in shown},
        "messages": {t.test_id: t.message for t in run.tests if t.message and t.test_id in shown},
        "stdout_tail": run.stdout_tail[-1500:],
        "stderr_tail": run.stderr_tail[-1500:],
    }


class ReferenceCheck:
    name = NAME
    question = Question.VALIDITY
    description = "Runs the reference solution N times; every test must pass in every run."

    def needs(self, task: Task, config: AuditConfig) -> list[tuple[str, int]]:
        if task.metadata.get("runnable") is False:
            return []
        return [("reference", config.reference_runs)] if task.reference_available else []

    def run(self, ctx: AuditContext) -> list[Finding]:
        if ctx.task.metadata.get("runnable") is False:
            raise CheckSkipped(not_runnable_reason(ctx.task))
        if not ctx.task.reference_available:
            raise CheckSkipped(
                f"the {ctx.task.format} format ships no reference solution, so nothing shows "
                "that a correct solution passes these tests"
            )
        runs = [ctx.run("reference", i) for i in range(ctx.config.reference_runs)]
        for run in runs:
            if run.status in _INFRA:
                raise CheckInfraError(f"reference run {run.variant}: {run.detail}")
            if run.status in _TIMEOUT:
                raise CheckInfraError(
                    f"the reference timed out ({run.detail}); raise timeout_sec if the task "
                    "is slow, or check the reference for an endless loop"
                )

        completed = [r for r in runs if r.status == RunStatus.COMPLETED]
        findings: list[Finding] = []
        broken = [r for r in runs if r.status != RunStatus.COMPLETED]
        if broken:
            first = broken[0]
            findings.append(
                ctx.finding(
                    V002,
                    f"{len(broken)} of {len(runs)} reference runs did not complete "
                    f"({first.status.value}): {first.detail}",
                    location=ctx.location("tests_dir"),
                    evidence=run_evidence(first),
                )
            )
        if not completed:
            ctx.shared["expected_tests"] = []
            return findings

        expected = sorted({t for r in completed for t in r.outcomes()})
        ctx.shared["expected_tests"] = expected
        ctx.shared["reference_runs"] = completed
        if not expected:
            findings.append(
                ctx.finding(
                    V006,
                    "the reference run collected no tests: nothing checks a solution",
                    location=ctx.location("tests_dir"),
                    evidence=run_evidence(completed[0]),
                )
            )
            return findings

        for test in expected:
            seen = [r.outcomes().get(test, Outcome.MISSING) for r in completed]
            passes = sum(o == Outcome.PASSED for o in seen)
            history = [o.value for o in seen]
            if 0 < passes < len(seen):
                failing = next(r for r, o in zip(completed, seen) if o != Outcome.PASSED)
                findings.append(
                    ctx.finding(
                        V003,
                        f"{test} passed in {passes} of {len(seen)} reference runs",
                        location=ctx.test_location(test),
                        evidence={"outcomes_per_run": history, **run_evidence(failing, [test])},
                    )
                )
            elif passes == 0 and all(o == Outcome.SKIPPED for o in seen):
                findings.append(
                    ctx.finding(
                        V007,
                        f"{test} is skipped when run on the reference, so it checks nothing",
                        location=ctx.test_location(test),
                        evidence=run_evidence(completed[0], [test]),
                    )
                )
            elif passes == 0:
                findings.append(
                    ctx.finding(
                        V001,
                        f"{test} fails on the reference solution in every run ({history[0]})",
                        location=ctx.test_location(test),
                        evidence=run_evidence(completed[0], [test]),
                    )
                )
        return findings
