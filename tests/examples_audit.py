"""One audit of the bundled examples by the real CLI, shared by the examples tests (see conftest)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "tasks"


@dataclass
class ExamplesAudit:
    exit_code: int
    report: dict
    tasks: dict[str, dict]  # "python/good" -> task report (the example's folder under examples/tasks)
    stderr: str

    def language(self, folder: str) -> dict[str, dict]:
        """The examples of one folder (``go``, ``javascript-jest``), by task id."""
        return {key.split("/", 1)[1]: t for key, t in self.tasks.items() if key.split("/", 1)[0] == folder}


def example_key(task: dict) -> str:
    source = Path(task["source"])
    if source.name == "task.toml":  # a task that could not be loaded is reported by its file
        source = source.parent
    return source.resolve().relative_to(EXAMPLES).as_posix()


def audit_examples(out: Path, *paths: Path) -> ExamplesAudit:
    done = subprocess.run(
        [sys.executable, "-m", "taskaudit.cli", "audit", *map(str, paths or [EXAMPLES]),
         "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, "TASKAUDIT_NO_STORE": "1"},
    )
    assert out.exists(), done.stderr
    report = json.loads(out.read_text())
    return ExamplesAudit(done.returncode, report, {example_key(t): t for t in report["tasks"]}, done.stderr)


