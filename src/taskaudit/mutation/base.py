"""The contract of a language's mutation backend, and where each one lives.

A backend generates mutants from the reference's sources (tree-sitter syntax trees) and runs
the task's pristine tests against them in the sandbox, as fast as its language allows
(schemata + a warm worker; a rebuild per mutant only for what the schema cannot express).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from taskaudit.mutation.model import Mutant, MutantResult

if TYPE_CHECKING:
    from taskaudit.languages.base import Language
    from taskaudit.model import RunResult, Task
    from taskaudit.runner import Variant
    from taskaudit.sandbox.base import SandboxBackend


@dataclass
class MutationJob:
    task: "Task"
    workspace: dict[str, bytes]  # the reference's complete workspace
    mutants: list[Mutant]  # already sampled to the budget
    sandbox: "SandboxBackend"
    language: "Language"  # the task language's runner module (toolchain, prepare, parse)
    reference: "RunResult"  # a passing reference run: its tests and its time set the limits
    # Runs whole variants (the rebuild fallback) on the audit's run pool; None: one by one here.
    run_many: "Callable[[list[Variant]], list[RunResult]] | None" = None
    notes: list[str] = field(default_factory=list)  # what the backend did, for the report
    stats: dict[str, float] = field(default_factory=dict)  # measurements (peak RSS, CPU seconds)


class MutationBackend(Protocol):
    language: str

    def generate(self, files: dict[str, bytes], paths: list[str]) -> list[Mutant]:
        """Mutants of the files at ``paths`` (the solution's sources), in a stable order."""

    def execute(self, job: MutationJob) -> list[MutantResult]:
        """One result per mutant, in the order given."""


_BACKENDS = {
    "python": "taskaudit.mutation.python:PythonMutation",
    "javascript": "taskaudit.mutation.javascript:JavaScriptMutation",
    "typescript": "taskaudit.mutation.javascript:TypeScriptMutation",
    "go": "taskaudit.mutation.go:GoMutation",
    "rust": "taskaudit.mutation.rust:RustMutation",
    "java": "taskaudit.mutation.java:JavaMutation",
}


def get_mutation_backend(language: str) -> MutationBackend | None:
    """The backend for a task language, or None when there is none (yet)."""
    target = _BACKENDS.get(language)
    if target is None:
        return None
    module, _, cls = target.partition(":")
    try:
        return getattr(importlib.import_module(module), cls)()
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return None
        raise
