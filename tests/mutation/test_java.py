"""Java mutation backend: operators, schema compiled once + warm JVM, outcomes (needs a JDK)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from compiled_helpers import load_example, run, summary

from taskaudit.mutation.java import JavaMutation
from taskaudit.mutation.model import Outcome, apply_mutants

pytestmark = pytest.mark.skipif(shutil.which("javac") is None, reason="no JDK on this machine")

TRICKY = b'''import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

public final class Tricky {
    static final int LIMIT = 10;

    public static String greet(String name) {
        String s = "hi " + name;
        return s + "!";
    }

    public static List<String> clean(List<String> words) {
        List<String> out = new ArrayList<>();
        for (String w : words) {
            if (w.isEmpty()) {
                continue;
            }
            out.add(w.trim().toLowerCase());
        }
        Collections.sort(out);
        return out;
    }

    public static int sum(int[] xs) {
        int total = 0;
        for (int i = 0; i < xs.length; i++) {
            total += xs[i] * 2;
        }
        return total;
    }

    public static int loop() {
        while (true) {
            if (LIMIT > 3) {
                return 1;
            }
        }
    }

    public static int check(int x) {
        if (x < 0) {
            throw new IllegalArgumentException("negative: " + x);
        }
        switch (x) {
            case 1:
                break;
            default:
                x++;
        }
        return x;
    }

    public static boolean isBig(long n) {
        return n > 100L;
    }
}
'''


def _mutants():
    return JavaMutation().generate({"Tricky.java": TRICKY}, ["Tricky.java"])


def test_type_aware_operators():
    mutants = _mutants()
    lines: dict[int, list] = {}
    for m in mutants:
        lines.setdefault(m.line, []).append(m)
    # String concatenation is not arithmetic; static final constants and case labels are left
    # alone; `while (true)` keeps its true; the exception's message is not mutated.
    assert not [m for m in lines.get(9, []) + lines.get(10, []) if m.operator == "arithmetic"]
    assert 6 not in lines
    assert not [m for m in lines.get(33, []) if m.operator == "constant"]
    assert not [m for m in lines.get(43, []) if m.operator != "remove_raise"]
    assert not [m for m in lines.get(46, [])]
    returns = {m.line: m.replacement for m in mutants if m.operator == "return_value"}
    assert returns[10] == 'return "";'
    assert returns[22] == "return java.util.Collections.emptyList();"
    assert returns[55] == "return false;"
    assert any(m.operator == "normalizing_call" and m.replacement == "w" for m in mutants)
    assert any(m.operator == "normalizing_call" and m.original == "Collections.sort(out);" for m in mutants)
    assert any(m.operator == "loop_control" and m.replacement == "break;" for m in mutants)
    assert not [m for m in lines.get(47, []) if m.operator == "loop_control"]  # break in a switch
    assert any(m.operator == "remove_raise" for m in mutants)
    assert any(m.original == "100L" and m.replacement == "101L" for m in mutants)


def test_every_generated_mutant_compiles(tmp_path: Path):
    """Each mutant, applied alone, compiles (taskaudit's own snippet, compiled on the host; one
    class per mutant, all in one javac run)."""
    mutants = _mutants()
    assert len(mutants) > 20
    sources = []
    for i, m in enumerate(mutants):
        text = apply_mutants({"Tricky.java": TRICKY}, [m])["Tricky.java"].replace(b"class Tricky", f"class Tricky{i}".encode())
        path = tmp_path / f"Tricky{i}.java"
        path.write_bytes(text)
        sources.append(str(path))
    done = subprocess.run(["javac", "-proc:none", "-Xmaxerrs", "1000", "-d", str(tmp_path / "out"), *sources],
                          check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]


def test_weak_tests_have_surviving_mutants_with_diffs():
    task = load_example("java", "weak-tests")
    job, results = run(task)
    counts = summary(results)
    survivors = [r for r in results if r.outcome == Outcome.SURVIVED]
    assert survivors, counts
    assert counts.get("no_coverage", 0) > 0, counts  # decode is never called
    assert not counts.get("error"), [r.detail for r in results]
    diff = survivors[0].mutant.diff(job.workspace[survivors[0].mutant.file])
    assert diff.startswith("--- a/src/main/java/Rle.java") and "\n+" in diff
    assert all(r.covered_by == ["RleTest::encode"] for r in survivors)


def test_good_tests_kill_nearly_all_mutants():
    task = load_example("java", "good")
    job, results = run(task)
    counts = summary(results)
    detected = sum(r.outcome in (Outcome.KILLED, Outcome.TIMEOUT, Outcome.CRASH) for r in results)
    # The survivors here are near-equivalent (parseInt("") throws an IllegalArgumentException
    # too; '0' and '9' bounds never met by the tests' inputs).
    assert detected / len(results) >= 0.8, counts
    assert not counts.get("error") and not counts.get("unviable"), counts
    reference_ids = {t.test_id for t in job.reference.tests}
    assert all(set(r.killed_by) <= reference_ids for r in results), "ids match the language runner's"


def test_same_task_twice_gives_same_mutants_and_outcomes():
    task = load_example("java", "weak-tests")
    _, first = run(task)
    _, second = run(task)
    assert [r.mutant for r in first] == [r.mutant for r in second]
    assert [(r.outcome, r.killed_by) for r in first] == [(r.outcome, r.killed_by) for r in second]
