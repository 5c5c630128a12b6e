"""``missing_tests.verify``: the written test runs on the reference (must pass), then on the
variant (must fail); a source already run on the same reference is not run there again."""

from __future__ import annotations

from types import SimpleNamespace

from taskaudit import runner
from taskaudit.inputspace.missing_tests import MissingTest, verify
from taskaudit.model import Outcome, RunStatus, Task

TASK = Task(id="t", source="test", format="test", language="python", test_runner="pytest", statement="s",
            solution_files={"m.py": b"def f():\n    return 1\n"}, test_files={"test_m.py": b""}, solution_paths=["m.py"])


def _fake_runs(monkeypatch, outcomes: dict[str, str]):
    """run_variant stand-in: the outcome of the one test by variant name; records the calls."""
    calls: list[str] = []

    def run_variant(task, variant, backend, language):
        calls.append(variant.name)
        test = SimpleNamespace(outcome=Outcome(outcomes[variant.name]))
        return SimpleNamespace(status=RunStatus.COMPLETED, tests=[test])

    monkeypatch.setattr(runner, "run_variant", run_variant)
    return calls


def test_a_source_runs_on_the_reference_once_for_several_variants(monkeypatch):
    calls = _fake_runs(monkeypatch, {"missing-test:reference": "passed", "missing-test:variant": "failed"})
    seen: dict = {}
    first = verify(MissingTest("test_x.py", "src"), TASK, {}, {}, None, None, seen)
    second = verify(MissingTest("test_x.py", "src"), TASK, {}, {}, None, None, seen)
    assert first.verified and second.verified
    assert calls == ["missing-test:reference", "missing-test:variant", "missing-test:variant"]


def test_a_test_failing_on_the_reference_is_not_run_on_the_variant(monkeypatch):
    calls = _fake_runs(monkeypatch, {"missing-test:reference": "failed", "missing-test:variant": "failed"})
    test = verify(MissingTest("test_x.py", "src"), TASK, {}, {}, None, None)
    assert test.passes_on_reference is False and test.fails_on_variant is None and not test.verified
    assert calls == ["missing-test:reference"]
