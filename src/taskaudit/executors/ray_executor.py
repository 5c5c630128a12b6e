"""The Ray executor: each task audited by a Ray task on some machine of a cluster.

    taskaudit audit tasks/ --executor ray                    # a local Ray instance, --jobs CPUs
    taskaudit audit tasks/ --executor ray --address auto     # the cluster this machine is part of
    taskaudit audit tasks/ --executor ray --address ray://head:10001

What crosses the wire, and why it is cheap:

* to a worker: the ``Task`` (a pydantic model: pickled by reference to its class, its files as
  bytes; a few microseconds and about the size of its files), plus, once per audit, the config
  and the checks (``ray.put``, shared by every task);
* back: the ``TaskReport``.

On the worker, ``audit_on_worker`` makes the sandbox backend there (the same backend, by name,
as the driver's: a worker without it gives ERROR reports saying so, never a weaker sandbox) and
calls the same ``audit_task`` as the local executor. The driver alone writes the store, as each
result streams back, so the progress display, the store's per-task record and resume behave as
with the local executor.

Only a bounded window of tasks is in flight (twice the cluster's task slots), so a dataset of a
million tasks does not fill the object store, and an interruption loses at most that window.
Ray is imported only when this executor starts.
"""

from __future__ import annotations

import logging
import os
import pickle
import socket
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from taskaudit import __version__
from taskaudit.executors.base import (
    AuditJob,
    ExecutorUnavailable,
    audit_one_safely,
    infrastructure_error_report,
)
from taskaudit.model import Task, TaskReport

RAY_INSTALL_HINT = "pip install 'taskaudit[ray]'"


def audit_on_worker(
    task: Task, backend_name: str, config, checks, run_threads: int, driver_version: str
) -> TaskReport:
    """Runs in a Ray worker process: audit one task there, exactly as the local executor would."""
    from taskaudit import __version__
    from taskaudit.sandbox import SandboxUnavailable, get_backend

    if __version__ != driver_version:  # its result would be stored under the driver's version
        return infrastructure_error_report(
            task, f"Ray worker {socket.gethostname()} has taskaudit {__version__}, the driver "
            f"{driver_version}: install the same version on every node (docs/ray.md)",
            check="executor",
        )

    try:
        backend = get_backend(backend_name)
    except (SandboxUnavailable, ValueError) as exc:
        return infrastructure_error_report(
            task, f"the sandbox backend {backend_name!r} is not usable on Ray worker "
            f"{socket.gethostname()}: {exc}", check="sandbox",
        )
    with ThreadPoolExecutor(max_workers=max(1, run_threads), thread_name_prefix="run") as run_pool:
        return audit_one_safely(task, AuditJob(backend, config, checks), run_pool)


def import_ray():
    try:
        import ray
    except ImportError as exc:
        raise ExecutorUnavailable(
            f"the Ray executor needs Ray, which is not installed ({exc}): {RAY_INSTALL_HINT}"
        ) from None
    return ray


class RayExecutor:
    """Audit tasks on a Ray cluster.

    ``address``: None joins ``RAY_ADDRESS`` if that is set, else starts a new local Ray instance
    with ``num_cpus`` CPUs (and stops it at the end); ``"auto"`` joins the cluster this machine
    belongs to; ``"ray://host:10001"`` connects through Ray Client. If Ray is already
    initialised in this process, that connection is used (and left open).
    ``cpus_per_task``: the CPUs Ray reserves for each task; the task runs that many sandboxed
    runs at a time (one CPU, one run: the same density as ``--jobs`` on one machine).
    """

    name = "ray"

    def __init__(
        self,
        address: str | None = None,
        *,
        num_cpus: int | None = None,
        cpus_per_task: float = 1,
        max_in_flight: int | None = None,
        runtime_env: dict[str, Any] | None = None,
    ) -> None:
        self.address = address or None
        self.num_cpus = num_cpus
        self.cpus_per_task = cpus_per_task
        self.max_in_flight = max_in_flight
        self.runtime_env = runtime_env
        self._ray = None
        self._owns_ray = False

    # ----------------------------------------------------------------- connection

    def start(self):
        """Connect to (or start) Ray; raises ExecutorUnavailable with what to do."""
        if self._ray is not None:
            return self._ray
        ray = import_ray()
        if not ray.is_initialized():
            # No address: RAY_ADDRESS if set (Ray's convention), else a new local instance
            # ("local": never silently join a cluster someone started on this machine).
            address = self.address or os.environ.get("RAY_ADDRESS") or "local"
            kwargs: dict[str, Any] = {
                "address": address,
                "include_dashboard": False,
                "log_to_driver": True,  # a worker's traceback shows on the driver's terminal
                # Ray's own notices (token set-up, "started a local instance") would land in
                # the middle of the audit's output; its errors still show.
                "logging_level": logging.ERROR,
            }
            if address == "local":  # size it, or Ray takes every core
                kwargs["num_cpus"] = self.num_cpus or os.cpu_count() or 1
            if self.runtime_env:
                kwargs["runtime_env"] = self.runtime_env
            try:
                ray.init(**kwargs)
            except Exception as exc:  # ConnectionError, RuntimeError, ValueError: all say why
                where = "a local Ray instance" if address == "local" else address
                raise ExecutorUnavailable(f"cannot start Ray ({where}): {exc}") from None
            self._owns_ray = True
        self._ray = ray
        return ray

    def close(self) -> None:
        if self._ray is not None and self._owns_ray:
            self._ray.shutdown()
        self._ray, self._owns_ray = None, False

    def __enter__(self) -> RayExecutor:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def task_slots(self) -> int:
        """How many tasks the cluster can audit at once (its CPUs / CPUs per task)."""
        cpus = self.start().cluster_resources().get("CPU", 1)
        return max(1, int(cpus // self.cpus_per_task))

    # ----------------------------------------------------------------- auditing

    def run(self, tasks: Sequence[tuple[int, Task]], job: AuditJob) -> Iterator[tuple[int, TaskReport]]:
        if not tasks:
            return
        ray = self.start()
        _check_picklable(job.checks)
        config_ref, checks_ref = ray.put(job.config), ray.put(job.checks)
        remote = ray.remote(
            num_cpus=self.cpus_per_task,
            # A worker that dies (killed, out of memory, a lost node) is retried once on
            # another; an exception is not retried (audit_on_worker returns, never raises).
            max_retries=1,
            retry_exceptions=False,
        )(audit_on_worker)
        run_threads = max(1, round(self.cpus_per_task))
        window = self.max_in_flight or max(8, 2 * self.task_slots())

        queue = iter(tasks)
        pending: dict[Any, tuple[int, Task]] = {}
        try:
            while True:
                while len(pending) < window and (item := next(queue, None)) is not None:
                    index, task = item
                    ref = remote.remote(task, job.backend.name, config_ref, checks_ref, run_threads,
                                        __version__)
                    pending[ref] = (index, task)
                if not pending:
                    return
                ready, _ = ray.wait(list(pending), num_returns=1)
                for ref in ready:
                    index, task = pending.pop(ref)
                    yield index, self._result(ray, ref, task)
        finally:
            for ref in pending:  # interrupted: do not leave the cluster working for nobody
                ray.cancel(ref, force=True)
            self.close()

    @staticmethod
    def _result(ray, ref, task: Task) -> TaskReport:
        try:
            return ray.get(ref)
        except Exception as exc:  # a worker that died twice, a lost object: not the task's fault
            return infrastructure_error_report(task, f"the Ray task failed: {_first_line(exc)}")


def _check_picklable(checks: list) -> None:
    """Name the check that cannot be sent to workers, rather than fail deep inside Ray."""
    from ray import cloudpickle

    for check in checks:
        try:
            cloudpickle.dumps(check)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            raise ExecutorUnavailable(
                f"check {getattr(check, 'name', check)!r} cannot be sent to Ray workers: {exc}"
            ) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return f"{type(exc).__name__}: {text.splitlines()[0]}"
