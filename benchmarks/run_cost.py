"""What one sandboxed run costs: the parts of a Python run, and a whole run in every language.

Run:  .venv/bin/python benchmarks/run_cost.py [--repeat 10]
Prints the median of each step in milliseconds, measured one run at a time: sandbox start,
interpreter start, pytest import, then one reference run of each language's
``examples/tasks/<language>/good`` (after one warm-up run that fills per-machine caches), and
of a HumanEval-X Rust row (its tests are a unit-test module: ``cargo test --lib``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from taskaudit.formats import load_tasks
from taskaudit.languages import get_language
from taskaudit.languages.python import PythonLanguage
from taskaudit.runner import reference_variant, run_variant
from taskaudit.sandbox import get_backend
from taskaudit.sandbox.base import SandboxRequest

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

    steps = {
        "sandbox start (/bin/true)": sandboxed(["/bin/true"]),
        "python -I -c pass": sandboxed([sys.executable, "-I", "-c", "pass"]),
        "python -I -c 'import pytest'": sandboxed([sys.executable, "-I", "-c", "import pytest"]),
    }
    for name, fn in steps.items():
        print(f"{median_ms(fn, args.repeat):8.1f} ms  {name}")

    examples = [(f"examples/tasks/{good.parent.name}/good", load_tasks([good])[0])
                for good in sorted(EXAMPLES.glob("*/good"))]
    examples.append(("HumanEval-X Rust/0, unit-test module", load_tasks([HUMANEVAL_X_RUST])[0]))
    for label, example in examples:
        example_language = get_language(example.language)

        def one_run(example=example, example_language=example_language):
            result = run_variant(example, reference_variant(example), backend, example_language)
            assert result.status.value == "completed", result.detail
            return result

        # The warm-up fills per-machine caches (Go standard library, TypeScript, JUnit jar).
        tests = len(one_run().tests)
        print(f"{median_ms(one_run, args.repeat):8.1f} ms  whole reference run: {label} ({tests} tests)")


if __name__ == "__main__":
    main()
