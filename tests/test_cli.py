"""The command line: usage errors, exit codes, laziness, doctor, new, select/ignore."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "examples" / "tasks" / "python" / "good"
WEAK = ROOT / "examples" / "tasks" / "python" / "weak-tests"


def taskaudit(*args: str, timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "taskaudit.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def test_help_imports_nothing_heavy():
    # `taskaudit --help` stays fast by importing the library only inside commands.
    code = (
        "import sys, taskaudit.cli\n"
        "heavy = [m for m in ('pydantic', 'rich', 'taskaudit.model', 'defusedxml') if m in sys.modules]\n"
        "print(heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]"
    assert taskaudit("--help").returncode == 0


def test_usage_errors_exit_2():
    assert taskaudit("audit").returncode == 2
    assert taskaudit("audit", str(GOOD), "--jobs", "0").returncode == 2
    assert taskaudit("audit", str(GOOD), "--sandbox", "nosuch").returncode == 2
    assert taskaudit("nosuchcommand").returncode == 2


def test_threshold_and_exit_zero():
    assert taskaudit("audit", str(WEAK), "-q").returncode == 1
    assert taskaudit("audit", str(WEAK), "-q", "--fail-on", "reject").returncode == 0
    assert taskaudit("audit", str(WEAK), "-q", "--exit-zero").returncode == 0


def test_ignore_on_the_command_line_drops_the_finding(tmp_path):
    out = tmp_path / "r.json"
    done = taskaudit("audit", str(WEAK), "--ignore", "W", "--json", str(out))
    assert done.returncode == 0, done.stdout
    task = json.loads(out.read_text())["tasks"][0]
    assert task["verdict"] == "ACCEPT", task["findings"]
    assert not [f for f in task["findings"] if f["code"].startswith("W")]
    assert {f["severity"] for f in task["findings"]} <= {"info"}


def test_ignore_per_task_in_task_toml(tmp_path):
    task_dir = tmp_path / "weak"
    shutil.copytree(WEAK, task_dir)
    toml = task_dir / "task.toml"
    toml.write_text(toml.read_text().replace('language = "python"', 'language = "python"\nignore = ["W"]'))
    out = tmp_path / "r.json"
    assert taskaudit("audit", str(task_dir), "--json", str(out)).returncode == 0
    assert json.loads(out.read_text())["tasks"][0]["verdict"] == "ACCEPT"


def test_doctor_reports_bwrap_and_python():
    done = taskaudit("doctor")
    assert done.returncode == 0, done.stdout
    assert "bwrap" in done.stdout and "pytest" in done.stdout


def test_new_scaffolds_a_task_that_passes_its_own_audit(tmp_path):
    done = taskaudit("new", "slug-task", "--dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    out = tmp_path / "r.json"
    audit = taskaudit("audit", str(tmp_path / "slug-task"), "--json", str(out))
    report = json.loads(out.read_text())["tasks"][0]
    assert report["verdict"] == "ACCEPT", report["findings"]
    assert audit.returncode == 0
    assert taskaudit("new", "slug-task", "--dir", str(tmp_path)).returncode == 2  # no overwrite


def test_task_in_a_language_without_toolchain_is_error_not_defect(tmp_path):
    task_dir = tmp_path / "gotask"
    shutil.copytree(GOOD, task_dir)
    toml = task_dir / "task.toml"
    toml.write_text(toml.read_text().replace('language = "python"', 'language = "go"'))
    out = tmp_path / "r.json"
    # A PATH without the Go toolchain (taskaudit itself runs from its absolute interpreter path).
    env = {**os.environ, "PATH": "/usr/bin:/bin"}
    done = taskaudit("audit", str(task_dir), "--json", str(out), env=env)
    assert done.returncode == 3
    task = json.loads(out.read_text())["tasks"][0]
    assert task["verdict"] == "ERROR"
    assert "go" in task["error"]
    assert not [f for f in task["findings"] if f["severity"] == "error"]
    statuses = {c["name"]: c["status"] for c in task["checks"]}
    assert statuses["reference"] == "errored" and statuses["baseline"] == "errored"


def test_unisolated_backend_only_when_named_and_gives_the_same_verdicts(tmp_path):
    out = tmp_path / "r.json"
    done = taskaudit("audit", str(GOOD), str(WEAK), "--sandbox", "unisolated", "--json", str(out))
    assert "WITHOUT isolation" in done.stderr
    report = json.loads(out.read_text())
    assert report["sandbox_backend"] == "unisolated"
    assert [t["verdict"] for t in report["tasks"]] == ["ACCEPT", "REVISE"]
