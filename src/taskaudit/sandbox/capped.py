"""Size-capped writable mounts for the bwrap backend: seeded in at start, copied back out at the end.

A writable mount used to be a host directory bound into the sandbox, so a solution could fill
the host's disk with many files each under the per-file cap (RLIMIT_FSIZE). Now every writable
*directory* mount is a private tmpfs of ``Limits.workspace_mb`` inside the sandbox:

1. **Seed.** bwrap creates the tmpfs and copies the host directory's files into it itself
   (``--dir``, ``--file FD``, ``--symlink``), in mount order, so read-only mounts nested inside
   (tests at ``/app/tests``, a sanitised ``/app/Cargo.toml``) land on top as before. Each file
   is passed as an open read-only descriptor; no process runs for this.
2. **Run.** The command runs under a small bash wrapper (``WRAPPER``) that keeps the copy-out
   pipe away from it (closed for the command) and suppresses bash's own "Killed" notices.
3. **Copy out.** When the command ends, however it ends, the wrapper kills every other process
   of the sandbox (``kill -KILL -1``: nothing can write any more), then writes a header (the
   command's status, each mount's free space) and a tar of every capped mount to the copy-out
   pipe. The host reads at most what the mounts can hold, empties each host directory and
   extracts the tar into it (``tarfile`` with the ``data`` filter: regular files, directories
   and links that stay inside). If the wrapper never wrote the copy-out (it was killed: wall
   clock, a limit, ``kill -9 -1`` from the command), the host directories keep what was seeded.

A mount found full when the command ended (less than ``FULL_BELOW_BYTES`` free) is reported as
the ``workspace`` limit. The cap itself is the kernel's: a write past it fails with ENOSPC, in
the sandbox, whatever the command does afterwards. What this cannot see: a fill the command
deletes again before it ends (contained, but it reads as an ordinary failure).

The command can reach the copy-out pipe only through ``/proc/<wrapper>/fd`` and write into it
early; whatever it writes there is no more than it could have written into the mounts directly
(the host extracts only into the mounts' own directories, capped), so that is not a way out.
"""

from __future__ import annotations

import os
import resource
import shutil
import stat
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from taskaudit.sandbox.base import Mount, SandboxRequest

# A capped mount with less than this free when the command ends was filled: "workspace" limit.
FULL_BELOW_BYTES = 64 << 10
# One open descriptor per seeded file: more than this and the run is refused (a clear error
# instead of running out of descriptors with several runs in parallel).
MAX_SEED_FILES = 8192
# Tar headers and the header lines on top of the mounts' contents.
_COPYOUT_SLACK = 16 << 20
_MAX_MEMBERS = 200_000
HEADER = b"taskaudit-copyout "
EXEC_FAILED = b"taskaudit-copyout exec-failed\n"

# $1: the copy-out fd; then the capped targets (relative to /), "--", the ones to copy back,
# "--", and the command.
WRAPPER = r"""
out=$1; shift
targets=()
while [ "$1" != -- ]; do targets+=("$1"); shift; done; shift
back=()
while [ "$1" != -- ]; do back+=("$1"); shift; done; shift
if { [[ "$1" == */* ]] && ! { [ -f "$1" ] && [ -x "$1" ]; }; } || ! command -v -- "$1" >/dev/null; then
  printf 'taskaudit-wrapper: cannot execute %s: no such executable file\n' "$1" >&2
  printf 'taskaudit-copyout exec-failed\n' >&"$out"
  exit 127
fi
{ "$@" 2>&9 9>&- {out}>&-; } 9>&2 2>/dev/null
status=$?
kill -KILL -1 2>/dev/null
{
  printf 'taskaudit-copyout %s\n' "$status"
  (cd / && stat -f -c '%S %b %f' -- "${targets[@]}") || echo 'stat failed'
  if [ ${#back[@]} -gt 0 ]; then tar -C / --one-file-system --numeric-owner -cf - -- "${back[@]}"; fi
} >&"$out" 2>/dev/null
exit "$status"
"""


@dataclass(frozen=True)
class CappedMount:
    host: Path
    target: str  # absolute, inside the sandbox
    copy_back: bool = True

    @property
    def member(self) -> str:
        """The target as the tar names it (relative to /)."""
        return self.target.lstrip("/")


def capped_mounts(request: SandboxRequest) -> list[CappedMount]:
    """The request's writable directory mounts (a writable *file* stays a bind: RLIMIT_FSIZE
    already caps a single file)."""
    return [
        CappedMount(Path(os.path.abspath(m.host)), m.target, m.copy_back)
        for m in request.mounts
        if m.writable and os.path.isdir(m.host)
    ]


def is_capped(mount: Mount) -> bool:
    return mount.writable and os.path.isdir(mount.host)


@dataclass
class Seed:
    """The bwrap arguments that create and fill one capped mount, and the descriptors they use."""

    args: list[str] = field(default_factory=list)
    fds: list[int] = field(default_factory=list)


_NOFILE_RAISED = False


def _raise_nofile() -> None:
    """Seeding holds one descriptor per file until bwrap has copied it, for every run going on
    at once: lift the soft RLIMIT_NOFILE to the hard one, once (as the Go runtime does)."""
    global _NOFILE_RAISED
    if _NOFILE_RAISED:
        return
    _NOFILE_RAISED = True
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 1 << 20
    if soft != resource.RLIM_INFINITY and soft < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
        except (ValueError, OSError):
            pass


@contextmanager
def seeding(mounts: list[CappedMount], size_bytes: int) -> Iterator[dict[str, Seed]]:
    """Per target: ``--size --tmpfs`` and the copy of the host directory into it. The opened
    descriptors are the caller's to pass on; any still open here are closed on exit. Raises
    ``SeedError`` (the run cannot start: an infrastructure error) for a tree too large."""
    _raise_nofile()
    seeds: dict[str, Seed] = {}
    try:
        count = 0
        for m in mounts:
            seed = seeds[m.target] = Seed(["--size", str(size_bytes), "--tmpfs", m.target])
            for dirpath, dirnames, filenames in os.walk(m.host, followlinks=False):
                dirnames.sort()
                base = Path(dirpath)
                inside = PurePosixPath(m.target, base.relative_to(m.host).as_posix())
                for name in [*dirnames, *sorted(filenames)]:
                    path, dest = base / name, str(inside / name)
                    st = os.lstat(path)
                    if stat.S_ISLNK(st.st_mode):
                        seed.args += ["--symlink", os.readlink(path), dest]
                    elif stat.S_ISDIR(st.st_mode):
                        seed.args += ["--perms", f"{stat.S_IMODE(st.st_mode) | 0o700:04o}", "--dir", dest]
                    elif stat.S_ISREG(st.st_mode):
                        count += 1
                        if count > MAX_SEED_FILES:
                            raise SeedError(
                                f"writable mounts hold more than {MAX_SEED_FILES} files "
                                f"({m.host}); the capped workspace takes at most that many"
                            )
                        try:
                            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
                        except OSError as exc:  # EMFILE with many runs at once, a vanished file
                            raise SeedError(f"cannot seed {path} into the sandbox: {exc}") from exc
                        seed.fds.append(fd)
                        mode = stat.S_IMODE(st.st_mode) | 0o600
                        seed.args += ["--perms", f"{mode:04o}", "--file", str(fd), dest]
                    # sockets, fifos, devices: not copied
        yield seeds
    finally:
        for seed in seeds.values():
            for fd in seed.fds:
                try:
                    os.close(fd)
                except OSError:
                    pass


class SeedError(RuntimeError):
    """A writable mount could not be copied into the sandbox (too many files, no descriptor)."""


def wrapped(argv: list[str], mounts: list[CappedMount], copyout_fd: int) -> list[str]:
    return ["/bin/bash", "-c", WRAPPER, "taskaudit-wrapper", str(copyout_fd),
            *[m.member for m in mounts], "--", *[m.member for m in mounts if m.copy_back], "--",
            *argv]  # fmt: skip


class CopyoutSink:
    """The copy-out stream, spooled to a temporary file and capped at what the mounts hold."""

    def __init__(self, cap: int):
        self.cap = cap
        self.seen = 0
        self.file = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 (close())

    def add(self, chunk: bytes) -> None:
        room = self.cap - self.seen
        self.seen += len(chunk)
        if room > 0:
            self.file.write(chunk[:room])

    @property
    def truncated(self) -> bool:
        return self.seen > self.cap

    def close(self) -> None:
        self.file.close()


def copyout_cap(mounts: list[CappedMount], size_bytes: int) -> int:
    return len(mounts) * size_bytes + _COPYOUT_SLACK


@dataclass
class CopyOut:
    exec_failed: bool = False
    written: bool = False  # the wrapper wrote its copy-out and the host extracted it
    full: list[str] = field(default_factory=list)  # targets found full when the command ended
    problem: str | None = None  # why the copy-out could not be used (the dirs keep the seed)


def collect(sink: CopyoutSink, mounts: list[CappedMount]) -> CopyOut:
    """Read the wrapper's copy-out and mirror each capped mount back into its host directory."""
    f = sink.file
    f.seek(0)
    first = f.readline(256)
    if first == EXEC_FAILED:
        return CopyOut(exec_failed=True)
    if not first.startswith(HEADER):
        return CopyOut(problem="no copy-out from the sandbox (the run was killed before it ended)")
    if sink.truncated:
        return CopyOut(full=[m.target for m in mounts],
                       problem=f"the copy-out passed {sink.cap >> 20} MiB")
    full = []
    for m in mounts:
        parts = f.readline(256).split()
        try:
            block, _total, free = (int(p) for p in parts)
        except ValueError:
            return CopyOut(problem=f"unreadable copy-out header for {m.target}")
        if block * free < FULL_BELOW_BYTES:
            full.append(m.target)
    back = [m for m in mounts if m.copy_back]
    if not back:
        return CopyOut(written=True, full=full)
    for m in back:
        _empty(m.host)
    try:
        _extract(f, back)
    except (tarfile.TarError, OSError, EOFError) as exc:
        return CopyOut(full=full, problem=f"copy-out tar unreadable: {exc}")
    return CopyOut(written=True, full=full)


def _empty(directory: Path) -> None:
    for entry in directory.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def _extract(f, mounts: list[CappedMount]) -> None:
    """Each member into the host directory of the mount it lies under (longest target wins);
    the ``data`` filter refuses absolute names, ``..``, links leading out and special files."""
    by_member = sorted(mounts, key=lambda m: len(m.member), reverse=True)
    with tarfile.open(fileobj=f, mode="r|") as tar:
        for count, member in enumerate(tar):
            if count >= _MAX_MEMBERS:
                raise tarfile.TarError(f"more than {_MAX_MEMBERS} entries")
            name = member.name.rstrip("/")
            owner = next((m for m in by_member if name == m.member or name.startswith(m.member + "/")), None)
            if owner is None or name == owner.member:
                continue  # the mount's own root, or something that is not ours
            member.name = name[len(owner.member) + 1:]
            if member.islnk():  # hard link: its target is another member, renamed the same way
                link = member.linkname
                if not link.startswith(owner.member + "/"):
                    continue
                member.linkname = link[len(owner.member) + 1:]
            try:
                tar.extract(member, path=owner.host, filter="data")
            except tarfile.FilterError:
                continue  # a link leading out, a device file: not copied back
