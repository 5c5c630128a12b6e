"""The checks an audit runs, in order (a check may read what an earlier one left in ctx.shared)."""

from __future__ import annotations

from taskaudit.checks.assertions import AssertionsCheck
from taskaudit.checks.base import Check, register
from taskaudit.checks.baseline import BaselineCheck
from taskaudit.checks.harness import HarnessCheck
from taskaudit.checks.inputspace import InputSpaceCheck
from taskaudit.checks.interface import InterfaceCheck
from taskaudit.checks.llm_review import LLMReviewCheck
from taskaudit.checks.mutation import MutationCheck
from taskaudit.checks.planted import PlantedCheck
from taskaudit.checks.probes import ProbesCheck
from taskaudit.checks.reference import ReferenceCheck
from taskaudit.checks.statement import StatementCheck
from taskaudit.checks.statement_examples import StatementExamplesCheck
from taskaudit.checks.statement_lint import StatementLintCheck
from taskaudit.checks.unstated import UnstatedCheck
from taskaudit.checks.untested import UntestedCheck
from taskaudit.model import Question, Severity

# A task that cannot be loaded is defective as shipped; it has no check of its own.
F001 = register("F001", Question.VALIDITY, Severity.ERROR, "Task cannot be loaded", "load")


def default_checks() -> list[Check]:
    return [
        # spec: the statement on its own
        StatementCheck(),
        StatementLintCheck(),
        # validity: the reference against the tests (execution), then statically
        ReferenceCheck(),
        BaselineCheck(),
        PlantedCheck(),
        HarnessCheck(),
        InterfaceCheck(),
        StatementExamplesCheck(),
        UnstatedCheck(),
        UntestedCheck(),
        # strength
        AssertionsCheck(),
        MutationCheck(),  # after the reference check: it reads the reference runs
        ProbesCheck(),
        InputSpaceCheck(),  # after the mutation check: it classifies its survivors
        # opinion, off unless an LLM endpoint is configured; never overrides the above
        LLMReviewCheck(),
    ]
