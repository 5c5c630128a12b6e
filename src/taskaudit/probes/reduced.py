"""The reference with its guard clauses, raises and normalising calls removed, all at once.

The operators are the mutation engine's (``taskaudit.mutation``): this module only picks the
mutants of three operators and applies them together. Where the task's language has no mutation
backend yet, the probe is skipped with that reason.
"""

from __future__ import annotations

from taskaudit.model import Task
from taskaudit.probes.model import REDUCED, Probe

OPERATORS = ("remove_guard", "remove_raise", "normalizing_call")


def reduced_probe(task: Task, reference: dict[str, bytes]) -> tuple[Probe | None, str | None]:
    from taskaudit.mutation.base import get_mutation_backend
    from taskaudit.mutation.model import apply_mutants

    try:  # a bug in the mutation engine (even one that breaks its import) must not stop the other probes
        backend = get_mutation_backend(task.language)
    except Exception as exc:
        return None, f"the {task.language} mutation backend could not be loaded: {exc!r}"
    if backend is None:
        return None, f"no mutation backend for {task.language} yet (taskaudit.mutation)"
    paths = [p for p in task.solution_paths if p in reference]
    try:
        mutants = [m for m in backend.generate(reference, paths) if m.operator in OPERATORS]
    except Exception as exc:  # a bug in the mutation engine must not stop the other probes
        return None, f"the {task.language} mutation backend failed: {exc!r}"
    if not mutants:
        return None, "the reference has no guard clause, raise or normalising call to remove"
    workspace = apply_mutants(reference, mutants)
    removed = sorted({m.operator for m in mutants})
    return (
        Probe(REDUCED, REDUCED.name, workspace, reference,
              f"the reference with {len(mutants)} {'/'.join(removed)} site(s) removed"),
        None,
    )
