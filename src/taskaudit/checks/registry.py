"""The checks an audit runs, in order (a check may read what an earlier one left in ctx.shared)."""

from __future__ import annotations

from taskaudit.checks.assertions import AssertionsCheck
from taskaudit.checks.base import Check, register
from taskaudit.checks.baseline import BaselineCheck
from taskaudit.checks.planted import PlantedCheck
from taskaudit.checks.reference import ReferenceCheck
from taskaudit.checks.statement import StatementCheck
from taskaudit.model import Question, Severity

# A task that cannot be loaded is defective as shipped; it has no check of its own.
F001 = register("F001", Question.VALIDITY, Severity.ERROR, "Task cannot be loaded", "load")


def default_checks() -> list[Check]:
    return [StatementCheck(), ReferenceCheck(), BaselineCheck(), PlantedCheck(), AssertionsCheck()]
