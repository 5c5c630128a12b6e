"""The results store on HumanEval: a first audit into an empty store, then the same command again.

The second audit of an unchanged dataset should take seconds: every task is served from the
store, no sandbox is started. Both audits run the real CLI as a user would (default checks,
3 reference runs, W jobs), with a fresh SQLite store in a temporary folder:

  first    taskaudit audit HumanEval.jsonl.gz --store S -j W   (164 tasks audited, stored)
  second   the same command                                   (164 tasks from the store)
  rerun    the same with --rerun                              (only with --rerun-too)

Run:  .venv/bin/python benchmarks/store.py [--workers 2] [--json out/bench-store.json]
The machine is shared and noisy: read the ratio of the two, measured in one run.

With ``--lookups N`` it measures instead what the second audit of a large dataset spends in
the store: N stored results read back one query per task (``AuditCache.lookup``, as the engine
did before) and one query per chunk of 500 keys (``AuditCache.lookup_many``, as it does now),
side by side, in one run:

      .venv/bin/python benchmarks/store.py --lookups 20000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from humaneval import humaneval_path  # same folder


def audit(path: Path, store: Path, workers: int, out: Path, *extra: str) -> tuple[float, dict]:
    env = {k: v for k, v in os.environ.items() if k not in {"TASKAUDIT_NO_STORE", "TASKAUDIT_STORE"}}
    cmd = [sys.executable, "-m", "taskaudit.cli", "audit", str(path), "--store", str(store),
           "-j", str(workers), "-q", "--exit-zero", "--json", str(out), *extra]
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 3):
        raise SystemExit(f"audit failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return elapsed, json.loads(out.read_text())["summary"]


def synthetic_tasks(n: int):
    """n distinct small tasks (distinct content: the store is content-addressed)."""
    from taskaudit.model import Task

    return [
        Task(id=f"Synthetic/{i}", source=f"synthetic.jsonl:{i + 1}", format="jsonl",
             language="python", test_runner="pytest", statement=f"Return {i} plus x.",
             solution_files={"solution.py": f"def f(x):\n    return x + {i}\n".encode()},
             test_files={"test_solution.py": f"def test_f():\n    assert f(1) == {i + 1}\n".encode()})
        for i in range(n)
    ]


def lookups(n: int) -> dict:
    """Time reading n stored results back, per task and in bulk, on one SQLite store."""
    from taskaudit.checks.base import AuditConfig
    from taskaudit.checks.registry import default_checks
    from taskaudit.executors import infrastructure_error_report
    from taskaudit.model import Verdict
    from taskaudit.store import AuditCache, open_store

    tasks = synthetic_tasks(n)
    with tempfile.TemporaryDirectory(prefix="taskaudit-bench-lookup-") as tmp:
        with open_store(Path(tmp) / "results.db") as store:
            cache = AuditCache(store, AuditConfig(), default_checks(), "bwrap")
            for t in tasks:  # an ACCEPT report per task (served back: ERRORs are not)
                report = infrastructure_error_report(t, "synthetic").model_copy(
                    update={"verdict": Verdict.ACCEPT, "error": None})
                cache.record(t, report)
            fresh = lambda: AuditCache(store, AuditConfig(), default_checks(), "bwrap")  # noqa: E731
            start = time.perf_counter()
            one_by_one = [fresh().lookup(t) for t in tasks]
            per_task = time.perf_counter() - start
            start = time.perf_counter()
            bulk = fresh().lookup_many(tasks)
            per_chunk = time.perf_counter() - start
    assert all(r is not None for r in one_by_one) and [r.task_id for r in bulk] == [r.task_id for r in one_by_one]
    return {"results": n, "per_task_sec": round(per_task, 3), "per_chunk_sec": round(per_chunk, 3),
            "speedup": round(per_task / per_chunk, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--lookups", type=int, metavar="N",
                        help="only time reading N stored results back, per task vs per chunk")
    parser.add_argument("--rerun-too", action="store_true", help="also time --rerun")
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    args = parser.parse_args()

    if args.lookups:
        row = lookups(args.lookups)
        print(json.dumps(row))
        print(f"reading {row['results']} stored results back: one query per task "
              f"{row['per_task_sec']:.2f} s, one per chunk of 500 {row['per_chunk_sec']:.2f} s: "
              f"{row['speedup']:.1f}x")
        return

    path = humaneval_path()
    with tempfile.TemporaryDirectory(prefix="taskaudit-bench-store-") as tmp:
        store = Path(tmp) / "results.db"
        first_sec, first = audit(path, store, args.workers, Path(tmp) / "first.json")
        size = store.stat().st_size + sum(
            p.stat().st_size for p in Path(tmp).glob("results.db-*")
        )
        second_sec, second = audit(path, store, args.workers, Path(tmp) / "second.json")
        with sqlite3.connect(store) as conn:
            rows = conn.execute("SELECT count(*) FROM taskaudit_results").fetchone()[0]
        row = {
            "workers": args.workers,
            "first_sec": round(first_sec, 2),
            "first_verdicts": first,
            "second_sec": round(second_sec, 2),
            "second_verdicts": second,
            "same_verdicts": first == second,
            "speedup": round(first_sec / second_sec, 1),
            "store_rows": rows,
            "store_mib": round(size / 2**20, 2),
        }
        if args.rerun_too:
            rerun_sec, _ = audit(path, store, args.workers, Path(tmp) / "rerun.json", "--rerun")
            row["rerun_sec"] = round(rerun_sec, 2)
    print(json.dumps(row))
    print(f"HumanEval through the store, {args.workers} workers: first audit {first_sec:.1f} s, "
          f"second (unchanged, from the store) {second_sec:.2f} s: {first_sec / second_sec:.0f}x")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        meta = {
            "date": time.strftime("%Y-%m-%d"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                       f"Python {platform.python_version()}",
            "row": row,
        }
        args.json.write_text(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main()
