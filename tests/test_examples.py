"""The README's demo: each bundled example gets the verdict and findings its flaw calls for.

One audit of examples/tasks by the real CLI (the `make demo` command; the session fixture
``examples_audit`` in tests/conftest.py) is read by every examples test, here and in
tests/languages/. The Python examples are audited a second time: the same input must give the
same verdicts and codes (flaky is judged on its verdict: which cases flake is chance, that it is
flaky is not).

What is pinned: each example's verdict, the codes its flaw must produce, and that nothing else
of severity warning or error appears beyond the strength evidence (surviving mutants, untested
input classes) a deliberately small flawed example may also show. Info findings are context and
are not pinned here; the checks' own tests pin them.
"""

from __future__ import annotations

import jsonschema
import pytest

from taskaudit.checks.registry import default_checks
from taskaudit.model import AuditReport
from taskaudit.report.json_report import load_schema

from examples_audit import EXAMPLES, audit_examples

LANGUAGES = ("python", "javascript", "typescript", "go", "rust", "java")
# The same five flaws in every language.
FLAWS = {
    "good": ("ACCEPT", set()),
    "reference-fails": ("REJECT", {"V001"}),
    "passes-without-solution": ("REVISE", {"V004"}),
    "flaky": ("REJECT", {"V003"}),
    # the tests assert little: mutants survive, a constant and a lookup table of the tested
    # examples pass, and generated inputs find a class no test covers and a wrong solution
    "weak-tests": ("REVISE", {"W001", "W101", "W203", "W204", "W301", "W302"}),
}
EXPECTED = {f"{lang}/{name}": want for lang in LANGUAGES for name, want in FLAWS.items()}
EXPECTED |= {
    f"{runner}/{name}": FLAWS[name]
    for runner in ("javascript-jest", "javascript-vitest", "typescript-jest")
    for name in ("good", "reference-fails")
}
EXPECTED |= {
    "python/malformed-toml": ("REJECT", {"F001"}),
    # statements that omit what the tests need (docs/requirements.md)
    "python/underspecified": ("REJECT", {"V101", "V102", "V103", "V107"}),
    "javascript/underspecified": ("REJECT", {"S131", "V101", "V102", "V103"}),
    "go/underspecified": ("REJECT", {"S141", "V101", "V103"}),
    "rust/underspecified": ("REJECT", {"S131", "V101", "V103", "V107"}),
    "java/underspecified": ("REJECT", {"S132", "S141", "V101", "V102", "V103", "V107"}),
    "typescript/underspecified": ("REJECT", {"S141", "V101", "V102", "V103", "V107"}),
    # its tests/test.sh pipes pytest into tee, then tests $?: the exit status is lost
    "python/harness-trusts-exit-code": ("REJECT", {"V202"}),
}
# Strength evidence a small, deliberately flawed example may show besides its flaw: surviving
# mutants, uncovered code, a low score, the reference without its guards passing, a probe that
# reads the tests passing, an untested input class, a wrong variant passing.
STRENGTH_EVIDENCE = {"W101", "W102", "W103", "W205", "W211", "W301", "W302"}
# A flaky case can fail all three reference runs (V001).
MAY_ALSO = {key: {"V001"} for key in EXPECTED if key.endswith("/flaky")}


def significant(task: dict) -> set[str]:
    return {f["code"] for f in task["findings"] if f["severity"] != "info"}


@pytest.fixture(scope="module")
def python_again(tmp_path_factory):
    return audit_examples(tmp_path_factory.mktemp("again") / "report.json", EXAMPLES / "python")


def test_every_example_is_audited(examples_audit):
    assert set(examples_audit.tasks) == set(EXPECTED), examples_audit.stderr[-2000:]


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_example_verdict_and_codes(examples_audit, key):
    verdict, codes = EXPECTED[key]
    task = examples_audit.tasks[key]
    found = significant(task)
    assert task["verdict"] == verdict, task["findings"]
    assert codes <= {f["code"] for f in task["findings"]}, found
    extra = found - codes - MAY_ALSO.get(key, set())
    if verdict == "ACCEPT":
        assert not extra, extra
    else:
        assert extra <= STRENGTH_EVIDENCE, extra


def test_same_input_same_verdicts_and_codes(examples_audit, python_again):
    for key, again in python_again.tasks.items():
        first = examples_audit.tasks[key]
        assert again["verdict"] == first["verdict"], key
        if not key.endswith("/flaky"):
            assert significant(again) == significant(first), key


def test_exit_code_says_some_task_is_below_the_threshold(examples_audit, python_again):
    assert [examples_audit.exit_code, python_again.exit_code] == [1, 1]


def test_json_report_validates_against_the_shipped_schema(examples_audit):
    jsonschema.validate(examples_audit.report, load_schema())
    AuditReport.model_validate(examples_audit.report)


def test_report_lists_every_check_with_its_status(examples_audit):
    good = examples_audit.tasks["python/good"]
    statuses = {c["name"]: c["status"] for c in good["checks"]}
    expected = {c.name: "ran" for c in default_checks()}
    expected["llm-review"] = "skipped"  # no LLM endpoint configured: said so, never "passed"
    assert statuses == expected
    llm = next(c for c in good["checks"] if c["name"] == "llm-review")
    assert "not configured" in llm["reason"]
    assert {q: v["status"] for q, v in good["questions"].items()} == {
        "spec": "pass",
        "validity": "pass",
        "strength": "pass",
    }
    mutation = next(c for c in good["checks"] if c["name"] == "mutation")
    assert mutation["score"] is not None and mutation["metrics"]["killed"] > 0
    assert good["questions"]["strength"]["score"] is not None


def test_findings_carry_evidence_a_reviewer_can_check(examples_audit):
    tasks = examples_audit.language("python")
    v001 = next(f for f in tasks["reference-fails"]["findings"] if f["code"] == "V001")
    assert "pytest" in v001["evidence"]["command"]
    assert set(v001["evidence"]["outcomes"].values()) == {"failed"}
    assert v001["location"]["path"].endswith("tests/test_rle.py")
    assert v001["location"]["line"] == 37  # def test_decode_multi_digit_count
    f001 = tasks["malformed-toml"]["findings"][0]
    assert "task.toml" in f001["message"] and "line" in f001["message"]
    v003 = next(f for f in tasks["flaky"]["findings"] if f["code"] == "V003")
    assert len(v003["evidence"]["outcomes_per_run"]) == 3


def test_baseline_classifies_every_test(examples_audit):
    tasks = examples_audit.language("python")
    good = tasks["good"]
    run_variants = sorted(r["variant"] for r in good["runs"])
    assert run_variants == ["baseline", "reference#1", "reference#2", "reference#3"]
    p2p = next(f for f in tasks["passes-without-solution"]["findings"] if f["code"] == "V004")
    classes = p2p["evidence"]["classification"]
    assert classes["test_rle::test_module_exposes_functions"] == "pass-to-pass"
    assert list(classes.values()).count("pass-to-pass") == 1
