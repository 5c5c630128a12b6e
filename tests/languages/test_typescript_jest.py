"""jest on TypeScript tests: compiled once with tsc (types of @jest/globals from the task's own
node_modules), then run by jest with taskaudit's config and reporter; results are named by the
.ts files. Needs node and npm (the task's lock file is installed once per machine)."""

from __future__ import annotations

from pathlib import Path

import pytest

from taskaudit.languages.javascript import TypeScriptLanguage
from taskaudit.model import Outcome, RunStatus, Task
from taskaudit.runner import Variant, reference_variant, run_variant
from taskaudit.sandbox import get_backend

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "tasks" / "typescript-jest"
APP = EXAMPLES / "good" / "environment" / "app"
DEPS = {name: (APP / name).read_bytes() for name in ("package.json", "package-lock.json")}
TESTS = {
    "add.test.ts": b"""import { describe, expect, test } from "@jest/globals";
import { add } from "../app/calc";

describe("add", () => {
  test("small", () => {
    expect(add(1, 2)).toBe(3);
  });
  test("negative", () => {
    expect(add(-1, -2)).toBe(-3);
  });
});
""",
}
EXPECTED = ["add.test.ts::add::small", "add.test.ts::add::negative"]
RIGHT = "export function add(a: number, b: number): number {\n  return a + b;\n}\n"


def task(solution: str) -> Task:
    return Task(
        id="calc", source="<test>", format="test", language="typescript", test_runner="node",
        statement="Write add(a, b) returning the sum of two numbers.",
        starter_files=dict(DEPS), solution_files={"calc.ts": solution.encode()},
        test_files=TESTS, solution_paths=["calc.ts"], timeout_sec=60,
    )


@pytest.fixture(scope="module")
def backend():
    return get_backend(None)


def run(t: Task, backend):
    return run_variant(t, reference_variant(t), backend, TypeScriptLanguage())


def test_correct_solution_passes_under_jest(backend):
    result = run(task(RIGHT), backend)
    assert result.status == RunStatus.COMPLETED, result.detail
    assert "jest/bin/jest.js" in " ".join(result.command)
    assert sorted(t.test_id for t in result.tests) == sorted(EXPECTED)
    assert result.passed_all(EXPECTED)


def test_wrong_solution_fails_with_jest_messages(backend):
    result = run(task(RIGHT.replace("a + b", "a - b")), backend)
    assert result.status == RunStatus.COMPLETED, result.detail
    assert result.outcomes() == {t: Outcome.FAILED for t in EXPECTED}
    assert "toBe" in (result.tests[0].message or "")


@pytest.mark.parametrize(
    "solution",
    ["process.exit(0);\n" + RIGHT.replace("a + b", "0"),
     "export function add(a: number, b: number): number {\n  process.exit(0);\n}\n"],
    ids=["at-load", "in-function"],
)
def test_exit_with_success_is_never_a_pass(backend, solution):
    result = run(task(solution), backend)
    assert not result.passed_all(EXPECTED), (result.status, result.detail)
    assert not any(t.outcome == Outcome.PASSED for t in result.tests)
    assert result.status == RunStatus.INCOMPLETE and "reporter" in result.detail


def test_type_error_is_a_build_failure(backend):
    result = run(task("export function add(a: number, b: number): number {\n  return 'x';\n}\n"), backend)
    assert result.status == RunStatus.BUILD_FAILED
    assert "TypeScript does not compile" in result.detail and "calc.ts" in result.detail


def test_empty_baseline_never_passes(backend):
    t = task(RIGHT)
    result = run_variant(t, Variant("baseline", dict(DEPS)), backend, TypeScriptLanguage())
    assert not any(x.outcome == Outcome.PASSED for x in result.tests)
    assert result.status != RunStatus.COMPLETED or not result.passed_all(EXPECTED)


def test_examples_run_under_jest(examples_audit):
    # Verdicts and codes of every example are pinned in tests/test_examples.py.
    tasks = examples_audit.language("typescript-jest")
    assert sorted(tasks) == ["good", "reference-fails"]
    for task in tasks.values():
        reference = next(r for r in task["runs"] if r["variant"].startswith("reference"))
        assert "jest/bin/jest.js" in " ".join(reference["command"])
