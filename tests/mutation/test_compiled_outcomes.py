"""The outcome rule shared by the Go and Rust warm loops (``compiled_support/outcomes.py``),
on hand-written loop records: no toolchain needed."""

from __future__ import annotations

from pathlib import Path

from taskaudit.mutation.compiled_support.outcomes import judge
from taskaudit.mutation.model import Mutant, Outcome

MUTANT = Mutant(id="m.go:1:1:relational:0", operator="relational", file="m.go", line=1, column=1,
                start=0, end=1, original="<", replacement=">=", description="replaced < with >=")


def read(source: str, output: bytes, status: int) -> tuple[list[str], str]:
    """A stand-in for a runner's parser: lines "FAIL name" are failing tests."""
    text = output.decode()
    failed = [f"{source}::{line[5:]}" for line in text.splitlines() if line.startswith("FAIL ")]
    return failed, text.strip()[:50]


def record(tmp_path: Path, output: str, status: int, base_output: str | None = None, **extra) -> tuple[dict, Path]:
    out = tmp_path / "m.out"
    out.write_text(output)
    rec = {"key": "m", "timed_out": False, "status": status, "ms": 3.0, "cpu_ms": 2.0, "rss_kb": 1, "limit_ms": 59.0}
    if base_output is not None:
        (tmp_path / "m.out.base").write_text(base_output)
        rec.update(base_ms=3.0, base_status=0 if "FAIL" not in base_output else 1, base_out="/results/m.out.base")
    rec.update(extra)
    return rec, out


def test_failing_tests_kill_the_mutant(tmp_path):
    rec, out = record(tmp_path, "FAIL TestA\nok TestB\n", 1, base_output="ok\n")
    result = judge(MUTANT, ["p::TestA", "p::TestB"], [("p", rec, out)], read)
    assert result.outcome == Outcome.KILLED and result.killed_by == ["p::TestA"]


def test_a_test_failing_without_the_mutant_kills_nothing(tmp_path):
    rec, out = record(tmp_path, "FAIL TestA\n", 1, base_output="FAIL TestA\n")
    result = judge(MUTANT, ["p::TestA"], [("p", rec, out)], read)
    assert result.outcome == Outcome.SURVIVED and not result.killed_by


def test_timeouts_crashes_survivors_and_lost_runs(tmp_path):
    rec, out = record(tmp_path, "", -9, timed_out=True, limit_hit="wall", limit_ms=177.0,
                      recheck={"first_limit_ms": 59.0, "reference_ms": 9.0, "first_ms": 60.0, "slowdown": 3.0})
    timeout = judge(MUTANT, ["p::TestA"], [("p", rec, out)], read)
    assert timeout.outcome == Outcome.TIMEOUT and "59 ms" in timeout.detail and "177 ms" in timeout.detail

    rec, out = record(tmp_path, "", -9, timed_out=True, limit_hit="cpu", cpu_limit_ms=56.0, base_cpu_ms=2.0,
                      cpu_ms=60.0, ms=71.5)
    busy = judge(MUTANT, ["p::TestA"], [("p", rec, out)], read)
    assert busy.outcome == Outcome.TIMEOUT and "56 ms of CPU time" in busy.detail

    rec, out = record(tmp_path, "fatal error: stack overflow\n", 2)
    crash = judge(MUTANT, ["p::TestA"], [("p", rec, out)], read)
    assert crash.outcome == Outcome.CRASH and "stack overflow" in crash.detail

    rec, out = record(tmp_path, "ok TestA\n", 0, recheck={"first_limit_ms": 59.0, "reference_ms": 30.0,
                                                           "first_ms": 60.0, "slowdown": 3.0})
    survived = judge(MUTANT, ["p::TestA"], [("p", rec, out)], read)
    assert survived.outcome == Outcome.SURVIVED and "re-check" in survived.detail

    lost = judge(MUTANT, ["p::TestA"], [("p", None, out)], read)
    assert lost.outcome == Outcome.ERROR
