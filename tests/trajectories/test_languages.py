"""The outcome runs the task's own toolchain: a run that writes the reference solution resolves
a Go, JavaScript, Rust and Java task; a run that writes nothing does not."""

import pytest

from taskaudit.formats import load_tasks
from taskaudit.languages import get_language
from taskaudit.sandbox import get_backend
from taskaudit.trajectories.model import EditKind, FileEdit, Step, StepSource, Trajectory
from taskaudit.trajectories.outcome import TaskRuns, evaluate

from .conftest import ROOT


@pytest.mark.parametrize("language", ["go", "javascript", "rust", "java"])
def test_outcome_in_other_languages(language):
    task = load_tasks([ROOT / f"examples/tasks/{language}/good"])[0]
    runs = TaskRuns(task, get_backend(), get_language(task.language))
    writes = [FileEdit(path=f"/app/{rel}", kind=EditKind.WRITE, new=content.decode())
              for rel, content in task.solution_files.items()]
    solved = Trajectory(format="test", source="mem", steps=[Step(id=1, source=StepSource.AGENT, edits=writes)])
    outcome = evaluate(task, solved, runs)
    assert outcome.status == "resolved", outcome.detail
    assert outcome.counts.get("fail_to_pass", 0) > 0
    idle = Trajectory(format="test", source="mem", steps=[Step(id=1, source=StepSource.AGENT, message="Done.")])
    assert evaluate(task, idle, runs).status == "unresolved"
