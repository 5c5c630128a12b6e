"""Materialise a variant of a task in a fresh directory and run its tests in the sandbox.

A *variant* is the task's workspace with one thing changed: the reference solution, no
solution (starter files only), later a mutant, a cheat probe or an agent's final patch.
Every execution check is "run the tests on variant V and compare per-test results with the
reference run", so this module is the one place where that happens.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

from taskaudit.languages.base import Language
from taskaudit.model import RunResult, RunStatus, Task
from taskaudit.sandbox.base import Limits, Mount, SandboxBackend, SandboxRequest

_TAIL_CHARS = 4000
# What a solution script may leave in the workspace: it is read back into memory.
_SNAPSHOT_MAX_FILES = 10_000
_SNAPSHOT_MAX_BYTES = 64 << 20


@dataclass(frozen=True)
class Variant:
    name: str  # "reference", "baseline", "mutant:3", ...
    workspace: dict[str, bytes]  # the complete workspace, path -> content


def reference_variant(task: Task) -> Variant:
    """Starter files with the solution's files laid over them (not for script solutions)."""
    if task.solution_script:
        raise ValueError("a script solution's reference comes from build_reference()")
    return Variant("reference", {**task.starter_files, **task.solution_files})


def baseline_variant(task: Task) -> Variant:
    """The workspace a solver starts from: starter files only, no solution."""
    return Variant("baseline", dict(task.starter_files))


def limits_for(task: Task, base: Limits | None = None) -> Limits:
    base = base or Limits()
    return Limits(**{**asdict(base), "wall_seconds": float(task.timeout_sec)})


def run_key(task: Task, variant: Variant, argv: list[str], toolchain: str, limits: Limits) -> str:
    """Hash of everything that went into a run: files, tests, command, toolchain, limits."""
    h = hashlib.sha256()
    for label, files in (("workspace", variant.workspace), ("tests", task.test_files)):
        for path in sorted(files):
            h.update(f"{label}\0{path}\0".encode())
            h.update(hashlib.sha256(files[path]).digest())
    h.update(json.dumps([argv[1:], toolchain, asdict(limits)], sort_keys=True).encode())
    return h.hexdigest()


def _write_tree(root: Path, files: dict[str, bytes]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        parts = PurePosixPath(rel).parts
        # Loaders already refuse escaping paths; refuse again here because this writes to disk.
        if PurePosixPath(rel).is_absolute() or ".." in parts or not parts:
            raise ValueError(f"refusing to write task file outside the workspace: {rel!r}")
        target = root.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def run_variant(
    task: Task,
    variant: Variant,
    backend: SandboxBackend,
    language: Language,
    limits: Limits | None = None,
    *,
    variant_label: str | None = None,
) -> RunResult:
    """Run the task's pristine tests against ``variant`` and return per-test results."""
    limits = limits or limits_for(task)
    root = Path(tempfile.mkdtemp(prefix="taskaudit-run-"))
    try:
        workspace, tests_dir, results_dir = root / "app", root / "tests", root / "results"
        _write_tree(workspace, variant.workspace)
        _write_tree(tests_dir, task.test_files)  # copied pristine for every run
        results_dir.mkdir()
        prepared = language.prepare(workspace, tests_dir, results_dir)
        request = SandboxRequest(
            argv=prepared.argv,
            cwd=prepared.cwd,
            mounts=prepared.mounts,
            env=prepared.env,
            limits=limits,
            address_space_ok=getattr(language, "address_space_ok", False),
        )
        key = run_key(task, variant, prepared.argv, language.toolchain()[1], limits)
        process = backend.run(request)
        result = RunResult(
            variant=variant_label or variant.name,
            status=RunStatus.COMPLETED,
            command=prepared.argv,
            exit_code=process.exit_code,
            duration_sec=round(process.duration_sec, 3),
            stdout_tail=_tail(process.stdout),
            stderr_tail=_tail(process.stderr),
            run_key=key,
            backend=backend.name,
        )
        if process.sandbox_error:
            result.status = RunStatus.INFRA_ERROR
            result.detail = f"sandbox failed: {process.sandbox_error}"
        elif process.timed_out or process.limit_hit == "timeout":
            result.status = RunStatus.TIMEOUT
            result.detail = f"killed after the {limits.wall_seconds:g} s wall-clock limit"
        elif process.limit_hit == "workspace":  # not killed: the mounts were full when it ended
            result.status = RunStatus.RESOURCE_LIMIT
            result.detail = "a writable mount was full when the run ended (Limits.workspace_mb)"
        elif process.limit_hit:
            result.status = RunStatus.RESOURCE_LIMIT
            result.detail = f"killed: {process.limit_hit} limit exceeded"
        else:
            parsed = language.parse(prepared, process)
            result.status, result.tests, result.detail = parsed.status, parsed.tests, parsed.detail
        planted = language.planted_files(variant.workspace)
        if planted:
            # They are inert (see languages/planted.py); recorded so a reviewer sees the attempt.
            note = "runner configuration in the workspace was ignored: " + ", ".join(
                f"{path} ({why})" for path, why in planted.items()
            )
            result.detail = f"{result.detail}; {note}" if result.detail else note
        return result
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _tail(data: bytes) -> str:
    text = data.decode("utf-8", errors="replace")
    return text[-_TAIL_CHARS:]


def build_reference(
    task: Task, backend: SandboxBackend, language: Language, limits: Limits | None = None
) -> Variant | RunResult:
    """The reference workspace of a task whose solution is a script (Harbor's ``solve.sh``).

    Runs ``bash /solution/<script>`` once, in the sandbox, in a copy of the starter workspace
    at ``/app`` with the solution directory read-only at ``/solution``, as Harbor's oracle
    agent does (but offline). Returns the workspace it leaves as the reference variant, or
    the failed run (BUILD_FAILED: the task's reference is broken; INFRA_ERROR: the sandbox).
    """
    assert task.solution_script
    limits = limits or limits_for(task)
    root = Path(tempfile.mkdtemp(prefix="taskaudit-solve-"))
    try:
        workspace, solution = root / "app", root / "solution"
        _write_tree(workspace, task.starter_files)
        _write_tree(solution, task.solution_files)
        toolchain = getattr(language, "toolchain_mounts", lambda: [])()
        argv = ["/bin/bash", f"/solution/{task.solution_script}"]
        request = SandboxRequest(
            argv=argv,
            cwd="/app",
            mounts=[
                *toolchain,
                Mount(host=solution, target="/solution"),
                Mount(host=workspace, target="/app", writable=True),
            ],
            limits=limits,
            address_space_ok=getattr(language, "address_space_ok", False),
        )
        process = backend.run(request)
        result = RunResult(
            variant="solve.sh",
            status=RunStatus.COMPLETED,
            command=argv,
            exit_code=process.exit_code,
            duration_sec=round(process.duration_sec, 3),
            stdout_tail=_tail(process.stdout),
            stderr_tail=_tail(process.stderr),
            backend=backend.name,
        )
        if process.sandbox_error:
            result.status, result.detail = RunStatus.INFRA_ERROR, f"sandbox failed: {process.sandbox_error}"
        elif process.limit_hit:
            result.status = RunStatus.BUILD_FAILED
            result.detail = f"{task.solution_script} was killed: {process.limit_hit} limit"
        elif process.exit_code != 0:
            result.status = RunStatus.BUILD_FAILED
            result.detail = (
                f"{task.solution_script} exited with {process.exit_code} (it runs offline, in "
                "the starter workspace, with the solution directory at /solution)"
            )
        else:
            try:
                return Variant("reference", snapshot(workspace))
            except ValueError as exc:
                result.status, result.detail = RunStatus.BUILD_FAILED, str(exc)
        return result
    finally:
        shutil.rmtree(root, ignore_errors=True)


def snapshot(root: Path) -> dict[str, bytes]:
    """Regular files under ``root`` (written by untrusted code): links and special files are
    skipped, never followed; size and count are capped."""
    files: dict[str, bytes] = {}
    total = 0
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_symlink() or not path.is_file():
                continue
            total += path.stat().st_size
            if len(files) >= _SNAPSHOT_MAX_FILES or total > _SNAPSHOT_MAX_BYTES:
                raise ValueError(
                    f"the solution script left more than {_SNAPSHOT_MAX_FILES} files or "
                    f"{_SNAPSHOT_MAX_BYTES >> 20} MiB in the workspace"
                )
            files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files
