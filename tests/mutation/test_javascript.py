"""JavaScript/TypeScript mutants: generation, schemata (checked in Node), and the warm worker."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from taskaudit.formats import load_tasks
from taskaudit.languages import get_language
from taskaudit.model import Task
from taskaudit.mutation.engine import run_mutation
from taskaudit.mutation.javascript import build_js_schema, generate_js
from taskaudit.mutation.model import OPERATORS, Outcome, SurvivorKind
from taskaudit.runner import reference_variant, run_variant
from taskaudit.sandbox import get_backend

ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")

SNIPPET = b'''"use strict";
const LIMIT = 3;

function clamp(x, low = 0, high = 10) {
  if (x === undefined) {
    throw new TypeError("x is required");
  }
  if (x < low) return low;
  if (x > high && high >= 0) return high;
  return x;
}

function total(items) {
  let out = 0;
  for (const item of items) {
    if (!item) continue;
    if (item === 99) break;
    out += item * 2 - 1;
  }
  return out;
}

const shout = (name) => name.trim().toUpperCase() + "!";

function order(values) {
  console.log("ordering", values.length);
  return [...values].sort().slice(0, LIMIT);
}

class Box {
  constructor(items) {
    this.items = items ?? [];
  }
  get size() {
    return this.items.length + 1;
  }
  static twice(v) {
    let i = 0;
    i++;
    return v * 2 + i - 1;
  }
  flags() {
    return [true, false];
  }
}

module.exports = { clamp, total, shout, order, Box };
'''

BEHAVIOUR = r"""
const path = require('node:path');
const [dir, count] = [process.argv[2], Number(process.argv[3])];
console.log = () => {};
function behaviour(file) {
  delete require.cache[require.resolve(file)];
  const m = require(file);
  const calls = [
    () => m.clamp(-4), () => m.clamp(5), () => m.clamp(50), () => m.clamp(undefined),
    () => m.clamp(4, 0, -1), () => m.total([1, 0, 2, 99, 5]), () => m.total([]),
    () => m.shout("  ann "), () => m.order([5, 1, 4, 2]), () => new m.Box([1, 2]).size,
    () => m.Box.twice(4), () => new m.Box().flags(),
  ];
  return calls.map((c) => { try { return ['ok', c()]; } catch (e) { return ['raised', e.constructor.name]; } });
}
const out = {};
globalThis.__taskaudit_hit = () => 0;
out.original = behaviour(path.join(dir, 'original.cjs'));
out.schema0 = behaviour(path.join(dir, 'schema.cjs'));
for (let k = 1; k <= count; k++) {
  globalThis.__taskaudit_hit = () => k;
  out['schema' + k] = behaviour(path.join(dir, 'schema.cjs'));
  out['mutant' + k] = behaviour(path.join(dir, `mutant${k}.cjs`));
}
process.stdout.write(JSON.stringify(out));
"""


def test_every_operator_is_generated_with_stable_ids():
    mutants = generate_js("box.js", SNIPPET)
    assert {m.operator for m in mutants} == set(OPERATORS)
    assert [m.id for m in mutants] == [m.id for m in generate_js("box.js", SNIPPET)]
    assert len({m.id for m in mutants}) == len(mutants)
    assert not any(m.original == '"use strict"' for m in mutants)
    by = {(m.original, m.operator): m for m in mutants}
    assert by[('"x is required"', "constant")].context == "error_message"
    assert by[('"ordering"', "constant")].context == "output_message"


def test_typescript_types_and_imports_are_not_mutated():
    source = b'import { x } from "./x";\ntype N = 1 | 2;\nexport function f(a: number = 1): Array<string> {\n  return a > 1 ? ["a"] : [];\n}\n'
    mutants = generate_js("f.ts", source)
    assert mutants
    assert not any(m.line in (1, 2) for m in mutants)
    assert not any("string" in m.original or "Array" in m.original for m in mutants)


@pytest.mark.skipif(NODE is None, reason="node is required for the JavaScript mutation tests")
def test_schema_with_each_mutant_active_behaves_like_the_mutated_source(tmp_path):
    mutants = generate_js("box.js", SNIPPET)
    schema = build_js_schema({"box.js": SNIPPET}, mutants)
    # Module-level code (LIMIT = 3, the exports) and parameter defaults are conditionals on the
    # switch (they act at load time or per call); nothing here needs a rebuild.
    assert schema.unexpressed == []
    assert {m.line for m in schema.mutants} >= {2, 4, 47}
    (tmp_path / "original.cjs").write_bytes(SNIPPET)
    (tmp_path / "schema.cjs").write_bytes(schema.files["box.js"])
    order = sorted(schema.mutants, key=lambda m: schema.ids[m.id])
    for m in order:
        (tmp_path / f"mutant{schema.ids[m.id]}.cjs").write_bytes(m.apply(SNIPPET))
    (tmp_path / "behaviour.cjs").write_text(BEHAVIOUR)
    done = subprocess.run([NODE, str(tmp_path / "behaviour.cjs"), str(tmp_path), str(len(order))],
                          check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["schema0"] == out["original"]
    for m in order:
        k = schema.ids[m.id]
        assert out[f"schema{k}"] == out[f"mutant{k}"], m.id


def mutate(task: Task, **kw):
    backend, language = get_backend(), get_language(task.language)
    reference = run_variant(task, reference_variant(task), backend, language)
    assert reference.status.value == "completed", reference.detail
    return run_mutation(task, reference_variant(task).workspace, reference, backend, language, **kw)


@pytest.mark.parametrize("language", ["javascript", "typescript"])
def test_weak_tests_example_has_behavioural_survivors_in_the_warm_worker(language):
    task = load_tasks([str(ROOT / "examples/tasks" / language / "weak-tests")])[0]
    run = mutate(task)
    counts = Counter(r.outcome for r in run.results)
    assert counts[Outcome.KILLED] and counts[Outcome.NO_COVERAGE]
    assert any(r.outcome == Outcome.SURVIVED and r.survivor_kind == SurvivorKind.BEHAVIOURAL for r in run.results)
    assert any(n.startswith("warm worker") for n in run.notes), run.notes
    killed = [r for r in run.results if r.outcome == Outcome.KILLED and r.detail != "rebuilt"]
    assert killed and all(set(r.killed_by) <= set(r.covered_by) for r in killed)


def test_good_example_is_deterministic_and_nearly_all_killed():
    task = load_tasks([str(ROOT / "examples/tasks/javascript/good")])[0]
    first, second = mutate(task), mutate(task)
    assert first.score is not None and first.score >= 0.9
    assert [(r.mutant.id, r.outcome, r.killed_by) for r in first.results] == [
        (r.mutant.id, r.outcome, r.killed_by) for r in second.results
    ]


LOOPY = """
let calls = 0;
function countUp(n) {
  calls += 1;
  let i = 0;
  while (i < n) {
    i += 1;
  }
  return i;
}
function safe(x) {
  if (x !== "boom") return x;
  process.exit(0);
}
function unused(x) {
  return x - 1;
}
module.exports = { countUp, safe, unused, calls: () => calls };
"""

LOOPY_TESTS = """
const { test, beforeEach } = require("node:test");
const assert = require("node:assert/strict");
const mod = require("../app/mod.js");
let seen = 0;
beforeEach(() => { seen += 1; });
test("count", () => { assert.equal(mod.countUp(3), 3); assert.equal(mod.calls(), 1); });
test("safe", async () => { assert.equal(await Promise.resolve(mod.safe("a")), "a"); assert.equal(seen, 2); });
"""


def js_task(solution: str, tests: str, test_name: str = "mod.test.js") -> Task:
    return Task(
        id="t", source="inline", format="test", language="javascript", test_runner="node",
        statement="Implement mod.js.", solution_files={"mod.js": solution.encode()},
        test_files={test_name: tests.encode()}, solution_paths=["mod.js"],
    )


def test_timeout_crash_no_coverage_and_fresh_modules_per_mutant():
    run = mutate(js_task(LOOPY, LOOPY_TESTS))
    by = {(r.mutant.line, r.mutant.operator, r.mutant.replacement): r for r in run.results}
    assert by[(7, "arithmetic", "-=")].outcome == Outcome.TIMEOUT
    # Removing the guard makes safe() end the process: a crash, never a survivor.
    assert by[(12, "remove_guard", "{}")].outcome == Outcome.CRASH
    assert by[(16, "arithmetic", "+")].outcome == Outcome.NO_COVERAGE
    # The test asserts calls() == 1 and seen == 2: true only if modules are loaded afresh for
    # each mutant (and beforeEach ran once per test), so unrelated mutants survive, not die.
    assert by[(6, "boundary", "<=")].outcome == Outcome.KILLED
    assert by[(12, "constant", '""')].outcome == Outcome.KILLED


@pytest.mark.parametrize("solution_module", ["commonjs", "esm"])
def test_es_module_tests_run_in_the_warm_worker(solution_module):
    tests = ('import { test } from "node:test";\nimport assert from "node:assert/strict";\n'
             'import mod from "../app/MOD";\n'
             'test("count", () => { assert.equal(mod.countUp(2), 2); });\n')
    if solution_module == "esm":
        solution = LOOPY.replace("module.exports = ", "export default ")
        task = js_task(solution, tests.replace("MOD", "mod.mjs"), "mod.test.mjs")
        task.solution_files, task.solution_paths = {"mod.mjs": solution.encode()}, ["mod.mjs"]
    else:
        task = js_task(LOOPY, tests.replace("MOD", "mod.js"), "mod.test.mjs")
    run = mutate(task)
    assert any(n.startswith("warm worker") for n in run.notes), run.notes
    by = {(r.mutant.line, r.mutant.operator, r.mutant.replacement): r for r in run.results}
    assert by[(6, "boundary", "<=")].outcome == Outcome.KILLED
    assert by[(6, "boundary", "<=")].detail != "rebuilt"
    assert by[(7, "arithmetic", "-=")].outcome == Outcome.TIMEOUT
    assert by[(16, "arithmetic", "+")].outcome == Outcome.NO_COVERAGE
