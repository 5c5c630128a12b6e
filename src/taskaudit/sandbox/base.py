"""The sandbox contract: run one command on one workspace, isolated, with limits.

Every run of task code (tests, solution, mutant, probe, agent patch) goes through a
:class:`SandboxBackend`. Backends live beside this module; ``get_backend`` picks one.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

# ProcessResult.limit_hit values, in the order that decides which one ended a run.
LIMIT_ORDER = ("timeout", "output", "memory", "processes", "file_size", "workspace")


class SandboxUnavailable(RuntimeError):
    """No backend that may run task code is usable here (an infrastructure error)."""


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 60.0
    memory_mb: int = 2048  # address-space style cap is NOT used for runtimes that break on it
    max_processes: int = 256  # pids in the sandbox (cgroup pids controller)
    output_bytes: int = 1 << 20  # stdout and stderr each keep at most this much
    output_hard_bytes: int = 64 << 20  # past this much output the run is killed
    file_size_mb: int = 256  # RLIMIT_FSIZE: no single file written larger than this
    tmp_mb: int = 512  # size of the private /tmp tmpfs
    # Size of each writable directory mount (the workspace, results, build dirs): bwrap makes
    # each one a tmpfs of this size, seeded from the host directory and copied back after the
    # run (sandbox/capped.py), so many files under file_size_mb cannot fill the host's disk.
    workspace_mb: int = 1024


@dataclass(frozen=True)
class Mount:
    host: Path
    target: str  # absolute path inside the sandbox
    writable: bool = False
    # A writable directory's content is copied back to ``host`` after the run (bwrap runs it
    # on a size-capped tmpfs, sandbox/capped.py). False for scratch the caller never reads
    # (a build's target dir): saves the copy.
    copy_back: bool = True


def check_mount_targets(mounts: list[Mount]) -> None:
    """Reject targets a backend could misplace: relative, ``..``-laden, or the root itself."""
    for m in mounts:
        target = m.target
        if target == "/" or not target.startswith("/") or posixpath.normpath(target) != target:
            raise ValueError(f"mount target must be a normalised absolute path below /: {target!r}")


@dataclass
class SandboxRequest:
    argv: list[str]
    cwd: str  # inside the sandbox
    mounts: list[Mount]  # workspace (writable), tests (read-only), toolchain dirs (read-only) ...
    env: dict[str, str] = field(default_factory=dict)  # added to the scrubbed base environment
    limits: Limits = field(default_factory=Limits)
    # The runtime tolerates RLIMIT_AS (CPython does; Go, Node and the JVM reserve huge address
    # space and break). Only then is an address-space cap used where no memory cgroup is writable.
    address_space_ok: bool = False


@dataclass
class ProcessResult:
    exit_code: int | None  # None when killed by a signal
    signal: int | None
    stdout: bytes
    stderr: bytes
    duration_sec: float
    timed_out: bool = False
    # "timeout" | "output" | "memory" | "processes" | "file_size" | "workspace" | None: which
    # limit ended the run; when several were reached, the first in that order ("workspace": a
    # writable mount was full when the command ended).
    limit_hit: str | None = None
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    # The sandbox itself failed (could not start the command): an infrastructure error.
    sandbox_error: str | None = None
    # Every limit the run ran into, in the order above (a fork bomb reaches "processes" and is
    # then ended by "timeout").
    limits_reached: list[str] = field(default_factory=list)


class SandboxBackend(Protocol):
    name: str
    isolating: bool

    def available(self) -> tuple[bool, str]:
        """(usable, reason or version string)."""

    def enforced_limits(self) -> dict[str, str]:
        """Which limits this backend enforces on this host, and how (for ``doctor``)."""

    def run(self, request: SandboxRequest) -> ProcessResult: ...
