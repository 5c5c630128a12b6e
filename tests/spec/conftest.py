"""Helpers for the requirement checks' tests: tasks built inline, checks run without an audit."""

from __future__ import annotations

from pathlib import Path

import pytest

from taskaudit.checks.base import AuditConfig, AuditContext
from taskaudit.formats import load_tasks
from taskaudit.model import Finding, Task

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "tasks"


def make_task(language: str, statement: str, tests: dict[str, str], solution: dict[str, str],
              starter: dict[str, str] | None = None, **extra) -> Task:
    return Task(
        id="t", source="inline", format="harbor", language=language,
        test_runner={"python": "pytest", "javascript": "node", "go": "go", "rust": "cargo",
                     "java": "junit", "typescript": "node"}[language],
        statement=statement,
        starter_files={k: v.encode() for k, v in (starter or {}).items()},
        solution_files={k: v.encode() for k, v in solution.items()},
        test_files={k: v.encode() for k, v in tests.items()},
        solution_paths=sorted(solution),
        **extra,
    )


def run_static(check, task: Task) -> list[Finding]:  # noqa: ANN001
    ctx = AuditContext(task, AuditConfig(), {}, check.name)
    return check.run(ctx)


def example(path: str) -> Task:
    (task,) = load_tasks([EXAMPLES / path])
    assert isinstance(task, Task), task
    return task


@pytest.fixture
def good_examples() -> list[Task]:
    return [example(f"{d.name}/good") for d in sorted(EXAMPLES.iterdir()) if (d / "good").is_dir()]
