"""Run a Python task's logic probes in one sandbox, pytest imported once (docs/probes.md).

A separate run per probe pays a sandbox start and a Python + pytest start-up each time; on a
HumanEval task that is most of a probe's cost. Here one sandbox runs ``python_batch_worker``,
which imports pytest once and forks one child per probe; each child gets a fresh ``/app`` with
that probe's workspace only, the pristine read-only tests, a fresh nonce, and runs
``pytest.main`` with the same arguments as an ordinary run. Each probe's result is parsed by the
Python language's own ``parse``, so it is judged exactly as a separate run would judge it.

Only the probes that give wrong answers go here (``BATCHABLE``), not the harness attacks (exit
early, planted configuration, runner patch, test tampering), which attack the runner or the
process and keep their own full runs. The probes that look for what the process can reach on
disk (the tests, the reference, expected-output files) are batched: a child sees the same
files a separate run would (its own workspace in ``/app``, the tests, emptied results and
scratch directories, the same read-only toolchain mounts), nothing of the other probes. A probe with no trustworthy
record from the batch (the worker died, the sandbox failed, its record is missing) is run
again on its own by the caller: the batch only ever saves time, it never decides alone.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

from taskaudit.model import RunResult, RunStatus, Task
from taskaudit.probes import model as kinds
from taskaudit.sandbox.base import Limits, ProcessResult, SandboxRequest

BATCHABLE = frozenset(k.name for k in (kinds.STUB, kinds.RETURN_INPUT, kinds.CONSTANT, kinds.LOOKUP,
                                         kinds.REDUCED, kinds.ALWAYS_EQUAL, kinds.READ_TESTS,
                                         kinds.READ_REFERENCE, kinds.EXPECTED_FILES))
_WORKER = "taskaudit.probes.python_batch_worker"
_TAIL_CHARS = 4000


# The sandbox's private scratch directories the worker empties between probes. Only backends
# listed here run batches: the worker empties /app and these, which must be private tmpfs.
SCRATCH = {"bwrap": ["/tmp", "/dev/shm", "/home/sandbox"]}


def batchable(task: Task, probe, backend) -> bool:
    return (task.language == "python" and probe.kind.name in BATCHABLE
            and getattr(backend, "isolating", False) and getattr(backend, "name", "") in SCRATCH)


def run_batch(task: Task, variants: list, backend, language, limits: Limits) -> dict[int, RunResult]:
    """Results by position in ``variants``; positions without a trustworthy result are absent."""
    from taskaudit.runner import _write_tree, run_key

    if not variants:
        return {}
    root = Path(tempfile.mkdtemp(prefix="taskaudit-probes-"))
    try:
        workspace, tests_dir, results_dir = root / "app", root / "tests", root / "results"
        workspace.mkdir()
        _write_tree(tests_dir, task.test_files)
        results_dir.mkdir()
        prepared = language.prepare(workspace, tests_dir, results_dir)
        (results_dir / "nonce").unlink(missing_ok=True)  # the worker writes one per probe
        pytest_at = prepared.argv.index("pytest")
        token = secrets.token_hex(16)
        (results_dir / "batch-token").write_text(token)
        plan = {
            "scratch": SCRATCH[backend.name],
            "pytest_args": prepared.argv[pytest_at + 1:],
            "wall_seconds": limits.wall_seconds,
            "probes": [
                {"index": i, "files": {p: base64.b64encode(c).decode() for p, c in v.workspace.items()}}
                for i, v in enumerate(variants)
            ],
        }
        (results_dir / "batch-plan.json").write_text(json.dumps(plan))
        argv = [*prepared.argv[: pytest_at - 1], "-m", _WORKER]
        # The sandbox's own clock covers every probe's; each probe has its own inside.
        # The records come back on stdout: allow it all (up to the hard cap that kills a run).
        outer = dataclasses.replace(limits, wall_seconds=30.0 + len(variants) * (limits.wall_seconds + 2.0),
                                    output_bytes=limits.output_hard_bytes)
        process = backend.run(SandboxRequest(
            argv=argv, cwd=prepared.cwd, mounts=prepared.mounts, env=prepared.env, limits=outer,
            address_space_ok=getattr(language, "address_space_ok", False),
        ))
        records = _records(process.stdout, token)
        toolchain = language.toolchain()[1]
        out: dict[int, RunResult] = {}
        for i, variant in enumerate(variants):
            record = records.get(i)
            if record is None:
                continue
            out[i] = _result(task, variant, record, prepared, language, backend, limits, root / f"r{i}")
            out[i].run_key = run_key(task, variant, [*prepared.argv, "--batched"], toolchain, limits)
        if process.sandbox_error and not out:
            return {}
        return out
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _records(stdout: bytes, token: str) -> dict[int, dict]:
    """The worker's records by probe index; the first one per index wins, other lines are ignored."""
    out: dict[int, dict] = {}
    for line in stdout.splitlines():
        try:
            record = json.loads(line)
            index = int(record["index"])
        except (ValueError, KeyError, TypeError):
            continue
        if isinstance(record, dict) and record.get("token") == token and index not in out:
            out[index] = record
    return out


def _result(task, variant, record, prepared, language, backend, limits, results_dir: Path) -> RunResult:
    results_dir.mkdir()
    for name in ("junit", "session"):
        if record.get(name) is not None:
            filename = "junit.xml" if name == "junit" else "session.json"
            (results_dir / filename).write_bytes(base64.b64decode(record[name]))
    output = base64.b64decode(record.get("output") or "")
    process = ProcessResult(
        exit_code=record.get("exit_code"), signal=record.get("signal"), stdout=output, stderr=b"",
        duration_sec=float(record.get("duration_sec", 0.0)), timed_out=bool(record.get("timed_out")),
    )
    result = RunResult(
        variant=variant.name,
        status=RunStatus.COMPLETED,
        command=[sys.executable, "-I", "-B", "-m", _WORKER, "(batched: pytest " + " ".join(
            prepared.argv[prepared.argv.index("pytest") + 1:]) + ")"],
        exit_code=process.exit_code,
        duration_sec=round(process.duration_sec, 3),
        stdout_tail=output.decode("utf-8", errors="replace")[-_TAIL_CHARS:],
        stderr_tail="",
        backend=backend.name,
    )
    if process.timed_out:
        result.status = RunStatus.TIMEOUT
        result.detail = f"killed after the {limits.wall_seconds:g} s wall-clock limit"
    else:
        parsed = language.parse(dataclasses.replace(prepared, results_dir=results_dir,
                                                    secret=str(record.get("nonce", ""))), process)
        result.status, result.tests, result.detail = parsed.status, parsed.tests, parsed.detail
    return result
