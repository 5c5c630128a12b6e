"""Python mutation testing: taskaudit (schemata + warm worker) against mutmut, side by side.

Run:  .venv/bin/python benchmarks/mutation_python.py [--skip-mutmut] [--sizes 10,100,1000]

1. The same tasks (examples/tasks/python/good, and a synthetic task of small functions) mutated
   by taskaudit and by mutmut 3.8.1 (installed
   from PyPI into its own venv under ~/.cache/taskaudit-bench on first use). Printed: mutants,
   total wall time, the per-mutant median each tool records for itself (taskaudit: the forked
   child's time; mutmut: ``durations_by_key`` in its .meta file), and the ratios.
   Both run one mutant at a time (mutmut ``--max-children 1``; taskaudit's worker is sequential).
2. The curve: one synthetic task with many mutation points, mutated with budgets of 10, 100
   and 1000 mutants. Printed per size: wall seconds, ms per mutant, the worker's CPU seconds per
   mutant and its peak resident memory (the worker process and the largest forked child).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from taskaudit.formats import load_tasks
from taskaudit.languages import get_language
from taskaudit.model import Task
from taskaudit.mutation.engine import run_mutation
from taskaudit.runner import reference_variant, run_variant
from taskaudit.sandbox import get_backend

ROOT = Path(__file__).resolve().parents[1]
TASK = ROOT / "examples" / "tasks" / "python" / "good"
CACHE = Path(os.environ.get("TASKAUDIT_BENCH_CACHE", Path.home() / ".cache" / "taskaudit-bench"))
MUTMUT = "mutmut==3.8.1"


def cpu_seconds() -> float:
    """CPU time of this process and of every child process it has waited for (the sandbox,
    the worker, its forks; or the peer tool and everything it started)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def own_cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def taskaudit_run(task: Task, budget: int = 100_000):
    backend, language = get_backend(), get_language("python")
    reference = run_variant(task, reference_variant(task), backend, language)
    assert reference.status.value == "completed", reference.detail
    started, cpu = time.perf_counter(), own_cpu_seconds()
    run = run_mutation(task, reference_variant(task).workspace, reference, backend, language, budget=budget)
    # The sandbox kills its process tree as soon as the worker exits, so the kernel's child
    # accounting never sees the worker: its CPU is what it measured itself (getrusage inside
    # the sandbox), plus taskaudit's own generation and instrumentation here. Rebuilt mutants
    # (a few per task, outside the worker) are not included.
    run.stats["total_cpu_sec"] = own_cpu_seconds() - cpu + run.stats.get("worker_cpu_sec", 0.0)
    return run, time.perf_counter() - started


def mutmut_venv() -> Path:
    venv = CACHE / "mutmut-venv"
    python = venv / "bin" / "python"
    if not (venv / "bin" / "mutmut").exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", MUTMUT, "pytest"], check=True)
    return venv


def mutmut_run(task: Task) -> tuple[int, float, float, float]:
    """(mutants, wall seconds, median seconds per mutant as mutmut records it, CPU seconds)."""
    venv = mutmut_venv()
    root = Path(tempfile.mkdtemp(prefix="bench-mutmut-"))
    try:
        package = root / "src" / "bench_pkg"
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("")
        for path in task.solution_paths:
            (package / path).write_bytes(task.solution_files[path])
        (root / "tests").mkdir()
        modules = [Path(p).stem for p in task.solution_paths]
        for name, content in task.test_files.items():
            if not name.endswith(".py"):
                continue
            text = content.decode()
            for module in modules:
                text = text.replace(f"from {module} import", f"from bench_pkg.{module} import")
            (root / "tests" / name).write_text(text)
        (root / "setup.cfg").write_text("[mutmut]\nsource_paths=src/bench_pkg\ntests_dir=tests/\n")
        (root / "pyproject.toml").write_text('[tool.pytest.ini_options]\npythonpath = ["src"]\n')
        started, cpu = time.perf_counter(), cpu_seconds()
        done = subprocess.run([str(venv / "bin" / "mutmut"), "run", "--max-children", "1"], cwd=root,
                              capture_output=True, text=True, timeout=3600, check=False)
        wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu
        metas = list((root / "mutants").rglob("*.py.meta"))
        durations = []
        count = 0
        for meta in metas:
            data = json.loads(meta.read_text())
            count += len(data.get("exit_code_by_key", {}))
            durations += list(data.get("durations_by_key", {}).values())
        if not count:
            raise RuntimeError(f"mutmut produced no results: {done.stdout[-500:]} {done.stderr[-500:]}")
        return count, wall, statistics.median(durations), cpu
    finally:
        shutil.rmtree(root, ignore_errors=True)


def synthetic_task(functions: int) -> Task:
    """A module of small functions (about 4 mutants each), one test per function."""
    source = "".join(f"def f{i}(x):\n    return x + {i + 2}\n\n\n" for i in range(functions))
    tests = "from many import *\n\n\n" + "".join(
        f"def test_f{i}():\n    assert f{i}(1) == {i + 3}\n\n\n" for i in range(functions))
    return Task(id=f"synthetic-{functions}", source="benchmark", format="test", language="python",
                test_runner="pytest", statement="Implement many.py.",
                solution_files={"many.py": source.encode()}, test_files={"test_many.py": tests.encode()},
                solution_paths=["many.py"], timeout_sec=600)


# DESIGN.md's measured floor per mutant for Python (fork after import, call the tests directly).
DESIGN_FLOOR_MS = 3.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-mutmut", action="store_true")
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--compare-functions", type=int, default=25,
                        help="size of the synthetic task both tools run (about 4 mutants a function)")
    args = parser.parse_args()

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall times grow with the "
          "load; CPU ms per mutant much less)")
    example = load_tasks([str(TASK)])[0]
    for label, task in ((str(TASK.relative_to(ROOT)), example),
                        (f"synthetic, {args.compare_functions} functions", synthetic_task(args.compare_functions))):
        run, wall = taskaudit_run(task)
        ours_median = run.stats.get("median_ms_per_mutant", float("nan"))
        print(f"\ntask: {label}")
        n = len(run.results)
        cpu = run.stats["total_cpu_sec"]
        print(f"{'tool':<12}{'mutants':>9}{'wall s':>9}{'median ms/mutant':>18}{'CPU s':>8}{'CPU ms/mutant':>15}")
        print(f"{'taskaudit':<12}{n:>9}{wall:>9.2f}{ours_median:>18.2f}{cpu:>8.2f}{cpu * 1000 / n:>15.1f}")
        outcomes = Counter(r.outcome.value for r in run.results)
        print(f"  taskaudit outcomes {dict(outcomes)}; a killed/surviving mutant's median: "
              f"{ours_median:.2f} ms wall, {run.stats.get('median_cpu_ms_per_mutant', float('nan')):.2f} ms CPU "
              f"(DESIGN.md floor {DESIGN_FLOOR_MS} ms: {ours_median / DESIGN_FLOOR_MS:.1f}x)")
        if not args.skip_mutmut:
            count, mm_wall, mm_median, mm_cpu = mutmut_run(task)
            print(f"{'mutmut 3.8':<12}{count:>9}{mm_wall:>9.2f}{mm_median * 1000:>18.2f}{mm_cpu:>8.2f}"
                  f"{mm_cpu * 1000 / count:>15.1f}")
            print(f"ratio (mutmut / taskaudit): per-mutant median {mm_median * 1000 / ours_median:.1f}x, "
                  f"wall per mutant {(mm_wall / count) / (wall / n):.1f}x, "
                  f"CPU per mutant {(mm_cpu / count) / (cpu / n):.1f}x")

    print("\nflat curve (synthetic task, one mutant at a time):")
    print(f"{'mutants':>8}{'wall s':>9}{'ms/mutant':>11}{'cpu ms/mutant':>15}{'worker MiB':>12}{'child MiB':>11}")
    sizes = [int(s) for s in args.sizes.split(",")]
    # One task with enough mutation points for the largest size: only the budget changes.
    synthetic = synthetic_task(max(sizes) // 4 + 1)
    for size in sizes:
        run, wall = taskaudit_run(synthetic, budget=size)
        n = len(run.results)
        s = run.stats
        print(f"{n:>8}{wall:>9.2f}{wall * 1000 / n:>11.2f}{s.get('worker_cpu_sec', 0) * 1000 / n:>15.2f}"
              f"{s.get('worker_peak_rss_mib', 0):>12.1f}{s.get('child_peak_rss_mib', 0):>11.1f}")


if __name__ == "__main__":
    main()
