"""Go mutation backend: operators, schema build + warm loop, outcomes (needs the go toolchain)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from compiled_helpers import load_example, run, summary

from taskaudit.model import Task
from taskaudit.mutation.go import GoMutation
from taskaudit.mutation.model import Outcome, apply_mutants

pytestmark = pytest.mark.skipif(shutil.which("go") is None, reason="no Go toolchain on this machine")

TRICKY = b'''package tricky

import (
\t"sort"
\t"strings"
)

type Name string

type Point struct{ X, Y int }

func Join(a, b string) string {
\treturn a + b + "!"
}

func Label(n Name) Name {
\tgreeting := "hi "
\treturn Name(greeting + string(n))
}

func Origin(p Point) (Point, error) {
\tif p.X < 0 {
\t\treturn Point{}, nil
\t}
\treturn p, nil
}

func Clean(words []string) []string {
\tout := make([]string, 0, len(words))
\tfor _, w := range words {
\t\tif w == "" {
\t\t\tcontinue
\t\t}
\t\tout = append(out, strings.ToLower(w))
\t}
\tsort.Strings(out)
\treturn out
}

func Sum(xs []int) int {
\ttotal := 0
\tfor i := 0; i < len(xs); i++ {
\t\ttotal += xs[i] * 2
\t}
\treturn total
}

func Bar(n int) string {
\treturn strings.Repeat("-", n)
}
'''


def test_no_arithmetic_on_strings_and_typed_return_values():
    mutants = GoMutation().generate({"tricky.go": TRICKY}, ["tricky.go"])
    by_line = {}
    for m in mutants:
        by_line.setdefault(m.line, []).append(m)
    # a + b + "!" and greeting + string(n) are string concatenations: no arithmetic mutant.
    assert not [m for m in by_line.get(13, []) + by_line.get(18, []) if m.operator == "arithmetic"]
    returns = {m.line: m.replacement for m in mutants if m.operator == "return_value"}
    assert returns[13] == 'return ""'
    assert returns[18] == "return *new(Name)"
    assert returns[25] == "return *new(Point), nil"
    assert any(m.operator == "normalizing_call" and m.replacement == "w" for m in mutants)
    # sort.Strings(out) is the file's only use of "sort": removing it would not compile.
    assert not any(m.original == "sort.Strings(out)" for m in mutants)
    assert any(m.operator == "loop_control" and m.replacement == "break" for m in mutants)
    assert any(m.operator == "arithmetic" and m.original == "+=" for m in mutants)


def test_every_generated_mutant_compiles(tmp_path: Path):
    """Each mutant, applied alone, builds (taskaudit's own snippet, so built on the host)."""
    mutants = GoMutation().generate({"tricky.go": TRICKY}, ["tricky.go"])
    assert len(mutants) > 15
    (tmp_path / "go.mod").write_text("module tricky\n\ngo 1.21\n")
    failures = []
    for m in mutants:
        (tmp_path / "tricky.go").write_bytes(apply_mutants({"tricky.go": TRICKY}, [m])["tricky.go"])
        done = subprocess.run(["go", "vet", "."], cwd=tmp_path, check=False, capture_output=True, text=True,
                              env={**__import__("os").environ, "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local"})
        if done.returncode != 0 and "vet:" not in done.stderr:
            failures.append((m.id, done.stderr[-300:]))
    assert failures == []


def test_removal_that_would_leave_a_variable_unused_is_not_generated():
    source = b"package p\n\nimport \"fmt\"\n\nfunc F(x int) {\n\ty := x * 2\n\tfmt.Println(y)\n}\n"
    mutants = GoMutation().generate({"p.go": source}, ["p.go"])
    # Removing fmt.Println(y) would leave y unused and fmt unimported: Go rejects both.
    assert not [m for m in mutants if m.operator == "remove_call"]


def test_weak_tests_have_surviving_mutants_with_diffs():
    task = load_example("go", "weak-tests")
    job, results = run(task)
    counts = summary(results)
    survivors = [r for r in results if r.outcome == Outcome.SURVIVED]
    assert survivors, counts
    assert counts.get("no_coverage", 0) > 0, counts  # Decode is never called by the tests
    source = job.workspace[survivors[0].mutant.file]
    diff = survivors[0].mutant.diff(source)
    assert diff.startswith("--- a/rle.go") and "\n+" in diff
    assert not [r for r in results if r.outcome == Outcome.ERROR], [r.detail for r in results]
    # The warm loop ran them: only the one test reaches them, and it is recorded.
    assert all(r.covered_by == ["rle::TestEncode"] for r in survivors)


def test_good_tests_kill_nearly_all_mutants():
    task = load_example("go", "good")
    job, results = run(task)
    counts = summary(results)
    detected = sum(r.outcome in (Outcome.KILLED, Outcome.TIMEOUT, Outcome.CRASH) for r in results)
    assert detected / len(results) >= 0.85, counts
    assert not counts.get("error") and not counts.get("unviable"), counts
    killed = [r for r in results if r.outcome == Outcome.KILLED]
    assert all(r.killed_by and set(r.killed_by) <= {t.test_id for t in job.reference.tests} | {
        k for r in killed for k in r.killed_by if "/" in k} for r in killed)


def test_same_task_twice_gives_same_mutants_and_outcomes():
    task = load_example("go", "weak-tests")
    _, first = run(task)
    _, second = run(task)
    assert [r.mutant for r in first] == [r.mutant for r in second]
    assert [(r.outcome, r.killed_by) for r in first] == [(r.outcome, r.killed_by) for r in second]


def test_site_the_schema_cannot_compile_falls_back_to_a_rebuild():
    """``a - b`` on a named string type: the syntax cannot tell, the schema's build can. The
    site is dropped from the schema, the mutant is rebuilt alone, and reported unviable with
    the compiler's message; the other mutants still run in the schema."""
    source = b"package p\n\ntype Text string\n\nfunc Cat(a, b Text) Text {\n\treturn a + b\n}\n\nfunc Pos(x int) bool {\n\treturn x > 0\n}\n"
    test = b'package p_test\n\nimport (\n\t"testing"\n\n\t"p"\n)\n\nfunc TestCat(t *testing.T) {\n\tif p.Cat("a", "b") != "ab" || !p.Pos(1) || p.Pos(0) {\n\t\tt.Fatal("wrong")\n\t}\n}\n'
    task = Task(id="go-fallback", source="test", format="test", language="go", test_runner="go",
                statement="Cat joins.", starter_files={"go.mod": b"module p\n\ngo 1.21\n"},
                solution_files={"p.go": source}, test_files={"p_test.go": test}, solution_paths=["p.go"])
    _, results = run(task)
    by_op = {(r.mutant.line, r.mutant.operator): r for r in results}
    cat = by_op[(6, "arithmetic")]
    assert cat.outcome == Outcome.UNVIABLE and "schema site did not compile" in cat.detail
    assert by_op[(10, "relational")].outcome == Outcome.KILLED
    assert by_op[(10, "boundary")].outcome == Outcome.KILLED
