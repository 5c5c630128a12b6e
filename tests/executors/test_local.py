"""Executors without a cluster: choosing one, the local executor streaming results as tasks
finish, a crash inside taskaudit failing one task only, and tasks crossing a process boundary
cheaply. No sandbox: the checks here need no runs."""

from __future__ import annotations

import pickle
import sys
import threading

import pytest

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.executors import ExecutorUnavailable, LocalExecutor, make_executor
from taskaudit.model import Question, Task, Verdict


class Backend:
    name = "fake"
    isolating = True


def task(task_id: str) -> Task:
    return Task(
        id=task_id, source=f"tasks/{task_id}", format="test", language="python",
        test_runner="pytest", statement=f"Return a plus b ({task_id}).",
        solution_files={"calc.py": b"def add(a, b):\n    return a + b\n"},
        test_files={"test_calc.py": b"def test_add():\n    assert add(1, 2) == 3\n"},
    )


class NoRunCheck:
    name = "reference"  # stands in for the reference run: without one, never ACCEPT
    question = Question.VALIDITY
    description = "test double"

    def needs(self, task, config):
        return []

    def run(self, ctx):
        return []


def test_make_executor():
    assert isinstance(make_executor("local", jobs=3), LocalExecutor)
    with pytest.raises(ValueError, match="unknown executor 'spark'"):
        make_executor("spark")
    with pytest.raises(ValueError, match="--address applies to the ray executor only"):
        make_executor("local", address="auto")


def test_ray_missing_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    with pytest.raises(ExecutorUnavailable, match=r"pip install 'taskaudit\[ray\]'"):
        make_executor("ray")


def test_results_stream_back_as_tasks_finish():
    """The driver sees (and would store) a finished task while another is still running."""
    fast_reported = threading.Event()

    class WaitsForFast(NoRunCheck):
        def run(self, ctx):
            if ctx.task.id == "slow":
                assert fast_reported.wait(timeout=60), "'fast' was not reported before 'slow' ended"
            return []

    def done(report):
        if report.task_id == "fast":
            fast_reported.set()

    report = audit([task("slow"), task("fast")], Backend(), AuditConfig(), checks=[WaitsForFast()],
                   on_task_done=done, executor=LocalExecutor(jobs=2))
    assert fast_reported.is_set()
    assert [t.task_id for t in report.tasks] == ["slow", "fast"]  # the report keeps input order
    assert [t.verdict for t in report.tasks] == [Verdict.ACCEPT, Verdict.ACCEPT]


def test_a_crash_inside_taskaudit_fails_that_task_only():
    class CrashesOnNeeds(NoRunCheck):
        def needs(self, task, config):
            if task.id == "bad":
                raise KeyError("a bug")
            return []

    report = audit([task("ok"), task("bad"), task("ok2")], Backend(), AuditConfig(),
                   checks=[CrashesOnNeeds()], executor=LocalExecutor(jobs=2))
    verdicts = {t.task_id: t.verdict for t in report.tasks}
    assert verdicts == {"ok": Verdict.ACCEPT, "bad": Verdict.ERROR, "ok2": Verdict.ACCEPT}
    bad = report.tasks[1]
    assert "internal error in taskaudit" in bad.error and "a bug" in bad.error
    assert bad.checks[0].status.value == "errored"


def test_a_task_pickles_by_reference_and_about_its_own_size():
    """What the Ray executor sends per task: the model's class by name, the files as bytes."""
    big = task("big")
    big.test_files["data.bin"] = bytes(range(256)) * 400  # 100 KiB
    data = pickle.dumps(big, protocol=5)
    assert pickle.loads(data) == big
    payload = sum(len(b) for files in (big.starter_files, big.solution_files, big.test_files)
                  for b in files.values())
    assert payload < len(data) < payload + 2048  # no schema, no code: the content and names
    assert b"taskaudit.model" in data
