"""The timeout rule of the compiled-language warm loops (docs/mutation-compiled.md, "Timeouts").

The loop script (``compiled_support/warm_loop.py``) is taskaudit's own code, so its unit tests
run it on the host with a stand-in "test binary": a shell script whose behaviour depends on the
mutant switch. The backends' tests then check the same rule end to end in the sandbox.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest
from compiled_helpers import load_example, run

from taskaudit.model import Task
from taskaudit.mutation.compiled_support.loop import (
    FACTOR,
    FLOOR_MS,
    LOOP_SCRIPT,
    WALL_SLACK,
    Entry,
    mutant_entry,
)
from taskaudit.mutation.compiled_support.outcomes import judge
from taskaudit.mutation.model import Mutant, Outcome

# Mutant 1 loops forever on the CPU; mutant 4 waits forever (off the CPU); mutant 2 is slow
# only the first time it runs (a load spike), then quick; mutant 3 fails; mutant 5 passes its
# hit limit (as Rust's switch module does: the marker file, then exit 87); no mutant (0):
# passes at once.
FAKE_BINARY = """#!/bin/sh
case "$TASKAUDIT_MUTANT" in
  1) while :; do :; done ;;
  4) exec sleep 600 ;;
  2) if [ ! -e "$STATE/spiked" ]; then touch "$STATE/spiked"; sleep 30; fi; exit 0 ;;
  3) echo "FAILED"; exit 101 ;;
  5) printf '123 100' > "$TASKAUDIT_MUTANT_HIT_FILE"; exit 87 ;;
esac
exit 0
"""


def _loop(tmp_path: Path, entries: list[Entry]) -> list[dict]:
    from dataclasses import asdict

    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"factor": FACTOR, "floor_ms": FLOOR_MS, "wall_slack": WALL_SLACK,
                                "entries": [asdict(e) for e in entries]}))
    out = tmp_path / "out.jsonl"
    subprocess.run([sys.executable, "-I", "-S", str(LOOP_SCRIPT), str(plan), str(out)], check=True,
                   env={"PATH": "/usr/bin:/bin", "STATE": str(tmp_path)}, timeout=120)
    return [json.loads(line) for line in out.read_text().splitlines()]


@pytest.fixture()
def binary(tmp_path: Path) -> str:
    exe = tmp_path / "fake.test"
    exe.write_text(FAKE_BINARY)
    exe.chmod(0o755)
    return str(exe)


def test_a_looping_mutant_is_stopped_by_its_cpu_limit_without_a_recheck(tmp_path, binary):
    (record, tail) = _loop(tmp_path, [mutant_entry("m1", 1, [binary], str(tmp_path), str(tmp_path / "m1.out"))])
    assert record["timed_out"] is True and record["limit_hit"] == "cpu" and record["status"] == -9
    # The limit follows the CPU time of the same command with no mutant (measured in the loop):
    # a small floor, not the old one-second minimum; CPU time does not stretch under load.
    assert record["cpu_limit_ms"] == pytest.approx(FACTOR * record["base_cpu_ms"] + FLOOR_MS, abs=0.01)
    assert record["cpu_limit_ms"] < 1000
    # The loop reads CPU time from /proc in clock ticks; wait4's figure is finer: allow one tick.
    assert record["cpu_ms"] >= record["cpu_limit_ms"] - 1000 / os.sysconf("SC_CLK_TCK")
    assert "recheck" not in record
    assert "loop_rss_kb" in tail


def test_a_mutant_that_waits_meets_the_backstop_and_one_recheck(tmp_path, binary):
    (record, _) = _loop(tmp_path, [mutant_entry("m4", 4, [binary], str(tmp_path), str(tmp_path / "m4.out"))])
    assert record["timed_out"] is True and record["limit_hit"] == "wall"  # off the CPU: the backstop
    first = record["recheck"]["first_limit_ms"]
    assert first == pytest.approx(WALL_SLACK * (FACTOR * record["base_ms"] + FLOOR_MS), abs=0.01)
    # The re-check scaled it by the slowdown measured then (2x to 10x), and it ran past that too.
    slowdown = record["recheck"]["slowdown"]
    assert 2 <= slowdown <= 10
    assert record["limit_ms"] == pytest.approx(first * slowdown, rel=0.01)
    assert record["status"] == -9  # SIGKILL


def test_a_mutant_slow_only_under_a_load_spike_is_not_a_timeout(tmp_path, binary):
    (record, _) = _loop(tmp_path, [mutant_entry("m2", 2, [binary], str(tmp_path), str(tmp_path / "m2.out"))])
    assert (tmp_path / "spiked").exists()  # the first run did hit the "spike"
    assert record["timed_out"] is False and record["status"] == 0
    assert "recheck" in record  # only a run past its first limit is re-checked


def test_base_runs_once_per_command_and_records_cpu_and_memory(tmp_path, binary):
    records = _loop(tmp_path, [
        mutant_entry("m3", 3, [binary], str(tmp_path), str(tmp_path / "m3.out")),
        mutant_entry("m0", 0, [binary], str(tmp_path), str(tmp_path / "m0.out")),
        Entry("plain", [binary], str(tmp_path), str(tmp_path / "plain.out")),  # no base: no limit
    ])
    m3, m0, plain, _ = records
    assert m3["status"] == 101 and (tmp_path / "m3.out").read_text() == "FAILED\n"
    assert m3["base_ms"] == m0["base_ms"]  # the same command: its base was measured once
    assert (tmp_path / "m3.out.base").exists() and m3["base_status"] == 0
    assert plain["limit_ms"] is None and "base_ms" not in plain
    assert all(r["cpu_ms"] >= 0 and r["rss_kb"] > 0 for r in (m3, m0, plain))


def _hit_limited(key: str, switch: int, binary: str, tmp_path: Path) -> Entry:
    entry = mutant_entry(key, switch, [binary], str(tmp_path), str(tmp_path / f"{key}.out"))
    marker = str(tmp_path / f"{key}.out.hits")
    entry.env["TASKAUDIT_MUTANT_HIT_FILE"] = marker
    entry.hit_file = marker
    return entry


def test_a_run_past_its_hit_limit_is_a_timeout_with_its_counts(tmp_path, binary):
    (record, _) = _loop(tmp_path, [_hit_limited("m5", 5, binary, tmp_path)])
    assert record["timed_out"] is True and record["limit_hit"] == "hits"
    assert (record["hits"], record["hit_limit"]) == (123, 100) and record["status"] == 87
    assert "recheck" not in record
    mutant = Mutant(id="m5", operator="relational", file="src/lib.rs", line=1, column=1, start=0, end=1,
                    original="<", replacement="<=")
    result = judge(mutant, ["t"], [("t.rs", record, tmp_path / "m5.out")], lambda *a: ([], ""))
    assert result.outcome == Outcome.TIMEOUT and "123 calls, limit 100" in result.detail


def test_a_stale_hit_marker_does_not_make_a_timeout(tmp_path, binary):
    (tmp_path / "m0.out.hits").write_text("999 1")  # left by an earlier run of the same file
    (record, _) = _loop(tmp_path, [_hit_limited("m0", 0, binary, tmp_path)])
    assert record["timed_out"] is False and record["status"] == 0


def test_a_base_run_given_in_advance_is_not_run_again(tmp_path, binary):
    """Rust passes its dry run of every test of a binary (one process) as the base of that
    binary's mutants: the loop uses it (limit, and which tests fail anyway: none, they all
    passed there) instead of a base run of its own."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("warm_loop", LOOP_SCRIPT)
    warm_loop = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(warm_loop)
    entries = [asdict(mutant_entry(k, n, [binary], str(tmp_path), str(tmp_path / f"{k}.out"))) for k, n in (("a", 3), ("b", 0))]
    dry_out = tmp_path / "dry.out"
    dry_out.write_text("ok\n")
    seeded = {entries[0]["base"]: {"ms": 7.0, "cpu_ms": 40.0, "status": 0, "out": str(dry_out)}}
    plan = {"factor": FACTOR, "floor_ms": FLOOR_MS, "wall_slack": WALL_SLACK}
    monkey_env = dict(os.environ, STATE=str(tmp_path))
    old = os.environ.copy()
    os.environ.clear()
    os.environ.update(monkey_env)
    try:
        warm_loop.run_entries(entries, plan, str(tmp_path / "out.jsonl"), seeded)
    finally:
        os.environ.clear()
        os.environ.update(old)
    a, b, _ = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert not list(tmp_path.glob("*.base"))  # no base run of its own
    for record in (a, b):  # both entries run the same command: both use the given base
        assert record["base_out"] == str(dry_out) and record["base_cpu_ms"] == 40.0
        assert record["cpu_limit_ms"] == pytest.approx(FACTOR * 40.0 + FLOOR_MS)


def test_every_mutant_of_a_base_reads_the_one_base_output(tmp_path, binary):
    """The base runs once per command, beside the first mutant's output; later mutants of the
    same command name that file, so tests failing anyway are known for each of them."""
    records = _loop(tmp_path, [mutant_entry(k, 3, [binary], str(tmp_path), str(tmp_path / f"{k}.out"))
                               for k in ("first", "second")])
    assert records[0]["base_out"] == records[1]["base_out"] == str(tmp_path / "first.out.base")


def test_a_program_that_cannot_start_is_an_error_record(tmp_path):
    (record, _) = _loop(tmp_path, [Entry("gone", [str(tmp_path / "missing")], str(tmp_path), str(tmp_path / "o"))])
    assert "error" in record


# ------------------------------------------------------------------ end to end, in the sandbox

LOOPING_GO = b"""package loop

// Sum adds 1..n.
func Sum(n int) int {
\ttotal := 0
\tfor i := 1; i <= n; i++ {
\t\ttotal += i
\t}
\treturn total
}
"""
LOOPING_GO_TEST = b"""package loop

import "testing"

func TestSum(t *testing.T) {
\tif Sum(4) != 10 {
\t\tt.Fatal("Sum(4) != 10")
\t}
}
"""


@pytest.mark.skipif(shutil.which("go") is None, reason="no Go toolchain on this machine")
def test_go_looping_mutant_is_stopped_by_its_packages_hit_limit():
    task = Task(id="go-loop", source="test", format="test", language="go", test_runner="go",
                statement="Sum adds 1..n.", starter_files={"go.mod": b"module loop\n\ngo 1.21\n"},
                solution_files={"loop.go": LOOPING_GO}, test_files={"loop_test.go": LOOPING_GO_TEST},
                solution_paths=["loop.go"])
    job, results = run(task)
    # i++ -> i-- never reaches n: it loops (for ever, as far as a test is concerned).
    looping = next(r for r in results if r.mutant.original == "++" and r.mutant.replacement == "--")
    assert looping.outcome == Outcome.TIMEOUT, (looping.outcome, looping.detail)
    # The loop passes the switch on every turn: stopped once it calls the switches 100x as
    # often as the test does without it (+ a floor), in milliseconds, not at its CPU limit.
    assert "an endless loop" in looping.detail and "calls, limit" in looping.detail
    assert job.stats["timeouts_on_cpu"] == 0
    assert not [r for r in results if r.outcome == Outcome.ERROR], [r.detail for r in results]


@pytest.mark.skipif(shutil.which("javac") is None, reason="no JDK on this machine")
def test_java_looping_mutants_end_in_the_same_jvm():
    """java/good has mutants that loop for ever; each passes its hit limit at a switch point,
    which throws, and the JVM goes on to the next mutant."""
    task = load_example("java", "good")
    job, results = run(task)
    timeouts = [r for r in results if r.outcome == Outcome.TIMEOUT]
    assert timeouts and all("an endless loop" in r.detail for r in timeouts), [r.detail for r in timeouts]
    assert job.stats["jvm_starts"] == 1
    assert job.stats["jvm_rss_kb"] > 0 and job.stats["mean_cpu_ms_per_mutant"] >= 0


def test_go_dry_run_coverage_gives_ids_and_switch_calls_per_package():
    from taskaudit.mutation.go import read_coverage

    ids, calls = read_coverage("3\nH 1 .\n5\nH 1 internal/x y\nH 2 .\nH 4 .\n")
    assert ids == {3, 5} and calls == {".": 4, "internal/x y": 1}
