"""Outcome: rebuild the agent's final workspace and run the task's pristine tests on it.

The final state comes, in order of trust, from a final workspace folder the user gives, the
final patch the harness logged (applied to the starter files), or the agent's edits replayed
on the starter files. Edits to tests are never kept: the runner mounts the task's tests
pristine at ``/tests`` and workspace copies of test files are restored to the task's version.
Per-test results are compared with the starter workspace (baseline) run: fail-to-pass and
pass-to-pass, as SWE-bench grades; sandbox and toolchain failures are infrastructure errors.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, Field

from taskaudit.model import Outcome, RunResult, RunStatus, Task
from taskaudit.runner import (
    Variant,
    _write_tree,
    baseline_variant,
    build_reference,
    reference_variant,
    run_variant,
    snapshot,
)
from taskaudit.trajectories.formats.common import apply_codex_hunks
from taskaudit.trajectories.model import EditKind, Trajectory
from taskaudit.trajectories.paths import place


@dataclass
class FinalState:
    workspace: dict[str, bytes] | None
    how: str  # "workspace" | "patch" | "replay" | "none"
    problems: list[str] = field(default_factory=list)  # why the state may differ from the agent's
    restored_tests: list[str] = field(default_factory=list)
    changed: dict[str, tuple[bytes | None, bytes | None]] = field(default_factory=dict)  # rel -> (before, after)

    @property
    def reliable(self) -> bool:
        return self.workspace is not None and not self.problems


def rebuild(task: Task, traj: Trajectory, workspace_dir: Path | None = None) -> FinalState:
    start = dict(task.starter_files)
    if workspace_dir is not None:
        files = snapshot(Path(workspace_dir))
        state = FinalState(files, "workspace")
    elif traj.final_patch:
        # Sections that change tests or verifier files are dropped: the tests run pristine.
        kept, dropped = [], []
        for path, section in split_patch(traj.final_patch):
            (kept if place(path, task, traj.workdir).area == "workspace" else dropped).append((path, section))
        try:
            files = apply_patch(start, "".join(s for _, s in kept)) if kept else start
        except ValueError as e:
            return FinalState(None, "patch", [f"the final patch does not apply to the starter files: {e}"])
        state = FinalState(files, "patch", restored_tests=[p for p, _ in dropped])
    else:
        state = replay(task, traj)
    assert state.workspace is not None
    # Restore pristine tests: a test file copied into the workspace goes back to the task's version.
    for rel in list(state.workspace):
        p = place(rel, task, traj.workdir)
        if p.area == "tests" and p.rel in task.test_files and state.workspace[rel] != task.test_files[p.rel]:
            state.workspace[rel] = task.test_files[p.rel]
            state.restored_tests.append(rel)
    for rel in sorted(set(start) | set(state.workspace)):
        if start.get(rel) != state.workspace.get(rel):
            state.changed[rel] = (start.get(rel), state.workspace.get(rel))
    return state


_DIFF_GIT = re.compile(r"^diff --git a/(\S+) b/(\S+)")


def split_patch(patch: str) -> list[tuple[str, str]]:
    """(path, section) for each file of a unified diff (git ``diff --git`` or plain ``---/+++``)."""
    lines = patch.splitlines(keepends=True)
    starts = [i for i, ln in enumerate(lines) if ln.startswith("diff --git ")]
    if not starts:
        starts = [i for i, ln in enumerate(lines)
                  if ln.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")]
    out = []
    for n, start in enumerate(starts):
        section = lines[start : starts[n + 1] if n + 1 < len(starts) else len(lines)]
        path = ""
        m = _DIFF_GIT.match(section[0])
        if m:
            path = m.group(2)
        for ln in section[:4]:
            if ln.startswith("+++ ") and not ln.startswith("+++ /dev/null"):
                path = ln[4:].strip().split("\t")[0]
                path = path[2:] if path.startswith(("a/", "b/")) else path
            elif ln.startswith("--- ") and not path and not ln.startswith("--- /dev/null"):
                path = ln[4:].strip().split("\t")[0]
                path = path[2:] if path.startswith(("a/", "b/")) else path
        out.append((path, "".join(section)))
    return out


def apply_patch(files: dict[str, bytes], patch: str) -> dict[str, bytes]:
    """Apply a unified diff (git or plain) with ``git apply`` in a scratch copy.

    git refuses paths that leave the directory and never follows links: the patch is data.
    """
    root = Path(tempfile.mkdtemp(prefix="taskaudit-patch-"))
    try:
        _write_tree(root, files)
        (root / ".taskaudit.patch").write_text(patch if patch.endswith("\n") else patch + "\n", encoding="utf-8")
        errors = []
        # No user or system git configuration: the result must not depend on the machine.
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(root), "GIT_CONFIG_NOSYSTEM": "1",
               "GIT_CONFIG_GLOBAL": os.devnull}
        for strip in ("-p1", "-p0"):
            try:
                proc = subprocess.run(["git", "apply", strip, "--whitespace=nowarn", "--recount", ".taskaudit.patch"],
                                      cwd=root, capture_output=True, text=True, timeout=60, env=env)
            except FileNotFoundError:
                raise ValueError("git is needed to apply a final patch and is not installed") from None
            if proc.returncode == 0:
                (root / ".taskaudit.patch").unlink()
                return snapshot(root)
            errors.append(proc.stderr.strip().splitlines()[0] if proc.stderr.strip() else f"exit {proc.returncode}")
        raise ValueError("; ".join(errors))
    finally:
        shutil.rmtree(root, ignore_errors=True)


def replay(task: Task, traj: Trajectory) -> FinalState:
    """Replay the logged edits on the starter files, in order."""
    files = dict(task.starter_files)
    state = FinalState(files, "replay")
    for step, edit in traj.all_edits():
        p = place(edit.path, task, traj.workdir)
        if p.area != "workspace":
            continue  # tests and verifier files are restored pristine; outside files do not count
        rel, where = p.rel, f"step {step.id}"
        current = files.get(rel)
        text = current.decode("utf-8", errors="replace") if current is not None else None
        if edit.kind == EditKind.WRITE:
            files[rel] = (edit.new or "").encode()
        elif edit.kind == EditKind.DELETE:
            files.pop(rel, None)
        elif edit.kind == EditKind.REPLACE:
            if text is None or (edit.old or "") not in text:
                state.problems.append(f"{where}: the replaced text is not in {rel} at that point")
                continue
            files[rel] = (text.replace(edit.old or "", edit.new or "") if edit.replace_all
                          else text.replace(edit.old or "", edit.new or "", 1)).encode()
        elif edit.kind == EditKind.PATCH:
            try:
                files[rel] = apply_codex_hunks(text or "", edit.diff or "").encode()
            except ValueError as e:
                state.problems.append(f"{where}: {rel}: {e}")
        else:
            state.problems.append(f"{where}: {rel} was changed by a shell command, whose result is not logged")
    return state


class TestDelta(BaseModel):
    __test__ = False
    test_id: str
    baseline: Outcome | None = None
    agent: Outcome | None = None
    category: str = Field(description="fail_to_pass | pass_to_pass | fail_to_fail | pass_to_fail | missing")


class OutcomeReport(BaseModel):
    status: str = Field(description="resolved | unresolved | infra_error | unknown")
    how: str = Field(description="How the final state was rebuilt: workspace | patch | replay | none")
    reliable: bool = True
    problems: list[str] = Field(default_factory=list)
    restored_tests: list[str] = Field(default_factory=list)
    changed_files: list[str] = Field(default_factory=list)
    diff_lines: int = 0
    tests: list[TestDelta] = Field(default_factory=list)
    counts: dict[str, int] = Field(default_factory=dict)
    run: RunResult | None = None
    detail: str = ""

    def all_passed(self) -> bool | None:
        if self.status == "infra_error" or self.run is None:
            return None
        return self.status == "resolved"


class TaskRuns:
    """Baseline and reference runs of one task, shared by every trajectory graded against it."""

    def __init__(self, task: Task, backend, language):
        self.task, self.backend, self.language = task, backend, language
        self._baseline: RunResult | None = None
        self._reference: RunResult | None = None
        self._lock = threading.Lock()  # trajectories are graded on threads: run each once

    def baseline(self) -> RunResult:
        with self._lock:
            if self._baseline is None:
                self._baseline = run_variant(self.task, baseline_variant(self.task), self.backend, self.language)
            return self._baseline

    def reference(self) -> RunResult | None:
        with self._lock:
            return self._reference_run()

    def _reference_run(self) -> RunResult | None:
        if self._reference is None and self.task.reference_available:
            if self.task.solution_script:
                built = build_reference(self.task, self.backend, self.language)
                self._reference = built if isinstance(built, RunResult) else run_variant(
                    self.task, built, self.backend, self.language)
            else:
                self._reference = run_variant(self.task, reference_variant(self.task), self.backend, self.language)
        return self._reference

    def expected_tests(self) -> list[str]:
        ref = self.reference()
        if ref is not None and ref.status == RunStatus.COMPLETED and ref.tests:
            return [t.test_id for t in ref.tests]
        return [t.test_id for t in self.baseline().tests]


def evaluate(task: Task, traj: Trajectory, runs: TaskRuns, workspace_dir: Path | None = None) -> OutcomeReport:
    state = rebuild(task, traj, workspace_dir)
    report = OutcomeReport(status="unknown", how=state.how, reliable=state.reliable, problems=state.problems,
                           restored_tests=state.restored_tests, changed_files=sorted(state.changed),
                           diff_lines=_diff_lines(state.changed))
    if state.workspace is None:
        report.detail = "the final state could not be rebuilt"
        return report
    run = run_variant(task, Variant("agent", state.workspace), runs.backend, runs.language)
    report.run = run
    if run.status in (RunStatus.INFRA_ERROR,):
        report.status, report.detail = "infra_error", run.detail
        return report
    base = runs.baseline().outcomes()
    got = run.outcomes()
    expected = runs.expected_tests()
    if not expected:
        ref, baseline = runs.reference(), runs.baseline()
        infra = [r for r in (ref, baseline) if r is not None and r.status == RunStatus.INFRA_ERROR]
        report.status = "infra_error" if infra else "unknown"
        report.detail = ("neither the reference nor the starter files produced per-test results"
                         + (f": {infra[0].detail}" if infra else ""))
        return report
    for test_id in expected:
        before, after = base.get(test_id), got.get(test_id)
        ok_before, ok_after = before == Outcome.PASSED, after == Outcome.PASSED
        if after is None:
            category = "missing"
        else:
            category = {(False, True): "fail_to_pass", (True, True): "pass_to_pass",
                        (False, False): "fail_to_fail", (True, False): "pass_to_fail"}[(ok_before, ok_after)]
        report.tests.append(TestDelta(test_id=test_id, baseline=before, agent=after or Outcome.MISSING,
                                      category=category))
    for d in report.tests:
        report.counts[d.category] = report.counts.get(d.category, 0) + 1
    passed = bool(expected) and run.passed_all(expected)
    if not state.reliable:
        report.status = "unknown"
        report.detail = ("tests " + ("passed" if passed else "did not all pass") +
                         " on a final state that may differ from the agent's: " + "; ".join(state.problems))
    else:
        report.status = "resolved" if passed else "unresolved"
        report.detail = run.detail or f"{report.counts.get('fail_to_pass', 0) + report.counts.get('pass_to_pass', 0)}" \
                                      f"/{len(expected)} tests pass"
    return report


def _diff_lines(changed: dict[str, tuple[bytes | None, bytes | None]]) -> int:
    """Lines added plus lines removed across changed files (difflib, as ``git diff --stat``)."""
    import difflib

    total = 0
    for before, after in changed.values():
        a = (before or b"").decode("utf-8", errors="replace").splitlines()
        b = (after or b"").decode("utf-8", errors="replace").splitlines()
        total += sum(1 for line in difflib.unified_diff(a, b, lineterm="", n=0)
                     if line[:1] in "+-" and not line.startswith(("+++", "---")))
    return total
