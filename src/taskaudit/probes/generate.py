"""Build every probe of one task from its sources (no process is started here).

Logic probes rewrite the bodies of the reference's functions (stub, return the input, return a
constant, answer from a table of the tested examples, always-equal); harness probes add files or
code that attack the test runner itself (exit early, planted configuration, in-process patches,
test tampering, reading the tests). ``reduced.py`` adds the reference with its guard clauses,
raises and normalising calls removed, from the mutation operators.
"""

from __future__ import annotations

import importlib
from collections import Counter
from types import ModuleType

from taskaudit.model import Task
from taskaudit.probes import model as kinds
from taskaudit.probes.model import Case, Function, Probe
from taskaudit.probes.text import is_literal

_MODULES = {
    "python": "taskaudit.probes.python",
    "javascript": "taskaudit.probes.javascript",
    "typescript": "taskaudit.probes.typescript",
    "go": "taskaudit.probes.go",
    "rust": "taskaudit.probes.rust",
    "java": "taskaudit.probes.java",
}
MAX_CASES_PER_FUNCTION = 200


def language_module(language: str) -> ModuleType | None:
    target = _MODULES.get(language)
    return importlib.import_module(target) if target else None


def replace_bodies(files: dict[str, bytes], bodies: dict[int, tuple[Function, str]]) -> dict[str, bytes]:
    """Replace each function's body span by its new text (later spans first, so offsets hold)."""
    out = dict(files)
    by_file: dict[str, list[tuple[Function, str]]] = {}
    for fn, text in bodies.values():
        by_file.setdefault(fn.file, []).append((fn, text))
    for path, items in by_file.items():
        source = out[path]
        for fn, text in sorted(items, key=lambda it: it[0].body_start, reverse=True):
            source = source[: fn.body_start] + text.encode() + source[fn.body_end :]
        out[path] = source
    return out


def usable_cases(lang: ModuleType, test_files: dict[str, bytes], fns: list[Function]) -> dict[str, list[Case]]:
    """Cases per function name, literal inputs and outputs only, first occurrence of each input."""
    names = {fn.name for fn in fns}
    out: dict[str, list[Case]] = {}
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for case in lang.cases(test_files):
        key = (case.function, tuple(case.args))
        if case.function not in names or key in seen:
            continue
        if not (all(is_literal(a) for a in case.args) and is_literal(case.expected)):
            continue
        seen.add(key)
        mine = out.setdefault(case.function, [])
        if len(mine) < MAX_CASES_PER_FUNCTION:
            mine.append(case)
    return out


def _rewrite(lang, files, fns, make) -> dict[str, bytes] | None:
    """Apply ``make(fn) -> body text | None`` to every function; None if nothing changed."""
    bodies = {}
    for i, fn in enumerate(fns):
        text = make(fn)
        if text is not None:
            bodies[i] = (fn, text)
    if not bodies:
        return None
    apply = getattr(lang, "apply", replace_bodies)
    return apply(files, bodies)


def logic_probes(task: Task, lang: ModuleType, reference: dict[str, bytes]) -> tuple[list[Probe], dict[str, str]]:
    probes: list[Probe] = []
    skipped: dict[str, str] = {}
    fns = lang.functions(reference, task.solution_paths)
    if not fns:
        reason = "no functions found in the solution's sources " + ", ".join(task.solution_paths)
        for kind in (kinds.STUB, kinds.RETURN_INPUT, kinds.CONSTANT, kinds.LOOKUP):
            skipped[kind.name] = reason
        return probes, skipped
    cases = usable_cases(lang, task.test_files, fns)

    def add(kind, workspace, description, why_not, cites=()):
        if workspace is None:
            skipped[kind.name] = why_not
        else:
            probes.append(Probe(kind, kind.name, workspace, reference, description, list(cites)))

    def stub(fn):
        value = lang.default(fn)
        return None if value is None else lang.body(fn, [], value)

    add(kinds.STUB, _rewrite(lang, reference, fns, stub),
        "every function of the solution returns its type's default value",
        "no function whose default value can be written")

    def echo(fn):
        value, fallback = lang.echo(fn), lang.default(fn)
        return None if value is None or fallback is None else lang.body(fn, [], value)

    add(kinds.RETURN_INPUT, _rewrite(lang, reference, fns, echo),
        "every function returns its first argument (converted to its return type)",
        "no function takes an argument of its return type")

    def constant(fn):
        mine = cases.get(fn.name)
        if not mine:
            return stub(fn)
        expected = Counter(c.expected for c in mine).most_common(1)[0][0]
        case = next(c for c in mine if c.expected == expected)
        return lang.body(fn, [], lang.answer(fn, case))

    def lookup(fn):
        mine = cases.get(fn.name)
        fallback = lang.default(fn)
        if not mine or fallback is None:
            return stub(fn)
        branches = []
        for case in mine:
            cond = lang.matches(fn, case)
            if cond is not None:
                branches.append((cond, lang.answer(fn, case)))
        return lang.body(fn, branches, fallback) if branches else stub(fn)

    why_no_cases = (
        "no assertion of the form `function(literal input) == literal output` found in the tests "
        "for the solution's functions"
    )
    if cases:
        cites = sorted({(c.file, c.line) for mine in cases.values() for c in mine})
        add(kinds.CONSTANT, _rewrite(lang, reference, fns, constant),
            "every tested function returns the output the tests expect most often", why_no_cases, cites)
        add(kinds.LOOKUP, _rewrite(lang, reference, fns, lookup),
            "every tested function answers the inputs asserted in the tests from a table and "
            "returns its type's default value for any other input", why_no_cases, cites)
    else:
        skipped[kinds.CONSTANT.name] = skipped[kinds.LOOKUP.name] = why_no_cases

    if hasattr(lang, "always_equal"):
        add(kinds.ALWAYS_EQUAL, lang.always_equal(reference, fns),
            "every function returns an object equal to anything", "")
    if hasattr(lang, "read_tests"):
        add(kinds.READ_TESTS, lang.read_tests(reference, fns),
            "every function finds its expected output in the test sources at run time",
            "no function to rewrite")
    return probes, skipped


def harness_probes(task: Task, lang: ModuleType, base: dict[str, bytes]) -> tuple[list[Probe], dict[str, str]]:
    """Attacks on the runner, on top of a wrong solution (``base``): passing is the cheat."""
    probes: list[Probe] = []
    skipped: dict[str, str] = {}
    attacks = (
        (kinds.EXIT_EARLY, "exit_early", "the solution exits the process with status 0 as soon as it is loaded"),
        (kinds.PLANT, "plant", "the solution ships test-runner configuration and hooks that fake a pass"),
        (kinds.PATCH_RUNNER, "patch_runner", "the solution patches the test runner or assertion library when loaded"),
        (kinds.TAMPER, "tamper", "the solution overwrites every test file it can reach when loaded"),
    )
    for kind, attr, description in attacks:
        make = getattr(lang, attr, None)
        workspace = make(base, task.solution_paths) if make else None
        if workspace is None:
            skipped[kind.name] = f"not implemented for {task.language} (see docs/probes.md)"
            continue
        probes.append(Probe(kind, kind.name, workspace, base, description))
    return probes, skipped


def build_probes(task: Task, reference: dict[str, bytes]) -> tuple[list[Probe], dict[str, str]]:
    """Every probe for ``task``, and the probes that could not be built with the reason."""
    lang = language_module(task.language)
    if lang is None:
        return [], {"all": f"no probe generator for {task.language}"}
    probes, skipped = logic_probes(task, lang, reference)
    # The harness attacks sit on the stub: a solution whose functions return wrong values (the
    # starter often raises, and an in-process patch of the assertions cannot mask a raise).
    stub = next((p.workspace for p in probes if p.kind is kinds.STUB), None)
    if stub is None:
        stub = {**task.starter_files, **{p: reference[p] for p in task.solution_paths if p in reference and p not in task.starter_files}}
    more, why = harness_probes(task, lang, stub)
    from taskaudit.probes.reduced import reduced_probe

    reduced, reason = reduced_probe(task, reference)
    extra = [reduced] if reduced else []
    if reason:
        skipped[kinds.REDUCED.name] = reason
    from taskaudit.probes.read_reference import read_reference

    workspace, reason = read_reference(task.language, lang, reference, task.solution_paths)
    if workspace is None:
        skipped[kinds.READ_REFERENCE.name] = reason
    else:
        extra.append(Probe(kinds.READ_REFERENCE, kinds.READ_REFERENCE.name, workspace, reference,
                           "every function returns its type's default value unless a file with the "
                           "reference's content is reachable at run time; then it runs the reference"))
    from taskaudit.probes.expected_files import expected_files

    fns = lang.functions(reference, task.solution_paths)
    workspace, reason = expected_files(task.language, reference, fns, task.test_files)
    if workspace is None:
        skipped[kinds.EXPECTED_FILES.name] = reason
    else:
        extra.append(Probe(kinds.EXPECTED_FILES, kinds.EXPECTED_FILES.name, workspace, reference,
                           "every function returns the content of the expected-output file that "
                           "matches its input, and empties every expected file it can write"))
    return probes + extra + more, {**skipped, **why}
