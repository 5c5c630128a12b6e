"""A JavaScript/TypeScript run passes only with a trusted per-test result for every test.

Each hostile solution here is wrong (it does not implement ``add``) and tries to make the run
look green anyway: exit early with success, kill a process, forge the reports, plant runner
configuration beside its code, rewrite the tests. None may be reported as passing. The last tests
run the CLI over examples/tasks/{javascript,typescript} and pin each example's verdict.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from taskaudit.languages import get_language
from taskaudit.languages.javascript import JavaScriptLanguage, TypeScriptLanguage
from taskaudit.languages.javascript_support.results import parse_junit_passes
from taskaudit.languages.javascript_support.toolchain import cache_root
from taskaudit.model import Outcome, RunStatus, Task
from taskaudit.runner import Variant, reference_variant, run_variant
from taskaudit.sandbox import get_backend

ROOT = Path(__file__).resolve().parents[2]

JS_TESTS = {
    "add.test.js": b"""const { describe, test } = require("node:test");
const assert = require("node:assert/strict");
const { add } = require("../app/calc.js");

describe("add", () => {
  test("small", () => {
    assert.equal(add(1, 2), 3);
  });
  test("negative", () => {
    assert.equal(add(-1, -2), -3);
  });
});
""",
}
JS_EXPECTED = ["add.test.js::add::small", "add.test.js::add::negative"]

TS_TESTS = {
    "add.test.ts": b"""import { test } from "node:test";
import assert from "node:assert/strict";
import { add } from "../app/calc";

test("small", () => {
  assert.equal(add(1, 2), 3);
});

test("negative", () => {
  assert.equal(add(-1, -2), -3);
});
""",
}
TS_EXPECTED = ["add.test.ts::small", "add.test.ts::negative"]

RIGHT_JS = "exports.add = (a, b) => a + b;\n"
WRONG_JS = "exports.add = (a, b) => 0;\n"
RIGHT_TS = "export function add(a: number, b: number): number {\n  return a + b;\n}\n"


def js_task(solution: str, extra: dict[str, bytes] | None = None, tests=None) -> Task:
    return Task(
        id="calc",
        source="<test>",
        format="test",
        language="javascript",
        test_runner="node",
        statement="Write add(a, b) returning the sum of two integers.",
        solution_files={"calc.js": solution.encode(), **(extra or {})},
        test_files=tests or JS_TESTS,
        solution_paths=["calc.js"],
        timeout_sec=30,
    )


def ts_task(solution: str, extra: dict[str, bytes] | None = None) -> Task:
    return Task(
        id="calc",
        source="<test>",
        format="test",
        language="typescript",
        test_runner="node",
        statement="Write add(a, b) returning the sum of two integers.",
        solution_files={"calc.ts": solution.encode(), **(extra or {})},
        test_files=TS_TESTS,
        solution_paths=["calc.ts"],
        timeout_sec=60,
    )


@pytest.fixture(scope="module")
def backend():
    return get_backend(None)


def run(task: Task, backend):
    language = TypeScriptLanguage() if task.language == "typescript" else JavaScriptLanguage()
    return run_variant(task, reference_variant(task), backend, language)


def never_passes(result, expected) -> None:
    assert not result.passed_all(expected), (result.status, result.detail, result.tests)


# --------------------------------------------------------------------------- toolchain


def test_registry_maps_both_languages():
    assert isinstance(get_language("javascript"), JavaScriptLanguage)
    assert isinstance(get_language("typescript"), TypeScriptLanguage)
    assert get_language("javascript").address_space_ok is False


def test_toolchain_is_detected_on_this_machine():
    ok, version = JavaScriptLanguage().toolchain()
    assert ok, version
    assert version.startswith("Node.js v")
    ok, version = TypeScriptLanguage().toolchain()
    assert ok and "TypeScript 5." in version


def test_cache_dir_honours_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_root() == tmp_path / "taskaudit" / "javascript"


# --------------------------------------------------------------------------- JavaScript runs


def test_correct_solution_passes_every_test(backend):
    result = run(js_task(RIGHT_JS), backend)
    assert result.status == RunStatus.COMPLETED, result.detail
    assert sorted(result.outcomes()) == sorted(JS_EXPECTED)
    assert result.passed_all(JS_EXPECTED)
    assert result.backend == "bwrap"


def test_wrong_solution_fails(backend):
    result = run(js_task(WRONG_JS), backend)
    assert result.status == RunStatus.COMPLETED, result.detail
    assert result.outcomes()["add.test.js::add::small"] == Outcome.FAILED
    assert "3" in (result.tests[0].message or "")


EXITS = {
    "exit at load": "process.exit(0);\n" + RIGHT_JS,
    "reallyExit at load": "process.reallyExit(0);\n" + RIGHT_JS,
    "kill self at load": "process.kill(process.pid);\n" + RIGHT_JS,
    "exit in the function": "exports.add = (a, b) => { process.exit(0); };\n",
    "SIGKILL self in the function": "exports.add = (a, b) => process.kill(process.pid, 'SIGKILL');\n",
    "kill the driver": "process.kill(process.ppid, 'SIGKILL');\n" + RIGHT_JS,
    "exit after a delay": "setTimeout(() => process.exit(0), 0);\n" + WRONG_JS,
    "exit code override": "process.on('exit', () => { process.exitCode = 0; });\n" + WRONG_JS,
}


@pytest.mark.parametrize("how", sorted(EXITS))
def test_exit_with_success_is_never_a_pass(backend, how):
    result = run(js_task(EXITS[how]), backend)
    never_passes(result, JS_EXPECTED)
    assert result.status != RunStatus.COMPLETED or all(t.outcome != Outcome.PASSED for t in result.tests)


def test_early_exit_in_a_later_test_leaves_that_file_incomplete(backend):
    tests = {
        "add.test.js": JS_TESTS["add.test.js"].replace(
            b'describe("add"',
            b'test("first", async () => { await new Promise((r) => setTimeout(r, 20)); });\n'
            b'describe("add"',
        )
    }
    solution = "exports.add = (a, b) => { process.exit(0); };\n"
    result = run(js_task(solution, tests=tests), backend)
    assert result.status == RunStatus.INCOMPLETE
    assert "exited early" in result.detail
    never_passes(result, JS_EXPECTED)


def test_forged_reports_then_exit_are_not_trusted(backend):
    forged = (
        '<?xml version="1.0"?><testsuites><testsuite name="add">'
        '<testcase name="small"/><testcase name="negative"/></testsuite></testsuites>'
    )
    session = {"nonce": "guess", "exit_code": 0, "phase": "test", "tests": [], "files": {}}
    solution = (
        "const fs = require('node:fs');\n"
        f"fs.writeFileSync('/results/junit.xml', {json.dumps(forged)});\n"
        f"fs.writeFileSync('/results/session.json', {json.dumps(json.dumps(session))});\n"
        "process.kill(process.ppid, 'SIGKILL');\n"
    )
    result = run(js_task(solution), backend)
    assert result.status == RunStatus.INCOMPLETE
    never_passes(result, JS_EXPECTED)


def test_forged_junit_while_the_driver_runs_is_caught(backend):
    forged = (
        '<?xml version="1.0"?><testsuites><testsuite name="add">'
        '<testcase name="small"/><testcase name="small"/></testsuite></testsuites>'
    )
    # Written after the driver's own report: the XML claims passes the driver never saw.
    solution = (
        "const fs = require('node:fs');\n"
        f"process.on('exit', () => fs.writeFileSync('/results/junit.xml', {json.dumps(forged)}));\n"
        + WRONG_JS
    )
    result = run(js_task(solution), backend)
    never_passes(result, JS_EXPECTED)


def test_syntax_error_in_the_solution_is_a_build_failure(backend):
    result = run(js_task("exports.add = (a, b => a;\n"), backend)
    assert result.status == RunStatus.BUILD_FAILED
    assert "SyntaxError" in result.detail


PLANTS = {
    "jest.config.js": b"module.exports = { testMatch: ['**/*.js'] };\n",
    "vitest.config.mjs": b"export default { test: { include: ['**/*.js'] } };\n",
    "vite.config.js": b"export default {};\n",
    ".mocharc.json": b'{"require": ["./hook.js"]}\n',
    "package.json": b'{"name": "x", "scripts": {"test": "true"}, "jest": {"testMatch": []}}\n',
    "node_modules/assert/index.js": b"module.exports = () => {};\n",
    "calc.test.js": b"require('node:test').test('always', () => {});\n",
    "tsconfig.json": b'{"compilerOptions": {"noEmitOnError": false}}\n',
}


@pytest.mark.parametrize("planted", sorted(PLANTS))
def test_planted_runner_configuration_is_inert_and_reported(backend, planted):
    result = run(js_task(WRONG_JS, {planted: PLANTS[planted]}), backend)
    never_passes(result, JS_EXPECTED)
    assert result.status == RunStatus.COMPLETED, result.detail  # the wrong solution simply fails
    assert sorted(result.outcomes()) == sorted(JS_EXPECTED)  # the planted test file never ran
    if planted == "package.json":
        assert "package.json fields jest, scripts" in result.detail
    else:
        assert planted in result.detail


def test_tests_are_read_only_for_the_solution(backend):
    solution = (
        "const fs = require('node:fs');\n"
        "try { fs.writeFileSync('/tests/add.test.js', 'require(\"node:test\").test(\"x\", () => {});'); }"
        " catch (e) {}\n" + WRONG_JS
    )
    result = run(js_task(solution), backend)
    never_passes(result, JS_EXPECTED)
    assert result.status == RunStatus.COMPLETED


def test_each_run_gets_a_fresh_workspace(backend):
    solution = (
        "const fs = require('node:fs');\n"
        "const seen = fs.existsSync('/app/marker');\n"
        "fs.writeFileSync('/app/marker', 'x');\n"
        "exports.add = (a, b) => (seen ? 0 : a + b);\n"
    )
    task = js_task(solution)
    assert run(task, backend).passed_all(JS_EXPECTED)
    assert run(task, backend).passed_all(JS_EXPECTED)


def test_empty_baseline_fails_every_test(backend):
    task = js_task(RIGHT_JS)
    result = run_variant(task, Variant("baseline", {}), backend, JavaScriptLanguage())
    never_passes(result, JS_EXPECTED)


def test_jest_style_tests_without_a_declared_runner_are_an_infrastructure_error(backend):
    # jest/vitest tasks run with the runner their package.json pins (test_javascript_runners.py);
    # without one declared, taskaudit has nothing to run them with: not a defect of the task.
    tests = {"add.test.js": b"const { add } = require('../app/calc.js');\n"
             b"test('small', () => { expect(add(1, 2)).toBe(3); });\n"}
    result = run(js_task(RIGHT_JS, tests=tests), backend)
    assert result.status == RunStatus.INFRA_ERROR
    assert "jest" in result.detail
    assert "package.json" in result.detail


# --------------------------------------------------------------------------- TypeScript runs


def test_typescript_correct_solution_passes(backend):
    result = run(ts_task(RIGHT_TS), backend)
    assert result.status == RunStatus.COMPLETED, result.detail
    assert result.passed_all(TS_EXPECTED)


def test_typescript_type_error_of_the_reference_is_a_build_failure(backend):
    result = run(ts_task("export function add(a: number, b: number): number {\n  return 'x';\n}\n"), backend)
    assert result.status == RunStatus.BUILD_FAILED
    assert "TS2322" in result.detail and "/app/calc.ts" in result.detail


def test_typescript_exit_at_load_is_never_a_pass(backend):
    result = run(ts_task("process.exit(0);\n" + RIGHT_TS), backend)
    never_passes(result, TS_EXPECTED)
    assert result.status == RunStatus.INCOMPLETE


def test_typescript_compiled_tests_are_read_only(backend):
    solution = (
        "import * as fs from 'node:fs';\n"
        "for (const p of ['/taskaudit-tests/add.test.js', '/tests/add.test.ts']) {\n"
        "  try { fs.writeFileSync(p, ''); } catch (e) { /* read-only */ }\n"
        "}\n"
        "export function add(a: number, b: number): number {\n  return 0;\n}\n"
    )
    result = run(ts_task(solution), backend)
    never_passes(result, TS_EXPECTED)
    assert result.status == RunStatus.COMPLETED, result.detail


def test_typescript_planted_tsconfig_is_inert_and_reported(backend):
    tsconfig = b'{"compilerOptions": {"noEmitOnError": false, "noCheck": true}}\n'
    bad = "export function add(a: number, b: number): number {\n  return 'x';\n}\n"
    result = run(ts_task(bad, {"tsconfig.json": tsconfig}), backend)
    assert result.status == RunStatus.BUILD_FAILED
    assert "tsconfig.json" in result.detail


# --------------------------------------------------------------------------- static analysis


STATIC = b"""const { describe, it, test } = require("node:test");
const assert = require("node:assert");

function check(value) {
  assert.equal(value, 1);
  assert.ok(value);
}

describe("outer", () => {
  describe("inner", () => {
    it("uses a helper", () => {
      check(1);
    });
  });
  test("expects", () => {
    expect(1).toBe(1);
    assert.throws(() => { throw new Error(); });
  });
});

test("asserts nothing", () => {
  console.log("hi");
});

test.skip("skipped", (t) => {
  t.assert.ok(true);
});
"""


def test_assertion_points_count_asserts_expectations_and_helpers():
    points = JavaScriptLanguage().assertion_points({"x.test.js": STATIC, "helper.js": b"assert(1)"})
    assert [(name, line, n) for _, name, line, n in points] == [
        ("outer::inner::uses a helper", 11, 2),
        ("outer::expects", 15, 2),
        ("asserts nothing", 21, 0),
        ("skipped", 25, 1),
    ]


def test_assertion_points_read_typescript():
    points = TypeScriptLanguage().assertion_points(TS_TESTS)
    assert [(name, n) for _, name, _, n in points] == [("small", 1), ("negative", 1)]


def test_locate_test_finds_file_and_line():
    language = JavaScriptLanguage()
    assert language.locate_test("x.test.js::outer::expects", {"x.test.js": STATIC}) == ("x.test.js", 15)
    assert language.locate_test("x.test.js::gone", {"x.test.js": STATIC}) == ("x.test.js", None)
    assert language.locate_test("missing.test.js::a", {"x.test.js": STATIC}) is None


def test_planted_files_lists_configuration_and_solution_side_tests():
    planted = JavaScriptLanguage().planted_files(dict.fromkeys(
        ["rle.js", "jest.config.ts", "node_modules/x/index.js", "rle.spec.js", "__tests__/a.js",
         ".mocharc.yml", "vite.config.mts", "lib/util.js"], b""
    ))
    assert list(planted) == sorted(
        ["jest.config.ts", "node_modules/x/index.js", "rle.spec.js", "__tests__/a.js", ".mocharc.yml", "vite.config.mts"]
    )


def test_parse_junit_refuses_entity_expansion():
    from defusedxml import EntitiesForbidden

    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><testsuites>&a;</testsuites>'
    with pytest.raises(EntitiesForbidden):
        parse_junit_passes(bomb)


# --------------------------------------------------------------------------- examples

@pytest.mark.parametrize("language", ["javascript", "typescript"])
def test_example_failures_point_at_the_test(examples_audit, language):
    # Verdicts and codes of every example are pinned in tests/test_examples.py.
    tasks = examples_audit.language(language)
    v001 = next(f for f in tasks["reference-fails"]["findings"] if f["code"] == "V001"
                and "multi-digit" in f["message"])
    assert v001["location"]["path"].endswith(f"tests/rle.test.{'js' if language == 'javascript' else 'ts'}")
    assert v001["location"]["line"] == 39  # test("multi-digit count"
