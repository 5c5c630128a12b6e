"""Cheat probes run on the bundled examples, through the real sandbox, in all six languages.

On a good task no probe may pass (the in-process runner patch, W209, is info: see
docs/probes.md); on the weak-tests task the constant and the lookup-table probes pass and are
reported with their diff; harness attacks that taskaudit blocked but the task's own test.sh
would have rewarded are reported as W212 with the script line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.baseline import BaselineCheck
from taskaudit.checks.harness import HarnessCheck
from taskaudit.checks.probes import ProbesCheck
from taskaudit.checks.reference import ReferenceCheck
from taskaudit.formats import load_tasks
from taskaudit.model import Severity
from taskaudit.sandbox import get_backend

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("python", "javascript", "typescript", "go", "rust", "java")
PROBE_CODES = {f"W2{n:02d}" for n in range(1, 15)} - {"W212"}


@pytest.fixture(scope="module")
def reports():
    paths = [ROOT / "examples/tasks" / lang / name for lang in LANGUAGES for name in ("good", "weak-tests")]
    paths.append(ROOT / "examples/tasks/python/harness-trusts-exit-code")
    items = load_tasks([str(p) for p in paths])
    checks = [ReferenceCheck(), BaselineCheck(), HarnessCheck(), ProbesCheck()]
    report = audit(items, get_backend(), AuditConfig(reference_runs=1), jobs=3, checks=checks)
    return {(Path(t.source).parent.name, t.task_id): t for t in report.tasks}


def probe_findings(task):
    return [f for f in task.findings if f.code in PROBE_CODES]


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_probe_passes_on_the_good_example(reports, language):
    task = reports[(language, "good")]
    record = next(c for c in task.checks if c.name == "probes")
    assert record.status.value == "ran", record.reason
    assert record.metrics["probes_run"] >= 4
    serious = [f for f in probe_findings(task) if f.severity != Severity.INFO]
    assert serious == [], [(f.code, f.message) for f in serious]
    # Only the in-process runner patch (an attack on every runner sharing the solution's
    # process, taskaudit's pytest and node:test runners included) may get through, as info.
    assert {f.code for f in probe_findings(task)} <= {"W209"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_constant_and_lookup_table_pass_on_the_weak_example(reports, language):
    task = reports[(language, "weak-tests")]
    found = {f.code: f for f in task.findings}
    assert {"W203", "W204"} <= set(found), sorted(found)
    lookup = found["W204"]
    assert "2a1b" in lookup.evidence["diff"] and "aab" in lookup.evidence["diff"]
    assert set(lookup.evidence["outcomes"].values()) == {"passed"}
    assert found["W203"].severity == Severity.WARNING and lookup.severity == Severity.WARNING
    # cited at the assertion the table answers
    (cited,) = lookup.evidence["assertions_answered"]
    assert lookup.location.path.endswith(cited.split(":")[0]) and lookup.location.line == int(cited.split(":")[1])


@pytest.mark.parametrize("language", LANGUAGES)
def test_harness_attacks_never_pass_taskaudit_runner(reports, language):
    for name in ("good", "weak-tests"):
        codes = {f.code for f in reports[(language, name)].findings}
        assert not codes & {"W207", "W208", "W210"}, (name, codes)


def test_blocked_exit_early_would_fool_the_python_harness(reports):
    task = reports[("python", "good")]
    w212 = {f.evidence["probe"]: f for f in task.findings if f.code == "W212"}
    assert {"exit-early", "plant-config"} <= set(w212)
    exit_early = w212["exit-early"]
    assert exit_early.severity == Severity.INFO
    assert exit_early.location.path.endswith("tests/test.sh") and exit_early.location.line == 5
    assert exit_early.evidence["harness_text"] == "if python -m pytest -q /tests; then"
    assert exit_early.evidence["status"] == "incomplete"  # taskaudit's runner refused the run
    assert "_exit(0)" in exit_early.evidence["diff"]


def test_java_exit_early_is_not_claimed_against_maven(reports):
    task = reports[("java", "good")]
    assert "exit-early" not in {f.evidence.get("probe") for f in task.findings if f.code == "W212"}


def test_harness_example_is_flagged_at_the_exact_line(reports):
    task = reports[("python", "harness-trusts-exit-code")]
    (v202,) = [f for f in task.findings if f.code == "V202"]
    assert v202.location.path.endswith("harness-trusts-exit-code/tests/test.sh")
    assert v202.location.line == 7
    assert v202.evidence["text"] == "python -m pytest -q /tests | tee /logs/verifier/pytest.log"
    assert task.verdict.value == "REJECT"


def test_weak_example_is_revised_not_rejected(reports):
    # Weak tests are a strength warning (as mutation survivors are); only a passing stub or a
    # cheat that fools taskaudit's own runner is an error.
    task = reports[("python", "weak-tests")]
    assert task.verdict.value == "REVISE", [(f.code, f.severity) for f in task.findings]


@pytest.mark.parametrize("language", LANGUAGES)
def test_reading_the_tests_at_run_time_passes_on_the_weak_example(reports, language):
    # The tests are readable from the solution's process (they must be, to run): a solution
    # that answers from their source passes wherever the lookup table does.
    # Compiled languages too: the tests are compiled before the solution runs, but their
    # sources stay readable at run time.
    found = {f.code: f for f in reports[(language, "weak-tests")].findings}
    assert "W211" in found and found["W211"].severity == Severity.WARNING


@pytest.mark.parametrize("language", LANGUAGES)
def test_probe_wall_clock_comes_from_the_reference_run(reports, language):
    task = reports[(language, "good")]
    record = next(c for c in task.checks if c.name == "probes")
    reference = next(r for r in task.runs if r.variant == "reference")
    wall = record.metrics["probe_wall_seconds"]
    assert wall == max(10.0, 3 * reference.duration_sec), (wall, reference.duration_sec)  # < the timeout here
    assert record.metrics["probes_timed_out"] == 0
