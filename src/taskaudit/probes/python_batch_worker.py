"""The warm driver for a Python task's logic probes, run inside ONE sandbox (docs/probes.md).

Started as ``python -I -B -m taskaudit.probes.python_batch_worker`` by ``python_batch.py``. It
imports pytest once, then for each probe, one after the other:

1. ends every process a previous probe left behind (this process is a child subreaper, so even
   a daemonised grandchild is reparented here and found), empties ``/app`` and ``/tmp``, and
   writes the probe's workspace into ``/app``;
2. leaves a fresh nonce in ``/results/nonce`` for taskaudit's trusted pytest plugin;
3. forks. Only the child imports the tests (and so the probe's code): it runs
   ``pytest.main`` with exactly the arguments of an ordinary run (``languages/python.py``) and
   exits with pytest's status. The parent never imports task code;
4. reads what the child left (``junit.xml``, ``session.json``), its exit status and output,
   and writes one record to its own stdout, which only the host reads. A child cannot write
   there: its stdout and stderr are replaced by a pipe to this process before any task code
   runs, and this process is made non-dumpable (``PR_SET_DUMPABLE`` 0), so a child cannot
   open it through ``/proc/<pid>/fd`` or read its memory. Each record carries a token the
   host left in ``/results/batch-token`` (deleted before any probe ran), so the host reads
   nothing else as a record (say, output the interpreter printed); a child that kills
   this process only loses the records of the probes after it, which the host then runs on
   their own.

Between probes everything a probe could leave for the next one is reset: processes, ``/app``,
``/results`` and the sandbox's private scratch directories (``/tmp``, ``/dev/shm``, ``HOME``;
the host only starts this worker under an isolating backend, where those are private tmpfs).

The host parses each record with the Python language's own ``parse`` (nonce, exit status,
JUnit cross-check), so a probe is judged exactly as a separate run would judge it.
"""

from __future__ import annotations

import base64
import ctypes
import json
import os
import secrets
import select
import shutil
import signal
import sys
import time
from pathlib import Path

RESULTS = Path(os.environ.get("TASKAUDIT_RESULTS_DIR", "/results"))
WORKSPACE = Path("/app")
_FILE_CAP = 8 << 20  # junit.xml / session.json larger than this are cut (the parse then fails)
_OUTPUT_CAP = 8 << 10  # the run keeps a 4000-character tail of the output
_PR_SET_DUMPABLE, _PR_SET_CHILD_SUBREAPER = 4, 36


def _take(path: Path) -> bytes:
    """Read and delete a file the host left (before any probe code runs)."""
    data = path.read_bytes()
    path.unlink()
    return data


def _prctl(option: int, value: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}, {value}) failed")


def _descendants() -> list[int]:
    """Every live process whose parent chain reaches this one."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        parents[int(entry)] = int(fields[1])
    me, out = os.getpid(), []
    for pid in parents:
        p, seen = pid, set()
        while p in parents and p not in seen:
            seen.add(p)
            p = parents[p]
            if p == me:
                out.append(pid)
                break
    return out


def _end_strays() -> None:
    for _ in range(20):
        pids = _descendants()
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _reap(wait=True)
    raise RuntimeError("processes left by a probe could not be ended")


def _reap(wait: bool) -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, 0 if wait else os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _empty(directory: Path) -> None:
    for child in list(directory.iterdir()) if directory.is_dir() else []:
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            try:
                child.unlink()
            except OSError:
                pass


def _write(files: dict[str, str]) -> None:
    for rel, b64 in files.items():
        parts = Path(rel).parts
        if Path(rel).is_absolute() or ".." in parts or not parts:
            raise ValueError(f"refusing to write a probe file outside the workspace: {rel!r}")
        target = WORKSPACE / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(b64))


def _run_child(pytest_args: list[str], wall: float) -> dict:
    """Fork; the child runs pytest on /app. Its exit status, output tail, time, timeout."""
    import pytest

    read_fd, write_fd = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: the only process that imports the probe's code
        code = 3
        try:
            os.close(read_fd)
            os.setpgid(0, 0)
            os.dup2(write_fd, 1)  # from here on the child cannot reach the host's stdout
            os.dup2(write_fd, 2)
            os.close(write_fd)
            os.closerange(3, 1 << 16)  # no other descriptor of this process stays reachable
            _prctl(_PR_SET_DUMPABLE, 1)  # as in an ordinary run (the parent stays non-dumpable)
            os.chdir(WORKSPACE)
            code = int(pytest.main(pytest_args))
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)
    os.close(write_fd)
    # Read until the child itself has exited (not until EOF: a process the probe left behind
    # may hold the pipe open; an ordinary run ends when its main process does, and so does
    # this one: the caller then ends every such process).
    os.set_blocking(read_fd, False)
    tail, timed_out, status = b"", False, None
    deadline = started + wall
    while status is None:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        ready, _, _ = select.select([read_fd], [], [], min(left, 0.02))
        if ready:
            tail = (tail + _drain(read_fd))[-_OUTPUT_CAP:]
        done, code = os.waitpid(pid, os.WNOHANG)
        if done:
            status = code
    if timed_out:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _, status = os.waitpid(pid, 0)
    tail = (tail + _drain(read_fd))[-_OUTPUT_CAP:]
    os.close(read_fd)
    duration = time.monotonic() - started
    exit_code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    return {"exit_code": exit_code, "signal": sig, "timed_out": timed_out,
            "duration_sec": duration, "output": base64.b64encode(tail).decode()}


def _drain(fd: int) -> bytes:
    """Whatever the non-blocking pipe holds now (at most a few MiB: the rest is not kept)."""
    out = b""
    for _ in range(64):
        try:
            chunk = os.read(fd, 1 << 16)
        except BlockingIOError:
            break
        if not chunk:
            break
        out = (out + chunk)[-_OUTPUT_CAP:]
    return out


def _read_result(name: str) -> str | None:
    path = RESULTS / name
    try:
        if path.is_symlink() or not path.is_file():
            return None
        with open(path, "rb") as f:
            return base64.b64encode(f.read(_FILE_CAP)).decode()
    except OSError:
        return None


def main() -> int:
    token = _take(RESULTS / "batch-token").decode()
    plan = json.loads(_take(RESULTS / "batch-plan.json"))
    scratch = [Path(p) for p in plan.get("scratch", [])]
    # Warm the imports every probe's pytest needs (never taskaudit's pytest plugin: it reads
    # its nonce when imported, so each child must import it itself).
    import importlib

    import _pytest.config
    import pytest  # noqa: F401

    for name in _pytest.config.default_plugins:  # what every pytest.main imports first
        try:
            importlib.import_module(f"_pytest.{name}")
        except ImportError:
            pass

    _prctl(_PR_SET_DUMPABLE, 0)
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)
    for probe in plan["probes"]:
        _end_strays()
        for directory in (WORKSPACE, RESULTS, *scratch):
            _empty(directory)
        _write(probe["files"])
        nonce = secrets.token_hex(16)
        (RESULTS / "nonce").write_text(nonce)
        record = {"token": token, "index": probe["index"], "nonce": nonce,
                  **_run_child(plan["pytest_args"], float(plan["wall_seconds"]))}
        _end_strays()
        record["junit"] = _read_result("junit.xml")
        record["session"] = _read_result("session.json")
        data = (json.dumps(record) + "\n").encode()
        while data:  # straight to fd 1, which every child has replaced before running anything
            data = data[os.write(1, data):]
    return 0


if __name__ == "__main__":
    sys.exit(main())
