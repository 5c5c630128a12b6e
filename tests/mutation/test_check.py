"""The mutation check inside a real audit, and the Stryker-format report it can write."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from taskaudit.audit import audit
from taskaudit.checks.mutation import MutationCheck
from taskaudit.checks.registry import default_checks
from taskaudit.formats import load_tasks
from taskaudit.model import CheckStatus
from taskaudit.sandbox import get_backend

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "mutation-testing-report-schema.json").read_text())


def audit_with_mutation(paths, **kw):
    check = MutationCheck(**kw)
    report = audit(load_tasks([str(p) for p in paths]), get_backend(), checks=[*default_checks(), check])
    return report.tasks


@pytest.fixture(scope="module")
def python_reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("mutation-reports")
    tasks = audit_with_mutation(
        [ROOT / "examples/tasks/python/weak-tests", ROOT / "examples/tasks/python/reference-fails"],
        report_dir=out,
    )
    return {t.source.rsplit("/", 1)[-1]: t for t in tasks}, out


def test_weak_tests_get_survivors_with_diffs_uncovered_code_and_a_low_score(python_reports):
    reports, _ = python_reports
    weak = reports["weak-tests"]
    record = next(c for c in weak.checks if c.name == "mutation")
    assert record.status == CheckStatus.RAN and record.score is not None and record.score < 0.7
    assert record.metrics["killed"] > 0 and record.metrics["survived"] > 0
    codes = {f.code for f in weak.findings if f.check == "mutation"}
    assert {"W101", "W102", "W103"} <= codes
    survivor = next(f for f in weak.findings if f.code == "W101")
    assert survivor.evidence["diff"].startswith("--- a/rle.py")
    assert survivor.location.path.endswith("solution/app/rle.py") and survivor.location.line
    uncovered = next(f for f in weak.findings if f.code == "W102")
    assert "def decode" in uncovered.evidence["source"]


def test_a_survivor_comes_with_the_missing_test_run_on_the_reference_and_the_mutant(python_reports):
    """The input-space hook finds an input on which the survivor and the reference differ and
    writes the test that pins the reference's answer; the check runs it alone on both."""
    reports, _ = python_reports
    survivors = [f for f in reports["weak-tests"].findings if f.code == "W101"]
    written = [f for f in survivors if "missing_test" in f.evidence]
    assert written, [sorted(f.evidence) for f in survivors]
    test = written[0].evidence["missing_test"]
    assert test["passes_on_reference"] is True and test["fails_on_variant"] is True
    assert "from rle import" in test["source"] and "def test_" in test["source"]
    assert written[0].evidence["witness"]["input"].split("(")[0] in test["source"]
    assert all("missing_test" not in f.evidence["witness"] for f in survivors)  # moved out, or dropped
    # At most MAX_MISSING_TESTS per run of the check (this audit runs the check twice: the
    # default one and the fixture's, on the same mutants).
    run = [f.evidence["mutant"] for f in survivors if {"missing_test", "missing_test_unverified"} & set(f.evidence)]
    assert len(set(run)) <= 3


def test_reference_that_fails_is_skipped_with_a_reason(python_reports):
    reports, _ = python_reports
    record = next(c for c in reports["reference-fails"].checks if c.name == "mutation")
    assert record.status in (CheckStatus.RAN, CheckStatus.SKIPPED)
    # Its failing tests are left out; mutants are judged only by the tests the reference passes.
    if record.status == CheckStatus.SKIPPED:
        assert "reference" in record.reason


def test_mutation_report_validates_against_the_published_schema(python_reports):
    _, out = python_reports
    [path] = out.glob("weak-tests-*.json")  # named <task id>-<content hash>.json
    report = json.loads(path.read_text())
    jsonschema.validate(report, SCHEMA)
    mutants = report["files"]["rle.py"]["mutants"]
    statuses = {m["status"] for m in mutants}
    assert {"Killed", "Survived", "NoCoverage"} <= statuses
    killed = next(m for m in mutants if m["status"] == "Killed")
    assert killed["killedBy"] and set(killed["killedBy"]) <= set(killed["coveredBy"])
    # Locations point at the replaced text in the source the report carries.
    from taskaudit.mutation.python import generate_python

    task = load_tasks([str(ROOT / "examples/tasks/python/weak-tests")])[0]
    original = {m.id: m.original for m in generate_python("rle.py", task.solution_files["rle.py"])}
    source = report["files"]["rle.py"]["source"].splitlines()
    for m in mutants:
        start, end = m["location"]["start"], m["location"]["end"]
        if start["line"] == end["line"]:
            assert source[start["line"] - 1][start["column"] - 1 : end["column"] - 1] == original[m["id"]]
    first_test = report["testFiles"]["test_rle.py"]["tests"][0]
    assert first_test["id"] == "test_rle::test_encode"


def test_no_backend_or_no_solution_source_is_unavailable_not_passed():
    from taskaudit.model import RunResult, RunStatus, Task
    from taskaudit.mutation.engine import MutationUnavailable, run_mutation

    reference = RunResult(variant="reference", status=RunStatus.COMPLETED)
    cobol = Task(id="x", source="inline", format="test", language="cobol", test_runner="none",
                 statement="s", solution_paths=["a.cob"])
    with pytest.raises(MutationUnavailable, match="no mutation backend"):
        run_mutation(cobol, {"a.cob": b""}, reference, None, None)
    data_only = cobol.model_copy(update={"language": "python", "solution_paths": ["data.csv"]})
    with pytest.raises(MutationUnavailable, match="no solution source"):
        run_mutation(data_only, {"data.csv": b"1,2"}, reference, None, None)
