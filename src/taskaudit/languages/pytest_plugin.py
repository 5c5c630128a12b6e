"""taskaudit's trusted pytest plugin, loaded with ``-p`` inside the sandbox before any task code.

Why it exists: the solution under test runs in the same process as pytest, so a JUnit XML
file alone proves nothing. A solution could write a forged ``junit.xml`` and ``os._exit(0)``
before pytest writes the real one. This plugin reads a one-time nonce that the runner left
in the results directory, deletes the file before any test module (and so any solution code)
is imported, records every test's outcome itself, and at the very end of the session writes
``session.json`` carrying the nonce, pytest's exit status and its own per-test outcomes.
The runner trusts a run only when that record exists, carries the nonce, and agrees with
the JUnit XML and the process exit code. What it cannot stop is code that goes looking for
the nonce in this plugin's memory; the cheat probes (a later layer) exist for that class.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from _pytest.junitxml import mangle_test_address

_RESULTS_DIR = Path(os.environ.get("TASKAUDIT_RESULTS_DIR", "/results"))
_NONCE_PATH = _RESULTS_DIR / "nonce"


def _read_nonce_once() -> str:
    try:
        nonce = _NONCE_PATH.read_text().strip()
        _NONCE_PATH.unlink()
    except OSError:
        return ""
    return nonce


_NONCE = _read_nonce_once()  # at plugin import: before collection imports any task code
_OUTCOMES: dict[str, str] = {}
# Tests whose call raised, read from pytest's CallInfo: a solution that patches TestReport (or
# the report hooks) to say "passed" cannot hide the exception the call itself recorded.
_RAISED: set[str] = set()


def junit_id(nodeid: str) -> str:
    """The id the JUnit XML gives a test (``classname::name``), computed from its node id."""
    names = mangle_test_address(nodeid)
    return "::".join([".".join(names[:-1]), names[-1]])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # noqa: ANN001 - pytest hook signature
    yield
    if (
        call.when == "call"
        and call.excinfo is not None
        and not call.excinfo.errisinstance(pytest.skip.Exception)
    ):
        _RAISED.add(junit_id(item.nodeid))


def pytest_runtest_logreport(report) -> None:  # noqa: ANN001 - pytest hook signature
    test = junit_id(report.nodeid)
    previous = _OUTCOMES.get(test)
    if report.when == "call":
        outcome = report.outcome  # passed | failed | skipped (xfail reports as skipped)
        if hasattr(report, "wasxfail") and report.outcome == "passed":
            outcome = "passed"  # non-strict xpass
        if outcome == "passed" and test in _RAISED and not hasattr(report, "wasxfail"):
            outcome = "failed"  # the call raised: a report saying otherwise was tampered with
        _OUTCOMES[test] = outcome if previous in (None, "passed") else previous
    elif report.failed:  # setup or teardown failed
        _OUTCOMES[test] = "error"
    elif report.skipped and previous is None:  # skipped in setup: skip marks, importorskip
        _OUTCOMES[test] = "skipped"


def pytest_sessionfinish(session, exitstatus) -> None:  # noqa: ANN001 - pytest hook signature
    record = {"nonce": _NONCE, "exitstatus": int(exitstatus), "outcomes": _OUTCOMES}
    target = _RESULTS_DIR / "session.json"
    try:
        target.write_text(json.dumps(record))
    except OSError:
        pass  # the runner will see no record and refuse to trust the run
