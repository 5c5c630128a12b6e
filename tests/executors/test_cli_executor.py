"""The command line with the Ray executor, end to end, as a user runs it: `taskaudit audit
--executor ray` on a local Ray instance fills the store, `taskaudit report` rebuilds the same
verdicts from it, and the same audit again is served from the store without starting Ray."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

if not os.environ.get("CI"):
    pytest.importorskip("ray", reason="Ray is not installed: pip install -e '.[dev]'")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "tasks"
PATHS = [EXAMPLES / "python" / name for name in ("good", "reference-fails", "malformed-toml")]


def taskaudit(*args) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in {"TASKAUDIT_NO_STORE", "TASKAUDIT_STORE", "RAY_ADDRESS"}}
    return subprocess.run([sys.executable, "-m", "taskaudit.cli", *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=600)


def verdicts(path: Path) -> dict[str, str]:
    data = json.loads(path.read_text())
    return {t["source"].removesuffix("/task.toml").rsplit("/", 1)[-1]: t["verdict"] for t in data["tasks"]}


def test_audit_with_ray_then_report_from_the_store(tmp_path):
    local = taskaudit("audit", *PATHS, "--reference-runs", "1", "--no-store",
                      "--json", tmp_path / "local.json")
    store = tmp_path / "results.db"
    first = taskaudit("audit", *PATHS, "--executor", "ray", "-j", "2", "--reference-runs", "1",
                      "--store", store, "--json", tmp_path / "ray.json")
    assert first.returncode == local.returncode, first.stdout + first.stderr
    expected = verdicts(tmp_path / "local.json")
    assert verdicts(tmp_path / "ray.json") == expected, (local.stdout, first.stdout, first.stderr)
    assert expected["reference-fails"] == expected["malformed-toml"] == "REJECT"

    rebuilt = taskaudit("report", "--store", store, "--reference-runs", "1",
                        "--json", tmp_path / "report.json", "--junit", tmp_path / "report.xml")
    assert rebuilt.returncode == local.returncode, rebuilt.stdout + rebuilt.stderr
    assert verdicts(tmp_path / "report.json") == expected
    assert 'tests="3"' in (tmp_path / "report.xml").read_text()

    again = taskaudit("audit", *PATHS, "--executor", "ray", "--reference-runs", "1",
                      "--store", store)
    assert again.returncode == local.returncode, again.stdout + again.stderr
    assert "0 audited, 1 did not load, 2 from the store" in again.stdout, again.stdout


def test_address_needs_the_ray_executor():
    result = taskaudit("audit", PATHS[0], "--address", "auto", "--no-store")
    assert result.returncode == 2
    assert "--address applies to the ray executor only" in result.stderr
