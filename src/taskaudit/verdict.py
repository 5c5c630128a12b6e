"""From findings and check records to the three questions' status and the overall verdict.

Rules (documented in docs/verdicts.md):
- a question FAILs on any error-severity finding, WARNs on any warning, PASSes when at least
  one of its checks ran and found nothing above info, and is NOT_EVALUATED when none ran;
- the task is ERROR when a check could not be evaluated for reasons outside the task
  (sandbox, toolchain, reference timeout, a taskaudit bug): an infrastructure error is never
  reported as a task defect, and never hidden behind an ACCEPT;
- the task is ERROR, too, when nothing fails or warns but the reference was never run against
  the tests (a format with no reference solution, a SWE-bench row without its repository):
  static checks alone do not make a task acceptable;
- otherwise REJECT if any question fails, REVISE if any warns, else ACCEPT.
"""

from __future__ import annotations

from taskaudit.model import (
    CheckRecord,
    CheckStatus,
    Finding,
    Question,
    QuestionResult,
    Severity,
    Status,
    Verdict,
)


# The checks that measure validity by running the reference against the tests.
EXECUTION_VALIDITY = frozenset({"reference"})


def question_results(
    findings: list[Finding], checks: list[CheckRecord]
) -> dict[Question, QuestionResult]:
    results: dict[Question, QuestionResult] = {}
    for question in Question:
        mine = [f for f in findings if f.question == question]
        ran = [c.name for c in checks if c.question == question and c.status == CheckStatus.RAN]
        errors = sorted({f.code for f in mine if f.severity == Severity.ERROR})
        warnings = sorted({f.code for f in mine if f.severity == Severity.WARNING})
        if errors:
            status, summary = Status.FAIL, "failed: " + ", ".join(errors)
        elif warnings:
            status, summary = Status.WARN, "warnings: " + ", ".join(warnings)
        elif ran:
            status, summary = Status.PASS, "checks passed: " + ", ".join(ran)
        else:
            status, summary = Status.NOT_EVALUATED, "no check for this question ran"
        # A question's score is the one measured by its last check that measured one (the
        # strength check that combines mutation and input evidence runs after both).
        scored = [c.score for c in checks if c.question == question and c.score is not None]
        results[question] = QuestionResult(
            status=status, summary=summary, score=scored[-1] if scored else None
        )
    return results


def overall(questions: dict[Question, QuestionResult], checks: list[CheckRecord]) -> Verdict:
    if any(c.status == CheckStatus.ERRORED for c in checks):
        return Verdict.ERROR
    statuses = {q.status for q in questions.values()}
    if Status.FAIL in statuses:
        return Verdict.REJECT
    if Status.WARN in statuses:
        return Verdict.REVISE
    # Static validity checks alone never make a task acceptable: without a reference run
    # nothing shows that a correct solution passes the tests (MultiPL-E, SWE-bench rows).
    if not any(c.name in EXECUTION_VALIDITY and c.status == CheckStatus.RAN for c in checks):
        return Verdict.ERROR
    return Verdict.ACCEPT


def keep_finding(code: str, select: list[str], ignore: list[str]) -> bool:
    """ruff-style selection by code prefix: select narrows, ignore removes (longest prefix wins)."""
    sel = max((len(p) for p in select if code.startswith(p)), default=-1) if select else 0
    ign = max((len(p) for p in ignore if code.startswith(p)), default=-1)
    if select and sel < 0:
        return False
    return not (ign >= 0 and ign >= sel)
