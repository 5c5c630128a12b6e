"""Python mutant generation and schemata, without a sandbox.

The schema test is the important one: for every mutant, the instrumented module with that
mutant active must behave exactly like the source with the mutant applied (and like the
original with none active). It executes only this file's own snippet, never task code.
"""

from __future__ import annotations

import types

import pytest

from taskaudit.mutation import switch
from taskaudit.mutation.model import OPERATORS
from taskaudit.mutation.python import PythonMutation, compiles, generate_python
from taskaudit.mutation.python_schema import build_schema

SNIPPET = b'''"""A module docstring."""
from __future__ import annotations

import functools

LIMIT = 3


def clamp(x, low=0, high=10):
    """Docstring: never mutated."""
    if x is None:
        raise ValueError("x is required")
    if x < low:
        return low
    if x > high and high >= 0:
        return high
    return x


def total(items):
    out = 0
    for item in items:
        if not item:
            continue
        if item == 99:
            break
        out += item * 2 - 1
    return out


def shout(name):
    name = name.strip()
    print("hello", name)
    return name.upper() + "!"


def order(values):
    return sorted(values)[:LIMIT]


class Box:
    def __init__(self, items):
        self.items = list(items)

    @property
    def size(self):
        return len(self.items) + 1

    @staticmethod
    def twice(v):
        return v * 2

    @classmethod
    def empty(cls):
        return cls([])

    @functools.cache
    def flags(self):
        return [True, False]
'''


def load(source: bytes, active: int = 0) -> types.ModuleType:
    switch.ACTIVE = active
    module = types.ModuleType("snippet")
    exec(compile(source, "snippet.py", "exec"), module.__dict__)  # noqa: S102 - our own snippet
    return module


def behaviour(module: types.ModuleType) -> list:
    """Observable results of the snippet's functions on a few inputs (exceptions included)."""
    calls = [
        lambda: module.clamp(-4), lambda: module.clamp(5), lambda: module.clamp(50),
        lambda: module.clamp(None), lambda: module.clamp(4, high=-1),
        lambda: module.total([1, 0, 2, 99, 5]), lambda: module.total([]),
        lambda: module.shout("  ann "), lambda: module.order([5, 1, 4, 2]),
        lambda: module.Box([1, 2]).size, lambda: module.Box.twice(4),
        lambda: module.Box.empty().items, lambda: module.Box([]).flags(),
    ]
    out = []
    for call in calls:
        try:
            out.append(("ok", call()))
        except Exception as exc:  # noqa: BLE001 - part of the behaviour
            out.append(("raised", type(exc).__name__))
    return out


@pytest.fixture(autouse=True)
def _reset_switch():
    yield
    switch.ACTIVE = 0
    switch.REACHED.clear()


def test_every_operator_is_generated_and_ids_are_stable():
    mutants = generate_python("snippet.py", SNIPPET)
    assert {m.operator for m in mutants} == set(OPERATORS)
    assert [m.id for m in mutants] == [m.id for m in generate_python("snippet.py", SNIPPET)]
    assert len({m.id for m in mutants}) == len(mutants)
    # Docstrings are never mutated; every mutant's span holds its original text.
    assert not any("Docstring" in m.original or "module docstring" in m.original for m in mutants)
    for m in mutants:
        assert SNIPPET[m.start : m.end].decode() == m.original


def test_error_and_output_strings_are_marked():
    by_original = {m.original: m for m in generate_python("snippet.py", SNIPPET)
                   if m.operator == "constant"}
    assert by_original['"x is required"'].context == "error_message"
    assert by_original['"hello"'].context == "output_message"
    assert by_original['"!"'].context == ""


def test_schema_with_each_mutant_active_behaves_like_the_mutated_source():
    mutants = [m for m in generate_python("snippet.py", SNIPPET)
               if compiles(m.apply(SNIPPET), "snippet.py") is None]
    schema = build_schema({"snippet.py": SNIPPET}, mutants)
    instrumented = schema.files["snippet.py"]
    assert behaviour(load(instrumented)) == behaviour(load(SNIPPET))
    # Module-level code (LIMIT = 3) is not expressible: rebuilt instead.
    assert {m.line for m in schema.unexpressed} == {6}
    assert schema.mutants
    for m in schema.mutants:
        expected = behaviour(load(m.apply(SNIPPET)))
        assert behaviour(load(instrumented, schema.ids[m.id])) == expected, m.id


def test_switch_records_which_functions_are_reached():
    mutants = generate_python("snippet.py", SNIPPET)
    schema = build_schema({"snippet.py": SNIPPET}, mutants)
    module = load(schema.files["snippet.py"])
    switch.REACHED.clear()
    module.total([1])
    reached = {schema.functions[k].split()[-1] for k in switch.REACHED}
    assert reached == {"total"}


def test_compiles_names_the_syntax_error_without_running_the_code():
    assert compiles(b"def f(x):\n    return x + 1\n", "f.py") is None
    assert "SyntaxError" in compiles(b"def f(x):\n    return x +\n", "f.py")
    # compile() only: a side effect at import is never executed.
    assert compiles(b"raise SystemExit(3)\n", "f.py") is None


def test_backend_generates_only_for_python_sources():
    backend = PythonMutation()
    files = {"a.py": b"def f():\n    return 1\n", "data.txt": b"1 + 2"}
    assert {m.file for m in backend.generate(files, ["a.py", "data.txt"])} == {"a.py"}
