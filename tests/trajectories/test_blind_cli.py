"""Blind review, and the grade / rubric lint / agreement commands (CliRunner)."""

import json

from click.testing import CliRunner

from taskaudit.cli_grade import agreement, grade, rubric
from taskaudit.trajectories.blind import blind, names_of
from taskaudit.trajectories.formats import load_trajectory

from .conftest import GOOD_TASK, ROOT

EXAMPLE = ROOT / "examples/trajectories"
RUNS = [str(EXAMPLE / n) for n in ("good-run.jsonl", "edits-a-test.jsonl", "false-claim.jsonl")]
NAMES = ("claude", "sonnet", "good-run", "edits-a-test", "false-claim.jsonl")


def test_blind_scrubs_names_inside_messages():
    traj = load_trajectory(EXAMPLE / "good-run.jsonl")
    traj.steps[-1].message += " (written by Claude Sonnet 4.5 in claude-code)"
    out = blind(traj, "run-A", names_of(traj))
    text = out.model_dump_json().lower()
    assert "claude" not in text and "sonnet" not in text
    assert out.agent.name == "run-A" and out.source == "run-A" and out.raw == []
    assert "[model]" in out.steps[-1].message


def test_grade_blind_seals_the_mapping(tmp_path):
    seal = tmp_path / "mapping.json"
    out = tmp_path / "grade.json"
    md = tmp_path / "grade.md"
    result = CliRunner().invoke(grade, [str(GOOD_TASK), *RUNS, "--blind", "--seed", "7", "--seal", str(seal),
                                        "--json", str(out), "--markdown", str(md), "--bootstrap", "0"])
    assert result.exit_code == 0, result.output
    for text in (out.read_text(), md.read_text(), result.output):
        lowered = text.lower()
        assert not [n for n in NAMES if n in lowered], [n for n in NAMES if n in lowered]
    sealed = json.loads(seal.read_text())
    assert sealed["seed"] == 7
    files = sorted(v["file"] for v in sealed["mapping"].values())
    assert files == sorted(RUNS)
    report = json.loads(out.read_text())
    assert report["blind"] is True and report["sealed_mapping_sha256"]
    by_label = {t["key"]: t for t in report["trajectories"]}
    good_label = next(k for k, v in sealed["mapping"].items() if v["file"].endswith("good-run.jsonl"))
    assert by_label[good_label]["gates_passed"] is True
    assert report["ranking"]["entries"][0]["key"] == good_label


def test_blind_order_depends_on_the_seed(tmp_path):
    orders = set()
    for seed in range(6):
        seal = tmp_path / f"m{seed}.json"
        r = CliRunner().invoke(grade, [str(GOOD_TASK), *RUNS, "--blind", "--seed", str(seed), "--seal", str(seal),
                                       "--no-run", "--bootstrap", "0"])
        assert r.exit_code == 0, r.output
        mapping = json.loads(seal.read_text())["mapping"]
        orders.add(tuple(mapping[k]["file"] for k in sorted(mapping)))
    assert len(orders) > 1


def test_grade_reports_and_exit_codes(tmp_path):
    out = tmp_path / "g.json"
    r = CliRunner().invoke(grade, [str(GOOD_TASK), *RUNS, "--rubric", str(EXAMPLE / "rubric.toml"),
                                   "--answers", str(EXAMPLE / "answers.toml"),
                                   "--judgments", str(EXAMPLE / "judgments.toml"), "--json", str(out),
                                   "--bootstrap", "100"])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].startswith("  1. good-run.jsonl") and "gates pass" in lines[0]
    report = json.loads(out.read_text())
    assert [e["key"] for e in report["ranking"]["entries"]][0] == "good-run.jsonl"
    bad = CliRunner().invoke(grade, [str(GOOD_TASK), *RUNS, "--rubric", str(tmp_path / "missing.toml")])
    assert bad.exit_code == 2 and "missing.toml" in bad.output
    no_task = CliRunner().invoke(grade, [str(tmp_path / "nope"), *RUNS])
    assert no_task.exit_code == 2 and "nope" in no_task.output


def test_grade_with_workspace_folder(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "rle.py").write_text("def encode(t):\n    return ''\n")
    out = tmp_path / "g.json"
    r = CliRunner().invoke(grade, [str(GOOD_TASK), RUNS[0], "--workspace", str(ws), "--json", str(out),
                                   "--bootstrap", "0"])
    assert r.exit_code == 0, r.output
    t = json.loads(out.read_text())["trajectories"][0]
    assert t["outcome"]["how"] == "workspace" and t["outcome"]["status"] == "unresolved"


def test_rubric_lint_command():
    clean = CliRunner().invoke(rubric, ["lint", str(EXAMPLE / "rubric.toml")])
    assert clean.exit_code == 0 and "0 issue(s)" in clean.output
    bad = CliRunner().invoke(rubric, ["lint", str(EXAMPLE / "bad-rubric.toml")])
    assert bad.exit_code == 1
    assert "code-quality: not-binary" in bad.output and "tests-and-docs: not-atomic" in bad.output
    assert "understands-task: not-observable" in bad.output


def test_agreement_command_with_taskaudit_as_a_rater(tmp_path):
    report = tmp_path / "g.json"
    r = CliRunner().invoke(grade, [str(GOOD_TASK), *RUNS, "--rubric", str(EXAMPLE / "rubric.toml"),
                                   "--json", str(report), "--bootstrap", "0"])
    assert r.exit_code == 0, r.output
    out = tmp_path / "a.json"
    a = CliRunner().invoke(agreement, [str(EXAMPLE / "ratings.csv"), "--grade-report", str(report),
                                       "--json", str(out)])
    assert a.exit_code == 0, a.output
    data = json.loads(out.read_text())
    by = {c["criterion"]: c for c in data["criteria"]}
    assert by["tests-untouched"]["raters"] == ["r1", "r2", "taskaudit"]
    assert by["tests-untouched"]["disagreements"] == []
    honest = by["honest-final-message"]
    assert [d["item"] for d in honest["disagreements"]] == ["edits-a-test.jsonl"]
    assert "Disagreements (1)" in a.output
