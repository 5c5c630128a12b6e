"""What an executor is: the part of an audit that decides *where* tasks are audited.

The driver (``taskaudit.audit.audit``) keeps everything that must happen in one place: it
loads, consults the results store, records each result as it arrives, drives the progress
display and assembles the report in input order. An executor only turns tasks into reports:

    executor.run([(index, task), ...], job)  ->  yields (index, TaskReport) as each finishes

``LocalExecutor`` (``executors/local.py``) audits on this machine with thread pools;
``RayExecutor`` (``executors/ray_executor.py``) sends each task to a Ray cluster. Both call the
same ``audit_task``, so the same task gives the same report wherever it ran.
"""

from __future__ import annotations

import socket
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from taskaudit.model import (
    CheckRecord,
    CheckStatus,
    Question,
    QuestionResult,
    Status,
    Task,
    TaskReport,
    Verdict,
)

if TYPE_CHECKING:  # pragma: no cover
    from taskaudit.checks.base import AuditConfig, Check
    from taskaudit.sandbox.base import SandboxBackend


class ExecutorUnavailable(Exception):
    """The executor cannot start (Ray not installed, cluster unreachable); the message says what to do."""


@dataclass
class AuditJob:
    """What every task of one audit is audited with."""

    backend: SandboxBackend
    config: AuditConfig
    checks: list[Check]


class TaskExecutor(Protocol):
    name: str

    def start(self) -> object:
        """Get ready (connect to a cluster); ``run`` calls it when it has tasks to audit.
        Raises ExecutorUnavailable, saying what to do."""
        ...

    def close(self) -> None:
        """Release what ``start`` took; ``run`` calls it when it ends."""
        ...

    def run(self, tasks: Sequence[tuple[int, Task]], job: AuditJob) -> Iterator[tuple[int, TaskReport]]:
        """Audit every task; yield ``(index, report)`` for each as soon as it is done, in any
        order. Never raises for one task: a failure becomes that task's ERROR report."""
        ...


def infrastructure_error_report(task: Task, problem: str, check: str = "executor") -> TaskReport:
    """An ERROR report for a task taskaudit could not audit (a crashed worker, no sandbox on a
    worker, a bug in taskaudit): the machine's problem, never a defect of the task."""
    not_run = QuestionResult(status=Status.NOT_EVALUATED, summary=f"not evaluated: {check} failed")
    return TaskReport(
        task_id=task.id,
        source=task.source,
        format=task.format,
        language=task.language,
        content_hash=task.content_hash(),
        verdict=Verdict.ERROR,
        questions={q: not_run for q in Question},
        checks=[
            CheckRecord(name=check, question=Question.VALIDITY, status=CheckStatus.ERRORED, reason=problem)
        ],
        error=f"{check}: {problem}",
    )


def audit_one_safely(task: Task, job: AuditJob, run_pool) -> TaskReport:
    """``audit_task``, with a crash inside taskaudit turned into that task's ERROR report so
    that one task never stops a batch (checks' own errors are already caught per check)."""
    from taskaudit.audit import audit_task  # the engine imports this package

    try:
        return audit_task(task, job.backend, job.config, job.checks, run_pool)
    except Exception as exc:
        traceback.print_exc()
        return infrastructure_error_report(
            task, f"internal error in taskaudit on {socket.gethostname()}: {exc!r}", check="audit"
        )
