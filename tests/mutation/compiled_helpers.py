"""Shared by tests/mutation/test_{go,rust,java}.py: load an example task, run its reference,
and run a mutation backend on it exactly as the engine would (a ``MutationJob``)."""

from __future__ import annotations

from pathlib import Path

from taskaudit.formats import load_tasks
from taskaudit.languages import get_language
from taskaudit.model import RunStatus, Task
from taskaudit.mutation.base import MutationJob, get_mutation_backend
from taskaudit.mutation.model import MutantResult, Outcome
from taskaudit.runner import reference_variant, run_variant
from taskaudit.sandbox import get_backend

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "tasks"


def load_example(language: str, name: str) -> Task:
    (task,) = load_tasks([EXAMPLES / language / name])
    assert isinstance(task, Task), task
    return task


def mutation_job(task: Task, mutants=None) -> MutationJob:
    backend = get_backend()
    language = get_language(task.language)
    variant = reference_variant(task)
    reference = run_variant(task, variant, backend, language)
    assert reference.status == RunStatus.COMPLETED, reference.detail
    mutation = get_mutation_backend(task.language)
    assert mutation is not None
    if mutants is None:
        mutants = mutation.generate(variant.workspace, sorted(task.solution_files))
    return MutationJob(task, variant.workspace, mutants, backend, language, reference)


def run(task: Task, mutants=None) -> tuple[MutationJob, list[MutantResult]]:
    job = mutation_job(task, mutants)
    mutation = get_mutation_backend(task.language)
    return job, mutation.execute(job)


def summary(results: list[MutantResult]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in results:
        out[r.outcome.value] = out.get(r.outcome.value, 0) + 1
    return out


def behavioural_survivors(results: list[MutantResult]) -> list[MutantResult]:
    return [r for r in results if r.outcome == Outcome.SURVIVED]
