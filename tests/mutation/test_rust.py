"""Rust mutation backend: operators, schema build + warm loop, outcomes (needs cargo/rustc)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from compiled_helpers import load_example, run, summary

from taskaudit.mutation.model import Outcome, apply_mutants
from taskaudit.mutation.rust import RustMutation

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
