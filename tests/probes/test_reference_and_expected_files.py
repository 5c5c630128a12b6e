"""The read-reference (W213) and expected-files (W214) probes, and probe wall clocks, through
the real sandbox on tasks built from the good examples (tests/probes/fixtures.py)."""

from __future__ import annotations

import pytest

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.probes import ProbesCheck, probe_wall_seconds
from taskaudit.checks.reference import ReferenceCheck
from taskaudit.formats import load_tasks
from taskaudit.model import Severity
from taskaudit.probes.expected_files import data_files
from taskaudit.probes.generate import build_probes
from taskaudit.runner import reference_variant
from taskaudit.sandbox import get_backend

from .fixtures import EXAMPLES, golden_files, golden_files_go, golden_files_js, oracle_in_tests


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("probe-fixtures")
    paths = [oracle_in_tests(tmp, "python"), oracle_in_tests(tmp, "go"), golden_files(tmp),
             golden_files_js(tmp), golden_files_go(tmp)]
    report = audit(load_tasks([str(p) for p in paths]), get_backend(), AuditConfig(reference_runs=1),
                   jobs=3, checks=[ReferenceCheck(), ProbesCheck()])
    return {t.task_id: t for t in report.tasks}


@pytest.mark.parametrize("language", ("python", "go"))
def test_reference_copy_in_the_tests_is_found_and_reported(reports, language):
    task = reports[f"{language}-oracle"]
    found = {f.code: f for f in task.findings}
    assert "W213" in found, sorted(found)
    w213 = found["W213"]
    assert w213.severity == Severity.ERROR
    assert w213.evidence["probe"] == "read-reference"
    assert set(w213.evidence["outcomes"].values()) == {"passed"}
    assert "probeReferenceReachable" in w213.evidence["diff"] or "_probe_reference_reachable" in w213.evidence["diff"]
    # Only the probe that reaches the reference passes: the stub and the other logic probes fail.
    assert not {"W201", "W203", "W204"} & set(found)


@pytest.mark.parametrize("language", ("python", "javascript", "go"))
def test_golden_files_are_echoed(reports, language):
    task = reports[f"{language}-golden"]
    found = {f.code: f for f in task.findings}
    assert "W214" in found, sorted(found)
    w214 = found["W214"]
    assert w214.severity == Severity.WARNING
    assert ("_probe_echo" if language == "python" else "probeEcho") in w214.evidence["diff"]
    assert set(w214.evidence["outcomes"].values()) == {"passed"}
    assert not {"W201", "W211"} & set(found)  # the stub and the test-source reader fail


def test_read_reference_does_not_pass_where_the_reference_is_unreachable():
    """The good examples (no copy of the reference anywhere the solution can reach) are in
    test_probes_examples.py; here: the probe is built for every language."""
    for language in ("python", "javascript", "typescript", "go", "rust", "java"):
        task = load_tasks([str(EXAMPLES / language / "good")])[0]
        probes, skipped = build_probes(task, reference_variant(task).workspace)
        assert "read-reference" in {p.name for p in probes}, (language, skipped.get("read-reference"))


def test_expected_files_probe_needs_data_files():
    task = load_tasks([str(EXAMPLES / "python" / "good")])[0]
    assert data_files(task.test_files) == []
    probes, skipped = build_probes(task, reference_variant(task).workspace)
    assert "expected-files" not in {p.name for p in probes}
    assert "no data files" in skipped["expected-files"]


def test_probe_wall_seconds():
    assert probe_wall_seconds(60, [0.4, 1.2]) == 10.0  # the floor
    assert probe_wall_seconds(60, [5.0]) == 15.0  # three times the slowest reference run
    assert probe_wall_seconds(12, [5.0]) == 12.0  # never above the task's timeout
    assert probe_wall_seconds(30, []) == 30.0  # no measured run: the task's timeout
