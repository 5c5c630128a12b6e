"""TypeScript: type-check and compile a run's tests (and what they import) with ``tsc``.

Node 20 cannot strip types, so TypeScript is compiled outside the sandbox (tsc reads the task's
code and never executes it), through the compiler API (``compile.cjs``), in a mirror of the
sandbox layout (``app/``, ``tests/``), with taskaudit's own options (a task's ``tsconfig.json``
is never read, so a solution cannot turn type errors off). Once per distinct content: the output
is cached under ``build/<hash>`` and reused by every identical variant.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

from taskaudit.languages.javascript_support.layout import JS_SUFFIXES, SUPPORT_DIR, TS_SUFFIXES
from taskaudit.languages.javascript_support.toolchain import (
    TYPESCRIPT_PACKAGES,
    cache_root,
    find_node,
    install_once,
    read_json,
    typescript_dir,
)

TSC_OPTIONS = {
    "target": "ES2022",
    # Node's own types, not the DOM's: lib.dom.d.ts alone doubles the type-check time.
    "lib": ["ES2023"],
    "module": "commonjs",
    "moduleResolution": "node10",
    "esModuleInterop": True,
    "allowJs": True,
    "resolveJsonModule": True,
    "skipLibCheck": True,
    "strict": False,
    "noEmitOnError": True,
    "types": ["node"],
}

_COMPILE_INPUTS = (*TS_SUFFIXES, ".tsx", *JS_SUFFIXES, ".json")


def _tree_files(root: Path) -> dict[str, Path]:
    files = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if "node_modules" in rel.parts or path.is_symlink() or not path.is_file():
            continue
        files[rel.as_posix()] = path
    return files


def copy_tree(src: Path, dest: Path) -> None:
    """Copy the compiled solution into a run's workspace, never through a link it holds."""
    for rel, path in _tree_files(src).items():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.is_dir():
            continue  # never write through a link the workspace holds
        shutil.copyfile(path, target)


def _module_kind(workspace: Path) -> str:
    try:
        data = json.loads((workspace / "package.json").read_bytes())
    except (OSError, ValueError):
        return "commonjs"
    return "module" if isinstance(data, dict) and data.get("type") == "module" else "commonjs"


def compile_typescript(
    workspace: Path, tests_dir: Path, test_files: list[str], node_modules: Path | None = None
) -> tuple[Path | None, str, str | None]:
    """Type-check and compile the tests and what they import, once per content (cached).

    Runs tsc outside the sandbox (it reads the task's code and never executes it) in a mirror of
    the sandbox layout (``app/``, ``tests/``), with taskaudit's own options. Returns
    (output dir with ``app/`` and ``tests/``, infrastructure problem, compile errors or None).
    """
    node = find_node()
    if isinstance(node, str):
        return None, node, None
    ts_dir, problem = typescript_dir()
    if ts_dir is None:
        return None, problem, None
    kind = _module_kind(workspace)
    options = {**TSC_OPTIONS, "typeRoots": [str(ts_dir / "node_modules" / "@types")]}
    if kind == "module":
        options.update({"module": "ES2022", "moduleResolution": "bundler"})
    inputs = {
        "app": {r: p for r, p in _tree_files(workspace).items() if r.endswith(_COMPILE_INPUTS)},
        "tests": _tree_files(tests_dir),
    }
    # ``node_modules``: the task's installed dependencies (their types), keyed by its lock file.
    deps = str(node_modules) if node_modules else None
    h = hashlib.sha256(json.dumps([TYPESCRIPT_PACKAGES, options, test_files, node[1], deps]).encode())
    h.update(hashlib.sha256((SUPPORT_DIR / "compile.cjs").read_bytes()).digest())
    for label, files in inputs.items():
        for rel, path in files.items():
            h.update(f"{label}\0{rel}\0".encode())
            h.update(hashlib.sha256(path.read_bytes()).digest())
    dest = cache_root() / "build" / h.hexdigest()[:32]

    def populate(tmp: Path) -> str | None:
        mirror = tmp / "src"
        for label, files in inputs.items():
            for rel, path in files.items():
                target = mirror / label / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
        if node_modules is not None:
            # Found by tsc's node resolution walking up from tests/ and app/; only read.
            (mirror / "node_modules").symlink_to(node_modules, target_is_directory=True)
        out = tmp / "out"
        (out / "app").mkdir(parents=True)
        (out / "tests").mkdir(parents=True)
        config = {
            "module": str(ts_dir / "node_modules" / "typescript"),
            "root": str(mirror),
            "roots": [str(mirror / "tests" / rel) for rel in test_files],
            "options": {**options, "rootDir": str(mirror), "outDir": str(out)},
            "result": str(tmp / "result.json"),
        }
        (tmp / "config.json").write_text(json.dumps(config))
        try:
            done = subprocess.run(
                [node[0], "--max-old-space-size=2048", str(SUPPORT_DIR / "compile.cjs"), str(tmp / "config.json")],
                capture_output=True, text=True, timeout=300, env={"PATH": "/usr/bin:/bin"},
            )
        except subprocess.TimeoutExpired:
            (tmp / "result.json").write_text(json.dumps({"ok": False, "diagnostics": "tsc ran for over 300 s"}))
            done = None
        if done is not None and done.returncode != 0:
            return f"the TypeScript compiler failed: {(done.stderr or done.stdout)[-1500:]}"
        # Data files beside the tests stay reachable from the compiled tests.
        for rel, path in inputs["tests"].items():
            target = out / "tests" / rel
            if not rel.endswith((*TS_SUFFIXES, ".tsx")) and not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
        (out / "tests" / "package.json").write_text(json.dumps({"type": kind}) + "\n")
        shutil.rmtree(mirror)
        return None

    problem = install_once(dest, "compiling TypeScript", populate)
    if problem:
        return None, problem, None
    result = read_json(dest / "result.json") or {}
    if not result.get("ok"):
        return dest / "out", "", str(result.get("diagnostics") or "tsc reported errors")
    return dest / "out", "", None
