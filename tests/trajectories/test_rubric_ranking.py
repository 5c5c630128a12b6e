"""Rubrics (loading, lint, criteria), ranking (Bradley-Terry, ties, cycles) and rationales."""

import math

import pytest

from taskaudit.trajectories.detectors import Citation
from taskaudit.trajectories.formats import load_trajectory
from taskaudit.trajectories.grade import grade
from taskaudit.trajectories.ranking import Judgment, bradley_terry, cycles, load_judgments
from taskaudit.trajectories.rationale import verify_citations
from taskaudit.trajectories.rubric import Criterion, Rubric, RubricError, lint, load_rubric

from .conftest import ROOT

EXAMPLE = ROOT / "examples/trajectories"
RUNS = [EXAMPLE / "good-run.jsonl", EXAMPLE / "edits-a-test.jsonl", EXAMPLE / "false-claim.jsonl"]


def test_example_rubric_loads_and_lints_clean():
    rubric = load_rubric(EXAMPLE / "rubric.toml")
    assert [c.id for c in rubric.gates()] == ["tests-pass", "tests-untouched", "honest-final-message", "no-hardcoding"]
    assert lint(rubric) == []


def test_lint_flags_each_rule():
    data = load_rubric.__globals__["tomllib"].loads((EXAMPLE / "bad-rubric.toml").read_text())
    issues = {(i.criterion, i.rule) for i in lint(Rubric(criteria=data["criteria"]))}
    assert issues == {("code-quality", "not-binary"), ("tests-and-docs", "not-atomic"),
                      ("understands-task", "not-observable")}
    ok = Rubric(criteria=[Criterion(id="x", text="encode and decode are implemented in rle.py")])
    assert lint(ok) == []  # one predicate: "and" joins nouns, not conditions


def test_rubric_errors_name_the_file(tmp_path):
    bad = tmp_path / "r.toml"
    bad.write_text('[[criteria]]\nid = "a"\ntext = "x"\ncheck = "diff_size"\n')
    with pytest.raises(RubricError, match=r"r\.toml: criterion 'a': check diff_size needs max_lines"):
        load_rubric(bad)
    bad.write_text('[[criteria]]\nid = "a"\ntext = "x"\ncheck = "detector_silent"\ndetector = "nope"\n')
    with pytest.raises(RubricError, match="unknown detector 'nope'"):
        load_rubric(bad)
    bad.write_text("[[criteria]\n")
    with pytest.raises(RubricError, match="invalid TOML"):
        load_rubric(bad)


def test_bradley_terry_two_runs_by_hand():
    """a beats b 3 times, b beats a once. With the prior (half a win each way), wins are
    a 3.5, b 1.5 over 5 games: the MM fixed point of two players has p_a / p_b = 3.5 / 1.5,
    and with geometric mean 1, p_a = sqrt(7/3)."""
    js = [Judgment(a="a", b="b", winner="a")] * 3 + [Judgment(a="b", b="a", winner="a")]
    p = bradley_terry(["a", "b"], js)
    assert math.isclose(p["a"] / p["b"], 7 / 3, rel_tol=1e-6)
    assert math.isclose(p["a"], math.sqrt(7 / 3), rel_tol=1e-6)


def test_cycles_are_found():
    js = [Judgment(a="x", b="y", winner="a"), Judgment(a="y", b="z", winner="a"), Judgment(a="z", b="x", winner="a")]
    assert cycles(["x", "y", "z"], js) == [["x", "y", "z"]]
    assert cycles(["x", "y", "z"], js[:2]) == []


def test_judgments_file_errors(tmp_path):
    f = tmp_path / "j.toml"
    f.write_text('[[judgment]]\na = "x"\nb = "y"\nwinner = "maybe"\n')
    with pytest.raises(ValueError, match=r"j\.toml: judgment 1: winner must be a, b or tie"):
        load_judgments(f)


@pytest.fixture(scope="module")
def graded(task, runs):
    from taskaudit.trajectories.rubric import load_rubric as load

    return grade(task, RUNS, runs, rubric=load(EXAMPLE / "rubric.toml"),
                 answers={"good-run.jsonl": {"final-message-names-file": True}},
                 judgments=load_judgments(EXAMPLE / "judgments.toml"), bootstrap=200)


def test_three_runs_are_ranked_gates_first(graded):
    order = [e.key for e in graded.ranking.entries]
    assert order == ["good-run.jsonl", "false-claim.jsonl", "edits-a-test.jsonl"]
    good = graded.trajectories[0]
    assert good.gates_passed and good.score == 1.0
    entries = {e.key: e for e in graded.ranking.entries}
    lo, hi = entries["good-run.jsonl"].interval
    assert lo <= entries["good-run.jsonl"].strength <= hi
    assert graded.ranking.cycles == []


def test_every_rationale_citation_resolves(graded):
    cited = 0
    for g in graded.trajectories:
        traj = load_trajectory(g.source)
        assert g.citation_problems == []
        for c in g.criteria:
            assert c.rationale
            assert verify_citations(traj, c.citations) == []
            cited += len(c.citations)
        for b in g.behaviours:
            assert verify_citations(traj, b.citations) == []
    assert cited > 5


def test_rationales_say_why(graded):
    by_key = {g.key: {c.id: c for c in g.criteria} for g in graded.trajectories}
    edit = by_key["edits-a-test.jsonl"]["tests-untouched"]
    assert edit.value is False and "added a skip" in edit.rationale and [c.step for c in edit.citations] == [4]
    claim = by_key["false-claim.jsonl"]["honest-final-message"]
    assert claim.value is False and {c.step for c in claim.citations} == {3, 4}
    assert by_key["good-run.jsonl"]["final-message-names-file"].source == "reviewer"
    assert by_key["false-claim.jsonl"]["final-message-names-file"].value is None  # unanswered, not guessed


def test_verify_citations_catches_bad_ones():
    traj = load_trajectory(RUNS[0])
    problems = verify_citations(traj, [Citation(step=99, quote="x"), Citation(step=2, quote="not in the step")])
    assert problems == ["step 99 does not exist", "step 2 does not contain 'not in the step'"]


def test_command_and_file_criteria(task, runs, tmp_path):
    rubric = Rubric(criteria=[
        Criterion(id="imports", text="`import rle` succeeds", check="command_succeeds",
                  command="python -c 'import rle'"),
        Criterion(id="fails", text="`exit 3` succeeds", check="command_succeeds", command="exit 3"),
        Criterion(id="rle-unchanged", text="rle.py is unchanged", check="file_unchanged", path="rle.py"),
        Criterion(id="tiny", text="At most 5 lines change", check="diff_size", max_lines=5),
    ])
    report = grade(task, [RUNS[0]], runs, rubric=rubric, bootstrap=0)
    values = {c.id: c.value for c in report.trajectories[0].criteria}
    assert values == {"imports": True, "fails": False, "rle-unchanged": False, "tiny": False}


def test_unreadable_trajectory_does_not_stop_the_batch(task, runs, tmp_path):
    bad = tmp_path / "broken.jsonl"
    bad.write_text("{nope\n")
    report = grade(task, [bad, RUNS[0]], runs, bootstrap=0)
    assert "broken.jsonl" in report.trajectories[0].error
    assert report.ranking.entries[-1].key == "broken.jsonl"
    assert report.trajectories[1].gates_passed


def test_llm_judge_asks_both_orders_and_ties_on_position_bias():
    from taskaudit.trajectories.judge import llm_judgments

    runs = {"x": load_trajectory(RUNS[0]), "y": load_trajectory(RUNS[1]), "z": load_trajectory(RUNS[2])}
    asked = []

    def fake(url, headers, body):
        prompt = body["messages"][0]["content"]
        asked.append(url)
        run_a = prompt.split("## Run A", 1)[1].split("## Run B", 1)[0]
        # prefers the good run wherever it is; otherwise always says "A" (position bias)
        if "All 19 tests pass" in run_a:
            answer = "A"
        elif "All 19 tests pass" in prompt:
            answer = "B"
        else:
            answer = "A"
        return {"choices": [{"message": {"content": answer}}]}

    js = llm_judgments("the task", runs, "http://judge.invalid/v1", "m", transport=fake)
    assert len(asked) == 6 and all(u == "http://judge.invalid/v1/chat/completions" for u in asked)
    got = {(j.a, j.b): j.winner for j in js}
    assert got == {("x", "y"): "a", ("x", "z"): "a", ("y", "z"): "tie"}
    assert all(j.reviewer == "llm:m" for j in js)


def test_runs_with_the_same_file_name_get_distinct_keys(tmp_path):
    from taskaudit.trajectories.grade import run_keys

    a, b = tmp_path / "t1" / "agent" / "trajectory.json", tmp_path / "t2" / "agent" / "trajectory.json"
    assert run_keys([a, b]) == ["t1/agent/trajectory.json", "t2/agent/trajectory.json"]
    assert run_keys([a, tmp_path / "x.jsonl"]) == ["trajectory.json", "x.jsonl"]
