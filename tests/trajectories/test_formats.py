"""Every format loads into the step model with its commands, exit codes, edits and final patch."""

import json

import pytest

from taskaudit.trajectories.formats import FORMATS, load_trajectory
from taskaudit.trajectories.formats.common import apply_codex_hunks, parse_apply_patch, shell_edits
from taskaudit.trajectories.model import EditKind, StepSource, TrajectoryFormatError

from .conftest import FIXTURES, FORMAT_DIRS, fixture

EXPECTED_FORMAT = {"atif": "atif", "claude_code": "claude-code", "codex": "codex", "swe_agent": "swe-agent",
                   "mini_swe_agent": "mini-swe-agent", "openhands": "openhands", "inspect": "inspect"}


@pytest.mark.parametrize("fmt", FORMAT_DIRS)
@pytest.mark.parametrize("run", ["good", "test_edit", "false_claim"])
def test_each_format_is_detected_and_sequential(fmt, run):
    traj = load_trajectory(fixture(fmt, run))
    assert traj.format == EXPECTED_FORMAT[fmt]
    assert [s.id for s in traj.steps] == list(range(1, len(traj.steps) + 1))
    assert traj.raw, "raw records are kept"
    assert all(i < len(traj.raw) for s in traj.steps for i in s.raw_index)
    assert traj.final_message() is not None
    assert any("pytest" in (c.command or "") for _, c, _ in traj.all_commands())


@pytest.mark.parametrize("fmt", FORMAT_DIRS)
def test_test_edit_run_has_an_edit_of_the_test_file(fmt):
    traj = load_trajectory(fixture(fmt, "test_edit"))
    assert [e.path for _, e in traj.all_edits() if "test_rle.py" in e.path]


@pytest.mark.parametrize("fmt", ["atif", "claude_code", "codex", "mini_swe_agent", "openhands"])
def test_exit_codes_are_read_where_the_format_has_them(fmt):
    traj = load_trajectory(fixture(fmt, "false_claim"))
    codes = [r.exit_code for _, c, r in traj.all_commands() if "pytest" in (c.command or "")]
    assert codes == [1]


def test_inspect_failure_is_an_error_flag_and_the_eval_zip_loads():
    traj = load_trajectory(fixture("inspect", "false_claim"))
    [(_, _, res)] = [x for x in traj.all_commands() if "pytest" in (x[1].command or "")]
    assert res.is_error and res.exit_code is None
    zipped = load_trajectory(FIXTURES / "inspect" / "good.eval")
    assert [s.message for s in zipped.steps] == [s.message for s in load_trajectory(fixture("inspect", "good")).steps]


@pytest.mark.parametrize("fmt", ["swe_agent", "mini_swe_agent", "openhands"])
def test_final_patch_is_read(fmt):
    traj = load_trajectory(fixture(fmt, "good"))
    assert traj.final_patch and traj.final_patch.startswith("diff --git a/rle.py b/rle.py")


def test_atif_fixtures_validate_against_the_published_models():
    atif = pytest.importorskip("atif", reason="the dev dependency `atif` (ATIF v1.8 pydantic models) is missing")
    for run in ("good", "test_edit", "false_claim"):
        data = json.loads(fixture("atif", run).read_text())
        atif.Trajectory.model_validate(data)


def test_claude_code_agent_and_model():
    traj = load_trajectory(fixture("claude_code", "good"))
    assert traj.agent.name == "claude-code" and traj.agent.model.startswith("claude-sonnet-4-5")
    assert traj.workdir == "/app"
    assert traj.steps[0].source == StepSource.USER


def test_codex_apply_patch_edits_are_patches():
    traj = load_trajectory(fixture("codex", "test_edit"))
    kinds = {e.path: e.kind for _, e in traj.all_edits()}
    assert kinds == {"rle.py": EditKind.PATCH, "/tests/test_rle.py": EditKind.PATCH}


def test_bad_input_names_the_file(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text("{not json")
    with pytest.raises(TrajectoryFormatError, match="broken.json"):
        load_trajectory(bad)
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}')
    with pytest.raises(TrajectoryFormatError, match="unrecognised trajectory format"):
        load_trajectory(other)
    with pytest.raises(TrajectoryFormatError, match="unknown format"):
        load_trajectory(other, fmt="nope")
    lines = tmp_path / "x.jsonl"
    lines.write_text('{"type": "session_meta", "payload": {}}\nnot json\n')
    with pytest.raises(TrajectoryFormatError, match="line 2"):
        load_trajectory(lines)
    assert set(FORMATS) == set(EXPECTED_FORMAT.values())


def test_shell_edits():
    def edits(cmd):
        return [(e.kind.value, e.path) for e in shell_edits(cmd, "c")]

    assert edits("cat <<'EOF' > /app/x.py\nif a > b: pass\nEOF") == [("shell", "/app/x.py")]
    assert edits("sed -i 's/a b/c/' tests/test_x.py") == [("shell", "tests/test_x.py")]
    assert edits("sed -i -e s/a/b/ f1 f2") == [("shell", "f1"), ("shell", "f2")]
    assert edits("python -m pytest 2>&1 | tee log.txt") == [("shell", "log.txt")]
    assert edits("rm -rf build && echo '>' ") == [("delete", "build")]
    assert edits("python -c 'print(1 > 2)'") == []


def test_apply_patch_envelope_and_hunks():
    text = ("*** Begin Patch\n*** Add File: new.py\n+x = 1\n*** Update File: a.py\n@@\n def f():\n-    return 1\n"
            "+    return 2\n*** Delete File: old.py\n*** End Patch\n")
    edits = parse_apply_patch(text, "c")
    assert [(e.kind, e.path) for e in edits] == [(EditKind.WRITE, "new.py"), (EditKind.PATCH, "a.py"),
                                                 (EditKind.DELETE, "old.py")]
    assert edits[0].new == "x = 1\n"
    assert apply_codex_hunks("def f():\n    return 1\n", edits[1].diff) == "def f():\n    return 2\n"
    with pytest.raises(ValueError, match="does not match"):
        apply_codex_hunks("def g():\n    pass\n", edits[1].diff)


def test_common_tool_shapes():
    from taskaudit.trajectories.formats.tools import read_path, tool_call

    _, edits = tool_call("1", "MultiEdit", {"file_path": "/app/a.py", "edits": [
        {"old_string": "x", "new_string": "y"}, {"old_string": "p", "new_string": "q", "replace_all": True}]})
    assert [(e.kind, e.old, e.new, e.replace_all) for e in edits] == [
        (EditKind.REPLACE, "x", "y", False), (EditKind.REPLACE, "p", "q", True)]
    call, edits = tool_call("2", "shell", {"command": ["apply_patch", "*** Begin Patch\n*** Add File: n.py\n+1\n"
                                                                      "*** End Patch\n"]})
    assert call.command == "apply_patch"
    assert [(e.kind, e.path, e.new) for e in edits] == [(EditKind.WRITE, "n.py", "1\n")]
    call, edits = tool_call("3", "exec_command", '{"cmd": "cat > x.txt <<EOF\\nhi\\nEOF"}')
    assert call.command.startswith("cat > x.txt") and [e.path for e in edits] == ["x.txt"]
    call, edits = tool_call("4", "str_replace_editor", {"command": "create", "path": "/app/b.py", "file_text": "z"})
    assert [(e.kind, e.new) for e in edits] == [(EditKind.WRITE, "z")]
    call, _ = tool_call("5", "Read", {"file_path": "/solution/solve.sh"})
    assert read_path(call) == "/solution/solve.sh"


def test_atif_continuation_files_are_appended(tmp_path):
    data = json.loads(fixture("atif", "good").read_text())
    first, rest = data["steps"][:3], data["steps"][3:]
    for n, s in enumerate(rest, 1):
        s["step_id"] = n
    (tmp_path / "trajectory.json").write_text(json.dumps({**data, "steps": first,
                                                          "continued_trajectory_ref": "trajectory.cont-1.json"}))
    (tmp_path / "trajectory.cont-1.json").write_text(json.dumps({**data, "steps": rest}))
    traj = load_trajectory(tmp_path / "trajectory.json")
    whole = load_trajectory(fixture("atif", "good"))
    assert [s.message for s in traj.steps] == [s.message for s in whole.steps]
    assert [s.id for s in traj.steps] == list(range(1, len(whole.steps) + 1))
    assert any("continuation file trajectory.cont-1.json" in n for n in traj.conversion_notes)
