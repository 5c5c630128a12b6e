"""The mutation-testing-report-schema JSON (Stryker's format) for one task's MutationRun.

The format Stryker, Stryker4s, Stryker.NET, Infection and PIT (via a plugin) write, and the
``mutation-testing-elements`` HTML viewer reads (``<mutation-test-report-app>``), so a task's
mutants can be browsed in that viewer beside taskaudit's own report. Schema:
https://github.com/stryker-mutator/mutation-testing-elements/tree/master/packages/report-schema
(``schemaVersion`` 2; the test validates against the published schema).
"""

from __future__ import annotations

import json
from pathlib import Path

from taskaudit.mutation.model import MutantResult, MutationRun, Outcome, SurvivorKind

SCHEMA_VERSION = "2"
# Stryker's defaults; taskaudit's own W103 threshold is in checks/mutation.py.
THRESHOLDS = {"high": 80, "low": 60}

_STATUS = {
    Outcome.KILLED: "Killed",
    Outcome.SURVIVED: "Survived",
    Outcome.NO_COVERAGE: "NoCoverage",
    Outcome.TIMEOUT: "Timeout",
    Outcome.CRASH: "RuntimeError",
    Outcome.UNVIABLE: "CompileError",
    Outcome.ERROR: "Ignored",  # taskaudit could not run it: neither detected nor missed
}
_LANGUAGE = {"python": "python", "javascript": "javascript", "typescript": "typescript",
             "go": "go", "rust": "rust", "java": "java"}


def mutation_report(run: MutationRun, workspace: dict[str, bytes], task) -> dict:
    """The report as a dict (``json.dumps`` it, or use ``write_mutation_report``)."""
    files: dict[str, dict] = {}
    for r in run.results:
        m = r.mutant
        entry = files.get(m.file)
        if entry is None:
            entry = files[m.file] = {
                "language": _LANGUAGE.get(task.language, task.language),
                "source": workspace[m.file].decode("utf-8", errors="replace"),
                "mutants": [],
            }
        entry["mutants"].append(_mutant(r, workspace[m.file]))
    return {
        "schemaVersion": SCHEMA_VERSION,
        "thresholds": THRESHOLDS,
        "files": files,
        "testFiles": _test_files(run, task),
        "framework": {"name": "taskaudit", "version": _version()},
        "config": {"task": task.id, "strategy": run.strategy, "generated": run.generated,
                   "sampled": len(run.results), "notes": run.notes},
    }


def write_mutation_report(run: MutationRun, workspace: dict[str, bytes], task, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(mutation_report(run, workspace, task), indent=1))
    return path


def _mutant(r: MutantResult, source: bytes) -> dict:
    m = r.mutant
    out = {
        "id": m.id,
        "mutatorName": m.operator,
        "replacement": m.replacement,
        "description": m.description,
        "location": {"start": _position(source, m.start), "end": _position(source, m.end)},
        "status": _STATUS[r.outcome],
        "duration": round(r.duration_ms, 3),
    }
    if r.covered_by:
        out["coveredBy"] = list(r.covered_by)
    if r.killed_by:
        out["killedBy"] = list(r.killed_by)
        out["testsCompleted"] = len(r.covered_by)
    reason = r.detail
    if r.outcome == Outcome.SURVIVED and r.survivor_kind not in (None, SurvivorKind.BEHAVIOURAL):
        reason = f"{r.survivor_kind.value}: {reason}".rstrip(": ")
    if reason:
        out["statusReason"] = reason
    return out


def _position(source: bytes, offset: int) -> dict:
    """Line and column, both from 1, in characters (the viewer indexes the decoded source)."""
    before = source[:offset].decode("utf-8", errors="replace")
    line = before.count("\n") + 1
    return {"line": line, "column": len(before) - (before.rfind("\n") + 1) + 1}


def _test_files(run: MutationRun, task) -> dict:
    """Tests grouped by the test file they are defined in (as far as the language can tell)."""
    from taskaudit.languages import ToolchainMissing, get_language

    try:
        language = get_language(task.language)
    except ToolchainMissing:
        language = None
    grouped: dict[str, dict] = {}
    for test_id in run.tests:
        found = language.locate_test(test_id, task.test_files) if language else None
        path = found[0] if found else ""
        entry = grouped.setdefault(path, {"tests": []})
        test = {"id": test_id, "name": test_id.rpartition("::")[2] or test_id}
        if found and found[1]:
            test["location"] = {"start": {"line": found[1], "column": 1}}
        entry["tests"].append(test)
        if path and "source" not in entry and path in task.test_files:
            entry["source"] = task.test_files[path].decode("utf-8", errors="replace")
    return grouped


def _version() -> str:
    from taskaudit import __version__

    return __version__
