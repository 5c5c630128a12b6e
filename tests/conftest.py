"""Suite-wide: the CLI's results store is off unless a test asks for it.

`taskaudit audit` stores results in .taskaudit/results.db by default and serves unchanged tasks
from it; a test that audits must audit, not read what an earlier test run left behind. Tests of
the store (tests/store/) pass --store explicitly and clear this variable for their subprocesses.
"""

from __future__ import annotations

import os

import pytest
from examples_audit import ExamplesAudit, audit_examples


@pytest.fixture(autouse=True, scope="session")
def _no_results_store():
    before = os.environ.get("TASKAUDIT_NO_STORE")
    os.environ["TASKAUDIT_NO_STORE"] = "1"
    yield
    if before is None:
        os.environ.pop("TASKAUDIT_NO_STORE", None)
    else:
        os.environ["TASKAUDIT_NO_STORE"] = before


# ------------------------------------------------------------------ the bundled examples, once
#
# `make demo` audits examples/tasks; the examples tests of every language read that one audit
# (tests/test_examples.py pins each example's verdict and codes) instead of each auditing its
# own folder again: every example now runs the mutation, probe and input-space checks too.


@pytest.fixture(scope="session")
def examples_audit(tmp_path_factory) -> ExamplesAudit:
    """The README's demo: every bundled example audited by the real CLI."""
    return audit_examples(tmp_path_factory.mktemp("examples") / "report.json")
