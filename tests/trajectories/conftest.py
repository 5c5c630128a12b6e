from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parents[2]
GOOD_TASK = ROOT / "examples/tasks/python/good"
FORMAT_DIRS = ["atif", "claude_code", "codex", "swe_agent", "mini_swe_agent", "openhands", "inspect"]


def fixture(fmt: str, run: str) -> Path:
    matches = sorted(p for p in (FIXTURES / fmt).glob(f"{run}.*") if p.suffix != ".eval")
    assert len(matches) == 1, matches
    return matches[0]


@pytest.fixture(scope="session")
def task():
    from taskaudit.formats import load_tasks

    return load_tasks([GOOD_TASK])[0]


@pytest.fixture(scope="session")
def runs(task):
    """Baseline and reference runs of the example task, in the real sandbox (shared)."""
    from taskaudit.languages import get_language
    from taskaudit.sandbox import get_backend
    from taskaudit.trajectories.outcome import TaskRuns

    return TaskRuns(task, get_backend(), get_language("python"))
