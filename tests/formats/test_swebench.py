"""SWE-bench instances load as non-runnable tasks; the static checks run on them."""

from __future__ import annotations

import json
from pathlib import Path

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.interface import InterfaceCheck
from taskaudit.checks.registry import default_checks
from taskaudit.formats import load_tasks
from taskaudit.model import CheckStatus, LoadError, Task
from taskaudit.sandbox import get_backend

FIXTURES = Path(__file__).parent / "fixtures" / "swebench"


def test_real_instance_loads_with_patch_images_at_their_line_numbers():
    (task,) = load_tasks([FIXTURES / "django__django-11049.jsonl"])
    assert isinstance(task, Task)
    assert (task.format, task.language, task.id) == ("swebench", "python", "django__django-11049")
    assert task.metadata["runnable"] is False
    assert task.metadata["FAIL_TO_PASS"] == [
        "test_invalid_string (model_fields.test_durationfield.TestValidation)"]
    path = "django/db/models/fields/__init__.py"
    before = task.starter_files[path].decode().splitlines()
    after = task.solution_files[path].decode().splitlines()
    assert before[1589].strip() == '"[DD] [HH:[MM:]]ss[.uuuuuu] format.")'
    assert after[1589].strip() == '"[DD] [[HH:]MM:]ss[.uuuuuu] format.")'
    test = task.test_files["tests/model_fields/test_durationfield.py"].decode().splitlines()
    assert test[77].strip() == '"It must be in [DD] [[HH:]MM:]ss[.uuuuuu] format."'


def test_rows_carry_the_published_field_formats():
    # FAIL_TO_PASS / PASS_TO_PASS are JSON-encoded strings in the published dataset.
    for name in ("django__django-11049.jsonl", "pallets__flask-4992.jsonl", "constructed.jsonl"):
        row = json.loads((FIXTURES / name).read_text())
        assert list(row) == ["repo", "instance_id", "base_commit", "patch", "test_patch",
                             "problem_statement", "hints_text", "created_at", "version",
                             "FAIL_TO_PASS", "PASS_TO_PASS", "environment_setup_commit"], name
        assert isinstance(row["FAIL_TO_PASS"], str) and isinstance(json.loads(row["FAIL_TO_PASS"]), list)
    (flask,) = load_tasks([FIXTURES / "pallets__flask-4992.jsonl"])
    assert flask.metadata["FAIL_TO_PASS"] == ["tests/test_config.py::test_config_from_file_toml"]
    assert len(flask.metadata["PASS_TO_PASS"]) == 18
    # The new data file the test patch adds is a test file too.
    assert flask.test_files["tests/static/config.toml"] == b'TEST_KEY="foo"\nSECRET_KEY="config"\n'


def test_plain_json_lists_load_too(tmp_path):
    row = json.loads((FIXTURES / "constructed.jsonl").read_text())
    row |= {"FAIL_TO_PASS": json.loads(row["FAIL_TO_PASS"]), "PASS_TO_PASS": []}
    (tmp_path / "lists.jsonl").write_text(json.dumps(row) + "\n")
    (task,) = load_tasks([tmp_path / "lists.jsonl"])
    assert task.metadata["FAIL_TO_PASS"] == ["tests/test_config.py::test_timeout_default",
                                             "tests/test_config.py::test_timeout_rejects_zero"]


def test_flask_4992_new_keyword_the_issue_names_differently():
    """The issue proposes `mode="b"`; the gold patch adds `text`, which the test patch passes
    in a call spanning three lines; the `def` line itself lies outside the gold patch's hunk."""
    report = audit(load_tasks([FIXTURES / "pallets__flask-4992.jsonl"]), get_backend(None),
                   checks=[InterfaceCheck()])
    (finding,) = report.tasks[0].findings
    assert finding.code == "V131"
    assert finding.evidence["name"] == "from_file(text=)"
    assert finding.evidence["test_location"] == {
        "path": "tests/test_config.py", "line": 44,
        "text": 'os.path.join(current_dir, "static", "config.toml"), tomllib.load, text=False'}
    assert finding.evidence["reference_location"] == {
        "path": "src/flask/config.py", "line": 237, "text": "text: bool = True,"}
    assert finding.evidence["statement_span"]["text"] == (
        'app.config.from_file("config.toml", tomllib.load, mode="b")')


def test_static_audit_without_a_checkout():
    tasks = load_tasks([FIXTURES / "constructed.jsonl", FIXTURES / "django__django-11049.jsonl"])
    report = audit(tasks, get_backend(None), AuditConfig(reference_runs=1),
                   checks=default_checks())
    constructed, real = report.tasks
    for task in (constructed, real):
        records = {c.name: c for c in task.checks}
        for name in ("reference", "baseline"):
            assert records[name].status == CheckStatus.SKIPPED
            assert "repository environment is not available" in records[name].reason
        assert records["interface"].status == CheckStatus.RAN
        assert task.runs == []  # nothing ran
    # The real instance's statement gives the new format: nothing to report.
    assert real.findings == []
    assert real.verdict == "ERROR"  # static checks alone never accept a task
    assert "the reference was not run against the tests" in real.error
    codes = {f.code: f for f in constructed.findings}
    # S142 (info): the tests check an edge case the statement never mentions.
    assert set(codes) == {"V131", "V102", "V103", "S142"}
    v131 = codes["V131"]
    assert v131.evidence["name"] == "get_timeout"
    assert v131.evidence["test_location"] == {
        "path": "tests/test_config.py", "line": 7,
        "text": "assert Config({}).get_timeout() == 30.0"}
    assert v131.evidence["reference_location"]["path"] == "confkit/config.py"
    assert v131.evidence["reference_location"]["line"] == 14
    assert codes["V103"].evidence["asserted_message"] == "timeout must be positive"


def test_bad_rows_fail_alone(tmp_path):
    good = json.loads((FIXTURES / "constructed.jsonl").read_text())
    rows = [good, {**good, "instance_id": "x__y-2", "patch": "not a diff"},
            {**good, "instance_id": "x__y-3", "FAIL_TO_PASS": "{not json"}, "[1, 2]"]
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n{broken\n")
    loaded = load_tasks([path])
    assert isinstance(loaded[0], Task)
    errors = [item for item in loaded[1:]]
    assert all(isinstance(e, LoadError) for e in errors)
    problems = [e.problem for e in errors]
    assert "the gold patch changes no file" in problems[0]
    assert "FAIL_TO_PASS must be a JSON list" in problems[1]
    assert "must be a JSON object" in problems[2]
    assert "invalid JSON" in problems[3]
    assert errors[0].path.endswith("rows.jsonl:2")


def test_new_keyword_parameter_only_the_gold_patch_adds(tmp_path):
    row = {
        "instance_id": "example__kw-1", "repo": "example/kw",
        "problem_statement": "Rounding should be optional in `fmt_amount`.\n",
        "patch": "--- a/kw/money.py\n+++ b/kw/money.py\n@@ -1,2 +1,4 @@\n-def fmt_amount(value):\n-    return '%.2f' % value\n+def fmt_amount(value, exact=False):\n+    if exact:\n+        return repr(value)\n+    return '%.2f' % value\n",
        "test_patch": "--- a/tests/test_money.py\n+++ b/tests/test_money.py\n@@ -1,1 +1,4 @@\n from kw.money import fmt_amount\n+\n+def test_exact():\n+    assert fmt_amount(1.005, exact=True) == '1.005'\n",
        "FAIL_TO_PASS": ["tests/test_money.py::test_exact"], "PASS_TO_PASS": [],
    }
    path = tmp_path / "kw.jsonl"
    path.write_text(json.dumps(row) + "\n")
    report = audit(load_tasks([path]), get_backend(None), checks=[InterfaceCheck()])
    (finding,) = report.tasks[0].findings
    assert finding.code == "V131"
    assert finding.evidence["name"] == "fmt_amount(exact=)"
    assert finding.evidence["test_location"]["line"] == 4
    assert finding.evidence["reference_location"] == {
        "path": "kw/money.py", "line": 1, "text": "def fmt_amount(value, exact=False):"}
