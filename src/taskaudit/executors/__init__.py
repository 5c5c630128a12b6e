"""Where tasks are audited: on this machine (``local``) or on a Ray cluster (``ray``).

See ``executors/base.py`` for the contract and docs/ray.md for running on a cluster. Importing
this package imports neither Ray nor the engine.
"""

from __future__ import annotations

from taskaudit.executors.base import (
    AuditJob,
    ExecutorUnavailable,
    TaskExecutor,
    infrastructure_error_report,
)
from taskaudit.executors.local import LocalExecutor

EXECUTORS = ("local", "ray")

__all__ = [
    "EXECUTORS",
    "AuditJob",
    "ExecutorUnavailable",
    "LocalExecutor",
    "TaskExecutor",
    "infrastructure_error_report",
    "make_executor",
]


def make_executor(name: str = "local", *, jobs: int = 2, address: str | None = None) -> TaskExecutor:
    """The executor called ``name``. ``jobs``: parallel runs on this machine, or the CPUs of the
    local Ray instance started when no ``address`` is given (a cluster brings its own CPUs).

    Raises ``ValueError`` for an unknown name or an address given to the local executor, and
    ``ExecutorUnavailable`` when Ray is asked for but not installed.
    """
    if name == "local":
        if address:
            raise ValueError("--address applies to the ray executor only (add --executor ray)")
        return LocalExecutor(jobs)
    if name == "ray":
        from taskaudit.executors.ray_executor import RayExecutor, import_ray

        import_ray()  # fail now, before any task is loaded, if Ray is missing
        return RayExecutor(address, num_cpus=jobs)
    raise ValueError(f"unknown executor {name!r}; choose one of: {', '.join(EXECUTORS)}")
