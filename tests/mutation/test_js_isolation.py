"""The JS warm worker's speed rules: the hit limit (endless loops stop early, slower mutants
do not time out) and the isolation rule (reload only when a mutant's run could leave state
behind: javascript_state.py), each pinned by a task that fails if the rule is wrong."""

from __future__ import annotations

import pytest

from taskaudit.languages import get_language
from taskaudit.model import Task
from taskaudit.mutation import javascript
from taskaudit.mutation.engine import run_mutation
from taskaudit.mutation.javascript import build_js_schema, generate_js
from taskaudit.mutation.javascript_state import file_state, task_state
from taskaudit.mutation.model import Outcome
from taskaudit.runner import reference_variant, run_variant
from taskaudit.sandbox import get_backend


def mutate(task: Task):
    backend, language = get_backend(), get_language(task.language)
    reference = run_variant(task, reference_variant(task), backend, language)
    assert reference.status.value == "completed", reference.detail
    return run_mutation(task, reference_variant(task).workspace, reference, backend, language)


def node_task(solution: str, tests: str) -> Task:
    return Task(
        id="t", source="inline", format="test", language="javascript", test_runner="node",
        statement="Implement mod.js.", solution_files={"mod.js": solution.encode()},
        test_files={"mod.test.js": tests.encode()}, solution_paths=["mod.js"],
    )


HEADER = 'const { test } = require("node:test");\nconst assert = require("node:assert/strict");\n' \
         'const mod = require("../app/mod.js");\n'


def outcomes(run):
    return {(r.mutant.line, r.mutant.original, r.mutant.replacement): r for r in run.results}


# ------------------------------------------------------------------ the hit limit

SPIN = """function spin(n) {
  let i = 0;
  while (i < n) {
    i += 1;
  }
  return i;
}
function eighth(n) {
  let c = 0;
  for (let i = 0; i < n / 8; i++) c++;
  return c;
}
module.exports = { spin, eighth };
"""


def test_endless_loops_stop_at_the_hit_limit_whatever_the_test_catches():
    tests = HEADER + (
        'test("spin", () => { assert.equal(mod.spin(3), 3); });\n'
        # The tick's error is swallowed here, and the test would pass: still a timeout.
        'test("swallow", () => { try { mod.spin(5); } catch {} });\n'
        'test("eighth", () => { assert.equal(mod.eighth(8000), 1000); });\n'
    )
    run = mutate(node_task(SPIN, tests))
    by = outcomes(run)
    endless = by[(4, "+=", "-=")]
    assert endless.outcome == Outcome.TIMEOUT
    assert endless.detail.startswith("hit limit reached ("), endless.detail
    # n / 8 -> n * 8 makes 64x the reference's loop iterations: slower, finite, and below the
    # limit (100x + 10,000), so the wrong count kills it; it is not called a timeout.
    slower = by[(10, "/", "*")]
    assert slower.outcome == Outcome.KILLED, slower.detail
    assert any(n.startswith("warm worker") for n in run.notes), run.notes


HOOKED = """function heavy(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += 1;
  return s;
}
function light(x) {
  return x + 1;
}
module.exports = { heavy, light };
"""


def test_suite_hooks_count_towards_every_mutants_limit():
    """The before() hook makes 50,000 ticks in heavy() whichever test runs first. light()'s
    mutants are covered by test "b" alone (one tick), but their runs run the hook too: the
    limit must include the hook's ticks, or a plainly killed mutant would be a timeout."""
    tests = ('const { describe, test, before } = require("node:test");\n'
             'const assert = require("node:assert/strict");\nconst mod = require("../app/mod.js");\n'
             'describe("s", () => {\n  before(() => { mod.heavy(50000); });\n'
             '  test("a", () => { assert.equal(mod.heavy(3), 3); });\n'
             '  test("b", () => { assert.equal(mod.light(1), 2); });\n});\n')
    by = outcomes(mutate(node_task(HOOKED, tests)))
    light = by[(7, "+", "-")]
    assert light.outcome == Outcome.KILLED, light.detail
    assert light.covered_by == ["mod.test.js::s::b"]


def test_every_loop_body_in_a_schematised_function_ticks():
    source = (b"function f(xs) {\n  let n = 0;\n  for (const x of xs) n += x;\n"
              b"  while (n > 100) n -= 1;\n  do { n += 1; } while (n < 3);\n"
              b"  for (let i = 0; i < 2; i++);\n  return n;\n}\n")
    schema = build_js_schema({"f.js": source}, generate_js("f.js", source))
    out = schema.files["f.js"].decode()
    default = out[out.index("default: {"):]
    assert default.count("__taskaudit_tick();") == 4
    # Every mutant's copy ticks in the loops its mutation left in place.
    assert out.count("__taskaudit_tick();") >= 4 * (len(schema.mutants) + 1) - len(schema.mutants)


# ------------------------------------------------------------------ isolation between mutants

CACHE = """const seen = [];
function record(x) {
  const tag = "t";
  seen.push(x);
  return seen.length;
}
module.exports = { record };
"""


@pytest.mark.parametrize("rule", ["static", "disabled"])
def test_module_state_is_fresh_for_every_mutant(rule, monkeypatch):
    """record() returns how many values it has seen: 1 after a fresh load. The "t" -> ""
    mutant changes nothing, so it must survive; if the state of an earlier run leaked into
    its run, record("a") would return 2 and the mutant would be (wrongly) killed. With the
    static rule switched off (every file called stateless) the leak shows: the test can fail."""
    if rule == "disabled":
        monkeypatch.setattr(javascript, "task_state", lambda files, resettable=(): "")
    run = mutate(node_task(CACHE, HEADER + 'test("record", () => { assert.equal(mod.record("a"), 1); });\n'))
    neutral = outcomes(run)[(3, '"t"', '""')]
    if rule == "static":
        assert neutral.outcome == Outcome.SURVIVED, neutral.detail
        assert any("modules reloaded for every mutant" in n and "seen" in n for n in run.notes), run.notes
    else:
        assert neutral.outcome == Outcome.KILLED


STICKY = """const WORD = /[a-z]+/g;
function first(s) {
  const unused = "x";
  const m = WORD.exec(s);
  return m ? m.index : -1;
}
module.exports = { first };
"""


@pytest.mark.parametrize("reset", [True, False])
def test_sticky_regexes_are_reset_between_mutants_that_do_not_reload(reset, monkeypatch):
    """A /g regex keeps lastIndex: after the dry run's first("ab cd") the next call returns 3.
    The schema resets it before each mutant, as a fresh load would, so the neutral mutant
    survives and the task still counts as stateless. Without the reset (switched off here) the
    neutral mutant is killed: the test can fail."""
    if not reset:
        monkeypatch.setattr(javascript, "resettable_regexes", lambda path, source: [])
    tests = HEADER + 'test("first", () => { assert.equal(mod.first("ab cd"), 0); });\n'
    run = mutate(node_task(STICKY, tests))
    neutral = outcomes(run)[(3, '"x"', '""')]
    assert neutral.outcome == (Outcome.SURVIVED if reset else Outcome.KILLED)
    assert not any("modules reloaded" in n for n in run.notes), run.notes
    # One reload: the `module.exports = { first }` -> `({})` mutant acts at load time.
    assert run.stats.get("worker_reloads") == 1


LOAD_TIME = """const LIMIT = 3;
function cap(x) {
  return Math.min(x, LIMIT);
}
function tag() {
  const t = "t";
  return 1;
}
module.exports = { cap, tag };
"""


def test_a_load_time_mutant_runs_after_a_reload_and_its_load_is_not_kept():
    """LIMIT's mutants act at load time: each runs after a reload with it active (so the test
    kills it), and the next mutant (in tag) runs on a clean load again (LIMIT = 3): the neutral
    "t" mutant survives."""
    tests = HEADER + 'test("both", () => { assert.equal(mod.cap(10), 3); assert.equal(mod.tag(), 1); });\n'
    run = mutate(node_task(LOAD_TIME, tests))
    by = outcomes(run)
    assert by[(1, "3", "4")].outcome == Outcome.KILLED and by[(1, "3", "4")].detail != "rebuilt"
    assert by[(1, "3", "0")].outcome == Outcome.KILLED
    assert by[(6, '"t"', '""')].outcome == Outcome.SURVIVED
    assert run.stats.get("worker_reloads", 0) >= 2


# ------------------------------------------------------------------ the static rule itself

STATELESS = {
    "imports and pure functions": b'const path = require("node:path");\nconst N = 2 ** 4;\n'
                                  b'function f(x) { let y = x; y += N; return path.join("a", String(y)); }\n'
                                  b"module.exports = { f };",
    "read-only table": b"const T = [1, 2, 3];\nfunction f(i) { return T[i] + T.length + [...T].length; }\n",
    "instance state": b"class Box { constructor(x) { this.x = x; } inc() { this.x++; } }\n",
    "registrations": b'describe("a", () => { test("x", () => { let n = 0; n++; }); });\n'
                     b'for (const s of ["a", "b"]) test(s, () => {});\ntest.each([[1, 2]])("%i", (a, b) => {});\n',
    "esm": b"import x from './x.js';\nexport const N = 3;\nexport function f() { return N + x; }\nexport default f;\n",
}
STATEFUL = {
    "a let written by a function": (b"let calls = 0;\nfunction f() { calls += 1; }\n", "calls"),
    "a Map": (b"const cache = new Map();\nfunction f(k) { return cache.get(k); }\n", "new Map()"),
    "a table that is pushed to": (b"const T = [1];\nfunction f(x) { T.push(x); }\n", "changes T"),
    "a table that is exported": (b"const T = [1];\nmodule.exports = { T };\n", "passes on T"),
    "a global": (b"function f() { globalThis.hits = 1; }\n", "globalThis"),
    "an environment variable": (b"function f() { process.env.X = '1'; }\n", "process"),
    "this of a static method": (b"class B { static inc() { this.n = 1; } }\n", "this"),
    "a static field": (b"class B { static n = 0; }\n", "static"),
    "describe-scoped state": (b'describe("a", () => { let n = 0; beforeEach(() => { n++; }); });\n', "n"),
    "a spy": (b'test("x", () => { jest.spyOn(console, "log"); });\n', "spy"),
    "a .each table of objects": (b'test.each([{ a: 1 }])("x", (o) => { o.a++; });\n', ".each"),
    "a load-time call": (b"init();\nfunction init() {}\n", "init"),
    "a /g regex in a file the schema does not rewrite": (b"const R = /a/g;\nfunction f(s) { return R.test(s); }\n", "/a/g"),
}


@pytest.mark.parametrize("name", sorted(STATELESS))
def test_stateless_files(name):
    assert file_state("x.js", STATELESS[name]) == ""


@pytest.mark.parametrize("name", sorted(STATEFUL))
def test_stateful_files_name_the_reason(name):
    source, word = STATEFUL[name]
    reason = file_state("x.js", source)
    assert reason.startswith("x.js:") and word in reason, reason


def test_task_state_looks_at_every_task_file_but_configs():
    files = {"app/mod.js": b"function f() {}\n", "tests/mod.test.js": b"let n = 0;\ntest('x', () => { n++; });\n",
             "app/jest.config.js": b"module.exports = { x: init() };\n"}
    assert task_state(files).startswith("tests/mod.test.js:2:")
    del files["tests/mod.test.js"]
    assert task_state(files) == ""


def test_a_mutant_that_breaks_the_load_is_killed_by_every_test():
    """JSON.parse("") throws while the module loads: under the real runner the test file fails
    to load and no test passes; the warm worker reports the same (killed by every test)."""
    solution = ('const PARSED = JSON.parse("[1, 2]");\nfunction f(x) {\n  return x + PARSED.length;\n}\n'
                "module.exports = { f };\n")
    tests = HEADER + 'test("f", () => { assert.equal(mod.f(1), 3); });\ntest("g", () => { assert.ok(true); });\n'
    run = mutate(node_task(solution, tests))
    broken = outcomes(run)[(1, '"[1, 2]"', '""')]
    assert broken.outcome == Outcome.KILLED and broken.detail != "rebuilt"
    assert broken.killed_by == ["mod.test.js::f", "mod.test.js::g"]
