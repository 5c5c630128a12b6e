"""The Ray executor against a real local Ray instance (``ray.init(num_cpus=2)``, a few seconds).

Bundled examples audited with the Ray executor and with the local one must give the same
verdicts, the same findings and the same store rows (timings aside): where a task is audited
must not change its result. A worker that cannot make the sandbox, and a worker that dies, give
ERROR reports that say so (an infrastructure problem, never a task defect), and the batch goes on.

Ray comes with the ``dev`` extra. Without it this module is skipped with a reason locally, and
fails in CI (``CI`` set), where it must run.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

if os.environ.get("CI"):
    import ray  # CI installs the dev extra: a missing Ray is a failure there, not a skip
else:
    ray = pytest.importorskip("ray", reason="Ray is not installed: pip install -e '.[dev]'")

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.registry import default_checks
from taskaudit.executors.ray_executor import RayExecutor
from taskaudit.formats import load_tasks
from taskaudit.model import Question, Verdict
from taskaudit.sandbox import get_backend
from taskaudit.store import AuditCache, open_store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "tasks"
# An ACCEPT, two REJECTs for different reasons (a failing reference; a task.toml that does not
# parse, which the driver handles without a worker), a REVISE, and another language.
CASES = ["python/good", "python/reference-fails", "python/malformed-toml", "python/weak-tests",
         "javascript/good"]


@pytest.fixture(scope="module")
def local_ray():
    """One real local Ray instance for the module; the executor uses it and leaves it running."""
    ray.init(num_cpus=2, include_dashboard=False, logging_level="error")
    yield
    ray.shutdown()


def audit_into_store(store_path: Path, executor=None):
    backend = get_backend(None)
    config, checks = AuditConfig(reference_runs=2), default_checks()
    done = []
    with open_store(store_path) as store:
        cache = AuditCache(store, config, checks, backend.name)
        report = audit(load_tasks([EXAMPLES / c for c in CASES]), backend, config, jobs=2,
                       checks=checks, cache=cache, executor=executor, on_task_done=done.append)
        rows = store.rows()
    assert not cache.errors
    assert len(done) == len(CASES)  # the progress callback saw every task, once
    return report, rows


# What differs between two runs of the same test by nature: timings and object addresses.
_TIMING = re.compile(r"\b\d+(?:\.\d+)? ?m?s\b|\b0x[0-9a-f]{6,}\b")


def without_timings(value):
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items() if k not in {"duration_sec", "recorded_at"}}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    if isinstance(value, str):
        return _TIMING.sub("<t>", value)
    return value


def comparable(rows):
    return [without_timings(r | {"report": without_time_budgeted(json.loads(r["report"]))}) for r in rows]


def without_time_budgeted(report: dict) -> dict:
    """The input-space check runs a count-based set of inputs, the same in every process; only a
    task whose time budget ran out (W307, reported) may quote different inputs, so only there is
    its evidence left out (docs/inputspace.md). Everything else must match row for row."""
    if not any(f["code"] == "W307" for f in report.get("findings", [])):
        return report
    for check in report.get("checks", []):
        if check["name"] == "inputspace":
            check["metrics"], check["score"] = {}, None
    for question in report.get("questions", {}).values():
        question["score"] = None  # the strength score includes the input-space part
    for finding in report.get("findings", []):
        if finding["check"] == "inputspace":
            finding["evidence"], finding["message"] = {}, ""
    return report


def differences(a, b, path="") -> list[str]:
    """Where two comparable values differ (the assertion message: a whole row is too long to read)."""
    if type(a) is not type(b):
        return [f"{path}: {a!r:.200} != {b!r:.200}"]
    if isinstance(a, dict):
        return [d for k in sorted(set(a) | set(b)) for d in differences(a.get(k), b.get(k), f"{path}/{k}")]
    if isinstance(a, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items != {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r:.300} != {b!r:.300}"]


def summary(report):
    return [(t.task_id, t.verdict, sorted(f.code for f in t.findings), t.error) for t in report.tasks]


def test_ray_gives_the_same_results_and_store_rows_as_local(local_ray, tmp_path):
    local_report, local_rows = audit_into_store(tmp_path / "local.db")
    ray_report, ray_rows = audit_into_store(tmp_path / "ray.db", RayExecutor())

    assert summary(ray_report) == summary(local_report)
    verdicts = {t.source.split("tasks/")[-1].removesuffix("/task.toml"): t.verdict for t in ray_report.tasks}
    # The flawed examples are flawed wherever they are audited (the others' verdicts depend on
    # the checks registered; that they equal the local executor's is the point).
    assert verdicts["python/reference-fails"] == verdicts["python/malformed-toml"] == Verdict.REJECT
    assert len(set(verdicts.values())) > 1
    assert ray_report.summary == local_report.summary
    assert len(ray_rows) == len(CASES)
    assert comparable(ray_rows) == comparable(local_rows), differences(comparable(ray_rows), comparable(local_rows))


def test_a_second_ray_audit_is_served_from_the_store(local_ray, tmp_path):
    store = tmp_path / "r.db"
    first, _ = audit_into_store(store, RayExecutor())

    class NoWork(RayExecutor):
        def run(self, tasks, job):
            assert not tasks, "an unchanged task was sent to Ray again"
            return iter(())

    second, _ = audit_into_store(store, NoWork())
    assert summary(second) == summary(first)


class Elsewhere:
    """A sandbox backend the workers do not have."""

    name = "no-such-backend"
    isolating = True


def test_a_worker_without_the_sandbox_gives_error_reports(local_ray):
    tasks = load_tasks([EXAMPLES / "python/good"])
    report = audit(tasks, Elsewhere(), AuditConfig(reference_runs=1), executor=RayExecutor())
    (task,) = report.tasks
    assert task.verdict == Verdict.ERROR
    assert "'no-such-backend' is not usable on Ray worker" in task.error
    assert all(q.status.value == "not_evaluated" for q in task.questions.values())


class DiesOnWorkers:
    """A check that kills the worker process running it (like an out-of-memory kill)."""

    name = "dies"
    question = Question.VALIDITY
    description = "test double"

    def needs(self, task, config):
        return []

    def run(self, ctx):
        os._exit(1)


def test_a_dying_worker_gives_an_error_report_and_the_batch_goes_on(local_ray):
    from ray import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import tests/
    try:
        tasks = load_tasks([EXAMPLES / "python/good", EXAMPLES / "python/malformed-toml"])
        report = audit(tasks, get_backend(None), AuditConfig(reference_runs=1),
                       checks=[DiesOnWorkers()], executor=RayExecutor())
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    good, malformed = report.tasks
    assert good.verdict == Verdict.ERROR and "the Ray task failed" in good.error
    assert malformed.verdict == Verdict.REJECT  # the rest of the batch has its verdict


def test_a_worker_with_another_taskaudit_version_gives_error_reports(local_ray, monkeypatch):
    import taskaudit.executors.ray_executor as ray_executor

    monkeypatch.setattr(ray_executor, "__version__", "9.9.9")  # the driver's, as sent to workers
    report = audit(load_tasks([EXAMPLES / "python/good"]), get_backend(None),
                   AuditConfig(reference_runs=1), executor=RayExecutor())
    (task,) = report.tasks
    assert task.verdict == Verdict.ERROR
    assert "the driver 9.9.9: install the same version on every node" in task.error


def test_ray_starts_and_stops_its_own_local_instance_when_none_is_running(tmp_path):
    if ray.is_initialized():
        ray.shutdown()  # the module's instance, if an earlier test started it
    executor = RayExecutor(num_cpus=1)
    report = audit(load_tasks([EXAMPLES / "python/good"]), get_backend(None),
                   AuditConfig(reference_runs=1), executor=executor)
    (task,) = report.tasks
    assert task.verdict != Verdict.ERROR and task.runs  # audited, sandboxed runs and all
    assert not ray.is_initialized()  # it owned the instance, so it shut it down
