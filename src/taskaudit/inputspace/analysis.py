"""Input-space analysis of one task: generate inputs, run the reference and its rivals, compare.

    targets (signature.py) -> seeds (seeds.py) + generated inputs (generate.py)
      -> validity against the statement (domain.py) and input classes (classes.py)
      -> the reference on every input, in the sandbox (execute.py)
      -> rivals on the inputs the reference answers: plausible-wrong variants (variants.py),
         surviving mutants, user-supplied candidates (candidates.py)
      -> rivals that agree on every test input yet disagree on a valid generated one have
         their tests run (the caller's ``run_tests``): those that pass are wrong solutions
         the tests let through.

This module decides nothing about findings; ``checks/inputspace.py`` turns the result into
W3xx findings and a score. It never starts a process itself: every execution goes through
the sandbox backend it is given.
"""

from __future__ import annotations

import ast
import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from taskaudit.inputspace import classes as input_classes
from taskaudit.inputspace.domain import parse_domain, validity
from taskaudit.inputspace.execute import Call, CallResult, not_run_for_budget, run_batch
from taskaudit.inputspace.generate import hypothesis_inputs, variations
from taskaudit.inputspace.shapes import Shape, param_shape
from taskaudit.inputspace.signature import Target
from taskaudit.inputspace.support import LanguageSupport, support_for
from taskaudit.model import Task

MAX_VARIATIONS = 45  # per target
HYPOTHESIS_EXAMPLES = 15  # per target
MAX_PROBES = 220  # per task
MAX_TEST_RUNS = 8  # rivals whose tests are run, per task
NO_TEST_CALLS = "no test input at all"  # the class of a function the tests never call with literals
# What runs is decided by counts alone, from the task's content, so two audits of one task run
# the same inputs on the same rivals whatever the machine's speed (docs/inputspace.md,
# "Determinism and the time budget"). Time limits only end a run, and that is reported.
RIVAL_CALLS = 10000  # rivals x inputs compared, per task
MIN_RIVAL_INPUTS = 40  # inputs every rival runs on, however many rivals there are
CALL_SECONDS = 1.0  # one call's time limit (reference and rivals alike)
REFERENCE_BUDGET_SECONDS = 10.0  # the reference on every input, one process
RIVALS_BUDGET_SECONDS = 15.0  # one batch of rivals, one process
SLOW_FACTOR = 10  # a rival's timeout counts only where the reference took < limit / SLOW_FACTOR


@dataclass
class Probe:
    """One input of one target."""

    target: Target
    args: tuple
    origin: str  # "test" (a seed) | "variation" | "hypothesis"
    classes: set[str]
    validity: str  # "stated" | "unstated" (invalid inputs are dropped before running)
    validity_why: list[str]
    size: int = 0

    def call_text(self) -> str:
        return f"{self.target.function}({', '.join(repr(a) for a in self.args)})"


@dataclass
class Disagreement:
    probe: Probe
    reference: CallResult
    rival: CallResult


@dataclass
class Rival:
    """A workspace compared with the reference on the same inputs."""

    kind: str  # "plausible" | "candidate" | "mutant"
    name: str
    description: str
    workspace: dict[str, bytes]
    diff: str = ""
    payload: object = None  # the MutantResult / Candidate it stands for
    results: list[CallResult] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    differs_on_test_input: bool = False
    tests_passed: bool | None = None  # None: its tests were not run
    test_run_detail: str = ""


@dataclass
class Analysis:
    targets: list[Target]
    probes: list[Probe]  # seeds first, then generated, all runnable
    reference: list[CallResult]
    usable: list[bool]  # the reference's answer on this probe can judge rivals
    seed_classes: dict[str, set[str]]  # target function -> classes the test inputs reach
    reached_classes: dict[str, set[str]]  # target function -> classes valid generated inputs reach
    domain_unstated: list[tuple[Probe, CallResult]]  # reference raises / times out, statement silent
    reference_failures: list[tuple[Probe, CallResult]]  # ...on inputs the statement admits
    rivals: list[Rival]
    constraints: dict[str, list[str]]
    dropped_invalid: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    # Calls the time budget left unrun ("reference", "rivals"): reported, never hidden. With
    # none, the results are a function of the task's content alone.
    not_run: dict[str, int] = field(default_factory=dict)

    def class_coverage(self) -> tuple[int, int]:
        """(classes the tests reach, classes tests or valid generated inputs reach)."""
        covered = total = 0
        for fn, reached in self.reached_classes.items():
            seeds = self.seed_classes.get(fn, set())
            covered += len(seeds)
            total += len(seeds | reached)
        return covered, total


class NoInputs(Exception):
    """The task has target functions but nothing to generate their inputs from (says why)."""


def content_seed(task: Task) -> int:
    return int(hashlib.sha256(task.content_hash().encode()).hexdigest()[:8], 16)


def constants_of(task: Task, workspace: dict[str, bytes], targets: list[Target]) -> list[int]:
    """Integer constants of the reference and the statement: the edges worth probing."""
    counts: dict[int, int] = {}
    for path in {t.path for t in targets}:
        if path.endswith(".py"):
            try:
                tree = ast.parse(workspace[path])
            except (SyntaxError, ValueError):
                continue
            values = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and type(n.value) is int]
        else:  # other languages: integer literals read from the source text
            text = workspace[path].decode("utf-8", errors="replace")
            values = [int(m) for m in re.findall(r"(?<![\w.])(\d{1,7})(?![\w.])", text)]
        for value in values:
            if 1 < abs(value) <= 10**6:
                counts[value] = counts.get(value, 0) + 1
    for m in re.finditer(r"(?<![\w.])(\d{1,6})(?![\w.])", task.statement):
        n = int(m.group(1))
        if n > 1:
            counts[n] = counts.get(n, 0) + 1
    return [n for n, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:6]]


# A one-character literal: Python '0' / "0", Go/Rust/Java char literals '0'.
_CHAR_LITERAL = re.compile(r"""(?<![\w\\])(['"])([^'"\\\s])\1""")


def char_constants_of(workspace: dict[str, bytes], targets: list[Target]) -> list[str]:
    """One-character literals of the reference (``c >= '0'``, ``ch == '-'``): a string holding
    that character, or its neighbour, is where a comparison's off-by-one shows."""
    counts: dict[str, int] = {}
    for path in {t.path for t in targets}:
        text = workspace[path].decode("utf-8", errors="replace")
        for m in _CHAR_LITERAL.finditer(text):
            counts[m.group(2)] = counts.get(m.group(2), 0) + 1
    return [c for c, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:4]]


def statement_code(statement: str, solution_path: str) -> dict[str, bytes]:
    """The statement's code — inline `spans`, fenced blocks and ``>>>`` doctest lines — as one
    pseudo source file in the solution's language, for reading example calls from it."""
    suffix = "." + solution_path.rsplit(".", 1)[-1] if "." in solution_path else ".py"
    pieces = re.findall(r"```[\w+-]*\n(.*?)```", statement, re.S)
    pieces += re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", statement, flags=re.S))
    pieces += [m.strip() for m in re.findall(r"^\s*>>>\s?(.*)$", statement, re.M)]
    lines = []
    for piece in pieces:
        # "f(x) returns y" / "f(x) == y": keep the call expression only
        lines.append(re.split(r"\s+(?:returns|raises|throws|is|==|->|=>)\s+", piece.strip())[0])
    return {f"statement{suffix}": "\n".join(lines).encode()}


def _size(args: tuple) -> int:
    return len(repr(args))


def build_probes(task: Task, workspace: dict[str, bytes], targets: list[Target],
                 support: LanguageSupport) -> tuple[list[Probe], dict, dict, int, list[int]]:
    rng_seed = content_seed(task)
    constants = constants_of(task, workspace, targets)
    frozen = frozenset(constants)
    chars = char_constants_of(workspace, targets)
    probes: list[Probe] = []
    constraints_by_fn: dict[str, list[str]] = {}
    shapes_by_fn: dict[str, list[Shape]] = {}
    dropped = 0
    per_target = max(10, MAX_PROBES // max(1, len(targets)))
    for target in targets:
        params = [p.name for p in target.params]
        seeds = support.seeds(task.test_files, target)
        # Examples in the statement seed generation too, but are not test inputs (no coverage).
        examples = [e for e in support.seeds(statement_code(task.statement, target.path), target) if e not in seeds]
        shapes = [param_shape(p.annotation, [s[i] for s in seeds + examples]) for i, p in enumerate(target.params)]
        shapes_by_fn[target.function] = shapes
        constraints = parse_domain(task.statement, params, shapes)
        constraints_by_fn[target.function] = [f"{c.param}: {c.text}" for c in constraints]
        generated = [("statement", a) for a in examples]
        generated += [("variation", a) for a in variations(seeds + examples, shapes, constants, rng_seed, MAX_VARIATIONS, chars)]
        generated += [("hypothesis", a) for a in hypothesis_inputs(shapes, rng_seed, HYPOTHESIS_EXAMPLES)]
        seen = {repr(s) for s in seeds}
        mine: list[Probe] = []
        for args in seeds:
            status, why = validity(args, params, constraints)
            mine.append(Probe(target, args, "test", input_classes.input_classes(params, args, frozen),
                              "stated" if status == "invalid" else status, why, _size(args)))
        extra: list[Probe] = []
        for origin, args in generated:
            if repr(args) in seen:
                continue
            seen.add(repr(args))
            status, why = validity(args, params, constraints)
            if status == "invalid":
                dropped += 1
                continue
            extra.append(Probe(target, args, origin, input_classes.input_classes(params, args, frozen), status, why, _size(args)))
        extra.sort(key=lambda p: p.size)  # small first: a time budget cuts the big ones
        probes += (mine + extra)[:per_target]
    return probes, constraints_by_fn, shapes_by_fn, dropped, constants


def rival_inputs(live: list[int], probes: list[Probe], rivals: int) -> list[int]:
    """The inputs the rivals run on: every test input, then generated ones smallest first, at
    most RIVAL_CALLS / rivals in all (never fewer than MIN_RIVAL_INPUTS). A function of the
    inputs and the number of rivals only, never of measured times."""
    cap = max(MIN_RIVAL_INPUTS, RIVAL_CALLS // max(1, rivals))
    order = sorted(live, key=lambda i: (probes[i].origin != "test", probes[i].size, i))
    tests = [i for i in order if probes[i].origin == "test"]
    return sorted(order[:max(cap, len(tests))])


def _never_none(target: Target) -> bool:
    """The return hint names a type that excludes None (no hint, Optional or Any: unknown)."""
    from taskaudit.inputspace.shapes import from_annotation

    return target.returns is not None and from_annotation(target.returns).kind not in ("any", "none", "optional")


def _calls(probes: list[Probe]) -> list[Call]:
    return [Call(p.target.function, p.args, tuple(p.target.native_types)) for p in probes]


def analyse_python(task: Task, workspace: dict[str, bytes], backend, toolchain_mounts, **kw) -> Analysis | None:
    return analyse(task, workspace, backend, toolchain_mounts, support_for("python"), **kw)


def analyse(
    task: Task,
    workspace: dict[str, bytes],
    backend,
    toolchain_mounts,
    support: LanguageSupport,
    *,
    survivors: list | None = None,
    candidates: list | None = None,
    run_tests: Callable[[list[tuple[str, dict[str, bytes]]]], list[tuple[bool | None, str]]] | None = None,
) -> Analysis | None:
    """The analysis, or None when the task has no function with inputs to generate."""
    analysis = reference_phase(task, workspace, backend, toolchain_mounts, support)
    if analysis is None:
        return None
    rivals = _plausible_rivals(workspace, analysis.targets, support) + list(survivors or []) + list(candidates or [])
    compare_rivals(analysis, rivals, backend, toolchain_mounts, support)

    # The tests, on the rivals that could be wrong solutions the tests let through.
    clock = time.monotonic()
    suspects = [r for r in rivals if r.disagreements and r.kind != "mutant"
                and (r.kind == "candidate" or not r.differs_on_test_input)]
    suspects = suspects[:MAX_TEST_RUNS]
    if run_tests and suspects:
        for rival, (passed, detail) in zip(suspects, run_tests([(r.name, r.workspace) for r in suspects])):
            rival.tests_passed, rival.test_run_detail = passed, detail
    analysis.seconds["tests"] = round(time.monotonic() - clock, 3)
    return analysis


def reference_phase(task: Task, workspace: dict[str, bytes], backend, toolchain_mounts,
                    support: LanguageSupport) -> Analysis | None:
    """Targets, inputs, and the reference's answers: everything before any rival runs."""
    clock = time.monotonic()
    targets = support.targets(task, workspace)
    if not targets:
        return None
    module_of = support.module_of
    probes, constraints, _shapes, dropped, _constants = build_probes(task, workspace, targets, support)
    if not probes:
        raise NoInputs(
            f"no inputs to generate for {', '.join(t.label for t in targets)}: the tests pass no "
            "literal arguments and the type hints do not say enough to draw values"
        )
    seconds = {"generate": round(time.monotonic() - clock, 3)}

    # The reference alone first, so the rivals' time limit can follow its speed.
    clock = time.monotonic()
    reference = [CallResult("lost") for _ in probes]
    for module in sorted({module_of(t) for t in targets}):
        idx = [i for i, p in enumerate(probes) if module_of(p.target) == module]
        if not idx:
            continue
        out = run_batch(support.runtime, backend, toolchain_mounts, module, [workspace],
                        _calls([probes[i] for i in idx]), call_seconds=CALL_SECONDS,
                        budget_seconds=REFERENCE_BUDGET_SECONDS)[0]
        for i, r in zip(idx, out):
            reference[i] = r
    seconds["reference"] = round(time.monotonic() - clock, 3)
    not_run = not_run_for_budget([reference])
    if all(r.kind == "lost" for r in reference):
        from taskaudit.inputspace.execute import HarnessUnsupported

        why = next((r.message for r in reference if r.message), "it printed nothing")
        raise HarnessUnsupported(f"the input harness got no answer from the reference: {why}")

    statement_words = set(re.findall(r"[A-Za-z_]\w*", task.statement))
    usable: list[bool] = []
    unstated: list[tuple[Probe, CallResult]] = []
    failures: list[tuple[Probe, CallResult]] = []
    for probe, result in zip(probes, reference):
        ok = result.kind == "value" or (result.kind == "raise" and (result.error in statement_words or probe.origin == "test"))
        if ok and probe.origin != "test" and result.kind == "value" and result.value is None and _never_none(probe.target):
            # "-> Tuple[float, float]" yet None: the input is outside what the reference handles.
            ok, result = False, CallResult("raise", error="None", message="returns None despite its return type hint")
        if not ok and probe.origin != "test" and result.kind in ("raise", "timeout", "lost"):
            (failures if probe.validity == "stated" else unstated).append((probe, result))
        usable.append(ok)

    seed_classes: dict[str, set[str]] = {t.function: set() for t in targets}
    reached: dict[str, set[str]] = {t.function: set() for t in targets}
    for probe, ok in zip(probes, usable):
        if probe.origin == "test":
            seed_classes[probe.target.function] |= probe.classes
        elif ok:
            reached[probe.target.function] |= probe.classes
    return Analysis(
        targets=targets,
        probes=probes,
        reference=reference,
        usable=usable,
        seed_classes=seed_classes,
        reached_classes=reached,
        domain_unstated=unstated,
        reference_failures=failures,
        rivals=[],
        constraints=constraints,
        dropped_invalid=dropped,
        seconds=seconds,
        not_run={"reference": not_run} if not_run else {},
    )


def compare_rivals(analysis: Analysis, rivals: list[Rival], backend, toolchain_mounts, support: LanguageSupport) -> None:
    """Run ``rivals`` on the inputs the reference answered and record where they differ.

    Rivals derived from the reference run in one process per batch; each candidate (user code)
    in its own."""
    clock = time.monotonic()
    probes, reference, module_of = analysis.probes, analysis.reference, support.module_of
    call_seconds = CALL_SECONDS
    live = rival_inputs([i for i, ok in enumerate(analysis.usable) if ok], probes, len(rivals))
    if rivals and live:
        batches = [[r for r in rivals if r.kind != "candidate"]] + [[r] for r in rivals if r.kind == "candidate"]
        for batch in batches:
            if not batch:
                continue
            for module in sorted({module_of(t) for t in analysis.targets}):
                idx = [i for i in live if module_of(probes[i].target) == module]
                if not idx:
                    continue
                out = run_batch(support.runtime, backend, toolchain_mounts, module, [r.workspace for r in batch],
                                _calls([probes[i] for i in idx]), call_seconds=call_seconds,
                                budget_seconds=RIVALS_BUDGET_SECONDS)
                skipped = not_run_for_budget(out)
                if skipped:
                    analysis.not_run["rivals"] = analysis.not_run.get("rivals", 0) + skipped
                for rival, row in zip(batch, out):
                    if not rival.results:
                        rival.results = [CallResult("skipped") for _ in probes]
                    for i, r in zip(idx, row):
                        rival.results[i] = r
    limit_ms = call_seconds * 1000
    for rival in rivals:
        for i in live:
            got, want = rival.results[i] if rival.results else CallResult("skipped"), reference[i]
            if got.kind in ("lost", "skipped") or got.same_as(want):
                continue
            if got.kind == "timeout" and want.ms * SLOW_FACTOR > limit_ms:
                continue  # the reference is itself close to the limit: not evidence
            if probes[i].origin == "test":
                rival.differs_on_test_input = True
            else:
                rival.disagreements.append(Disagreement(probes[i], want, got))
        # The clearest witness first: a one-argument variation of a tested input, then the smallest.
        rival.disagreements.sort(key=lambda d: (d.probe.origin not in ("variation", "statement"), d.probe.size))
    analysis.rivals.extend(rivals)
    analysis.seconds["rivals"] = round(analysis.seconds.get("rivals", 0.0) + time.monotonic() - clock, 3)


def _plausible_rivals(workspace: dict[str, bytes], targets: list[Target], support: LanguageSupport) -> list[Rival]:
    rivals: list[Rival] = []
    for path in sorted({t.path for t in targets}):
        source = workspace[path]
        for n, edit in enumerate(support.wrong_variants(path, source)):
            rivals.append(
                Rival(
                    kind="plausible",
                    name=f"wrong:{path}:{n}",
                    description=edit.description,
                    workspace={**workspace, path: edit.apply(source)},
                    diff=edit.diff(source),
                    payload=edit,
                )
            )
    return rivals


def survivor_rivals(workspace: dict[str, bytes], mutant_results: list) -> list[Rival]:
    """Surviving mutants (``mutation.model.MutantResult``) as rivals."""
    from taskaudit.mutation.model import Outcome

    rivals = []
    for result in mutant_results:
        m = result.mutant
        if result.outcome != Outcome.SURVIVED or m.file not in workspace:
            continue
        rivals.append(
            Rival(
                kind="mutant",
                name=f"mutant:{m.id}",
                description=m.description or f"{m.operator} at line {m.line}",
                workspace={**workspace, m.file: m.apply(workspace[m.file])},
                diff=m.diff(workspace[m.file]),
                payload=result,
            )
        )
    return rivals


def candidate_rivals(workspace: dict[str, bytes], candidates: list) -> list[Rival]:
    import difflib

    rivals = []
    for c in candidates:
        before = workspace.get(c.path, b"").decode("utf-8", errors="replace").splitlines(keepends=True)
        diff = "".join(difflib.unified_diff(before, c.source.splitlines(keepends=True), f"reference/{c.path}", f"candidate/{c.path}", n=1))
        rivals.append(Rival("candidate", f"candidate:{c.name}", f"candidate {c.name}",
                            {**workspace, c.path: c.source.encode()}, diff=diff, payload=c))
    return rivals


def classify_survivors(analysis: Analysis) -> int:
    """Set ``survivor_kind`` and ``witness`` on the surviving mutants among the rivals.

    A survivor that disagrees with the reference on a valid input (generated or tested) is
    behavioural, with that input as its witness; one that agrees everywhere is likely
    equivalent. Returns how many were classified.
    """
    from taskaudit.mutation.model import SurvivorKind

    done = 0
    for rival in analysis.rivals:
        if rival.kind != "mutant" or not rival.results:
            continue
        result = rival.payload
        if rival.disagreements:
            d = rival.disagreements[0]
            result.survivor_kind = SurvivorKind.BEHAVIOURAL
            result.witness = {"input": d.probe.call_text(), "reference": d.reference.shown(), "mutant": d.rival.shown()}
        elif rival.differs_on_test_input:
            result.survivor_kind = SurvivorKind.BEHAVIOURAL
            result.witness = {"input": "a test input (the test does not check this output)"}
        else:
            result.survivor_kind = SurvivorKind.LIKELY_EQUIVALENT
            result.detail = (result.detail + "; " if result.detail else "") + (
                f"same output as the reference on {sum(analysis.usable)} inputs (input-space analysis)"
            )
        done += 1
    return done


def explaining_class(analysis: Analysis, rival: Rival) -> tuple[str | None, Disagreement]:
    """The untested input class that best explains where ``rival`` goes wrong, and its witness.

    For each class the rival's disagreeing inputs have and no test input has: the share of
    the valid generated inputs of that class on which it disagrees (then how many). The class
    with the highest share is the one a test should cover; its witness is the clearest
    disagreeing input of that class (a variation of a tested input, the smallest).
    """
    first = rival.disagreements[0]
    fn = first.probe.target.function
    if not any(p.origin == "test" and p.target.function == fn for p in analysis.probes):
        return NO_TEST_CALLS, first
    tested = analysis.seed_classes.get(fn, set())
    wrong_on = {id(d.probe) for d in rival.disagreements}
    best: tuple[float, int, str] | None = None
    for cls in {c for d in rival.disagreements if d.probe.target.function == fn for c in d.probe.classes} - tested:
        members = [p for p, ok in zip(analysis.probes, analysis.usable)
                   if ok and p.origin != "test" and p.target.function == fn and cls in p.classes]
        hits = sum(id(p) in wrong_on for p in members)
        key = (hits / len(members) if members else 0.0, hits, cls)
        if best is None or key[:2] > best[:2] or (key[:2] == best[:2] and cls < best[2]):
            best = key
    if best is None:
        return None, first
    witness = next(d for d in rival.disagreements if best[2] in d.probe.classes)
    return best[2], witness
