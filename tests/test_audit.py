"""The audit engine: infrastructure failures are ERROR, never task defects; defects are REJECT.

Infrastructure failures are simulated with fake sandbox backends (a real sandbox failure is
hard to provoke on purpose); task defects use the real bwrap sandbox.
"""

from __future__ import annotations

from click.testing import CliRunner

from taskaudit import cli
from taskaudit.audit import audit
from taskaudit.checks.assertions import AssertionsCheck
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.baseline import BaselineCheck
from taskaudit.checks.reference import ReferenceCheck
from taskaudit.checks.statement import StatementCheck
from taskaudit.model import CheckStatus, LoadError, Question, Severity, Task, Verdict
from taskaudit.sandbox import SandboxUnavailable, get_backend
from taskaudit.sandbox.base import ProcessResult, SandboxRequest

# The pipeline's own checks: these tests are about running the reference and the baseline. The
# tiny task here is deliberately small, so the strength checks (probes, mutation, generated
# inputs) would rightly find its two tests weak; they have tests of their own.
PIPELINE = [StatementCheck(), ReferenceCheck(), BaselineCheck(), AssertionsCheck()]

TESTS = {
    "test_calc.py": b"from calc import add\n\n"
    b"def test_small():\n    assert add(1, 2) == 3\n\n"
    b"def test_zero():\n    assert add(0, 0) == 0\n\n"
    b"def test_negative():\n    assert add(-1, -2) == -3\n",
}


def make_task(starter: str, solution: str, task_id: str = "calc") -> Task:
    return Task(
        id=task_id,
        source="<test>",
        format="test",
        language="python",
        test_runner="pytest",
        statement="Write a function add(a, b) in calc.py that returns the sum of two integers.",
        starter_files={"calc.py": starter.encode()},
        solution_files={"calc.py": solution.encode()},
        test_files=TESTS,
        solution_paths=["calc.py"],
        timeout_sec=30,
    )


GOOD = make_task("def add(a, b):\n    raise NotImplementedError\n", "def add(a, b):\n    return a + b\n")


class FakeBackend:
    """A backend whose every run ends the same way."""

    isolating = True

    def __init__(self, name: str, result: ProcessResult) -> None:
        self.name = name
        self._result = result
        self.requests: list[SandboxRequest] = []

    def available(self) -> tuple[bool, str]:
        return True, "fake"

    def enforced_limits(self) -> dict[str, str]:
        return {}

    def run(self, request: SandboxRequest) -> ProcessResult:
        self.requests.append(request)
        return self._result


def only_task(report):
    (task,) = report.tasks
    return task


def test_sandbox_failure_is_error_not_a_defect():
    broken = FakeBackend(
        "broken",
        ProcessResult(exit_code=1, signal=None, stdout=b"", stderr=b"bwrap: setting up uid map: "
                      b"Permission denied", duration_sec=0.01, sandbox_error="setting up uid map"),
    )
    task = only_task(audit([GOOD], broken, AuditConfig()))
    assert task.verdict == Verdict.ERROR
    assert "uid map" in task.error
    assert not [f for f in task.findings if f.severity == Severity.ERROR]
    statuses = {c.name: c.status for c in task.checks}
    assert statuses["reference"] == CheckStatus.ERRORED
    assert statuses["statement"] == CheckStatus.RAN  # checks that need no run still ran


def test_reference_timeout_is_error():
    slow = FakeBackend(
        "slow",
        ProcessResult(exit_code=None, signal=9, stdout=b"", stderr=b"", duration_sec=30,
                      timed_out=True, limit_hit="timeout"),
    )
    task = only_task(audit([GOOD], slow, AuditConfig()))
    assert task.verdict == Verdict.ERROR
    assert "timed out" in task.error


def test_a_bug_in_a_check_is_error_not_a_defect():
    class Exploding:
        name = "exploding"
        question = Question.VALIDITY
        description = "raises"

        def needs(self, task, config):
            return []

        def run(self, ctx):
            raise ZeroDivisionError("bug")

    task = only_task(audit([GOOD], FakeBackend("x", None), AuditConfig(), checks=[Exploding()]))
    assert task.verdict == Verdict.ERROR
    assert "internal error" in task.error


def test_good_task_is_accepted_and_every_run_is_recorded():
    task = only_task(audit([GOOD], get_backend(None), AuditConfig(reference_runs=2), checks=PIPELINE))
    assert task.verdict == Verdict.ACCEPT, task.findings
    assert sorted(r.variant for r in task.runs) == ["baseline", "reference#1", "reference#2"]


def test_task_whose_starter_already_solves_it_is_rejected():
    solved = "def add(a, b):\n    return a + b\n"
    task = only_task(audit([make_task(solved, solved)], get_backend(None), AuditConfig(reference_runs=1), checks=PIPELINE))
    assert task.verdict == Verdict.REJECT
    assert [f.code for f in task.findings] == ["V005"]


def test_reference_that_exits_early_is_a_defect_not_a_pass():
    exits = "import os\nos._exit(0)\n"
    task = only_task(audit([make_task("", exits)], get_backend(None), AuditConfig(reference_runs=1), checks=PIPELINE))
    assert task.verdict == Verdict.REJECT
    assert "V002" in {f.code for f in task.findings}


def test_broken_task_in_a_batch_fails_alone():
    items = [GOOD, LoadError(task_id="bad", path="/x/task.toml", problem="invalid TOML"),
             make_task("", "def add(a, b):\n    return a - b\n", task_id="wrong")]
    report = audit(items, get_backend(None), AuditConfig(reference_runs=1), checks=PIPELINE)
    assert [t.verdict for t in report.tasks] == [Verdict.ACCEPT, Verdict.REJECT, Verdict.REJECT]
    assert report.tasks[1].findings[0].code == "F001"
    assert "V001" in {f.code for f in report.tasks[2].findings}
    assert report.summary == {"ACCEPT": 1, "REVISE": 0, "REJECT": 2, "ERROR": 0}


def test_cli_refuses_to_run_task_code_without_an_isolating_sandbox(monkeypatch, tmp_path):
    def unavailable(name):
        raise SandboxUnavailable("no bwrap binary found: install bubblewrap")

    monkeypatch.setattr("taskaudit.sandbox.get_backend", unavailable)
    result = CliRunner().invoke(cli.main, ["audit", str(tmp_path)])
    assert result.exit_code == 3
    assert "cannot run task code" in result.output



def test_task_without_a_reference_is_never_accepted():
    task = GOOD.model_copy(update={"reference_available": False, "solution_files": {}, "format": "multipl-e"})
    report = only_task(audit([task], get_backend(None), AuditConfig()))
    assert report.verdict == Verdict.ERROR
    statuses = {c.name: (c.status, c.reason) for c in report.checks}
    assert statuses["reference"][0] == CheckStatus.SKIPPED
    assert "ships no reference solution" in statuses["reference"][1]
    assert statuses["baseline"][0] == CheckStatus.SKIPPED
    assert report.runs == []  # nothing ran that could not be compared
    assert "the reference was not run against the tests" in report.error
