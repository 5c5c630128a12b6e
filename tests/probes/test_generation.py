"""Probe generation, statically: cases read from the tests, bodies rewritten per language.

Nothing runs here; ``test_probes_examples.py`` runs the probes in the sandbox.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from taskaudit.formats import load_tasks
from taskaudit.probes import go, java, javascript, python, rust
from taskaudit.probes.generate import build_probes, usable_cases
from taskaudit.probes.text import is_literal, parse_call, split_top

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("python", "javascript", "typescript", "go", "rust", "java")


def example(language: str, name: str):
    (task,) = load_tasks([str(ROOT / "examples/tasks" / language / name)])
    return task, {**task.starter_files, **task.solution_files}


def test_split_and_parse_respect_strings_and_brackets():
    assert split_top('"a,b", f(1, 2), [3, 4]') == ['"a,b"', "f(1, 2)", "[3, 4]"]
    assert parse_call('rle.Encode("a(b")') == ("Encode", ['"a(b"'], False)
    assert parse_call('encode("aab").unwrap()') == ("encode", ['"aab"'], True)
    assert parse_call("encode(x) + 1") is None
    assert is_literal('"x"') and is_literal("[1, -2.5, None]") and is_literal('vec![1, 2]')
    assert not is_literal('"x".repeat(3)') and not is_literal("text") and not is_literal("")


@pytest.mark.parametrize(
    "module, files, expected",
    [
        (python, {"t.py": b"def test():\n    assert f(2) == 4\n    assert 9 == f(3)\n    self.assertEqual(f(5), 25)\n"},
         [("f", ["2"], "4"), ("f", ["3"], "9"), ("f", ["5"], "25")]),
        (python, {"t.py": b"import pytest\n@pytest.mark.parametrize('x,y', [(1, 2), (3, 4)])\ndef test(x, y):\n    assert f(x) == y\n"},
         [("f", ["1"], "2"), ("f", ["3"], "4")]),
        (javascript, {"a.test.js": b"expect(f(2)).toBe(4);\nassert.strictEqual(f(3), 9);\nassert.deepEqual(g([1]), [2]);\n"},
         [("f", ["2"], "4"), ("f", ["3"], "9"), ("g", ["[1]"], "[2]")]),
        (go, {"x_test.go": b'if got := pkg.F(2); got != 4 {\nif got, _ := F("a"); got != "b" {\nif F(3) != 9 {\n'},
         [("F", ["2"], "4"), ("F", ['"a"'], '"b"'), ("F", ["3"], "9")]),
        (rust, {"t.rs": b'assert_eq!(f(2), 4);\nassert_eq!(g("a").unwrap(), "b");\n'},
         [("f", ["2"], "4"), ("g", ['"a"'], '"b"')]),
        (java, {"T.java": b'assertEquals(4, Calc.f(2));\nAssertions.assertEquals("b", g("a"), "msg");\n'},
         [("f", ["2"], "4"), ("g", ['"a"'], '"b"')]),
    ],
    ids=["python", "python-parametrize", "javascript", "go", "rust", "java"],
)
def test_cases_are_read_from_assertions(module, files, expected):
    assert [(c.function, c.args, c.expected) for c in module.cases(files)] == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_weak_example_gives_the_one_asserted_pair(language):
    task, reference = example(language, "weak-tests")
    from taskaudit.probes.generate import language_module

    lang = language_module(language)
    cases = usable_cases(lang, task.test_files, lang.functions(reference, task.solution_paths))
    (name,) = cases
    assert name.lower() == "encode"
    got = [([a.replace("'", '"') for a in c.args], c.expected.replace("'", '"')) for c in cases[name]]
    assert got == [(['"aab"'], '"2a1b"')]  # Python's ast writes the literals back with ' quotes


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_builds_the_core_probes(language):
    task, reference = example(language, "good")
    probes, skipped = build_probes(task, reference)
    names = {p.name for p in probes}
    assert {"stub", "return-input", "exit-early", "plant-config"} <= names, skipped
    for probe in probes:
        assert probe.changed_files(), probe.name  # every probe changes something
        assert probe.diff().startswith("---")


def test_python_probes_parse_and_keep_the_signatures():
    task, reference = example("python", "good")
    probes, _ = build_probes(task, reference)
    for probe in probes:
        for path in probe.changed_files():
            if path.endswith(".py"):
                tree = ast.parse(probe.workspace[path])  # every probe is valid Python
                if path == "rle.py":
                    names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
                    assert {"encode", "decode"} <= names, probe.name


def test_lookup_table_answers_the_tested_inputs_only():
    task, reference = example("python", "good")
    probes, _ = build_probes(task, reference)
    lookup = next(p for p in probes if p.name == "lookup-table")
    namespace: dict = {}
    exec(compile(lookup.workspace["rle.py"], "rle.py", "exec"), namespace)  # our own generated code
    assert namespace["encode"]("aaabcc") == "3a1b2c"  # asserted in the tests
    assert namespace["encode"]("zz") is None  # anything else is wrong


def test_go_keeps_the_original_so_imports_stay_used():
    task, reference = example("go", "weak-tests")
    probes, _ = build_probes(task, reference)
    source = next(p for p in probes if p.name == "lookup-table").workspace["rle.go"].decode()
    assert "func probeOrigEncode(text string) (string, error)" in source
    assert 'import probefmt "fmt"' in source
    assert source.count("func Encode(") == 1


def test_harness_probes_sit_on_a_wrong_solution():
    task, reference = example("javascript", "good")
    probes, _ = build_probes(task, reference)
    stub = next(p for p in probes if p.name == "stub")
    patch = next(p for p in probes if p.name == "patch-runner")
    assert patch.base == stub.workspace  # patched assertions, not a crashing starter
    assert patch.workspace["rle.js"].endswith(stub.workspace["rle.js"])


def test_go_table_driven_tests_give_cases():
    source = b"""
func TestEncode(t *testing.T) {
\ttests := []struct {
\t\tname     string
\t\tin, want string
\t}{
\t\t{"one", "aab", "2a1b"},
\t\t{name: "two", in: "x", want: "1x"},
\t}
\tfor _, tc := range tests {
\t\tgot, err := rle.Encode(tc.in)
\t\tif err != nil || got != tc.want {
\t\t\tt.Errorf("bad")
\t\t}
\t}
}
"""
    got = [(c.function, c.args, c.expected) for c in go.cases({"a_test.go": source})]
    assert got == [("Encode", ['"aab"'], '"2a1b"'), ("Encode", ['"x"'], '"1x"')]


def test_humaneval_x_shapes_give_cases():
    js = b"console.assert(hasCloseElements([1.0, 2.0], 0.5) === false)\nassert.ok(f('a') == 'b')\n"
    assert [(c.function, c.args, c.expected) for c in javascript.cases({"a.test.js": js})] == [
        ("hasCloseElements", ["[1.0, 2.0]", "0.5"], "false"), ("f", ["'a'"], "'b'")]
    gosrc = b"assert.Equal(t, true, HasCloseElements([]float64{1.0}, 0.3))\nassert.Equal(t, 4, F(2))\n"
    assert [(c.function, c.args, c.expected) for c in go.cases({"x_test.go": gosrc})] == [
        ("HasCloseElements", ["[]float64{1.0}", "0.3"], "true"), ("F", ["2"], "4")]
