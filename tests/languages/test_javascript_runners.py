"""jest and vitest tasks: run in the sandbox with taskaudit's own config, results trusted only
through taskaudit's reporter (nonce, exit code, every JSON pass also recorded).

The dependencies come from the examples' package.json + package-lock.json (installed once per
machine into taskaudit's cache with ``npm ci --ignore-scripts``; the first run needs the npm
registry).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from taskaudit.languages.javascript import JavaScriptLanguage
from taskaudit.model import Outcome, RunStatus, Task
from taskaudit.runner import Variant, reference_variant, run_variant
from taskaudit.sandbox import get_backend

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "tasks"


def _deps(runner: str) -> dict[str, bytes]:
    app = EXAMPLES / f"javascript-{runner}" / "good" / "environment" / "app"
    return {name: (app / name).read_bytes() for name in ("package.json", "package-lock.json")}


JEST_TESTS = {
    "add.test.js": b"""const { describe, test, expect } = require("@jest/globals");
const { add } = require("../app/calc.js");

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
VITEST_TESTS = {
    "add.test.js": b"""import { describe, test, expect } from "vitest";
import { add } from "../app/calc.js";

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
EXPECTED = ["add.test.js::add::small", "add.test.js::add::negative"]

RIGHT = {
    "jest": "exports.add = (a, b) => a + b;\n",
    "vitest": "export const add = (a, b) => a + b;\n",
}
WRONG = {
    "jest": "exports.add = (a, b) => 0;\n",
    "vitest": "export const add = (a, b) => 0;\n",
}
EXIT_AT_LOAD = {
    "jest": "process.exit(0);\nexports.add = (a, b) => 0;\n",
    "vitest": "process.exit(0);\nexport const add = (a, b) => 0;\n",
}
EXIT_IN_FUNCTION = {
    "jest": "exports.add = (a, b) => process.exit(0);\n",
    "vitest": "export const add = (a, b) => process.exit(0);\n",
}
# Planted configuration that, if honoured, would route the tests to a correct fake.
PLANTED = {
    "jest": {
        "jest.config.js": b'module.exports = { moduleNameMapper: { "calc\\\\.js$": "/app/fake.js" } };\n',
        "fake.js": b"exports.add = (a, b) => a + b;\n",
    },
    "vitest": {
        "vitest.config.ts": b'export default { resolve: { alias: { "../app/calc.js": "/app/fake.js" } } };\n',
        "vite.config.js": b'export default { resolve: { alias: { "../app/calc.js": "/app/fake.js" } } };\n',
        "fake.js": b"export const add = (a, b) => a + b;\n",
    },
}
RUNNERS = ["jest", "vitest"]


def task(runner: str, solution: str, extra: dict[str, bytes] | None = None, deps: bool = True) -> Task:
    return Task(
        id="calc",
        source="<test>",
        format="test",
        language="javascript",
        test_runner="node",
        statement="Write add(a, b) returning the sum of two integers.",
        starter_files=_deps(runner) if deps else {},
        solution_files={"calc.js": solution.encode(), **(extra or {})},
        test_files=JEST_TESTS if runner == "jest" else VITEST_TESTS,
        solution_paths=["calc.js"],
        timeout_sec=60,
    )


@pytest.fixture(scope="module")
def backend():
    return get_backend(None)


def run(t: Task, backend):
    return run_variant(t, reference_variant(t), backend, JavaScriptLanguage())


def never_passes(result) -> None:
    assert not result.passed_all(EXPECTED), (result.status, result.detail, result.tests)
    assert not any(t.outcome == Outcome.PASSED for t in result.tests), result.tests


@pytest.mark.parametrize("runner", RUNNERS)
def test_correct_solution_passes_every_test(backend, runner):
    result = run(task(runner, RIGHT[runner]), backend)
    assert result.status == RunStatus.COMPLETED, result.detail
    assert result.passed_all(EXPECTED), result.tests
    assert sorted(t.test_id for t in result.tests) == sorted(EXPECTED)


@pytest.mark.parametrize("runner", RUNNERS)
def test_wrong_solution_fails(backend, runner):
    result = run(task(runner, WRONG[runner]), backend)
    assert result.status == RunStatus.COMPLETED, result.detail
    assert {t.test_id: t.outcome for t in result.tests} == {t: Outcome.FAILED for t in EXPECTED}
    assert "expected" in (result.tests[0].message or "").lower()


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("how", ["at load", "in the function under test"])
def test_exit_with_success_is_never_a_pass(backend, runner, how):
    solution = EXIT_AT_LOAD[runner] if how == "at load" else EXIT_IN_FUNCTION[runner]
    never_passes(run(task(runner, solution), backend))


@pytest.mark.parametrize("runner", RUNNERS)
def test_planted_runner_configuration_is_inert(backend, runner):
    result = run(task(runner, WRONG[runner], PLANTED[runner]), backend)
    assert result.status == RunStatus.COMPLETED, result.detail
    never_passes(result)


@pytest.mark.parametrize("runner", RUNNERS)
def test_empty_baseline_never_passes(backend, runner):
    t = task(runner, RIGHT[runner])
    never_passes(run_variant(t, Variant("baseline", {}), backend, JavaScriptLanguage()))


def test_a_lock_file_is_required(backend):
    t = task("jest", RIGHT["jest"], deps=False)
    t.starter_files = {"package.json": _deps("jest")["package.json"]}
    result = run(t, backend)
    assert result.status == RunStatus.INFRA_ERROR
    assert "package-lock.json" in result.detail


def test_undeclared_runner_is_an_infrastructure_error(backend):
    result = run(task("jest", RIGHT["jest"], deps=False), backend)
    assert result.status == RunStatus.INFRA_ERROR
    assert "jest" in result.detail and "package.json" in result.detail


@pytest.mark.parametrize("runner", RUNNERS)
def test_examples_run_with_their_runner(examples_audit, runner):
    # Verdicts and codes of every example are pinned in tests/test_examples.py.
    for task in examples_audit.language(f"javascript-{runner}").values():
        reference = next(r for r in task["runs"] if r["variant"].startswith("reference"))
        assert f"{runner}" in " ".join(reference["command"]), reference["command"]
        assert reference["status"] == "completed"


@pytest.mark.parametrize("runner", RUNNERS)
def test_a_json_pass_the_reporter_did_not_record_is_not_trusted(tmp_path, runner):
    from taskaudit.languages.javascript_support.prepare import JsPreparedRun
    from taskaudit.languages.javascript_support.runners import parse_runner_run

    class Done:
        exit_code = 0

    report = {"testResults": [{"name": "/tests/add.test.js", "message": "", "assertionResults": [
        {"ancestorTitles": ["add"], "title": "small", "status": "passed", "failureMessages": []}]}]}
    (tmp_path / ("runner.json" if runner == "jest" else "vitest.json")).write_text(json.dumps(report))
    prepared = JsPreparedRun(argv=[], cwd="/app", mounts=[], results_dir=tmp_path, secret="n0nce",
                             runner=runner, test_files=["add.test.js"])

    def session(status: str, nonce: str = "n0nce", code: int = 0) -> None:
        (tmp_path / "session.json").write_text(json.dumps({
            "nonce": nonce, "runner": runner, "exit_code": code, "files": {},
            "tests": [{"file": "add.test.js", "suites": ["add"], "name": "small", "status": status}]}))

    session("passed")
    assert parse_runner_run(prepared, Done()).status == RunStatus.COMPLETED
    session("failed")
    parsed = parse_runner_run(prepared, Done())
    assert parsed.status == RunStatus.INCOMPLETE and "tampered" in parsed.detail
    session("passed", nonce="guess")
    assert parse_runner_run(prepared, Done()).status == RunStatus.INCOMPLETE
    session("passed", code=1)
    assert parse_runner_run(prepared, Done()).status == RunStatus.INCOMPLETE


def test_vitest_runs_typescript_tests(backend):
    from taskaudit.languages.javascript import TypeScriptLanguage

    tests = {"add.test.ts": VITEST_TESTS["add.test.js"].replace(b"../app/calc.js", b"../app/calc")}
    t = Task(
        id="calc", source="<test>", format="test", language="typescript", test_runner="node",
        statement="Write add(a, b) returning the sum of two integers.",
        starter_files=_deps("vitest"),
        solution_files={"calc.ts": b"export function add(a: number, b: number): number {\n  return a + b;\n}\n"},
        test_files=tests, solution_paths=["calc.ts"], timeout_sec=60,
    )
    result = run_variant(t, reference_variant(t), backend, TypeScriptLanguage())
    assert result.status == RunStatus.COMPLETED, result.detail
    assert result.passed_all(["add.test.ts::add::small", "add.test.ts::add::negative"]), result.tests


def test_node_test_tasks_with_dependencies_still_run_with_node(backend):
    # node:test tests beside a package.json that pins jest: node's runner, the deps mounted at
    # /node_modules (the read-only /tests cannot take a node_modules mount point).
    tests = {"add.test.js": b"""const { test } = require("node:test");
const assert = require("node:assert/strict");
const { add } = require("../app/calc.js");
test("small", () => { assert.equal(add(1, 2), 3); });
"""}
    t = task("jest", RIGHT["jest"])
    t.test_files = tests
    result = run(t, backend)
    assert result.status == RunStatus.COMPLETED, result.detail
    assert result.passed_all(["add.test.js::small"]), result.tests
