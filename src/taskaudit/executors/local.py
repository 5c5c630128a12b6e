"""The local executor: tasks audited on this machine, on thread pools.

Two pools of ``jobs`` threads each. Task threads run the checks and mostly wait on their runs;
run threads each wait on one sandboxed subprocess. They are separate so that a task waiting on
its runs never holds a run slot: at most ``jobs`` sandboxed runs at a time, whatever the number
of tasks in flight. Threads are enough: the work happens in the sandboxed processes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from taskaudit.executors.base import AuditJob, audit_one_safely
from taskaudit.model import Task, TaskReport


class LocalExecutor:
    name = "local"

    def __init__(self, jobs: int = 2) -> None:
        self.jobs = max(1, jobs)

    def start(self) -> LocalExecutor:  # nothing to start: the pools live for one run
        return self

    def close(self) -> None:
        pass

    def run(self, tasks: Sequence[tuple[int, Task]], job: AuditJob) -> Iterator[tuple[int, TaskReport]]:
        _import_before_threads()
        task_pool = ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="task")
        run_pool = ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="run")
        pending: dict[Future[TaskReport], int] = {}
        try:
            for index, task in tasks:
                pending[task_pool.submit(audit_one_safely, task, job, run_pool)] = index
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield pending.pop(future), future.result()
        finally:
            # Normally nothing is left; after an interruption (Ctrl-C, the consumer stopped)
            # tasks not started are dropped, and the running ones finish their runs.
            task_pool.shutdown(wait=True, cancel_futures=True)
            run_pool.shutdown(wait=True, cancel_futures=True)


def _import_before_threads() -> None:
    """Import, in this thread, the modules the checks import lazily whose import is not safe to
    race: pytest's package has import cycles, and two task threads importing it at once can
    see a partially initialised ``_pytest`` module (seen as an AttributeError in a check)."""
    import pytest  # noqa: F401
