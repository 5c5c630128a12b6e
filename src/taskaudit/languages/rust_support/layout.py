"""Where the task's test files go in the crate, and the cargo/rustup configuration a solution
could plant beside its code (deleted by ``remove_planted``; reported by ``languages/planted.py``).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath



@dataclass
class TestLayout:
    """Where the task's test files go in the crate, and which of them are test targets."""

    __test__ = False  # not a pytest test class

    mount_from: str  # "" (the tests dir is the crate's tests/) or "tests"
    paths: dict[str, str] = field(default_factory=dict)  # target name -> crate path
    # Unit-test modules: tests-dir path -> libtest module path, for every ``src/**.rs`` file of
    # the tests dir. They are mounted pristine over the crate's ``src/<same path>`` and run
    # with ``--lib`` (docs/languages/rust.md, "Unit tests and doc tests").
    units: dict[str, str] = field(default_factory=dict)

    @property
    def targets(self) -> list[str]:
        return sorted(self.paths)

    @staticmethod
    def of(test_files: list[str]) -> TestLayout:
        rs = [f for f in test_files if f.endswith(".rs")]
        top = [f for f in rs if "/" not in f]
        if not top and any(f.startswith("tests/") for f in rs):
            prefix = "tests"
            rs = [f[len("tests/"):] for f in rs if f.startswith("tests/")]
        else:
            prefix = ""
        units = {
            f: module_path(f)
            for f in test_files
            if f.endswith(".rs") and f.startswith("src/") and module_path(f)
        }
        paths: dict[str, str] = {}
        for f in rs:
            parts = f.split("/")
            if len(parts) == 1:
                paths[parts[0][:-3]] = f"tests/{f}"
            elif len(parts) == 2 and parts[1] == "main.rs":
                paths.setdefault(parts[0], f"tests/{f}")
        return TestLayout(prefix, paths, units)

    def tests_rel(self, crate_path: str) -> str:
        return crate_path if self.mount_from else crate_path.removeprefix("tests/")


def module_path(crate_path: str) -> str:
    """``src/tests.rs`` -> ``tests``; ``src/a/mod.rs`` -> ``a``; ``src/a/b.rs`` -> ``a::b``.
    "" for a crate root (``src/lib.rs``, ``src/main.rs``, ``src/bin/*``): those are the
    solution's files, never a unit-test module."""
    parts = PurePosixPath(crate_path).with_suffix("").parts[1:]
    if parts and parts[-1] == "mod":
        parts = parts[:-1]
    if not parts or parts in (("lib",), ("main",)) or parts[0] == "bin":
        return ""
    return "::".join(parts)


def rel_files(root: Path) -> list[str]:
    out = []
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            out.append((Path(dirpath) / name).relative_to(root).as_posix())
    return sorted(out)


def remove_planted(workspace: Path) -> list[str]:
    """Delete configuration the solution planted (it would be inert anyway; belt and braces)."""
    removed = []
    for dirpath, dirnames, filenames in os.walk(workspace):
        here = Path(dirpath)
        if ".cargo" in dirnames:
            shutil.rmtree(here / ".cargo", ignore_errors=True)
            dirnames.remove(".cargo")
            removed.append((here / ".cargo").relative_to(workspace).as_posix() + "/")
        for name in filenames:
            if name in ("rust-toolchain", "rust-toolchain.toml"):
                (here / name).unlink()
                removed.append((here / name).relative_to(workspace).as_posix())
    return sorted(removed)
