"""Rust mutation backend: operators, schema build + warm loop, outcomes (needs cargo/rustc)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from compiled_helpers import load_example, run, summary

from taskaudit.mutation.model import Outcome, apply_mutants
from taskaudit.mutation.rust import RustMutation
from taskaudit.mutation.rust_support import operators

pytestmark = pytest.mark.skipif(shutil.which("cargo") is None, reason="no Rust toolchain on this machine")

TRICKY = b'''pub fn greet(name: &str) -> String {
    let mut s = String::from("hi ");
    s = s + name;
    s + "!"
}

pub fn label(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}

pub fn evens(xs: &[u32]) -> impl Iterator<Item = &u32> {
    xs.iter().filter(|x| *x % 2 == 0)
}

pub const fn twice(x: u32) -> u32 {
    x * 2
}

pub fn clamp(v: Vec<i64>, hi: i64) -> Vec<i64> {
    let mut out = Vec::new();
    for x in v {
        if x > hi {
            break;
        }
        out.push(x * 2 - 1);
    }
    out.sort();
    out
}

pub fn first_word(s: &str) -> Option<String> {
    let t = s.trim().to_lowercase();
    if t.is_empty() {
        return None;
    }
    Some(t)
}

pub fn must(x: u8) -> u8 {
    if x == 0 {
        panic!("zero");
    }
    x
}
'''


def _mutants():
    return RustMutation().generate({"src/lib.rs": TRICKY}, ["src/lib.rs"])


def test_type_aware_operators():
    mutants = _mutants()
    lines = {}
    for m in mutants:
        lines.setdefault(m.line, []).append(m)
    # String + &str is concatenation: no arithmetic there; const fn is left alone.
    assert not [m for m in lines.get(3, []) + lines.get(4, []) if m.operator == "arithmetic"]
    assert not [m for m in mutants if m.line in (15, 16)]
    returns = {m.line: m.replacement for m in mutants if m.operator == "return_value"}
    assert returns[1] == "{ String::new() }"
    assert returns[7] == '{ "" }'
    assert 11 not in returns  # impl Iterator has no default
    assert returns[19] == "{ Vec::new() }"
    assert returns[31] == "{ None }"
    assert any(m.operator == "normalizing_call" and m.replacement == "(&s[..])" for m in mutants)
    assert any(m.operator == "normalizing_call" and m.original == "out.sort();" for m in mutants)
    assert any(m.operator == "loop_control" and m.replacement == "continue;" for m in mutants)
    assert any(m.operator == "remove_raise" for m in mutants)


def test_every_generated_mutant_compiles(tmp_path: Path):
    """Each mutant, applied alone, type-checks (taskaudit's own snippet, checked on the host)."""
    mutants = _mutants()
    assert len(mutants) > 20
    failures = []
    for m in mutants:
        path = tmp_path / "lib.rs"
        path.write_bytes(apply_mutants({"src/lib.rs": TRICKY}, [m])["src/lib.rs"])
        done = subprocess.run(["rustc", "--edition", "2021", "--crate-type", "lib", "--emit=metadata",
                               "-o", str(tmp_path / "out.rmeta"), str(path)], check=False, capture_output=True, text=True)
        if done.returncode != 0:
            failures.append((m.id, done.stderr[-400:]))
    assert failures == []


def test_weak_tests_have_surviving_mutants_with_diffs():
    task = load_example("rust", "weak-tests")
    job, results = run(task)
    counts = summary(results)
    survivors = [r for r in results if r.outcome == Outcome.SURVIVED]
    assert survivors, counts
    assert counts.get("no_coverage", 0) > 0, counts  # decode is never called
    assert not counts.get("error"), [r.detail for r in results]
    diff = survivors[0].mutant.diff(job.workspace[survivors[0].mutant.file])
    assert diff.startswith("--- a/src/lib.rs") and "\n+" in diff
    assert all(r.covered_by == ["tests/rle_test.rs::encode_works"] for r in survivors)


def test_good_tests_kill_nearly_all_mutants():
    task = load_example("rust", "good")
    _, results = run(task)
    counts = summary(results)
    detected = sum(r.outcome in (Outcome.KILLED, Outcome.TIMEOUT, Outcome.CRASH) for r in results)
    assert detected / len(results) >= 0.85, counts
    assert not counts.get("error") and not counts.get("unviable"), counts


def test_same_task_twice_gives_same_mutants_and_outcomes():
    task = load_example("rust", "weak-tests")
    _, first = run(task)
    _, second = run(task)
    assert [r.mutant for r in first] == [r.mutant for r in second]
    assert [(r.outcome, r.killed_by) for r in first] == [(r.outcome, r.killed_by) for r in second]


def test_mutants_in_a_submodule_reach_the_switch_and_strings_in_err_are_error_messages():
    """The switch module hangs off src/lib.rs and is reached as ``crate::...`` from any module."""
    from taskaudit.model import Task

    lib = b"mod util;\npub use util::half;\n"
    util = (b"pub fn half(x: u32) -> Result<u32, String> {\n    if x % 2 == 1 {\n"
            b"        return Err(\"odd\".to_string());\n    }\n    Ok(x / 2)\n}\n")
    test = b"use m::half;\n\n#[test]\nfn halves() {\n    assert_eq!(half(4), Ok(2));\n}\n"
    task = Task(id="rust-modules", source="test", format="test", language="rust", test_runner="cargo",
                statement="half", starter_files={"Cargo.toml": b'[package]\nname = "m"\nversion = "0.1.0"\nedition = "2021"\n'},
                solution_files={"src/lib.rs": lib, "src/util.rs": util}, test_files={"half_test.rs": test},
                solution_paths=["src/lib.rs", "src/util.rs"])
    _, results = run(task)
    assert results and all(r.mutant.file == "src/util.rs" for r in results)
    assert not [r for r in results if r.outcome in (Outcome.ERROR, Outcome.UNVIABLE)], [(r.mutant.id, r.detail) for r in results]
    by = {(r.mutant.line, r.mutant.operator, r.mutant.original): r for r in results}
    assert by[(5, "arithmetic", "/")].outcome == Outcome.KILLED
    odd = by[(3, "constant", '"odd"')]
    assert odd.mutant.context == "error_message" and odd.outcome == Outcome.NO_COVERAGE  # no odd input tested


def _half_task():
    from taskaudit.model import Task

    lib = (b"pub fn half(x: u32) -> Result<u32, String> {\n    if x % 2 == 1 {\n"
           b"        return Err(\"odd\".to_string());\n    }\n    Ok(x / 2)\n}\n")
    test = b"use m::half;\n\n#[test]\nfn halves() {\n    assert_eq!(half(4), Ok(2));\n}\n"
    return Task(id="rust-half", source="test", format="test", language="rust", test_runner="cargo",
                statement="half", starter_files={"Cargo.toml": b'[package]\nname = "m"\nversion = "0.1.0"\nedition = "2021"\n'},
                solution_files={"src/lib.rs": lib}, test_files={"half_test.rs": test}, solution_paths=["src/lib.rs"])


def test_one_sandboxed_process_per_schema():
    """Build, test list, coverage dry run and warm loop share one sandbox start (driver.py):
    each start costs 50-90 ms, a small task's whole run about a third of a second."""
    from compiled_helpers import mutation_job

    job = mutation_job(load_example("rust", "good"))
    real, calls = job.sandbox.run, []
    job.sandbox.run = lambda request: calls.append(request.argv) or real(request)
    results = RustMutation().execute(job)
    assert len(calls) == 1 and calls[0][-2].endswith("/driver.py"), calls
    assert not [r for r in results if r.outcome in (Outcome.ERROR, Outcome.UNVIABLE)], [r.detail for r in results]
    assert job.stats.get("loop_rss_kb", 0) > 0 and "median_cpu_ms_per_mutant" in job.stats


def test_a_schema_site_that_does_not_compile_is_dropped_and_rebuilt(monkeypatch):
    """A site whose code does not type-check in the schema: the driver stops after cargo's
    errors, that site's mutant goes to a rebuild (unviable there), the others still run warm."""
    from taskaudit.mutation import rust as rust_backend

    real = operators.candidates
    bad: list[str] = []

    def with_a_broken_site(path, source):
        out = real(path, source)
        for n, c in enumerate(out):
            if c.mutant.operator == "arithmetic" and c.mutant.original == "/" and c.mutant.replacement == "*":
                # u32 / &str: a type error inside this site only
                out[n] = replace(c, mutant=replace(c.mutant, replacement='/ "two" /'))
                bad.append(c.mutant.id)
        return out

    monkeypatch.setattr(rust_backend.operators, "candidates", with_a_broken_site)
    task = _half_task()
    job, results = run(task, RustMutation().generate({"src/lib.rs": task.solution_files["src/lib.rs"]}, ["src/lib.rs"]))
    assert len(set(bad)) == 1
    by_id = {r.mutant.id: r for r in results}
    assert by_id[bad[0]].outcome == Outcome.UNVIABLE and "schema site did not compile" in by_id[bad[0]].detail
    assert job.stats.get("schema_builds") == 2.0
    others = [r for r in results if r.mutant.id != bad[0]]
    assert others and not [r for r in others if r.outcome in (Outcome.ERROR, Outcome.UNVIABLE)], \
        [(r.mutant.id, r.outcome, r.detail) for r in others]
    assert any(r.outcome == Outcome.KILLED for r in others)


LOOPING_RUST = b"""#![forbid(unsafe_code)]
//! The switch module must compile in a crate that forbids unsafe code.

pub fn sum(n: i64) -> i64 {
    let mut total = 0;
    let mut i = 1;
    while i <= n {
        total += i;
        i += 1;
    }
    total
}
"""


def _crate(task_id: str, lib: bytes, tests: dict[str, bytes]):
    """A one-file library crate ``m`` with these integration tests."""
    from taskaudit.model import Task

    return Task(id=task_id, source="test", format="test", language="rust", test_runner="cargo", statement="sum",
                starter_files={"Cargo.toml": b'[package]\nname = "m"\nversion = "0.1.0"\nedition = "2021"\n'},
                solution_files={"src/lib.rs": lib}, test_files=tests, solution_paths=["src/lib.rs"])


def test_an_endless_loop_is_stopped_by_the_hit_limit_in_milliseconds():
    """``i += 1`` -> ``i -= 1`` never ends: the loop passes its switch on every turn, so the
    run is ended once it calls the switches 100x as often as the tests did without it (plus a
    floor), long before its CPU limit; the other mutants are judged by their tests."""
    test = b"use m::sum;\n\n#[test]\nfn sums() {\n    assert_eq!(sum(4), 10);\n    assert_eq!(sum(0), 0);\n}\n"
    job, results = run(_crate("rust-loop", LOOPING_RUST, {"sum_test.rs": test}))
    assert not [r for r in results if r.outcome in (Outcome.ERROR, Outcome.UNVIABLE)], [(r.mutant.id, r.detail) for r in results]
    looping = next(r for r in results if r.mutant.line == 9 and r.mutant.replacement == "-=")  # i += 1
    assert looping.outcome == Outcome.TIMEOUT, (looping.outcome, looping.detail)
    assert "an endless loop" in looping.detail and "calls, limit" in looping.detail
    assert job.stats["timeouts_on_cpu"] == 0
    assert sum(r.outcome == Outcome.KILLED for r in results) >= 3, summary(results)


def _driver():
    """rust_support/driver.py as the sandbox runs it (warm_loop.py beside it)."""
    import importlib.util
    import sys

    from taskaudit.mutation.compiled_support.loop import LOOP_SCRIPT
    from taskaudit.mutation.rust_support.schema import DRIVER

    sys.path.insert(0, str(LOOP_SCRIPT.parent))
    try:
        spec = importlib.util.spec_from_file_location("rust_driver", DRIVER)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(LOOP_SCRIPT.parent))
    return module


def test_the_dry_runs_coverage_file_gives_ids_and_switch_calls():
    ids, calls = _driver().read_coverage("3\nH 1\n1\nH 2\nH 4\n7\nH 8\n")
    assert ids == {1, 3, 7} and calls == 8
    assert _driver().read_coverage("") == (set(), 0)


THREADED_TEST = b"""use m::sum;

#[test]
fn in_a_spawned_thread() {
    assert_eq!(std::thread::spawn(|| sum(4)).join().unwrap(), 10);
}

#[test]
fn in_a_named_thread() {
    let t = std::thread::Builder::new().name("worker".into()).spawn(|| sum(3)).unwrap();
    assert_eq!(t.join().unwrap(), 6);
}
"""


def test_code_reached_from_threads_a_test_spawns_counts_as_covered_by_that_test():
    """Code a test reaches only from threads it spawns (unnamed or named) is covered by it."""
    _, results = run(_crate("rust-threads", LOOPING_RUST, {"sum_test.rs": THREADED_TEST}))
    assert not [r for r in results if r.outcome in (Outcome.ERROR, Outcome.UNVIABLE, Outcome.NO_COVERAGE)], \
        [(r.mutant.id, r.outcome, r.detail) for r in results]
    body = next(r for r in results if r.mutant.line == 8 and r.mutant.replacement == "-=")  # total += i
    assert body.outcome == Outcome.KILLED
    assert body.killed_by == ["tests/sum_test.rs::in_a_named_thread", "tests/sum_test.rs::in_a_spawned_thread"]
