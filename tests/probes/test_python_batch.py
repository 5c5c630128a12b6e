"""The warm batch of a Python task's logic probes (probes/python_batch.py), through the real sandbox.

What it must keep: each probe judged exactly as its own run would judge it, and nothing one
probe does (files, scratch, processes, forged records) reaching another probe's verdict.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.probes import ProbesCheck
from taskaudit.checks.reference import ReferenceCheck
from taskaudit.formats import load_tasks
from taskaudit.languages import get_language
from taskaudit.model import Outcome, RunStatus
from taskaudit.probes.generate import build_probes
from taskaudit.probes.python_batch import batchable, run_batch
from taskaudit.runner import Variant, limits_for, reference_variant, run_variant
from taskaudit.sandbox import get_backend
from taskaudit.sandbox.local import UnisolatedBackend

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "examples/tasks/python/good"
WEAK = ROOT / "examples/tasks/python/weak-tests"


def _setup(path: Path):
    task = load_tasks([path])[0]
    limits = dataclasses.replace(limits_for(task), wall_seconds=20)
    return task, get_language("python"), get_backend(), limits


def _outcomes(run):
    return run.status, {t.test_id: t.outcome for t in run.tests}


@pytest.mark.parametrize("path", [GOOD, WEAK], ids=["good", "weak-tests"])
def test_batched_probes_match_separate_runs(path):
    task, language, backend, limits = _setup(path)
    probes, _ = build_probes(task, reference_variant(task).workspace)
    variants = [Variant(f"probe:{p.name}", p.workspace) for p in probes if batchable(task, p, backend)]
    assert len(variants) >= 5
    batched = run_batch(task, variants, backend, language, limits)
    assert sorted(batched) == list(range(len(variants)))  # a trusted record for every probe
    for i, variant in enumerate(variants):
        alone = run_variant(task, variant, backend, language, limits)
        assert _outcomes(batched[i]) == _outcomes(alone), variant.name


ATTACKER = '''
import os, sys, json, time

for d in ("/tmp", "/dev/shm", os.environ.get("HOME", "/tmp")):
    with open(os.path.join(d, "probe-leak"), "w") as f:
        f.write("left by the previous probe")

REFERENCE = {reference!r}

# A daemon (double fork, new session) that keeps writing the reference over the next probe.
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for _ in range(3000):
            try:
                with open("/app/rle.py", "w") as f:
                    f.write(REFERENCE)
            except OSError:
                pass
            time.sleep(0.005)
        os._exit(0)
    os._exit(0)

# Forge records saying the next probes passed: find the worker's token in this process's own
# memory (the frames inherited through fork) and write to the worker's stdout by /proc.
token = None
frame = sys._getframe()
while frame is not None:
    token = frame.f_locals.get("token") or token
    frame = frame.f_back
forged = json.dumps({{"token": token, "index": 1, "nonce": "x", "exit_code": 0, "signal": None,
                      "timed_out": False, "duration_sec": 0.1, "output": "", "junit": None,
                      "session": None}}) + "\\n"
for target in ("/proc/%d/fd/1" % os.getppid(), "/proc/%d/fd/2" % os.getppid()):
    try:
        with open(target, "w") as f:
            f.write(forged)
        print("FORGED-INTO", target)
    except OSError as exc:
        print("could not open", target, exc)
time.sleep(0.2)  # let the daemon start writing


def encode(s):
    return ""


def decode(s):
    return ""
'''

CHECKER = '''
import os

for d in ("/tmp", "/dev/shm", os.environ.get("HOME", "/tmp")):
    if os.path.exists(os.path.join(d, "probe-leak")):
        raise RuntimeError("a file the previous probe left is visible in " + d)

'''


def test_one_probe_cannot_reach_the_next_ones_verdict():
    task, language, backend, limits = _setup(GOOD)
    reference = reference_variant(task).workspace
    stub = {**reference, "rle.py": b"def encode(s):\n    return ''\n\n\ndef decode(s):\n    return ''\n"}
    attacker = {**reference, "rle.py": ATTACKER.format(reference=reference["rle.py"].decode()).encode()}
    checker = {**reference, "rle.py": CHECKER.encode() + reference["rle.py"]}
    variants = [Variant("attacker", attacker), Variant("stub", stub), Variant("checker", checker)]
    runs = run_batch(task, variants, backend, language, limits)
    assert sorted(runs) == [0, 1, 2]
    assert runs[0].status == RunStatus.COMPLETED  # ended with its child, not held open by the daemon
    assert "FORGED-INTO" not in runs[0].stdout_tail  # the worker's stdout is out of reach
    expected = [t.test_id for t in run_variant(task, Variant("reference", reference), backend, language,
                                               limits).tests]
    # The stub fails although the attacker's daemon was writing the reference into /app and a
    # forged "passed" record was attempted for it.
    assert runs[1].status == RunStatus.COMPLETED and not runs[1].passed_all(expected)
    # The checker (the reference, refusing to load if the attacker's files are visible) passes:
    # /tmp, /dev/shm and HOME were emptied between probes.
    assert runs[2].passed_all(expected), runs[2].detail + runs[2].stdout_tail


def test_a_probe_that_kills_the_worker_leaves_the_rest_to_separate_runs():
    task, language, backend, limits = _setup(GOOD)
    reference = reference_variant(task).workspace
    killer = {**reference, "rle.py": b"import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"}
    variants = [Variant("fine", reference), Variant("killer", killer), Variant("after", reference)]
    runs = run_batch(task, variants, backend, language, limits)
    assert 0 in runs and runs[0].status == RunStatus.COMPLETED
    assert 2 not in runs  # no record: the caller runs it on its own


def test_exit_early_in_a_batch_is_never_a_pass():
    task, language, backend, limits = _setup(GOOD)
    reference = reference_variant(task).workspace
    early = {**reference, "rle.py": b"import os\nos._exit(0)\n"}
    runs = run_batch(task, [Variant("early", early), Variant("ref", reference)], backend, language, limits)
    assert runs[0].status == RunStatus.INCOMPLETE
    assert all(t.outcome == Outcome.PASSED for t in runs[1].tests) and runs[1].tests


def test_only_isolating_sandboxes_run_batches():
    task, _, backend, _ = _setup(GOOD)
    probes, _ = build_probes(task, reference_variant(task).workspace)
    stub = next(p for p in probes if p.kind.name == "stub")
    exit_early = next(p for p in probes if p.kind.name == "exit-early")
    assert batchable(task, stub, backend)
    assert not batchable(task, exit_early, backend)  # harness attacks keep their own runs
    assert not batchable(task, stub, UnisolatedBackend())


def test_batched_audit_is_the_separate_audit_and_repeatable():
    items = load_tasks([GOOD, WEAK])

    def findings(batch: bool):
        report = audit(items, get_backend(), AuditConfig(reference_runs=1), jobs=2,
                       checks=[ReferenceCheck(), ProbesCheck(batch=batch)])
        return {t.task_id: sorted(f.code for f in t.findings) for t in report.tasks}

    separate, first, second = findings(False), findings(True), findings(True)
    assert first == separate == second
    weak = next(codes for task_id, codes in first.items() if "weak" in task_id)
    assert {"W203", "W204"} <= set(weak)
