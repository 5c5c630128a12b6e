"""A mutant's outcome from its warm-loop runs (Go, Rust: one test-binary process per test
binary whose tests reach it), the same rule for both languages:

- a run the loop never recorded, or could not start: ``error`` (never counted either way);
- a run past its hit limit (Rust) or its CPU limit, or past its wall-clock backstop twice
  (``loop.py``): ``timeout``;
- else a failing test: ``killed`` by those tests (the kill matrix row), except tests that
  also fail when the same command runs with no mutant (``warm_loop.py``'s base run): they
  judge nothing;
- else a non-zero exit with no failing test (a Go ``fatal error``, a Rust abort): ``crash``;
- else ``survived``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from taskaudit.mutation.compiled_support.loop import read_output
from taskaudit.mutation.model import Mutant, MutantResult, Outcome

# read(source, output, exit status) -> (failed test ids, what a crash said or "")
Reader = Callable[[str, bytes, int], "tuple[list[str], str]"]


def judge(mutant: Mutant, covered: list[str], runs: list[tuple[str, dict | None, Path]], read: Reader) -> MutantResult:
    """``runs``: (source of the tests, the loop's record, the run's output file) per test binary."""
    killed: list[str] = []
    crash = timeout = ""
    ms = 0.0
    for source, record, output_path in runs:
        if record is None or "error" in record:
            why = record["error"] if record else "the warm loop ended before this mutant ran (its limit was reached)"
            return MutantResult(mutant, Outcome.ERROR, covered_by=covered, detail=why)
        ms += record["ms"]
        if record["timed_out"]:
            timeout = timeout_detail(record)
            continue
        reported, crashed = read(source, read_output(output_path), record["status"])
        failed = reported
        if record.get("base_out"):  # a sandbox path in the same results directory
            base = output_path.with_name(record["base_out"].rsplit("/", 1)[-1])
            failing_anyway = set(read(source, read_output(base), record.get("base_status", 0))[0])
            failed = [t for t in reported if t not in failing_anyway]
        killed.extend(failed)
        if record["status"] != 0 and not reported:  # it died without any test failing
            crash = f"exit status {record['status']}: {crashed}"
    result = MutantResult(mutant, Outcome.SURVIVED, covered_by=covered, duration_ms=round(ms, 2))
    if timeout:
        result.outcome, result.detail = Outcome.TIMEOUT, timeout
    elif killed:
        result.outcome, result.killed_by = Outcome.KILLED, sorted(killed)
    elif crash:
        result.outcome, result.detail = Outcome.CRASH, crash
    elif any(record.get("recheck") for _, record, _ in runs):
        first = next(record["recheck"] for _, record, _ in runs if record.get("recheck"))
        result.detail = (f"past its first limit ({first['first_limit_ms']:.0f} ms), finished in "
                         f"{ms:.0f} ms on the re-check")
    return result


def timeout_detail(record: dict) -> str:
    """Why a run (a warm-loop record, or the Java driver's line) counts as a timeout."""
    base = record.get("base_cpu_ms")
    if record.get("limit_hit") == "hits":
        counts = f" ({record['hits']} calls, limit {record['hit_limit']})" if "hit_limit" in record else ""
        return (f"the tests called the mutation switches far more often than without the mutant{counts}: "
                f"an endless loop, stopped after {record['ms']:.0f} ms")
    if record.get("limit_hit") == "cpu":
        why = f" ({base:.1f} ms without the mutant)" if base is not None else ""
        return (f"the tests used more than {record['cpu_limit_ms']:.0f} ms of CPU time{why} and were "
                f"stopped after {record['ms']:.0f} ms")
    recheck = record.get("recheck")
    if not recheck:
        return f"the tests ran past their wall-clock limit of {record['limit_ms']:.0f} ms and were stopped"
    return (f"the tests ran past their wall-clock limit of {recheck['first_limit_ms']:.0f} ms, and past "
            f"{record['limit_ms']:.0f} ms on a re-check (the tests without the mutant took "
            f"{recheck['reference_ms']:.0f} ms then)")
