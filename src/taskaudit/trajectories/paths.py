"""Where a path an agent wrote lands in the task: its workspace, its tests, or elsewhere.

Agents write absolute paths inside their container (``/app/rle.py``, ``/testbed/src/x.py``) or
paths relative to their working directory. Harbor runs a task's tests from ``/tests``; many
harnesses put the repository (and its tests) in the workspace.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from taskaudit.model import Task

WORKSPACE_ROOTS = ("/app", "/testbed", "/workspace", "/repo", "/code", "/src", "/project")
TESTS_ROOT = "/tests"
# Files that decide a verdict without being tests: verifier scripts, runner configuration.
VERIFIER_NAMES = {"test.sh", "conftest.py", "pytest.ini", "tox.ini", "setup.cfg", "jest.config.js",
                  "vitest.config.ts", "vitest.config.js", "reward.txt", "reward.json"}
_TEST_NAME = re.compile(
    r"(^|/)(tests?|__tests__|spec)/|(^|/)test_[^/]*\.py$|_test\.(py|go)$|\.(test|spec)\.[cm]?[jt]sx?$|"
    r"(^|/)src/test/|Test\.java$|Tests\.java$"
)


@dataclass(frozen=True)
class Place:
    area: str  # "workspace" | "tests" | "verifier" | "outside"
    rel: str  # path relative to its area's root ("" when outside)
    original: str


def place(path: str, task: Task, workdir: str | None = None) -> Place:
    """Classify ``path`` as written by the agent."""
    p = path.strip().strip("'\"")
    if p.startswith("/logs/verifier") or p.startswith("/logs/agent/"):
        return Place("verifier", posixpath.basename(p), path)
    if p.startswith(TESTS_ROOT + "/"):
        rel = posixpath.normpath(p[len(TESTS_ROOT) + 1 :])
        return Place("tests", rel, path)
    rel = None
    if posixpath.isabs(p):
        roots = ([workdir.rstrip("/")] if workdir and workdir != "/" else []) + list(WORKSPACE_ROOTS)
        for root in roots:
            if p.startswith(root + "/"):
                rel = posixpath.normpath(p[len(root) + 1 :])
                break
        if rel is None:
            return Place("outside", "", path)
    else:
        rel = posixpath.normpath(p)
        if rel.startswith(".."):
            return Place("outside", "", path)
    # A copy of the task's tests inside the workspace (tests/test_x.py) is still a test file.
    for candidate in (rel, rel.split("/", 1)[1] if rel.startswith("tests/") else None):
        if candidate and candidate in task.test_files:
            return Place("tests", candidate, path)
    if rel in task.starter_files or rel in task.solution_paths or rel in task.solution_files:
        return Place("workspace", rel, path)
    if posixpath.basename(rel) in VERIFIER_NAMES:
        return Place("verifier", rel, path)
    if _TEST_NAME.search(rel):
        return Place("tests", rel, path)
    return Place("workspace", rel, path)


def is_test_like(text: str, task: Task) -> bool:
    """Does a command or path mention the task's tests or verifier?"""
    names = {posixpath.basename(t) for t in task.test_files}
    return any(n and n in text for n in names) or "/tests" in text
