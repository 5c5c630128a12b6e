"""Strength: mutation testing of the reference solution.

Generates small wrong versions of the reference (mutants: ``<`` for ``<=``, a guard clause
removed, a constant off by one ...) and runs the tests on each one (``mutation/engine.py``).
A mutant every test passes is a wrong solution the tests accept: the finding carries its
diff and location. Solution code no test reaches, and a low mutation score over the whole
task, are findings of their own. The MutationRun stays in ``ctx.shared["mutation"]`` for
later checks (input-space generation of the missing test).
"""

from __future__ import annotations

import re
from pathlib import Path

from taskaudit.checks.base import (
    AuditConfig,
    AuditContext,
    CheckInfraError,
    CheckSkipped,
    register,
)
from taskaudit.model import Finding, Location, Question, RunStatus, Severity, Task
from taskaudit.mutation.model import Outcome

NAME = "mutation"
LOW_SCORE = 0.7  # below this mutation score: W103 (docs/mutation.md, "Score")
MAX_SURVIVOR_FINDINGS = 25  # more survivors are counted in the last finding, not listed one by one
MAX_MISSING_TESTS = 3  # survivors per task whose missing test is run (two sandboxed runs each)
NO_COVERAGE_GAP = 3  # uncovered mutants at most this many lines apart form one region
CONTEXT_LINES = 3  # lines shown above an uncovered region

W101 = register("W101", Question.STRENGTH, Severity.WARNING, "Mutant survives the tests", NAME)
W102 = register("W102", Question.STRENGTH, Severity.WARNING, "Solution code no test reaches", NAME)
W103 = register("W103", Question.STRENGTH, Severity.WARNING, "Low mutation score", NAME)
W104 = register(
    "W104", Question.STRENGTH, Severity.INFO, "Mutant changing only a message survives", NAME
)


class MutationCheck:
    name = NAME
    question = Question.STRENGTH
    description = (
        "Mutates the reference solution and runs the tests on every mutant; a mutant every "
        "test passes is a wrong solution the tests accept."
    )

    def __init__(self, budget: int | None = None, report_dir: Path | None = None, differ=None) -> None:
        self.budget = budget
        self.report_dir = Path(report_dir) if report_dir else None  # --mutation-report DIR
        self.differ = differ  # the input-space hook (mutation/classify.py)

    def needs(self, task: Task, config: AuditConfig) -> list[tuple[str, int]]:
        return [("reference", 1)] if task.reference_available else []

    def _report_path(self, task) -> Path:
        # Task ids repeat across datasets and languages ("good"): the content hash keeps them apart.
        return self.report_dir / f"{_safe(task.id)}-{task.content_hash()[:10]}.json"

    def run(self, ctx: AuditContext) -> list[Finding]:
        from taskaudit.mutation.engine import DEFAULT_BUDGET, MutationUnavailable, run_mutation

        if not ctx.task.reference_available:
            raise CheckSkipped("the task ships no reference solution to mutate")
        if ctx.executor is None:
            raise CheckInfraError("no toolchain to run mutants with")
        reference = _stable_reference(ctx)
        workspace = ctx.executor.reference_workspace()
        if workspace is None:
            raise CheckSkipped("the reference solution could not be built, so it cannot be mutated")
        differ = self.differ
        if differ is None:
            # Survivors are told apart (behavioural / likely equivalent) by running them on
            # generated inputs beside the reference (inputspace/; docs/inputspace.md).
            from taskaudit.inputspace.hook import make_differ

            differ = make_differ(ctx.task, workspace, ctx.executor.backend, ctx.executor.language)
        try:
            run = run_mutation(
                ctx.task,
                workspace,
                reference,
                ctx.executor.backend,
                ctx.executor.language,
                budget=self.budget or DEFAULT_BUDGET,
                run_many=ctx.executor.run_many,
                differ=differ,
            )
        except MutationUnavailable as exc:
            raise CheckSkipped(str(exc)) from None
        ctx.shared["mutation"] = run
        ctx.shared["mutation_workspace"] = workspace
        if not run.results:
            raise CheckSkipped("no mutant could be generated from the solution's source")
        errors = run.count(Outcome.ERROR)
        if errors == len(run.results):
            detail = next((r.detail for r in run.results if r.detail), "")
            raise CheckInfraError(f"no mutant could be run: {detail}")
        if self.report_dir is not None:
            from taskaudit.report.mutation_report import write_mutation_report

            write_mutation_report(run, workspace, ctx.task, self._report_path(ctx.task))

        counts = {o.value: run.count(o) for o in Outcome}
        score = run.score
        if score is not None:
            ctx.set_score(score, generated=run.generated, sampled=len(run.results), **counts,
                          duration_sec=run.duration_sec)
        findings = _survivors(ctx, run, workspace)
        findings += _uncovered(ctx, run, workspace)
        if score is not None and score < LOW_SCORE:
            findings.append(
                ctx.finding(
                    W103,
                    f"mutation score {score:.0%} (below {LOW_SCORE:.0%}): the tests detect "
                    f"{counts['killed'] + counts['timeout'] + counts['crash']} of the mutants "
                    "that count (killed, timed out or crashed, out of those plus behavioural "
                    "survivors and uncovered ones)",
                    location=ctx.location("solution_dir") or ctx.location("tests_dir"),
                    evidence={"score": round(score, 4), "threshold": LOW_SCORE, "counts": counts,
                              "generated": run.generated, "sampled": len(run.results),
                              "tests": run.tests, "strategy": run.strategy, "notes": run.notes},
                )
            )
        return findings


def _stable_reference(ctx: AuditContext):
    """The first reference run, keeping only tests that passed in every reference run."""
    first = ctx.run("reference", 0)
    if first.status == RunStatus.INFRA_ERROR:
        raise CheckInfraError(f"reference run: {first.detail}")
    if first.status != RunStatus.COMPLETED:
        raise CheckSkipped(f"the reference run did not complete ({first.status.value}), so "
                           "mutants have nothing to be compared with")
    passing = {t.test_id for t in first.tests if t.outcome.value == "passed"}
    for other in ctx.shared.get("reference_runs", []):
        passing &= {t for t, o in other.outcomes().items() if o.value == "passed"}
    if not passing:
        raise CheckSkipped("no test passes on the reference, so no mutant can be judged")
    return first.model_copy(update={"tests": [t for t in first.tests if t.test_id in passing]})


def _survivors(ctx: AuditContext, run, workspace: dict[str, bytes]) -> list[Finding]:
    from taskaudit.mutation.model import SurvivorKind

    findings: list[Finding] = []
    survivors = [r for r in run.results if r.outcome == Outcome.SURVIVED]
    behavioural = [r for r in survivors if r.survivor_kind in (None, SurvivorKind.BEHAVIOURAL, SurvivorKind.UNKNOWN)]
    tests_checked = 0
    on_reference: dict[str, bool | None] = {}  # test source -> passed on the reference (run once)
    for i, r in enumerate(behavioural[:MAX_SURVIVOR_FINDINGS]):
        m = r.mutant
        more = len(behavioural) - MAX_SURVIVOR_FINDINGS
        tail = f" ({more} more survivors not listed)" if more > 0 and i == MAX_SURVIVOR_FINDINGS - 1 else ""
        evidence = {
            "mutant": m.id,
            "operator": m.operator,
            "description": m.description,
            "diff": m.diff(workspace[m.file]),
            "tests_run": r.covered_by,
            "outcome": "every test that reaches the mutated code passed",
        }
        if r.witness:
            witness = dict(r.witness)
            written = witness.pop("missing_test", None)
            evidence["witness"] = witness
            if written and tests_checked < MAX_MISSING_TESTS:
                tests_checked += 1
                _missing_test(ctx, evidence, written, workspace, m, on_reference)
        findings.append(
            ctx.finding(
                W101,
                f"{m.file}:{m.line}: {m.description}, and "
                f"{_tests_phrase(len(r.covered_by), rebuilt=r.detail == 'rebuilt')}{tail}",
                location=_solution_location(ctx, m.file, m.line),
                evidence=evidence,
            )
        )
    message_only = [r for r in survivors if r.survivor_kind == SurvivorKind.MESSAGE_ONLY]
    if message_only:
        findings.append(
            ctx.finding(
                W104,
                (f"{len(message_only)} mutants that change" if len(message_only) > 1 else "1 mutant that changes")
                + " only an error or output message survive"
                + ("" if len(message_only) > 1 else "s")
                + "; they do not count against the score",
                location=_solution_location(ctx, message_only[0].mutant.file, message_only[0].mutant.line),
                evidence={"mutants": [
                    {"mutant": r.mutant.id, "description": r.mutant.description,
                     "diff": r.mutant.diff(workspace[r.mutant.file])}
                    for r in message_only[:10]
                ]},
            )
        )
    return findings


def _missing_test(ctx: AuditContext, evidence: dict, written: dict, workspace: dict[str, bytes], mutant,
                  on_reference: dict[str, bool | None]) -> None:
    """The test the input-space hook wrote for a survivor, run alone in the sandbox on the
    reference (must pass) and on the mutant (must fail): ``missing_test`` when it does both,
    else ``missing_test_unverified`` (with what it did), never offered as a working test."""
    from taskaudit.inputspace.missing_tests import MissingTest, verify

    test = MissingTest(str(written.get("path", "")), str(written.get("source", "")))
    if not test.path or not test.source:
        return
    mutated = {**workspace, mutant.file: mutant.apply(workspace[mutant.file])}
    test = verify(test, ctx.task, workspace, mutated, ctx.executor.backend, ctx.executor.language, on_reference)
    evidence["missing_test" if test.verified else "missing_test_unverified"] = test.evidence()


def _uncovered(ctx: AuditContext, run, workspace: dict[str, bytes]) -> list[Finding]:
    """One W102 per region of solution code (nearby uncovered mutants) that no test reaches."""
    uncovered = sorted(
        (r for r in run.results if r.outcome == Outcome.NO_COVERAGE),
        key=lambda r: (r.mutant.file, r.mutant.line),
    )
    regions: list[list] = []
    for r in uncovered:
        last = regions[-1][-1].mutant if regions else None
        if last and last.file == r.mutant.file and r.mutant.line - last.line <= NO_COVERAGE_GAP:
            regions[-1].append(r)
        else:
            regions.append([r])
    findings = []
    for region in regions:
        first, last = region[0].mutant, region[-1].mutant
        lines = workspace[first.file].decode(errors="replace").splitlines()
        # A few lines before the first uncovered mutant, so the excerpt shows where it sits.
        shown = range(max(1, first.line - CONTEXT_LINES), min(last.line, len(lines)) + 1)
        excerpt = "\n".join(f"{n:>4} | {lines[n - 1]}" for n in shown)
        span = f"{first.line}" if first.line == last.line else f"{first.line}-{last.line}"
        findings.append(
            ctx.finding(
                W102,
                f"{first.file}:{span}: no test reaches this code, so "
                + ("its one mutant goes undetected" if len(region) == 1
                   else f"{len(region)} mutants of it go undetected whatever they change"),
                location=_solution_location(ctx, first.file, first.line),
                evidence={
                    "file": first.file,
                    "lines": span,
                    "source": excerpt,
                    "mutants": [r.mutant.id for r in region],
                    "tests": run.tests,
                },
            )
        )
    return findings


def _solution_location(ctx: AuditContext, path: str, line: int) -> Location:
    """The solution file on disk when the loader recorded it, else the workspace path."""
    for key in (f"solution/{path}", f"solution/app/{path}"):
        if key in ctx.task.origin:
            return Location(path=ctx.task.origin[key], line=line)
    base = ctx.task.origin.get("solution_dir")
    if base:
        for candidate in (Path(base) / path, Path(base) / "app" / path):
            if candidate.is_file():
                return Location(path=str(candidate), line=line)
    return Location(path=path, line=line)


def _tests_phrase(n: int, rebuilt: bool = False) -> str:
    if rebuilt:  # run as a whole variant: which tests reach the code is not known
        return "the one test still passes" if n == 1 else f"all {n} tests still pass"
    return "the one test reaching it still passes" if n == 1 else f"all {n} tests reaching it still pass"


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "task"
