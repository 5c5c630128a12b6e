"""Run one process tree under a wall clock with capped output; shared by every backend.

The backend decides what the tree is (bwrap, or the bare command); this module starts it in its
own process group, reads stdout and stderr concurrently, and kills the whole tree when the wall
clock or the output cap says so, or as soon as the top process exits (so nothing it left
running in the background survives the run).
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from taskaudit.sandbox.base import LIMIT_ORDER, Limits, ProcessResult

BASE_PATH = "/usr/local/bin:/usr/bin:/bin"
# After the tree is dead or the top process exited, how long to wait for the pipes to close.
# Only a process that escaped every kill (unisolated, no cgroup) can hold them open longer.
_DRAIN_SECONDS = 1.0
_CHUNK = 1 << 16


def scrubbed_env(home: str, extra: Mapping[str, str]) -> dict[str, str]:
    """The fixed base environment every run starts from: nothing of the host leaks in."""
    env = {
        "PATH": BASE_PATH,
        "HOME": home,
        "TZ": "UTC",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.update(extra)
    return env


def launcher(
    limits: Limits, *, address_space: bool, cgroup_procs: list[Path], ready_fd: int | None = None
) -> list[str]:
    """argv prefix that applies rlimits and joins the run's cgroups, then execs the rest.

    A shell rather than ``preexec_fn``: ``preexec_fn`` is unsafe when the caller runs threads
    (runs are parallel), and the shell is done before the command starts, so every process of
    the run is limited and in the cgroup from its first instruction. POSIX ``ulimit -f`` counts
    512-byte blocks and ``-v`` KiB. ``ready_fd`` (optional) receives "ok" just before the exec,
    so the caller can tell a failed launcher from a failed command. dash cannot name fds above
    9, so it writes through /proc and the command inherits the fd: whatever the command writes
    there comes after the "ok", which is all the caller looks at.
    """
    rlimits = ["ulimit -c 0", f"ulimit -f {limits.file_size_mb * 2048}"]
    if address_space:
        rlimits.append(f"ulimit -v {limits.memory_mb * 1024}")
    join = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift'
    run = 'exec "$@"' if ready_fd is None else f'printf ok > /proc/self/fd/{ready_fd} && exec "$@"'
    script = "\n".join([" && ".join(rlimits) + " || exit 125", join, run])
    return ["/bin/sh", "-c", script, "taskaudit-launcher", *map(str, cgroup_procs), "--"]


class Sink(Protocol):
    def add(self, chunk: bytes) -> None: ...


@dataclass
class _Capped:
    cap: int
    data: bytearray = field(default_factory=bytearray)
    seen: int = 0

    def add(self, chunk: bytes) -> None:
        self.seen += len(chunk)
        room = self.cap - len(self.data)
        if room > 0:
            self.data += chunk[:room]

    @property
    def truncated(self) -> bool:
        return self.seen > len(self.data)


@dataclass
class Finished:
    returncode: int  # of the top process, as subprocess reports it (negative: signal)
    stdout: bytes
    stderr: bytes
    stdout_truncated: bool
    stderr_truncated: bool
    status: bytes  # everything written to the status pipe
    duration_sec: float
    killed_for: str | None  # "timeout" | "output" when the supervisor ended the run


def supervise(
    argv_for: Callable[[int], list[str]],
    *,
    env: Mapping[str, str],
    cwd: str | None,
    limits: Limits,
    kill_extra: Callable[[], None] = lambda: None,
    pass_fds: Sequence[int] = (),
    streams: Mapping[int, Sink] | None = None,
) -> Finished:
    """Run ``argv_for(status_fd)`` to completion or to a limit; never leaves it running.

    ``status_fd`` is the write end of a pipe passed to the child (bwrap's --json-status-fd, or
    the launcher's ready fd). ``kill_extra`` kills what the process group cannot reach (a cgroup).
    ``pass_fds`` are more descriptors for the child; they become the child's: closed here once
    it started (so a pipe's read end sees EOF when the child is done with it). ``streams``: read
    ends of more pipes, read like stdout into their sinks, and closed here at the end.
    """
    streams = dict(streams or {})
    status_r, status_w = os.pipe()
    start = time.monotonic()
    try:
        proc = subprocess.Popen(
            argv_for(status_w),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(status_w, *pass_fds),
            env=dict(env),
            cwd=cwd,
            start_new_session=True,  # its own process group, so one killpg reaches the tree
        )
    except BaseException:
        os.close(status_r)
        for fd in streams:
            os.close(fd)
        raise
    finally:
        for fd in (status_w, *pass_fds):
            os.close(fd)

    def kill() -> None:
        # The top process is not reaped before this, so its pid (= the group id) cannot have
        # been reused by an unrelated process.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        kill_extra()

    out, err, status = _Capped(limits.output_bytes), _Capped(limits.output_bytes), _Capped(1 << 16)
    killed_for: str | None = None
    pidfd = -1
    sel = selectors.DefaultSelector()
    try:
        pidfd = os.pidfd_open(proc.pid)  # readable once the top process exits
        assert proc.stdout is not None and proc.stderr is not None
        for fd, sink in (
            (proc.stdout.fileno(), out),
            (proc.stderr.fileno(), err),
            (status_r, status),
            *streams.items(),
        ):
            sel.register(fd, selectors.EVENT_READ, sink)
        sel.register(pidfd, selectors.EVENT_READ, None)
        deadline = start + limits.wall_seconds
        drain_until: float | None = None
        # Until the top process has exited and both pipes are closed (a command may close
        # its output and keep running), or the drain time after a kill or exit runs out.
        while sel.get_map():
            now = time.monotonic()
            if drain_until is not None and now >= drain_until:
                break
            if drain_until is None and now >= deadline:
                killed_for = "timeout"
                kill()
                drain_until = now + _DRAIN_SECONDS
            # Once draining (after a kill, or the top process's exit) the wall clock is done.
            wait = (drain_until if drain_until is not None else deadline) - now
            for key, _ in sel.select(timeout=max(wait, 0)):
                if key.fd == pidfd:
                    sel.unregister(pidfd)
                    kill()  # whatever the top process left behind dies with it
                    drain_until = drain_until or time.monotonic() + _DRAIN_SECONDS
                    continue
                chunk = os.read(key.fd, _CHUNK)
                if not chunk:
                    sel.unregister(key.fd)
                    continue
                key.data.add(chunk)
                if killed_for is None and out.seen + err.seen > limits.output_hard_bytes:
                    killed_for = "output"
                    kill()
                    drain_until = time.monotonic() + _DRAIN_SECONDS
    finally:
        kill()
        proc.wait()
        sel.close()
        for f in (proc.stdout, proc.stderr):
            if f is not None:
                f.close()
        os.close(status_r)
        for fd in streams:
            os.close(fd)
        if pidfd >= 0:
            os.close(pidfd)
    return Finished(
        returncode=proc.returncode,
        stdout=bytes(out.data),
        stderr=bytes(err.data),
        stdout_truncated=out.truncated,
        stderr_truncated=err.truncated,
        status=bytes(status.data),
        duration_sec=time.monotonic() - start,
        killed_for=killed_for,
    )


def process_result(
    done: Finished,
    *,
    exit_code: int | None,
    sig: int | None,
    cgroup_reached: list[str],
    sandbox_error: str | None = None,
) -> ProcessResult:
    """Combine what the supervisor, the cgroup and the exit status say about a run."""
    reached = set(cgroup_reached)
    if done.killed_for:
        reached.add(done.killed_for)
    if sig == signal.SIGXFSZ:
        reached.add("file_size")
    limits_reached = [name for name in LIMIT_ORDER if name in reached]
    return ProcessResult(
        exit_code=exit_code,
        signal=sig,
        stdout=done.stdout,
        stderr=done.stderr,
        duration_sec=done.duration_sec,
        timed_out=done.killed_for == "timeout",
        limit_hit=limits_reached[0] if limits_reached else None,
        stdout_truncated=done.stdout_truncated,
        stderr_truncated=done.stderr_truncated,
        # A run a limit ended did start, even if it never got to report so.
        sandbox_error=None if limits_reached else sandbox_error,
        limits_reached=limits_reached,
    )
