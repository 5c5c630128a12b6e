"""jest and vitest suites in the warm worker (js_support/runner_api.cjs), checked against the
rebuild fallback, which runs each mutant through the real jest / vitest."""

from __future__ import annotations

from pathlib import Path

import pytest

from taskaudit.formats import load_tasks
from taskaudit.languages import get_language
from taskaudit.model import Task
from taskaudit.mutation.base import MutationJob
from taskaudit.mutation.engine import run_mutation
from taskaudit.mutation.model import Outcome
from taskaudit.mutation.rebuild import rebuild_results
from taskaudit.runner import reference_variant, run_variant
from taskaudit.sandbox import get_backend

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ["javascript-jest/good", "javascript-vitest/good", "typescript-jest/good"]


def reference_of(task: Task):
    backend, language = get_backend(), get_language(task.language)
    reference = run_variant(task, reference_variant(task), backend, language)
    assert reference.status.value == "completed", reference.detail
    return backend, language, reference


@pytest.mark.parametrize("example", EXAMPLES)
def test_runner_suites_run_warm_and_agree_with_the_real_runner(example):
    task = load_tasks([str(ROOT / "examples/tasks" / example)])[0]
    backend, language, reference = reference_of(task)
    workspace = reference_variant(task).workspace
    run = run_mutation(task, workspace, reference, backend, language)
    assert any(n.startswith("warm worker") for n in run.notes), run.notes
    # Only module-level code (outside any function) is rebuilt.
    assert sum(r.detail == "rebuilt" for r in run.results) <= len(run.results) // 10
    counts = {o: sum(r.outcome == o for r in run.results) for o in Outcome}
    assert counts[Outcome.KILLED] >= 25 and counts[Outcome.TIMEOUT] >= 1
    killed = [r for r in run.results if r.outcome == Outcome.KILLED and r.detail != "rebuilt"]
    assert all(r.killed_by and set(r.killed_by) <= set(r.covered_by) for r in killed)
    # The real runner (a rebuild per mutant) reaches the same verdict on a sample of killed and
    # surviving mutants, killing tests included.
    survived = [r for r in run.results if r.outcome == Outcome.SURVIVED and r.detail != "rebuilt"]
    sample = killed[:: max(1, len(killed) // 3)][:3] + survived[:2]
    job = MutationJob(task, workspace, [r.mutant for r in sample], backend, language, reference)
    rebuilt = {r.mutant.id: r for r in rebuild_results(job, job.mutants)}
    for warm in sample:
        real = rebuilt[warm.mutant.id]
        assert (real.outcome, real.killed_by) == (warm.outcome, warm.killed_by), warm.mutant.id


def test_second_audit_gives_the_same_mutants_and_outcomes():
    task = load_tasks([str(ROOT / "examples/tasks/javascript-jest/good")])[0]
    backend, language, reference = reference_of(task)
    workspace = reference_variant(task).workspace
    first = run_mutation(task, workspace, reference, backend, language)
    second = run_mutation(task, workspace, reference, backend, language)
    assert [(r.mutant.id, r.outcome, r.killed_by) for r in first.results] == [
        (r.mutant.id, r.outcome, r.killed_by) for r in second.results]


SOLUTION = """
function double(x) {
  return x * 2;
}
function tally(items) {
  let n = 0;
  for (const item of items) {
    if (item > 0) n += 1;
  }
  return n;
}
module.exports = { double, tally };
"""

JEST_TESTS = """
const { double, tally } = require("../app/mod.js");

describe("double", () => {
  let calls;
  beforeEach(() => { calls = jest.fn(); });
  test.each([[1, 2], [2, 4], [-3, -6]])("double(%i) is %i", (x, want) => {
    calls(x);
    expect(double(x)).toBe(want);
    expect(calls).toHaveBeenCalledWith(x);
  });
  test("async with done", (done) => {
    setImmediate(() => { expect(double(0)).toBe(0); done(); });
  });
});

test("tally counts positives", () => {
  expect.assertions(1);
  expect(tally([1, -1, 2])).toEqual(2);
});
"""


def inline_task(tests: str, runner: str) -> Task:
    example = ROOT / "examples/tasks" / f"javascript-{runner}/good/environment/app"
    starter = {name: (example / name).read_bytes() for name in ("package.json", "package-lock.json")}
    return Task(
        id="t", source="inline", format="test", language="javascript", test_runner=runner,
        statement="Implement mod.js.", starter_files=starter,
        solution_files={"mod.js": SOLUTION.encode()}, test_files={"mod.test.js": tests.encode()},
        solution_paths=["mod.js"],
    )


def test_jest_each_mocks_done_callbacks_and_assertion_counts_run_warm():
    task = inline_task(JEST_TESTS, "jest")
    backend, language, reference = reference_of(task)
    assert sum(t.outcome.value == "passed" for t in reference.tests) == 5
    run = run_mutation(task, reference_variant(task).workspace, reference, backend, language)
    assert any(n.startswith("warm worker") for n in run.notes), run.notes
    by = {(r.mutant.line, r.mutant.operator, r.mutant.replacement): r for r in run.results}
    times = by[(3, "arithmetic", "/")]
    assert times.outcome == Outcome.KILLED
    # jest-each's own titles, so the ids are the ones jest reported for the reference.
    assert "mod.test.js::double::double(1) is 2" in times.killed_by
    assert by[(8, "boundary", ">=")].outcome == Outcome.SURVIVED
    assert by[(8, "relational", "<=")].killed_by == ["mod.test.js::tally counts positives"]


def test_a_suite_the_warm_runner_cannot_express_falls_back_to_rebuilds():
    tests = JEST_TESTS.replace('describe("double"', 'jest.useFakeTimers();\ndescribe("double"')
    task = inline_task(tests, "jest")
    backend, language, reference = reference_of(task)
    run = run_mutation(task, reference_variant(task).workspace, reference, backend, language)
    assert any("rebuilt instead" in n and "jest.useFakeTimers" in n for n in run.notes), run.notes
    assert {r.detail for r in run.results if r.outcome in (Outcome.KILLED, Outcome.SURVIVED)} == {"rebuilt"}


VITEST_TESTS = """
import { describe, test, expect, vi, beforeEach } from "vitest";
import { double, tally } from "../app/mod.js";

describe("double", () => {
  let calls;
  beforeEach(() => { calls = vi.fn(); });
  test.each([[1, 2], [2, 4], [-3, -6]])("double(%i) is %i", (x, want) => {
    calls(x);
    expect(double(x)).toBe(want);
    expect(calls).toHaveBeenCalledWith(x);
  });
  test.each([{ x: 1, want: 2 }, { x: 5, want: 10 }])("double($x) -> $want", ({ x, want }) => {
    expect(double(x)).toBe(want);
  });
});

test("tally counts positives", () => {
  expect.assertions(1);
  expect(tally([1, -1, 2])).toEqual(2);
});
"""


def test_vitest_each_titles_vi_fn_and_assertion_counts_run_warm():
    task = inline_task(VITEST_TESTS, "vitest")  # the example's package.json: "type": "module"
    task.solution_files = {"mod.js": SOLUTION.replace("module.exports = { double, tally };",
                                                      "export { double, tally };").encode()}
    backend, language, reference = reference_of(task)
    assert sum(t.outcome.value == "passed" for t in reference.tests) == 6
    run = run_mutation(task, reference_variant(task).workspace, reference, backend, language)
    assert any(n.startswith("warm worker") for n in run.notes), run.notes
    by = {(r.mutant.line, r.mutant.operator, r.mutant.replacement): r for r in run.results}
    times = by[(3, "arithmetic", "/")]
    assert times.detail != "rebuilt" and times.outcome == Outcome.KILLED
    # vitest's own titles (printf and $name), so the ids are the ones vitest reported.
    assert {"mod.test.js::double::double(1) is 2", "mod.test.js::double::double(5) -> 10"} <= set(times.killed_by)
    assert by[(8, "relational", "<=")].killed_by == ["mod.test.js::tally counts positives"]
