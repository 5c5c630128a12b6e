"""The mutant timeout rule (docs/mutation.md, "Timeouts"), in both warm workers.

A mutant's first run may use max(floor, 10 x its tests' dry-run time) of CPU time; one past it
runs once more with 3 x that before it is called a timeout. The assertions read the limits the
workers report (the rule), never a measured duration.
"""

from __future__ import annotations

import re

import pytest

from taskaudit.languages import get_language
from taskaudit.model import Task
from taskaudit.mutation import python_worker
from taskaudit.mutation.engine import run_mutation
from taskaudit.mutation.model import Outcome
from taskaudit.runner import reference_variant, run_variant
from taskaudit.sandbox import get_backend


def mutate(task: Task):
    backend, language = get_backend(), get_language(task.language)
    reference = run_variant(task, reference_variant(task), backend, language)
    assert reference.status.value == "completed", reference.detail
    run = run_mutation(task, reference_variant(task).workspace, reference, backend, language)
    return {(r.mutant.line, r.mutant.operator, r.mutant.replacement): r for r in run.results}


def assert_limits_follow_the_rule(detail: str) -> None:
    """First limit: the 30 ms floor or 10x a fast test's dry-run time (more only when the
    machine stretched the dry run); the re-check's: 3x that."""
    limits = [float(x) for x in re.findall(r"\(limit ([0-9.]+) s\)", detail)]
    assert len(limits) == 2, detail
    first, second = limits
    assert 0.03 <= first <= 0.3, detail  # tens of ms, not the old 1 s
    assert second == pytest.approx(3 * first, abs=0.011), detail


def test_limits_rule():
    # Fast tests: the floor, tens of ms of CPU, not a second; the wall backstop stays generous.
    assert python_worker.limits_for(0.0004) == (0.03, 1.0004)
    cpu, wall = python_worker.limits_for(0.2)
    assert cpu == pytest.approx(2.0) and wall == pytest.approx(2.0)
    assert python_worker.RECHECK * python_worker.FLOOR == pytest.approx(0.09)


# The ``n > 5`` branch is taken only by mutants (the test calls f(1)). The first mutant to take
# it burns CPU once (a marker file in the workspace records that it did), as a run slowed by
# something outside the mutant would: that first run times out, the re-check completes, and
# the mutant must come out killed, not timeout. Later mutants find the marker and are fast.
PY_SOLUTION = '''
import os

MARK = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".burned")


def f(n):
    if n > 5:
        if not os.path.exists(MARK):
            open(MARK, "w").close()
            total = 0
            for i in range(30_000_000):
                total += i
        return 1
    return 0


def spin(n):
    i = 0
    while i < n:
        i += 1
    return i
'''

PY_TESTS = '''
from mod import f, spin


def test_f():
    assert f(1) == 0


def test_spin():
    assert spin(3) == 3
'''


def test_python_looping_mutant_is_a_timeout_at_the_floor_and_a_slow_first_run_is_rechecked():
    task = Task(id="t", source="inline", format="test", language="python", test_runner="pytest",
                statement="Implement mod.py.", solution_files={"mod.py": PY_SOLUTION.encode()},
                test_files={"test_mod.py": PY_TESTS.encode()}, solution_paths=["mod.py"])
    by = mutate(task)
    loop = by[(21, "arithmetic", "-=")]  # i -= 1: never ends
    assert loop.outcome == Outcome.TIMEOUT
    assert "re-check used" in loop.detail
    assert_limits_follow_the_rule(loop.detail)
    branch = [r for key, r in by.items() if key[0] == 8 and r.outcome != Outcome.SURVIVED]
    assert branch and all(r.outcome == Outcome.KILLED for r in branch)
    assert sum("the re-check completed" in r.detail for r in branch) == 1


# JS: the same scenario, with the CPU burn in the test file (tests are not instrumented, so
# it passes no hit-limit tick: only the CPU limit can see it, as it sees a machine's stall;
# f calls it back).
# Endless loops inside the solution stop at the hit limit (docs/mutation.md, "Timeouts"); an
# endless loop in the test code (here: waiting for spin to give 3) stops at the CPU limit.
JS_SOLUTION = """
function f(n, onBig) {
  if (n > 5) {
    if (onBig) onBig();
    return 1;
  }
  return 0;
}
function spin(n) {
  let i = 0;
  while (i < n) {
    i += 1;
  }
  return i;
}
module.exports = { f, spin };
"""

# The test file keeps no state (javascript_state.py), so mutants run without a reload and their
# first runs without the SIGINT watchdog: the burn costs one worker restart, then the re-check.
JS_TESTS = """
const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { f, spin } = require("../app/mod.js");
function burnOnce() {
  const mark = path.join(path.dirname(require.resolve("../app/mod.js")), ".burned");
  if (fs.existsSync(mark)) return;
  fs.writeFileSync(mark, "");
  let total = 0;
  for (let i = 0; i < 2e9; i++) total += i % 3;
}
test("f", () => { assert.equal(f(1, burnOnce), 0); });
test("spin", () => { const r = spin(3); let waited = 0; while (r !== 3) waited++; assert.equal(r, 3); });
"""


def test_js_looping_mutant_is_a_timeout_at_the_hit_limit_or_the_cpu_floor_and_a_slow_first_run_is_rechecked():
    task = Task(id="t", source="inline", format="test", language="javascript", test_runner="node",
                statement="Implement mod.js.", solution_files={"mod.js": JS_SOLUTION.encode()},
                test_files={"mod.test.js": JS_TESTS.encode()}, solution_paths=["mod.js"])
    by = mutate(task)
    loop = by[(12, "arithmetic", "-=")]  # i -= 1 in spin: endless, and it ticks
    assert loop.outcome == Outcome.TIMEOUT
    assert loop.detail.startswith("hit limit reached ("), loop.detail
    waiting = by[(11, "boundary", "<=")]  # spin(3) gives 4: the test's own loop never ends
    assert waiting.outcome == Outcome.TIMEOUT
    assert_limits_follow_the_rule(waiting.detail)
    branch = [r for key, r in by.items() if key[0] == 3 and r.outcome != Outcome.SURVIVED]
    assert branch and all(r.outcome == Outcome.KILLED for r in branch)
    assert sum("the re-check completed" in r.detail for r in branch) == 1
