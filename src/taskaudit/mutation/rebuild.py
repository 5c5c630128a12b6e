"""The rebuild fallback: a mutant the schema cannot express runs as a whole variant.

The workspace with the mutated file goes through the ordinary runner (``runner.run_variant``:
fresh directory, fresh process, the language's trusted per-test results), with a wall-clock
limit derived from the reference's own time. Slow (a process start and a build per mutant)
but always right, so it is also what every backend can fall back on.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from taskaudit.mutation.base import MutationJob
from taskaudit.mutation.model import Mutant, MutantResult, Outcome, apply_mutants


# Rebuilding costs a process start and a build per mutant (0.25-7 s): at most REBUILD_CAP per
# task, fewer when the reference run is slow (about REBUILD_SECONDS of runs), never below
# REBUILD_MIN.
REBUILD_CAP = 16
REBUILD_MIN = 6
REBUILD_SECONDS = 20.0


def rebuild_cap(reference_seconds: float) -> int:
    return max(REBUILD_MIN, min(REBUILD_CAP, int(REBUILD_SECONDS / max(reference_seconds, 0.1))))


def rebuild_limit_seconds(reference_seconds: float, cap: float) -> float:
    """max(10x, +5 s) of the reference run's time (+5 s: process start and build), at most ``cap``."""
    return min(cap, max(10 * reference_seconds, reference_seconds + 5.0))


def rebuild_results(
    job: MutationJob, mutants: list[Mutant], *, build_failed: Outcome = Outcome.UNVIABLE
) -> list[MutantResult]:
    """One result per mutant, by running each mutated workspace's tests from scratch.

    ``build_failed`` is what a run that could not build or collect means in the language:
    unviable for compiled languages; for Python a module that fails at import is detected
    by every test (killed).
    """
    if not mutants:
        return []
    over: list[MutantResult] = []
    cap = rebuild_cap(job.reference.duration_sec)
    if len(mutants) > cap:
        from taskaudit.mutation.engine import sample

        seed = hashlib.sha256("\0".join(m.id for m in mutants).encode()).hexdigest()
        keep = {m.id for m in sample(mutants, cap, seed)}
        over = [MutantResult(m, Outcome.ERROR, detail=f"not run: over the rebuild budget ({cap} for this task)")
                for m in mutants if m.id not in keep]
        job.notes.append(f"{len(over)} mutants needing a rebuild were not run (budget {cap})")
        mutants = [m for m in mutants if m.id in keep]
    from taskaudit.model import Outcome as TestOutcome
    from taskaudit.model import RunStatus
    from taskaudit.runner import Variant, limits_for, run_variant

    expected = sorted(t.test_id for t in job.reference.tests if t.outcome == TestOutcome.PASSED)
    base = limits_for(job.task)
    limits = replace(base, wall_seconds=rebuild_limit_seconds(job.reference.duration_sec, base.wall_seconds))
    variants = [
        Variant(f"mutant:{m.id}", apply_mutants(job.workspace, [m])) for m in mutants
    ]
    if job.run_many is not None:
        # The audit's pool uses the task's own limits; the reference-derived limit applies here.
        runs = job.run_many(variants)
    else:
        runs = [run_variant(job.task, v, job.sandbox, job.language, limits) for v in variants]
    results = []
    for m, run in zip(mutants, runs, strict=True):
        ms = run.duration_sec * 1000
        outcomes = run.outcomes()
        if run.status == RunStatus.COMPLETED:
            killed = [t for t in expected if outcomes.get(t) != TestOutcome.PASSED]
            outcome = Outcome.KILLED if killed else Outcome.SURVIVED
            results.append(MutantResult(m, outcome, killed_by=killed, covered_by=list(expected),
                                        detail="rebuilt", duration_ms=ms))
        elif run.status == RunStatus.TIMEOUT:
            results.append(MutantResult(m, Outcome.TIMEOUT, covered_by=list(expected),
                                        detail=run.detail, duration_ms=ms))
        elif run.status == RunStatus.BUILD_FAILED:
            results.append(MutantResult(m, build_failed, killed_by=list(expected) if build_failed == Outcome.KILLED else [],
                                        covered_by=list(expected), detail=run.detail[:500], duration_ms=ms))
        elif run.status == RunStatus.INFRA_ERROR:
            results.append(MutantResult(m, Outcome.ERROR, detail=run.detail, duration_ms=ms))
        else:  # incomplete (the process died) or a resource limit
            results.append(MutantResult(m, Outcome.CRASH, covered_by=list(expected),
                                        detail=run.detail[:500], duration_ms=ms))
    return results + over
