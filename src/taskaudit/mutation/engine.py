"""Mutation testing of one task's reference solution, end to end.

    solution sources -> backend.generate -> sample to the budget -> backend.execute
                     -> classify survivors -> MutationRun

The engine is language-neutral: each language's backend (``mutation/base.py``) generates
and runs its mutants; the engine picks which ones run and what their survivors mean.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import PurePosixPath

from taskaudit.mutation.base import MutationJob, get_mutation_backend
from taskaudit.mutation.classify import Differ, classify
from taskaudit.mutation.model import Mutant, MutationRun

DEFAULT_BUDGET = 300  # mutants per task; docs/mutation.md says how the sample is drawn


# The files a backend mutates, per task language.
SOURCE_SUFFIXES = {
    "python": (".py",),
    "javascript": (".js", ".mjs", ".cjs", ".jsx"),
    "typescript": (".ts", ".mts", ".cts", ".tsx"),
    "go": (".go",),
    "rust": (".rs",),
    "java": (".java",),
}


def _stats(job: MutationJob, results) -> dict[str, float]:
    import statistics

    ran = [r.duration_ms for r in results if r.outcome.value in ("killed", "survived")]
    stats = dict(job.stats)
    if ran:
        stats["median_ms_per_mutant"] = round(statistics.median(ran), 3)
    return stats


class MutationUnavailable(Exception):
    """Mutation testing cannot apply to this task (no backend, no solution source)."""


def solution_sources(task, workspace: dict[str, bytes], suffixes: tuple[str, ...]) -> list[str]:
    """The solution's source files present in the reference workspace, test files excluded."""
    paths = []
    for path in task.solution_paths:
        p = PurePosixPath(path)
        if path in workspace and p.suffix in suffixes and not _looks_like_test(p.name):
            paths.append(path)
    return sorted(paths)


def _looks_like_test(name: str) -> bool:
    return (name.startswith("test_") or name.endswith(("_test.py", "_test.go"))
            or ".test." in name or ".spec." in name)


def sample(mutants: list[Mutant], budget: int, seed: str) -> list[Mutant]:
    """At most ``budget`` mutants, the same ones for the same input.

    Stratified by operator: each operator's mutants are shuffled with a generator seeded by
    ``seed`` (the task's content hash), then operators take turns (in ``OPERATORS`` order)
    until the budget is spent, so a rare operator is never crowded out by a common one.
    The sample comes back in source order.
    """
    if len(mutants) <= budget:
        return list(mutants)
    rng = random.Random(int(seed[:16], 16) if seed else 0)
    by_operator: dict[str, list[Mutant]] = defaultdict(list)
    for m in mutants:
        by_operator[m.operator].append(m)
    queues = []
    for op in sorted(by_operator):
        group = sorted(by_operator[op], key=lambda m: m.id)
        rng.shuffle(group)
        queues.append(group)
    chosen: list[Mutant] = []
    while len(chosen) < budget:
        for q in queues:
            if q and len(chosen) < budget:
                chosen.append(q.pop())
    order = {m.id: i for i, m in enumerate(mutants)}
    return sorted(chosen, key=lambda m: order[m.id])


def run_mutation(
    task,
    workspace: dict[str, bytes],
    reference,
    sandbox,
    language,
    *,
    budget: int = DEFAULT_BUDGET,
    run_many: Callable | None = None,
    differ: Differ | None = None,
) -> MutationRun:
    """Generate, sample, run and classify the mutants of ``task``'s reference solution.

    ``reference`` is a passing reference RunResult: its passing tests are the tests every
    mutant is judged by, and its time sets the limits. Raises MutationUnavailable when the
    task has no mutation backend or no solution source to mutate.
    """
    started = time.monotonic()
    backend = get_mutation_backend(task.language)
    if backend is None:
        raise MutationUnavailable(f"no mutation backend for {task.language} yet")
    paths = solution_sources(task, workspace, SOURCE_SUFFIXES.get(task.language, ()))
    if not paths:
        raise MutationUnavailable(
            "the task names no solution source file to mutate (solution_paths: "
            f"{', '.join(task.solution_paths) or 'none'})"
        )
    generated = backend.generate(workspace, paths)
    chosen = sample(generated, budget, task.content_hash())
    job = MutationJob(task, workspace, chosen, sandbox, language, reference, run_many=run_many)
    results = backend.execute(job) if chosen else []
    classify(
        results,
        workspace,
        test_files=task.test_files,
        normalised=getattr(backend, "normalised", None),
        differ=differ,
    )
    return MutationRun(
        results=results,
        generated=len(generated),
        strategy=getattr(backend, "strategy", "schemata+warm-worker"),
        tests=sorted(t.test_id for t in reference.tests if t.outcome.value == "passed"),
        duration_sec=round(time.monotonic() - started, 3),
        notes=job.notes,
        files=paths,
        stats=_stats(job, results),
    )
