"""Python mutation testing end to end, in the sandbox: warm worker, fallbacks, outcomes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from taskaudit.formats import load_tasks
from taskaudit.languages import get_language
from taskaudit.model import Task
from taskaudit.mutation.engine import run_mutation
from taskaudit.mutation.model import Outcome, SurvivorKind
from taskaudit.runner import reference_variant, run_variant
from taskaudit.sandbox import get_backend

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "tasks" / "python"


def mutate(task: Task, **kw):
    backend, language = get_backend(), get_language("python")
    workspace = reference_variant(task).workspace
    reference = run_variant(task, reference_variant(task), backend, language)
    assert reference.status.value == "completed", reference.detail
    return run_mutation(task, workspace, reference, backend, language, **kw)


def make_task(solution: str, tests: str, **kw) -> Task:
    return Task(
        id="t", source="inline", format="test", language="python", test_runner="pytest",
        statement="Implement the module.", solution_files={"mod.py": solution.encode()},
        test_files={"test_mod.py": tests.encode()}, solution_paths=["mod.py"], **kw,
    )


def test_weak_tests_example_leaves_behavioural_survivors_and_uncovered_code():
    task = load_tasks([str(EXAMPLES / "weak-tests")])[0]
    run = mutate(task)
    counts = Counter(r.outcome for r in run.results)
    assert counts[Outcome.KILLED] > 0
    survivors = [r for r in run.results
                 if r.outcome == Outcome.SURVIVED and r.survivor_kind == SurvivorKind.BEHAVIOURAL]
    assert survivors
    assert all(r.mutant.diff(task.solution_files["rle.py"]).startswith("--- a/rle.py") for r in survivors)
    # decode() is never called by the one test: its mutants are uncovered.
    uncovered_lines = {r.mutant.line for r in run.results if r.outcome == Outcome.NO_COVERAGE}
    assert uncovered_lines and min(uncovered_lines) >= 22
    assert run.score is not None and run.score < 0.5
    assert "warm worker" in " ".join(run.notes)


def test_good_example_kills_nearly_every_behavioural_mutant_and_is_deterministic():
    task = load_tasks([str(EXAMPLES / "good")])[0]
    first, second = mutate(task), mutate(task)
    assert first.score is not None and first.score >= 0.9
    # The same task audited twice: the same mutants and the same outcomes.
    assert [(r.mutant.id, r.outcome, r.killed_by) for r in first.results] == [
        (r.mutant.id, r.outcome, r.killed_by) for r in second.results
    ]
    killed = [r for r in first.results if r.outcome == Outcome.KILLED]
    assert all(r.killed_by and set(r.killed_by) <= set(r.covered_by) for r in killed)
    messages = [r for r in first.results if r.survivor_kind == SurvivorKind.MESSAGE_ONLY]
    assert messages and all(r.mutant.context == "error_message" for r in messages)


LOOPY = '''
import functools

TABLE = {}


def build():
    return {"k": 1}


TABLE.update(build())  # called while the tests import this module


def count_up(n):
    i = 0
    while i < n:
        i += 1
    return i


class Shape:
    def __init__(self, side):
        self.side = side

    @property
    def area(self):
        return self.side * self.side

    @staticmethod
    def unit():
        return Shape(1)

    @functools.cache
    def label(self):
        return "shape" if self.side > 0 else "empty"


def unused(x):
    return x - 1
'''

LOOPY_TESTS = '''
from mod import TABLE, Shape, count_up


def test_count():
    assert count_up(3) == 3


def test_table():
    assert TABLE == {"k": 1}


def test_shape():
    assert Shape(3).area == 9
    assert Shape.unit().side == 1
    assert Shape(2).label() == "shape"
'''


def test_timeouts_import_time_fallback_and_decorated_methods():
    run = mutate(make_task(LOOPY, LOOPY_TESTS))
    by = {}
    for r in run.results:
        by.setdefault((r.mutant.line, r.mutant.operator, r.mutant.replacement), r)
    # ``i += 1`` -> ``i -= 1`` never ends: killed by the limit derived from the dry run.
    assert by[(17, "arithmetic", "-=")].outcome == Outcome.TIMEOUT
    # build() runs at import: its mutant is rebuilt in a fresh process, and killed there.
    fresh = by[(8, "constant", "0")]
    assert fresh.outcome == Outcome.KILLED and fresh.detail == "rebuilt"
    # Module-level code is not in the schema either: also rebuilt.
    assert by[(11, "remove_call", "pass")].detail == "rebuilt"
    assert by[(11, "remove_call", "pass")].outcome == Outcome.KILLED
    # Mutants behind property / staticmethod / cache decorators run in the warm worker.
    assert by[(27, "arithmetic", "/")].outcome == Outcome.KILLED
    assert by[(27, "arithmetic", "/")].killed_by == ["test_mod::test_shape"]
    assert by[(31, "constant", "0")].outcome == Outcome.KILLED
    assert by[(35, "boundary", ">=")].outcome == Outcome.SURVIVED
    # Nothing calls unused(): no coverage, and no test was run for it.
    assert by[(39, "arithmetic", "+")].outcome == Outcome.NO_COVERAGE


def test_budget_caps_the_mutants_that_run():
    task = load_tasks([str(EXAMPLES / "weak-tests")])[0]
    run = mutate(task, budget=12)
    assert len(run.results) == 12 and run.generated > 12
    assert len({r.mutant.operator for r in run.results}) >= 8  # stratified by operator


@pytest.mark.parametrize("exit_code", [0, 3])
def test_a_mutant_that_ends_the_process_is_a_crash_not_a_survivor(exit_code):
    # The reference exits only on an impossible input; removing the guard makes it exit always.
    solution = f'''
import os


def safe(x):
    if x != "boom":
        return x
    os._exit({exit_code})
'''
    tests = "from mod import safe\n\n\ndef test_safe():\n    assert safe('a') == 'a'\n"
    run = mutate(make_task(solution, tests))
    guard = next(r for r in run.results if r.mutant.operator == "remove_guard")
    assert guard.outcome == Outcome.CRASH
    assert "without a result" in guard.detail


def test_forged_result_lines_from_the_tests_are_ignored():
    # The tests are untrusted too: lines they append to the results file carry no nonce (the
    # worker deleted the nonce file before importing them), so they are never read.
    solution = "def double(x):\n    return x * 2\n"
    tests = '''import json, os
from mod import double

nonce_gone = not os.path.exists("/results/mutation-nonce")
with open("/results/mutation.jsonl", "a") as f:
    for key in range(1, 20):
        f.write(json.dumps({"kind": "mutant", "key": key, "outcome": "killed", "nonce": ""}) + "\\n")


def test_double():
    assert nonce_gone
    assert double(2) in (4, 0, 1, 2, 3, None) or True
'''
    run = mutate(make_task(solution, tests))
    assert run.results and all(r.outcome == Outcome.SURVIVED for r in run.results)
