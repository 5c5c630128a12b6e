"""Generation (no process started) of the probes added for issue 5's second round: read-tests in
the compiled languages, read-reference in every language, expected-files."""

from __future__ import annotations

import pytest

from taskaudit.formats import load_tasks
from taskaudit.probes import python as py
from taskaudit.probes import rust
from taskaudit.probes.generate import build_probes
from taskaudit.probes.read_reference import read_reference
from taskaudit.runner import reference_variant

from .fixtures import EXAMPLES, golden_files


@pytest.mark.parametrize("language", ("go", "rust", "java"))
def test_read_tests_is_built_for_compiled_languages(language):
    task = load_tasks([str(EXAMPLES / language / "weak-tests")])[0]
    probes = {p.name: p for p in build_probes(task, reference_variant(task).workspace)[0]}
    diff = probes["read-tests"].diff(max_chars=100_000)
    helper = {"go": "func probeAnswer(", "rust": "fn probe_answer(", "java": "static String probeAnswer("}
    assert helper[language] in diff


def test_rust_read_tests_stubs_functions_whose_parameters_are_patterns():
    source = b"pub fn count(mut n: u32) -> u32 { n += 1; n }\npub fn first((a, _b): (u32, u32)) -> u32 { a }\n"
    fns = rust.functions({"src/lib.rs": source}, ["src/lib.rs"])
    text = rust.read_tests({"src/lib.rs": source}, fns)["src/lib.rs"].decode()
    assert 'probe_answer("count", &[format!("{:?}", n)])' in text
    assert 'probe_answer("first"' not in text  # a tuple pattern: no name to format, a stub


def test_python_read_reference_guards_one_line_methods():
    src = b"class A:\n    def f(self): self.x = 1; return 2\n\ndef top(a):\n    return a\n"
    out, _ = read_reference("python", py, {"m.py": src}, ["m.py"])
    text = out["m.py"].decode()
    compile(text, "m.py", "exec")
    namespace: dict = {}
    exec(compile(text, "m.py", "exec"), namespace)  # nothing reachable from here: stubs
    namespace["_probe_reference_reachable"].__defaults__[0][:] = [False]
    assert namespace["A"]().f() is None and namespace["top"](3) is None


def test_expected_files_probe_is_built_for_golden_file_tests(tmp_path):
    task = load_tasks([str(golden_files(tmp_path))])[0]
    probes = {p.name: p for p in build_probes(task, reference_variant(task).workspace)[0]}
    probe = probes["expected-files"]
    assert "return _probe_echo(text)" in probe.diff(max_chars=100_000)
    assert probe.kind.code == "W214"
