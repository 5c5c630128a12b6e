"""Missing tests written out for Rust: a ``#[test]`` that pins the reference's result.

The input harness compares Rust results by their ``Debug`` text (``Ok("2a1b")``,
``Err(DigitInText)``), so the test asserts exactly that: ``format!("{:?}", f(...))`` equals the
reference's text; a panic becomes ``#[should_panic]``. It is an integration test beside the
task's own (``tests/<name>.rs``), calling the library by its crate name as they do; it is then
run on the reference and on the rival (``missing_tests.verify``).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import PurePosixPath

from taskaudit.inputspace import rust
from taskaudit.inputspace.execute import CallResult
from taskaudit.inputspace.missing_tests import MissingTest
from taskaudit.inputspace.signature import Target
from taskaudit.model import Task

FILE_NAME = "taskaudit_missing.rs"


def crate_name(task: Task, lib_path: str) -> str | None:
    """The library's crate name from the Cargo.toml beside ``src/lib.rs`` (``[lib] name`` first)."""
    root = lib_path[: -len("src/lib.rs")]
    manifest = {**task.starter_files, **task.solution_files}.get(root + "Cargo.toml")
    if manifest is None:
        return None
    try:
        data = tomllib.loads(manifest.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None
    name = (data.get("lib") or {}).get("name") or (data.get("package") or {}).get("name")
    return name.replace("-", "_") if isinstance(name, str) else None


def _tests_dir(task: Task) -> str:
    """Where the task's own Rust tests are (the runner maps that folder to the crate's tests/)."""
    dirs = sorted({str(PurePosixPath(p).parent) for p in task.test_files if p.endswith(".rs")})
    return dirs[0] if dirs else "."


def rust_test(task: Task, target: Target, args: tuple, expected: CallResult, why: str) -> MissingTest | None:
    """The test source, or None when an argument has no Rust literal or nothing can be pinned."""
    crate = crate_name(task, target.path)
    if crate is None:
        return None
    try:
        call_args = ", ".join(rust.literal(a, t) for a, t in zip(args, target.native_types, strict=True))
    except ValueError:
        return None
    call = f"{target.function}({call_args})"
    name = "_".join(re.findall(r"[a-z0-9]+", f"{target.function} {why}".lower()))[:60]
    if expected.kind == "raise" and expected.error == "panic":
        test = f"#[test]\n#[should_panic]\nfn taskaudit_{name}() {{\n    let _ = {call};\n}}\n"
    elif expected.kind == "value" and isinstance(expected.value, dict) and expected.value.get("type") == "debug":
        want = rust._rust_string(str(expected.value["repr"]))
        test = f'#[test]\nfn taskaudit_{name}() {{\n    assert_eq!(format!("{{:?}}", {call}), {want});\n}}\n'
    else:
        return None
    source = (
        "// Written by taskaudit (input-space analysis): pins the reference's behaviour on an\n"
        f"// input no test covers ({why}).\n"
        f"use {crate}::{target.function};\n\n" + test
    )
    directory = _tests_dir(task)
    return MissingTest(FILE_NAME if directory == "." else f"{directory}/{FILE_NAME}", source)
