"""The audit pipeline: tasks in, one TaskReport per task out.

    load (formats/) -> Task -> checks (checks/) -> findings -> verdict (verdict.py)
                                 |
                                 +- variant runs (runner.py) in the sandbox (sandbox/)

Runs are independent, so every run the enabled checks declare is scheduled up front on a
thread pool (each run is a sandboxed subprocess; threads only wait on it) and the checks
read results as they need them. A task that cannot be loaded, a missing toolchain or a
crash inside taskaudit fails that task only.

Where tasks are audited is the executor's business (``executors/``: thread pools here, or a
Ray cluster); ``audit`` is the driver: store lookups and records, progress, the report.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Protocol

from taskaudit import __version__
from taskaudit.checks.base import (
    AuditConfig,
    AuditContext,
    Check,
    CheckInfraError,
    CheckSkipped,
    not_runnable_reason,
)
from taskaudit.checks.registry import F001, default_checks
from taskaudit.executors import AuditJob, LocalExecutor, TaskExecutor
from taskaudit.languages import ToolchainMissing, get_language
from taskaudit.model import (
    AuditReport,
    CheckRecord,
    CheckStatus,
    Finding,
    LoadError,
    Location,
    Question,
    QuestionResult,
    RunResult,
    Status,
    Task,
    TaskReport,
    Verdict,
)
from taskaudit.runner import (
    Variant,
    baseline_variant,
    build_reference,
    reference_variant,
    run_variant,
)
from taskaudit.sandbox.base import SandboxBackend
from taskaudit.verdict import keep_finding, overall, question_results

class TaskVariants:
    """Builds each variant of one task once, on first use. A script solution (Harbor's
    solve.sh) is run once in the sandbox, however many reference runs read it."""

    def __init__(
        self, task: Task, backend: SandboxBackend, language, run_pool: ThreadPoolExecutor | None = None
    ) -> None:
        self.task, self.backend, self.language = task, backend, language
        self.run_pool = run_pool
        self._lock = threading.Lock()
        self._reference: Variant | RunResult | None = None

    def reference_workspace(self) -> dict[str, bytes] | None:
        reference = self.get("reference")
        return None if isinstance(reference, RunResult) else dict(reference.workspace)

    def run_many(self, variants: list[Variant]) -> list[RunResult]:
        """Run extra variants (probes, mutants) on the run pool; results in the order given."""
        def one(variant: Variant) -> RunResult:
            return run_variant(self.task, variant, self.backend, self.language)

        if self.run_pool is None:
            return [one(v) for v in variants]
        return list(self.run_pool.map(one, variants))

    def get(self, name: str) -> Variant | RunResult:
        if name == "baseline":
            return baseline_variant(self.task)
        if name != "reference":
            raise ValueError(f"unknown variant {name!r}")
        if not self.task.solution_script:
            return reference_variant(self.task)
        with self._lock:
            if self._reference is None:
                self._reference = build_reference(self.task, self.backend, self.language)
            return self._reference

    def run(self, name: str, label: str) -> RunResult:
        variant = self.get(name)
        if isinstance(variant, RunResult):  # the script that builds it failed: that is the run
            return variant.model_copy(update={"variant": label})
        return run_variant(self.task, variant, self.backend, self.language, variant_label=label)

ProgressCallback = Callable[[TaskReport], None]


class ResultCache(Protocol):
    """Where finished reports are kept between audits (``taskaudit.store.AuditCache``).

    A cache may also offer ``lookup_many(items) -> list[TaskReport | None]`` (one answer per
    item, in order); the engine then asks it once for the whole batch instead of per task.
    """

    def lookup(self, item: Task | LoadError) -> TaskReport | None: ...

    def record(self, item: Task | LoadError, report: TaskReport) -> None: ...


def audit(
    items: Iterable[Task | LoadError],
    backend: SandboxBackend,
    config: AuditConfig | None = None,
    *,
    jobs: int = 2,
    checks: list[Check] | None = None,
    on_task_done: ProgressCallback | None = None,
    cache: ResultCache | None = None,
    executor: TaskExecutor | None = None,
) -> AuditReport:
    """Audit every task; reports come back in input order whatever order they finish in.

    ``executor`` decides where tasks are audited: on this machine with ``jobs`` parallel runs
    (the default, ``LocalExecutor``), or on a Ray cluster (``executors.ray_executor``). This
    function, the driver, does the rest wherever tasks run: with a ``cache``, a task it holds a
    report for is not audited again, and every finished task is recorded in it as soon as its
    report arrives (so an interrupted batch resumes); ``on_task_done`` sees every report.
    """
    config = config or AuditConfig()
    checks = checks or default_checks()
    items = list(items)
    reports: list[TaskReport | None] = [None] * len(items)

    def finish(index: int, report: TaskReport, *, record: bool) -> None:
        if record and cache is not None:
            cache.record(items[index], report)
        reports[index] = report
        if on_task_done:
            on_task_done(report)

    to_audit: list[tuple[int, Task]] = []
    for index, (item, stored) in enumerate(zip(items, _lookup(cache, items), strict=True)):
        if stored is not None:
            finish(index, stored, record=False)
        elif isinstance(item, LoadError):
            finish(index, load_error_report(item), record=True)
        else:
            to_audit.append((index, item))
    executor = executor or LocalExecutor(jobs)
    for index, report in executor.run(to_audit, AuditJob(backend, config, checks)):
        finish(index, report, record=True)

    done = [r for r in reports if r is not None]
    if len(done) != len(items):  # a bug in an executor: never a silently shorter report
        raise RuntimeError(f"the {executor.name} executor returned {len(done)} of {len(items)} tasks")
    summary = {v.value: sum(r.verdict == v for r in done) for v in Verdict}
    return AuditReport(
        taskaudit_version=__version__,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        sandbox_backend=backend.name,
        tasks=done,
        summary=summary,
    )


def _lookup(cache: ResultCache | None, items: list[Task | LoadError]) -> list[TaskReport | None]:
    """The stored report of each item, or None: in bulk when the cache can, else one by one."""
    if cache is None:
        return [None] * len(items)
    lookup_many = getattr(cache, "lookup_many", None)
    if lookup_many is not None:
        return list(lookup_many(items))
    return [cache.lookup(item) for item in items]


def audit_task(
    task: Task,
    backend: SandboxBackend,
    config: AuditConfig,
    checks: list[Check],
    run_pool: ThreadPoolExecutor,
) -> TaskReport:
    started = time.monotonic()
    toolchain_problem = None
    try:
        language = get_language(task.language)
        ok, version = language.toolchain()
        if not ok:
            toolchain_problem = version
    except ToolchainMissing as exc:
        language, toolchain_problem = None, str(exc)

    runs: dict[tuple[str, int], Future[RunResult]] = {}
    variants = None
    # A task that cannot run here (a SWE-bench row without its repository) gets static checks only.
    runnable = task.metadata.get("runnable") is not False
    if toolchain_problem is None and runnable:
        variants = TaskVariants(task, backend, language, run_pool)
        for check in checks:
            for variant, count in check.needs(task, config):
                for i in range(count):
                    if (variant, i) not in runs:
                        label = f"{variant}#{i + 1}" if count > 1 else variant
                        runs[(variant, i)] = run_pool.submit(variants.run, variant, label)

    ctx = AuditContext(task, config, runs, executor=variants)
    findings: list[Finding] = []
    records: list[CheckRecord] = []
    errors: list[str] = []
    for check in checks:
        ctx.check_name = check.name
        t0 = time.monotonic()
        status, reason = CheckStatus.RAN, ""
        if not runnable and check.needs(task, config):
            status, reason = CheckStatus.SKIPPED, not_runnable_reason(task)
        elif toolchain_problem and check.needs(task, config):
            status, reason = CheckStatus.ERRORED, f"toolchain unavailable: {toolchain_problem}"
        else:
            try:
                findings.extend(check.run(ctx))
            except CheckSkipped as exc:
                status, reason = CheckStatus.SKIPPED, str(exc)
            except CheckInfraError as exc:
                status, reason = CheckStatus.ERRORED, str(exc)
            except Exception as exc:  # a bug in taskaudit must not become a task defect
                status = CheckStatus.ERRORED
                reason = f"internal error in taskaudit: {exc!r}"
                traceback.print_exc()
        if status == CheckStatus.ERRORED:
            errors.append(f"{check.name}: {reason}")
        records.append(
            CheckRecord(
                name=check.name,
                question=check.question,
                status=status,
                reason=reason,
                duration_sec=round(time.monotonic() - t0, 3),
                score=ctx.scores.get(check.name) if status == CheckStatus.RAN else None,
                metrics=ctx.metrics.get(check.name, {}),
            )
        )

    select = [*config.select, *task.select]
    ignore = [*config.ignore, *task.ignore]
    findings = [f for f in findings if keep_finding(f.code, select, ignore)]
    findings.sort(key=lambda f: (f.question.value, f.code, f.message))
    questions = question_results(findings, records)
    finished_runs = [f.result() for f in runs.values() if f.done() and not f.cancelled()]
    return TaskReport(
        task_id=task.id,
        source=task.source,
        format=task.format,
        language=task.language,
        content_hash=task.content_hash(),
        verdict=(verdict := overall(questions, records)),
        questions=questions,
        findings=findings,
        checks=records,
        runs=finished_runs,
        error="; ".join(errors) or _unevaluated(verdict, records),
        duration_sec=round(time.monotonic() - started, 3),
    )


def _unevaluated(verdict: Verdict, records: list[CheckRecord]) -> str | None:
    """Why a task with no errored check is still ERROR: its validity could not be measured."""
    if verdict != Verdict.ERROR:
        return None
    skipped = [
        f"{c.name}: {c.reason}"
        for c in records
        if c.question == Question.VALIDITY and c.status != CheckStatus.RAN
    ]
    return "could not evaluate validity: the reference was not run against the tests (" + "; ".join(skipped) + ")"


def load_error_report(error: LoadError) -> TaskReport:
    """A task that cannot be loaded is defective as shipped: REJECT, with the file named."""
    finding = Finding(
        code=F001,
        question=Question.VALIDITY,
        severity="error",
        title="Task cannot be loaded",
        message=error.problem,
        location=Location(path=error.path),
        evidence={"path": error.path, "problem": error.problem},
        check="load",
    )
    not_run = QuestionResult(status=Status.NOT_EVALUATED, summary="the task did not load")
    return TaskReport(
        task_id=error.task_id,
        source=error.path,
        format="unknown",
        verdict=Verdict.REJECT,
        questions={
            Question.SPEC: not_run,
            Question.VALIDITY: QuestionResult(status=Status.FAIL, summary="failed: F001"),
            Question.STRENGTH: not_run,
        },
        findings=[finding],
        checks=[CheckRecord(name="load", question=Question.VALIDITY, status=CheckStatus.RAN)],
    )
