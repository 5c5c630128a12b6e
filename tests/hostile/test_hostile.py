"""The hostile-solution corpus, audited through the real pipeline (issue 5).

One batch per language: twelve hostile tasks plus the language's good example. Each hostile
task must be contained (its test never passes; a runaway is reported as timeout or resource
limit), leave no process behind, write nothing on the host, leak no host secret into the
report, and the good task in the same batch must still be ACCEPTed.

The runs use the real bwrap backend with smaller limits than the defaults (``SmallLimits``), so
the corpus is cheap enough for CI: the limits are what is contained, not how generous they are.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import shutil
import time
from pathlib import Path

import pytest

import taskaudit
from taskaudit.audit import audit
from taskaudit.checks.assertions import AssertionsCheck
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.baseline import BaselineCheck
from taskaudit.checks.reference import ReferenceCheck
from taskaudit.checks.statement import StatementCheck
from taskaudit.formats import load_tasks
from taskaudit.model import Outcome, RunStatus, Verdict
from taskaudit.sandbox import get_backend

from .corpus import BEHAVIOURS, LANGUAGES, Hostile, build_task

ROOT = Path(__file__).resolve().parents[2]
CHECKOUT = Path(taskaudit.__file__).resolve().parents[2]


class SmallLimits:
    """The real sandbox backend, with every run's limits lowered for the corpus."""

    def __init__(self, inner):
        self.inner = inner
        self.name, self.isolating = inner.name, inner.isolating

    def available(self):
        return self.inner.available()

    def enforced_limits(self):
        return self.inner.enforced_limits()

    def run(self, request):
        limits = dataclasses.replace(
            request.limits, memory_mb=768, output_bytes=256 << 10, output_hard_bytes=16 << 20,
            file_size_mb=128, tmp_mb=64, workspace_mb=256,
        )
        return self.inner.run(dataclasses.replace(request, limits=limits))


def processes_with(mark: str) -> list[tuple[int, str]]:
    """Host processes whose command line carries ``mark``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if mark in cmdline:
            found.append((int(entry.name), cmdline))
    return found


@pytest.fixture(scope="module")
def backend():
    inner = get_backend()
    ok, why = inner.available()
    assert ok, why  # the corpus proves containment: it must not silently skip
    return SmallLimits(inner)


# Where a contained behaviour may end: a failing test (completed) or a limit that killed it.
ALLOWED = {
    "infinite_loop": {RunStatus.TIMEOUT},
    "output_flood": {RunStatus.RESOURCE_LIMIT, RunStatus.COMPLETED, RunStatus.INCOMPLETE},
    "memory_bomb": {RunStatus.RESOURCE_LIMIT, RunStatus.COMPLETED, RunStatus.INCOMPLETE},
    "fork_bomb": {RunStatus.RESOURCE_LIMIT, RunStatus.COMPLETED, RunStatus.TIMEOUT, RunStatus.INCOMPLETE},
    # One file past the per-file cap (RLIMIT_FSIZE): the write fails, or the run is killed.
    "disk_fill": {RunStatus.COMPLETED, RunStatus.TIMEOUT, RunStatus.RESOURCE_LIMIT},
    "kill_parent": {RunStatus.INCOMPLETE, RunStatus.COMPLETED, RunStatus.BUILD_FAILED},
}
DEFAULT_ALLOWED = {RunStatus.COMPLETED}


@pytest.fixture(scope="module")
def corpus(backend, tmp_path_factory):
    """Every hostile task of every language plus each language's good example, audited as one
    batch (runs in parallel), with what each task was given to find."""
    tmp = tmp_path_factory.mktemp("hostile")
    mark = f"61.{secrets.randbelow(10**6):06d}"
    secret = f"tasecret{secrets.token_hex(12)}"
    host = tmp / "host"
    host.mkdir()
    (host / "secret.txt").write_text(secret)
    checkout_file = CHECKOUT / ".git" / "HEAD"
    if not checkout_file.exists():
        checkout_file = CHECKOUT / "pyproject.toml"
    h = Hostile(
        secret_path=str(host / "secret.txt"),
        secret=secret,
        checkout_file=str(checkout_file),
        outside_markers=(str(host / "written" / "marker"), str(CHECKOUT / f"escaped-{mark}")),
        mark=mark,
    )
    pom = (ROOT / "examples/tasks/java/good/environment/app/pom.xml").read_text()
    pom = pom.replace("<artifactId>rle", "<artifactId>hostile")
    tasks_dir = tmp / "tasks"
    for language in LANGUAGES:
        for behaviour in BEHAVIOURS:
            build_task(tasks_dir, language, behaviour, h, pom)
        shutil.copytree(ROOT / "examples/tasks" / language / "good", tasks_dir / f"{language}-control-good")
    assert processes_with(mark) == []

    items = load_tasks([str(p) for p in sorted(tasks_dir.iterdir())])
    checks = [StatementCheck(), ReferenceCheck(), BaselineCheck(), AssertionsCheck()]
    report = audit(items, backend, AuditConfig(reference_runs=1), jobs=4, checks=checks)
    # Nothing may outlive its run (SIGKILLed processes may need a moment to be reaped).
    deadline = time.monotonic() + 3
    while processes_with(mark) and time.monotonic() < deadline:
        time.sleep(0.05)
    return report, h, processes_with(mark)


@pytest.mark.parametrize("language", LANGUAGES)
def test_hostile_corpus_is_contained(language, corpus):
    report, h, leaked = corpus
    by_id = {t.task_id: t for t in report.tasks}
    # The rest of the batch is unaffected: the good task gets its usual verdict.
    control = by_id[f"{language}-control-good"]
    assert control.verdict == Verdict.ACCEPT, control.findings

    problems = []
    for behaviour in BEHAVIOURS:
        task = by_id[f"{language}-{behaviour.replace('_', '-')}"]
        reference = next((r for r in task.runs if r.variant == "reference"), None)
        status = reference.status if reference else None
        print(f"{language:10} {behaviour:16} {task.verdict.value:7} {status and status.value}")
        summary = f"{behaviour}: verdict {task.verdict.value}, run {status} ({reference and reference.detail})"
        if task.verdict not in (Verdict.REJECT, Verdict.ERROR):
            problems.append(f"{summary}: not contained")
        if reference is not None:
            if any(t.outcome == Outcome.PASSED for t in reference.tests):
                problems.append(f"{summary}: the escape test passed")
            if status not in ALLOWED.get(behaviour, DEFAULT_ALLOWED):
                problems.append(f"{summary}: unexpected run status")
    if leaked:
        problems.append(f"processes survived the audit: {leaked[:3]}")
    for marker in h.outside_markers:
        if Path(marker).exists():
            problems.append(f"a hostile solution wrote {marker} on the host")
    if h.secret in report.model_dump_json():
        problems.append("the host secret leaked into the report")
    assert not problems, "\n".join(problems)


def _fill_task(tmp_path, fill: str):
    """The Python disk-fill task with ``fill`` (a shell script) run before its own probe."""
    h = Hostile("/nonexistent", "x", "/nonexistent", ("/nonexistent",), "0")
    task = build_task(tmp_path, "python", "disk_fill", h, "")
    solution = task / "solution/app/hostile.py"
    solution.write_text(solution.read_text().replace("    return sh(", f"    return sh({fill!r}) or sh("))
    (task / "task.toml").write_text((task / "task.toml").read_text().replace("timeout_sec = 10.0", "timeout_sec = 60.0"))
    return task


def _reference_run(backend, task):
    report = audit(load_tasks([str(task)]), backend, AuditConfig(reference_runs=1), jobs=1,
                   checks=[ReferenceCheck()])
    return next(r for r in report.tasks[0].runs if r.variant == "reference")


def test_workspace_total_size_is_capped(backend, tmp_path):
    """640 MiB in files under the per-file cap: the workspace (a 256 MiB tmpfs in these limits)
    refuses the writes past its size, and nothing reaches the host's disk."""
    fill = ("total=0; for i in 0 1 2 3 4 5 6 7 8 9; do dd if=/dev/zero of=/app/fill.$i bs=1M count=64 "
            "2>/dev/null || break; total=$((total+64)); done; rm -f /app/fill.*; "
            "[ $total -ge 640 ] && echo escaped || echo contained")
    reference = _reference_run(backend, _fill_task(tmp_path, fill))
    assert not any(t.outcome == Outcome.PASSED for t in reference.tests), reference.stdout_tail
    # The fill was deleted again before the run ended: contained, an ordinary failing test.
    assert reference.status == RunStatus.COMPLETED, reference.detail


def test_workspace_left_full_is_a_resource_limit(backend, tmp_path):
    """A fill still there when the run ends is reported as the workspace limit (an
    infrastructure limit, not a task defect), not as a failing test."""
    fill = ("i=0; while dd if=/dev/zero of=/app/fill.$i bs=1M count=64 2>/dev/null; do i=$((i+1)); "
            "[ $i -ge 10 ] && break; done; echo kept")
    reference = _reference_run(backend, _fill_task(tmp_path, fill))
    assert reference.status == RunStatus.RESOURCE_LIMIT, (reference.status, reference.detail)
    assert "workspace" in (reference.detail or "")
    assert not any(t.outcome == Outcome.PASSED for t in reference.tests)
