"""Writable mounts are size-capped tmpfs: seeded from the host, copied back after the run
(sandbox/capped.py). Real bwrap runs."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from taskaudit.sandbox import Mount, capped


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): (p.read_text() if p.is_file() else "/")
        for p in sorted(root.rglob("*"))
    }


def test_workspace_is_seeded_and_copied_back(bwrap, request_for, tmp_path):
    app, results = tmp_path / "app", tmp_path / "results"
    (app / "sub").mkdir(parents=True)
    results.mkdir()
    (app / "keep.txt").write_text("kept")
    (app / "gone.txt").write_text("deleted inside")
    (app / "sub" / "run.sh").write_text("#!/bin/sh\necho ran\n")
    os.chmod(app / "sub" / "run.sh", 0o755)
    script = (
        "cat /app/keep.txt; echo; /app/sub/run.sh; rm /app/gone.txt; echo new > /app/sub/new.txt; "
        "echo report > /results/r.xml; df -k /app | tail -1 | awk '{print $1}'"
    )
    result = bwrap.run(request_for(
        ["/bin/sh", "-c", script], python=False, cwd="/app",
        mounts=[Mount(app, "/app", writable=True), Mount(results, "/results", writable=True)],
    ))
    assert result.exit_code == 0, result
    assert result.stdout.decode().split() == ["kept", "ran", "tmpfs"]
    assert _tree(app) == {"keep.txt": "kept", "sub": "/", "sub/new.txt": "new\n", "sub/run.sh": "#!/bin/sh\necho ran\n"}
    assert os.stat(app / "sub" / "run.sh").st_mode & 0o111  # modes survive both ways
    assert _tree(results) == {"r.xml": "report\n"}


def test_many_files_under_the_file_cap_stop_at_the_workspace_cap(bwrap, request_for, tmp_path):
    """The disk fill the per-file cap cannot stop: 40 files of 1 MiB into a 16 MiB workspace."""
    script = (
        "i=0; while [ $i -lt 40 ]; do head -c 1048576 /dev/zero > /app/f$i || break; i=$((i+1)); done; "
        "echo wrote $i"
    )
    result = bwrap.run(request_for(
        ["/bin/sh", "-c", script], python=False,
        mounts=[Mount(tmp_path, "/app", writable=True)], workspace_mb=16, file_size_mb=8,
    ))
    assert b"No space left on device" in result.stderr
    assert int(result.stdout.split()[-1]) <= 16  # 16 files of 1 MiB fill it exactly
    # Left full when the command ended: the workspace limit, a resource limit.
    assert result.limit_hit == "workspace" and result.limits_reached == ["workspace"]
    assert sum(p.stat().st_size for p in tmp_path.iterdir()) <= 16 << 20


def test_a_fill_removed_again_is_contained_but_not_a_limit(bwrap, request_for, tmp_path):
    script = "head -c 20000000 /dev/zero > /app/fill; rm -f /app/fill; exit 4"
    result = bwrap.run(request_for(
        ["/bin/sh", "-c", script], python=False,
        mounts=[Mount(tmp_path, "/app", writable=True)], workspace_mb=8,
    ))
    assert b"No space left on device" in result.stderr
    assert (result.exit_code, result.limit_hit) == (4, None)
    assert list(tmp_path.iterdir()) == []


def test_read_only_mounts_inside_the_workspace_stay_on_top(bwrap, request_for, tmp_path):
    app, tests = tmp_path / "app", tmp_path / "tests"
    (app / "tests").mkdir(parents=True)
    tests.mkdir()
    (app / "tests" / "test_x.py").write_text("the workspace's copy")
    (app / "Cargo.toml").write_text("the workspace's manifest")
    (tests / "test_x.py").write_text("pristine")
    manifest = tmp_path / "Cargo.toml"
    manifest.write_text("sanitised")
    script = "cat /app/tests/test_x.py /app/Cargo.toml; echo x > /app/tests/test_x.py || echo refused"
    result = bwrap.run(request_for(
        ["/bin/sh", "-c", script], python=False,
        mounts=[Mount(app, "/app", writable=True), Mount(tests, "/app/tests"),
                Mount(manifest, "/app/Cargo.toml")],
    ))
    assert result.stdout.decode() == "pristinesanitisedrefused\n", result
    assert (tests / "test_x.py").read_text() == "pristine"


def test_killed_run_keeps_the_seed(bwrap, request_for, tmp_path):
    """A command that kills every process (the copy-out wrapper included) leaves the host
    directory as it was seeded: nothing of the run is copied back."""
    (tmp_path / "seed.txt").write_text("seed")
    result = bwrap.run(request_for(
        ["/bin/sh", "-c", "echo x > /app/new.txt; kill -9 -1; sleep 5"], python=False,
        mounts=[Mount(tmp_path, "/app", writable=True)],
    ))
    assert result.signal == signal.SIGKILL
    assert _tree(tmp_path) == {"seed.txt": "seed"}


def test_timeout_still_kills_and_keeps_the_seed(bwrap, request_for, tmp_path):
    (tmp_path / "seed.txt").write_text("seed")
    result = bwrap.run(request_for(
        ["/bin/sh", "-c", "echo x > /app/new.txt; while :; do :; done"], python=False,
        mounts=[Mount(tmp_path, "/app", writable=True)], wall_seconds=1,
    ))
    assert result.timed_out and result.limit_hit == "timeout"
    assert _tree(tmp_path) == {"seed.txt": "seed"}


def test_forged_copy_out_cannot_write_outside_the_mounts(bwrap, request_for, tmp_path):
    """The command writes its own tar (with ../ and absolute names) into the wrapper's copy-out
    pipe through /proc: the host extracts only inside the mount's own directory."""
    app = tmp_path / "app"
    app.mkdir()
    forge = (
        "import io, os, tarfile\n"
        "buf = io.BytesIO()\n"
        "with tarfile.open(fileobj=buf, mode='w') as t:\n"
        "    for name in ('app/../../escaped.txt', '/abs.txt', 'app/ok.txt'):\n"
        "        data = b'forged'\n"
        "        info = tarfile.TarInfo(name); info.size = len(data)\n"
        "        t.addfile(info, io.BytesIO(data))\n"
        "pipe = [f for f in os.listdir(f'/proc/{os.getppid()}/fd') if 'pipe' in os.readlink(f'/proc/{os.getppid()}/fd/' + f)]\n"
        "for f in pipe:\n"
        "    try:\n"
        "        with open(f'/proc/{os.getppid()}/fd/' + f, 'wb') as out:\n"
        "            out.write(b'taskaudit-copyout 0\\n4096 100 100\\n' + buf.getvalue())\n"
        "    except OSError:\n"
        "        pass\n"
    )
    bwrap.run(request_for(
        [os.path.realpath(os.sys.executable), "-c", forge],
        mounts=[Mount(app, "/app", writable=True)],
    ))
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path.parent / "escaped.txt").exists()
    assert not Path("/abs.txt").exists()
    assert set(os.listdir(app)) <= {"ok.txt"}


def test_missing_command_under_the_wrapper_is_a_sandbox_error(bwrap, request_for, tmp_path):
    result = bwrap.run(request_for(
        ["/no/such/command"], python=False, mounts=[Mount(tmp_path, "/app", writable=True)]
    ))
    assert result.sandbox_error and "/no/such/command" in result.sandbox_error
    assert result.exit_code is None and result.limit_hit is None


def test_too_many_seed_files_is_a_clear_sandbox_error(bwrap, request_for, tmp_path, monkeypatch):
    monkeypatch.setattr(capped, "MAX_SEED_FILES", 3)
    for i in range(5):
        (tmp_path / f"f{i}").write_text("x")
    result = bwrap.run(request_for(
        ["/bin/true"], python=False, mounts=[Mount(tmp_path, "/app", writable=True)]
    ))
    assert result.sandbox_error and "more than 3 files" in result.sandbox_error
    assert str(tmp_path) in result.sandbox_error


def test_scratch_mount_is_capped_but_not_copied_back(bwrap, request_for, tmp_path):
    app, target = tmp_path / "app", tmp_path / "target"
    app.mkdir()
    target.mkdir()
    (target / "seed").write_text("seed")
    script = "cat /target/seed; echo built > /target/out; echo kept > /app/kept"
    result = bwrap.run(request_for(
        ["/bin/sh", "-c", script], python=False,
        mounts=[Mount(app, "/app", writable=True), Mount(target, "/target", writable=True, copy_back=False)],
    ))
    assert result.stdout == b"seed" and result.exit_code == 0, result
    assert _tree(target) == {"seed": "seed"}  # the build output stayed in the sandbox
    assert _tree(app) == {"kept": "kept\n"}
