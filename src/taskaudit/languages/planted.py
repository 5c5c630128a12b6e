"""Runner configuration and hooks a solution could plant beside its code, per language.

Each language's ``planted_files(workspace)`` delegates here: given the complete workspace
(path -> bytes), it returns ``{path: what it would configure or hook}``. Detection reads
content where a name alone says nothing: a ``pyproject.toml`` is planted only when it
configures pytest, a ``pom.xml`` only when it configures plugins, a ``Cargo.toml`` only when it
declares its own test targets, harness or build script, a ``package.json`` only when it
carries jest/vitest/mocha configuration; source files are planted when they hook the runner
from inside the code (Go ``TestMain``/``init`` that exits, a Java static initialiser that
calls ``System.exit``, a Rust ``.init_array`` constructor).

Everything listed is inert in taskaudit's runs (each language module says why); the list is
recorded in the run's detail and, for the reference solution, reported as finding V301
(``checks/planted.py``): the task relies on configuration the real verifier might honour.
Nothing here runs code.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import PurePosixPath

_MAX_READ = 1 << 20  # content checks read the first MiB of a file


def _text(data: bytes) -> str:
    return data[:_MAX_READ].decode("utf-8", errors="replace")


# --------------------------------------------------------------------------- Python

_PY_ALWAYS = {
    "conftest.py": "pytest plugin file (fixtures, hooks)",
    "pytest.ini": "pytest configuration",
    ".pytest.ini": "pytest configuration",
    "sitecustomize.py": "imported by every Python interpreter at start-up",
    "usercustomize.py": "imported by every Python interpreter at start-up",
}
_PY_SECTIONS = {
    "pyproject.toml": (re.compile(r"^\s*\[tool\.pytest", re.M), "[tool.pytest.ini_options] configures pytest"),
    "setup.cfg": (re.compile(r"^\s*\[tool:pytest\]", re.M), "[tool:pytest] configures pytest"),
    "tox.ini": (re.compile(r"^\s*\[(?:tool:)?pytest\]", re.M), "[pytest] configures pytest"),
}


def python(workspace: dict[str, bytes]) -> dict[str, str]:
    found = {}
    for path, data in workspace.items():
        name = PurePosixPath(path).name
        if name in _PY_ALWAYS:
            found[path] = _PY_ALWAYS[name]
        elif name.endswith(".pth"):
            found[path] = ".pth file: executed by site.py at interpreter start-up"
        elif name in _PY_SECTIONS and _PY_SECTIONS[name][0].search(_text(data)):
            found[path] = _PY_SECTIONS[name][1]
    return dict(sorted(found.items()))


# --------------------------------------------------------------------------- Go

_GO_TESTMAIN = re.compile(r"^func\s+TestMain\s*\(", re.M)
_GO_INIT = re.compile(r"^func\s+init\s*\(\s*\)\s*\{(?P<body>.*?)^\}", re.M | re.S)
_GO_EXITS = re.compile(r"\b(?:os\.Exit|syscall\.Exit|runtime\.Goexit|flag\.Set|testing\.)\b|\bos\.Args\b")


def go(workspace: dict[str, bytes]) -> dict[str, str]:
    found = {}
    for path, data in workspace.items():
        p = PurePosixPath(path)
        if p.name.endswith("_test.go"):
            found[path] = "a test file on the solution side"
        elif p.name in ("go.work", "go.work.sum"):
            found[path] = "Go workspace file (selects modules)"
        elif "vendor" in p.parts[:-1]:
            found[path] = "vendored module (replaces a dependency)"
        elif p.suffix == ".go":
            text = _text(data)
            if _GO_TESTMAIN.search(text):
                found[path] = "defines TestMain outside a test file"
            elif any(_GO_EXITS.search(m["body"]) for m in _GO_INIT.finditer(text)):
                found[path] = "func init() that exits or touches the test flags"
    return dict(sorted(found.items()))


# --------------------------------------------------------------------------- Rust

_RUST_NAMES = {
    "build.rs": "build script (runs at build time)",
    "rust-toolchain": "selects the toolchain (rustup)",
    "rust-toolchain.toml": "selects the toolchain (rustup)",
}
# What in a Cargo.toml changes which tests run or how (the rest is ordinary package metadata).
_CARGO_KEYS = ("package.build", "package.links", "[[test]]", "lib.harness", "[patch]", "[replace]",
               "[build-dependencies]", "[[bin]]", "cargo-features")
_RUST_CTOR = re.compile(r"#\[\s*(?:link_section\s*=\s*\"\.init_array|ctor\b)")


def rust(workspace: dict[str, bytes]) -> dict[str, str]:
    from taskaudit.languages.rust_support.manifest import sanitize_manifest

    found = {}
    for path, data in workspace.items():
        p = PurePosixPath(path)
        if p.name in _RUST_NAMES:
            found[path] = _RUST_NAMES[p.name]
        elif p.parent.name == ".cargo" and p.name in ("config", "config.toml"):
            found[path] = "cargo configuration (runner, rustflags, aliases)"
        elif p.parts[0] == "tests" and p.suffix == ".rs":
            found[path] = "a test file on the solution side"
        elif path == "Cargo.toml":
            try:
                _, ignored, _ = sanitize_manifest(tomllib.loads(_text(data)), {})
            except (tomllib.TOMLDecodeError, RecursionError):
                continue
            hooks = [i for i in ignored if i.startswith(_CARGO_KEYS) or "harness" in i]
            if hooks:
                found[path] = "configures targets or the build: " + ", ".join(hooks)
        elif p.suffix == ".rs" and _RUST_CTOR.search(_text(data)):
            found[path] = "a static constructor (.init_array / #[ctor]) runs before the test harness"
    return dict(sorted(found.items()))


# --------------------------------------------------------------------------- Java

_JAVA_NAMES = {
    "junit-platform.properties": "JUnit Platform configuration",
    "module-info.java": "module descriptor",
    "maven.config": "Maven configuration",
    "jvm.config": "Maven JVM options",
}
_JAVA_STATIC = re.compile(r"\bstatic\s*\{")
_JAVA_EXIT = re.compile(r"\bSystem\s*\.\s*exit\s*\(|\bRuntime\s*\.\s*getRuntime\s*\(\s*\)\s*\.\s*(?:exit|halt)\s*\(")


def _static_blocks(text: str) -> list[str]:
    blocks = []
    for m in _JAVA_STATIC.finditer(text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        blocks.append(text[m.end():i])
    return blocks


def java(workspace: dict[str, bytes]) -> dict[str, str]:
    from taskaudit.languages.java_support.pom import read_pom

    found = {}
    for path, data in workspace.items():
        p = PurePosixPath(path)
        if p.name in _JAVA_NAMES:
            found[path] = _JAVA_NAMES[p.name]
        elif "META-INF" in p.parts:
            found[path] = "META-INF resource (service registrations)"
        elif path.startswith("src/test/"):
            found[path] = "a test source on the solution side"
        elif ".mvn" in p.parts:
            found[path] = "Maven configuration"
        elif p.suffix in (".class", ".jar"):
            found[path] = "compiled code (would shadow sources on a class path)"
        elif p.name == "pom.xml":
            if path != "pom.xml":
                found[path] = "a nested Maven module"
            else:
                config = read_pom(data).build_config
                if config:
                    found[path] = "configures the build: " + ", ".join(config)
        elif p.suffix == ".java" and any(_JAVA_EXIT.search(b) for b in _static_blocks(_text(data))):
            found[path] = "a static initialiser calls System.exit / Runtime.halt"
    return dict(sorted(found.items()))


# --------------------------------------------------------------------------- JavaScript

_JS_RUNNER_KEYS = ("jest", "vitest", "mocha", "ava")


def javascript(workspace: dict[str, bytes]) -> dict[str, str]:
    from taskaudit.languages.javascript_support.layout import planted_files

    found = {}
    for path in planted_files(sorted(workspace)):
        p = PurePosixPath(path)
        if "node_modules" in p.parts:
            found[path] = "node_modules on the solution side (replaces dependencies)"
        elif p.name.endswith((".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts")) and not re.match(
            r"(jest|vitest|vite|babel)\.|setup", p.name
        ):
            found[path] = "a test file on the solution side"
        else:
            found[path] = "runner, compiler or package-manager configuration"
    for path, data in workspace.items():
        if PurePosixPath(path).name != "package.json" or "node_modules" in PurePosixPath(path).parts:
            continue
        try:
            manifest = json.loads(data)
        except (ValueError, RecursionError):
            continue
        keys = [k for k in _JS_RUNNER_KEYS if isinstance(manifest, dict) and k in manifest]
        if keys:
            found[path] = "package.json configures " + ", ".join(keys)
    return dict(sorted(found.items()))
