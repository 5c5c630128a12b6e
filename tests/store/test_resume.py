"""Resumable batches, for real: the CLI on a batch of small tasks in the bubblewrap sandbox is
killed with SIGKILL after a few results are stored, then started again with the same command.
The final store must equal an uninterrupted run's, row for row (timings aside): no result lost,
none duplicated, none half-written, and what was stored before the kill is not audited again.

The batch mixes in broken tasks (a task.toml that does not parse, a JSONL line missing a field):
the batch finishes, each broken task is reported with the file and the problem, the others get
verdicts.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_HARBOR = ROOT / "examples" / "tasks" / "python" / "good"
N_GOOD = 12


def humaneval_line(i: int) -> dict:
    """A small function-level task; every third has weak tests, every fourth a wrong reference."""
    weak = i % 3 == 2
    wrong = i % 4 == 3
    asserts = [f"    assert candidate({x}) == {x} * {i + 2}\n" for x in (1, 2, 5, -3, 0)]
    return {
        "task_id": f"Mul/{i}",
        "prompt": f'def mul_{i}(x: int) -> int:\n    """Return x multiplied by {i + 2}, for any integer x.\n'
        f'    >>> mul_{i}(1)\n    {i + 2}\n    """\n',
        "canonical_solution": f"    return x * {i + 2}{' + 1' if wrong else ''}\n",
        "test": "def check(candidate):\n" + "".join(asserts[:1] if weak else asserts),
        "entry_point": f"mul_{i}",
    }


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("batch")
    lines = [json.dumps(humaneval_line(i)) for i in range(N_GOOD)]
    lines.insert(5, json.dumps({"task_id": "Mul/broken", "prompt": "def f():\n    pass\n"}))
    (root / "functions.jsonl").write_text("\n".join(lines) + "\n")
    broken = root / "harbor" / "broken-toml"
    broken.mkdir(parents=True)
    for part in ("instruction.md", "solution", "tests", "environment"):
        src = GOOD_HARBOR / part
        if src.is_dir():
            subprocess.run(["cp", "-r", str(src), str(broken / part)], check=True)
        else:
            (broken / part).write_bytes(src.read_bytes())
    (broken / "task.toml").write_text('schema_version = "1.1"\n[metadata\n')
    return root


def command(batch: Path, store: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "taskaudit.cli", "audit",
        str(batch / "functions.jsonl"), str(batch / "harbor"),
        "--store", str(store), "--reference-runs", "1", "-j", "2", "-q", "--exit-zero", *extra,
    ]


def env() -> dict[str, str]:
    e = dict(os.environ)
    e.pop("TASKAUDIT_NO_STORE", None)  # tests/conftest.py turns the store off for other tests
    e.pop("TASKAUDIT_STORE", None)
    return e


def stored(store: Path) -> list[dict]:
    if not store.exists():
        return []
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=5) as conn:
            conn.row_factory = sqlite3.Row
            return [dict(r) for r in conn.execute("SELECT * FROM taskaudit_results ORDER BY key")]
    except sqlite3.OperationalError:  # the table is not created yet
        return []


# What differs between two runs of the same test by nature, in captured output: timings
# ("1 passed in 0.05s") and object addresses ("<function f at 0x7f...>").
_TIMING = re.compile(r"\b\d+(?:\.\d+)? ?m?s\b|\b0x[0-9a-f]{6,}\b")


def without_timings(value):
    if isinstance(value, dict):
        return {
            k: without_timings(v)
            for k, v in value.items()
            if k not in {"duration_sec", "recorded_at"}
        }
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    if isinstance(value, str):
        return _TIMING.sub("<t>", value)
    return value


def comparable(rows: list[dict]) -> list[dict]:
    return [without_timings(r | {"report": json.loads(r["report"])}) for r in rows]


@pytest.fixture(scope="module")
def uninterrupted(batch, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("whole")
    store, report = out / "results.db", out / "report.json"
    done = subprocess.run(command(batch, store, "--json", str(report)), env=env(),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return store, json.loads(report.read_text())


def test_kill_9_then_rerun_equals_an_uninterrupted_run(batch, uninterrupted, tmp_path):
    store = tmp_path / "results.db"
    proc = subprocess.Popen(command(batch, store), env=env(), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while len([r for r in stored(store) if r["kind"] == "task"]) < 3:
            assert proc.poll() is None, "the audit ended before it could be interrupted"
            assert time.monotonic() < deadline, "no results were stored"
            time.sleep(0.02)
        assert proc.poll() is None
        os.killpg(proc.pid, signal.SIGKILL)  # the CLI and every sandbox it started
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    before = stored(store)
    expected = stored(uninterrupted[0])
    assert 3 <= len(before) < len(expected), "killed in the middle of the batch"

    done = subprocess.run(command(batch, store), env=env(), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    after = stored(store)
    assert comparable(after) == comparable(expected)  # row for row, no duplicate key possible
    assert len({r["key"] for r in after}) == len(after) == N_GOOD + 2
    # What was stored before the kill was served, not audited again (load errors are re-read).
    recorded = {r["key"]: r["recorded_at"] for r in after}
    assert all(recorded[r["key"]] == r["recorded_at"] for r in before if r["kind"] == "task")


def test_broken_tasks_fail_alone_and_the_batch_finishes(uninterrupted):
    _, report = uninterrupted
    tasks = {t["task_id"]: t for t in report["tasks"]}
    assert len(tasks) == N_GOOD + 2
    broken = {k: t for k, t in tasks.items() if t["findings"] and t["findings"][0]["code"] == "F001"}
    assert len(broken) == 2
    messages = {t["findings"][0]["message"] for t in broken.values()}
    assert any("missing field 'canonical_solution'" in m for m in messages)
    assert any("task.toml" in m for m in messages)
    wheres = {t["findings"][0]["location"]["path"] for t in broken.values()}
    assert any(w.endswith("functions.jsonl:6") for w in wheres)
    assert any(w.endswith("task.toml") for w in wheres)
    verdicts = {k: t["verdict"] for k, t in tasks.items() if k not in broken}
    assert "ERROR" not in verdicts.values()
    for i in range(N_GOOD):
        expected = "REJECT" if i % 4 == 3 else "REVISE" if i % 3 == 2 else "ACCEPT"
        assert verdicts[f"Mul/{i}"] == expected, (i, tasks[f"Mul/{i}"]["findings"])


def test_second_run_is_served_from_the_store(batch, uninterrupted, tmp_path):
    store = uninterrupted[0]
    rows = stored(store)
    reports = tmp_path / "r"
    started = time.monotonic()
    done = subprocess.run(
        command(batch, store, "--json", str(reports / "r.json"), "--html", str(reports / "r.html"),
                "--junit", str(reports / "r.xml"), "--export-failing", str(reports / "f.jsonl")),
        env=env(), capture_output=True, text=True, timeout=300,
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stdout + done.stderr
    tasks_only = lambda rows: [r for r in rows if r["kind"] == "task"]
    assert tasks_only(stored(store)) == tasks_only(rows)  # nothing audited or rewritten again
    second = json.loads((reports / "r.json").read_text())
    assert [t["verdict"] for t in second["tasks"]] == [t["verdict"] for t in uninterrupted[1]["tasks"]]
    assert elapsed < 15, elapsed  # no sandboxed run at all
    failing = [json.loads(line) for line in (reports / "f.jsonl").read_text().splitlines()]
    assert {f["task_id"] for f in failing} == {
        t["task_id"] for t in second["tasks"] if t["verdict"] in {"REJECT", "REVISE"}
    }
    assert "<svg" in (reports / "r.html").read_text()
    assert "<testsuites" in (reports / "r.xml").read_text()

