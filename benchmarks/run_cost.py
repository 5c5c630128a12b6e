"""What one sandboxed run costs: the parts of a Python run, and a whole run in every language.

Run:  .venv/bin/python benchmarks/run_cost.py [--repeat 10]
Prints the median of each step in milliseconds, measured one run at a time: sandbox start,
sandbox start with a writable workspace (a size-capped tmpfs seeded and copied back, beside a
plain writable bind without the cap), interpreter start, pytest import, then one reference run of each language's
``examples/tasks/<language>/good`` (after one warm-up run that fills per-machine caches), and
of a HumanEval-X Rust row (its tests are a unit-test module: ``cargo test --lib``).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from taskaudit.formats import load_tasks
from taskaudit.languages import get_language
from taskaudit.languages.python import PythonLanguage
from taskaudit.runner import reference_variant, run_variant
from taskaudit.sandbox import BwrapBackend, get_backend
from taskaudit.sandbox.base import Mount, SandboxRequest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "tasks"
HUMANEVAL_X_RUST = ROOT / "tests" / "formats" / "fixtures" / "humaneval_x" / "humaneval_rust.jsonl"


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()

    backend = get_backend(None)
    language = PythonLanguage()
    mounts = list(language._toolchain_mounts())

    def sandboxed(argv: list[str]):
        return lambda: backend.run(SandboxRequest(argv=argv, cwd="/", mounts=mounts))

    # The Python good example's workspace and a results dir, as a run mounts them.
    good = load_tasks([EXAMPLES / "python" / "good"])[0]
    scratch = Path(tempfile.mkdtemp(prefix="taskaudit-runcost-"))
    for rel, data in {**good.starter_files, **good.solution_files}.items():
        (scratch / "app" / rel).parent.mkdir(parents=True, exist_ok=True)
        (scratch / "app" / rel).write_bytes(data)
    (scratch / "results").mkdir()
    writable = [Mount(scratch / "app", "/app", writable=True),
                Mount(scratch / "results", "/results", writable=True)]

    def with_workspace(sandbox):
        request = SandboxRequest(argv=["/bin/true"], cwd="/app", mounts=writable)
        return lambda: sandbox.run(request)

    steps = {
        "sandbox start (/bin/true)": sandboxed(["/bin/true"]),
        f"sandbox start, writable /app ({len(good.starter_files) + len(good.solution_files)} files) "
        "+ /results, size-capped tmpfs": with_workspace(backend),
        "sandbox start, writable /app + /results, plain bind (no cap)":
            with_workspace(BwrapBackend(cap_writable=False)),
        "python -I -c pass": sandboxed([sys.executable, "-I", "-c", "pass"]),
        "python -I -c 'import pytest'": sandboxed([sys.executable, "-I", "-c", "import pytest"]),
    }
    for name, fn in steps.items():
        print(f"{median_ms(fn, args.repeat):8.1f} ms  {name}")
    shutil.rmtree(scratch, ignore_errors=True)

    examples = [(f"examples/tasks/{good.parent.name}/good", load_tasks([good])[0])
                for good in sorted(EXAMPLES.glob("*/good"))]
    examples.append(("HumanEval-X Rust/0, unit-test module", load_tasks([HUMANEVAL_X_RUST])[0]))
    # Every whole run twice, alternating: through the size-capped workspace (the default) and
    # through a plain writable bind (no total size cap), so both see the same machine load.
    plain = BwrapBackend(cap_writable=False)
    for label, example in examples:
        example_language = get_language(example.language)

        def one_run(sandbox, example=example, example_language=example_language):
            result = run_variant(example, reference_variant(example), sandbox, example_language)
            assert result.status.value == "completed", result.detail
            return result

        # The warm-up fills per-machine caches (Go standard library, TypeScript, JUnit jar).
        tests = len(one_run(backend).tests)
        one_run(plain)
        capped_times, plain_times = [], []
        for _ in range(args.repeat):
            for sandbox, times in ((backend, capped_times), (plain, plain_times)):
                start = time.perf_counter()
                one_run(sandbox)
                times.append(time.perf_counter() - start)
        capped_ms = statistics.median(capped_times) * 1000
        plain_ms = statistics.median(plain_times) * 1000
        print(f"{capped_ms:8.1f} ms  whole reference run: {label} ({tests} tests)"
              f"   [plain bind: {plain_ms:.1f} ms, capped/plain {capped_ms / plain_ms:.2f}]")


if __name__ == "__main__":
    main()
