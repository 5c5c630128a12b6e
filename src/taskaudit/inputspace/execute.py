"""Run generated inputs through variants of a solution, in the sandbox, one process per batch.

The host writes a job (module, calls, variant workspaces), the sandbox runs the language's
harness on it, and the outputs come back as ``CallResult`` per (variant, call). Every call's
exception or timeout is a result, not a failure; only the sandbox failing, or the harness
leaving no trustworthy record, is an infrastructure error (``HarnessError``).
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from taskaudit.sandbox.base import Limits, Mount, SandboxBackend, SandboxRequest

HARNESS_DIR = "/taskaudit-inputspace"
VARIANTS_DIR = "/variants"


class HarnessError(RuntimeError):
    """The harness itself could not run (sandbox, toolchain): says nothing about the task."""


class HarnessUnsupported(HarnessError):
    """The task's code cannot be hosted by the generated harness (the analysis is skipped)."""


@dataclass(frozen=True)
class Call:
    function: str
    args: tuple  # Python values (encoded for the harness)
    types: tuple[str, ...] = ()  # parameter types in the task's language, when its harness needs them (Go)


@dataclass
class CallResult:
    kind: str  # "value" | "raise" | "timeout" | "skipped" | "lost" (the process died first)
    value: object = None  # the encoded output when kind == "value"
    error: str = ""  # exception type name when kind == "raise"
    message: str = ""
    bases: tuple[str, ...] = ()  # the exception's superclasses (a subclass passes assertRaises-style checks)
    ms: float = 0.0

    def same_as(self, other: "CallResult") -> bool:
        from taskaudit.inputspace.pyharness import same

        if self.kind != other.kind:
            return False
        if self.kind == "value":
            return same(self.value, other.value)
        if self.kind == "raise":
            # ``other`` is the reference: raising a subclass of what it raises is the same
            # behaviour to pytest.raises, assert.throws and assertThrows.
            return self.error == other.error or other.error in self.bases
        return True

    def verb(self) -> str:
        """The result as a predicate: "returns 3", "raises ValueError", "times out"."""
        if self.kind == "value":
            return f"returns {python_repr(self.value)}"
        if self.kind == "raise" and self.error == "None":  # set by analysis: None against the hint
            return self.message
        if self.kind == "raise":
            return f"raises {self.error}"
        if self.kind == "timeout":
            return "times out"
        if self.kind == "lost":
            return "ends the harness process before answering"
        return "was not run (time budget)"

    def shown(self) -> str:
        """How a reviewer reads this result: the value's Python repr, or what went wrong."""
        if self.kind == "value":
            return python_repr(self.value)
        if self.kind == "raise" and self.error == "None":
            return self.message
        if self.kind == "raise":
            return f"raises {self.error}" + (f": {self.message}" if self.message else "")
        if self.kind == "timeout":
            return "times out"
        return self.kind


def python_repr(encoded: object) -> str:
    """A readable form of an encoded value: Python's repr, with opaque values (a Go error, a JS
    ``undefined``) shown by their own text."""

    class _Shown:
        def __init__(self, text: str) -> None:
            self.text = text

        def __repr__(self) -> str:
            return self.text

    def rebuild(data):
        if isinstance(data, list):
            return [rebuild(v) for v in data]
        if not isinstance(data, dict):
            return data
        if "repr" in data:
            return _Shown(str(data["repr"]))
        if "tuple" in data:
            return tuple(rebuild(v) for v in data["tuple"])
        if "set" in data:
            return _Shown("{" + ", ".join(repr(rebuild(v)) for v in data["set"]) + "}" if data["set"] else "set()")
        if "dict" in data:
            return _Shown("{" + ", ".join(f"{rebuild(k)!r}: {rebuild(v)!r}" for k, v in data["dict"]) + "}")
        if "float" in data:
            return float(data["float"])
        if "complex" in data:
            return complex(*data["complex"])
        if "bigint" in data:
            return _Shown(f"<an integer of {int(data['bigint'], 16).bit_length()} bits>")
        return _Shown(json.dumps(data))

    return repr(rebuild(encoded))


def _write_tree(root: Path, files: dict[str, bytes]) -> None:
    for rel, content in files.items():
        parts = PurePosixPath(rel).parts
        if PurePosixPath(rel).is_absolute() or ".." in parts or not parts:
            raise ValueError(f"refusing to write a file outside the workspace: {rel!r}")
        target = root.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def run_python(backend, toolchain_mounts, module, workspaces, calls, **kw) -> list[list[CallResult]]:
    """``results[v][c]``: call ``c`` on workspace ``v``, all in one sandboxed Python process."""
    return run_batch("python", backend, toolchain_mounts, module, workspaces, calls, **kw)


def run_batch(
    runtime: str,
    backend: SandboxBackend,
    toolchain_mounts: list[Mount],
    module: str,
    workspaces: list[dict[str, bytes]],
    calls: list[Call],
    *,
    call_seconds: float = 1.0,
    budget_seconds: float = 20.0,
) -> list[list[CallResult]]:
    """Run ``calls`` on every workspace with the ``runtime``'s harness, in one sandboxed process.

    ``module`` is what the harness loads from each workspace: a Python import name, or for
    JavaScript the workspace path of the file.
    """
    from taskaudit.inputspace import pyharness

    if runtime == "go":
        return run_go(backend, module, workspaces, calls, call_seconds=call_seconds, budget_seconds=budget_seconds)
    if runtime == "java":
        return run_java(backend, module, workspaces, calls, call_seconds=call_seconds, budget_seconds=budget_seconds)
    if runtime == "rust":
        return run_rust(backend, module, workspaces, calls, call_seconds=call_seconds, budget_seconds=budget_seconds)
    if runtime == "typescript":
        from taskaudit.inputspace.javascript import transpile_workspaces

        workspaces, runtime = transpile_workspaces(workspaces), "javascript"
    if runtime == "python":
        harness_src = Path(pyharness.__file__)
        argv = [sys.executable, "-I", "-B", f"{HARNESS_DIR}/harness.py", f"{HARNESS_DIR}/job.json"]
        address_space_ok = True
    elif runtime == "javascript":
        from taskaudit.languages.javascript_support.toolchain import find_node

        node = find_node()
        if isinstance(node, str):
            raise HarnessError(node)
        harness_src = Path(__file__).with_name("jsharness.mjs")
        argv = [node[0], f"{HARNESS_DIR}/harness.mjs", f"{HARNESS_DIR}/job.json"]
        address_space_ok = False  # Node reserves a huge address space
    else:
        raise HarnessError(f"no input harness for {runtime}")

    root = Path(tempfile.mkdtemp(prefix="taskaudit-inputs-"))
    try:
        harness, variants = root / "harness", root / "variants"
        harness.mkdir()
        shutil.copyfile(harness_src, harness / ("harness.py" if runtime == "python" else "harness.mjs"))
        for i, files in enumerate(workspaces):
            (variants / str(i)).mkdir(parents=True)
            _write_tree(variants / str(i), files)
        nonce = secrets.token_hex(12)
        job = {
            "nonce": nonce,
            "module": module,
            "variant_root": VARIANTS_DIR,
            "variants": [f"{VARIANTS_DIR}/{i}" for i in range(len(workspaces))],
            "calls": [{"function": c.function, "args": pyharness.encode(tuple(c.args))["tuple"]} for c in calls],
            "call_seconds": call_seconds,
            "budget_seconds": budget_seconds,
        }
        (harness / "job.json").write_text(json.dumps(job))
        request = SandboxRequest(
            argv=argv,
            cwd=VARIANTS_DIR,
            mounts=[
                *toolchain_mounts,
                Mount(host=harness, target=HARNESS_DIR),
                Mount(host=variants, target=VARIANTS_DIR, writable=True),
            ],
            limits=Limits(wall_seconds=budget_seconds + 15.0, memory_mb=2048, output_bytes=32 << 20),
            address_space_ok=address_space_ok,
        )
        process = backend.run(request)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if process.sandbox_error:
        raise HarnessError(f"sandbox failed: {process.sandbox_error}")
    return _collect(process.stdout, nonce, len(workspaces), len(calls), process)


def _collect(stdout: bytes, nonce: str, n_variants: int, n_calls: int, process) -> list[list[CallResult]]:
    results = [[CallResult("lost") for _ in range(n_calls)] for _ in range(n_variants)]
    seen_any = False
    prefix = nonce + " "
    for line in stdout.decode("utf-8", errors="replace").splitlines():
        if not line.startswith(prefix):
            continue
        try:
            record = json.loads(line[len(prefix) :])
        except ValueError:
            continue
        seen_any = True
        if record.get("done") or "variant" not in record:
            continue
        v = record["variant"]
        if not 0 <= v < n_variants:
            continue
        if "import_error" in record:
            # The variant did not load (does not compile, fails at import): no result, never a
            # difference; the message says why.
            results[v] = [CallResult("lost", message=record["import_error"][:500]) for _ in range(n_calls)]
            continue
        c = record["call"]
        if not 0 <= c < n_calls:
            continue
        if "value" in record:
            results[v][c] = CallResult("value", value=record["value"], ms=record.get("ms", 0.0))
        elif "raise" in record:
            results[v][c] = CallResult(
                "raise", error=record["raise"], message=record.get("message", ""), ms=record.get("ms", 0.0),
                bases=tuple(record.get("bases") or ()),
            )
        elif record.get("timeout"):
            results[v][c] = CallResult("timeout", ms=record.get("ms", 0.0))
        else:
            results[v][c] = CallResult("skipped")
    if not seen_any:
        tail = process.stderr.decode("utf-8", errors="replace")[-800:]
        raise HarnessError(f"the input harness printed no result (exit {process.exit_code}): {tail}")
    return results


GO_SCRIPT = """set -u
mkdir -p "$GOCACHE" || exit 4
cp -rs "$TASKAUDIT_GOCACHE_SEED/." "$GOCACHE/" || exit 4
if [ -n "${TASKAUDIT_GOCACHE_DEPS:-}" ]; then cp -rs "$TASKAUDIT_GOCACHE_DEPS/." "$GOCACHE/" || exit 4; fi
rm -f "$GOCACHE/trim.txt" && date +%s > "$GOCACHE/trim.txt" || exit 4
cd "$TASKAUDIT_APP" || exit 4
go build -o /tmp/taskaudit-inputs ./taskaudit_inputs 1>&2 || exit 3
exec /tmp/taskaudit-inputs
"""


def run_go(
    backend: SandboxBackend,
    package_dir: str,
    workspaces: list[dict[str, bytes]],
    calls: list[Call],
    *,
    call_seconds: float = 1.0,
    budget_seconds: float = 20.0,
) -> list[list[CallResult]]:
    """Every variant's package copied into one generated module directory, built once, run once.

    The workspace around it is the first variant's (the reference, or the first rival), with
    the Go language module's own environment and mounts (toolchain, prewarmed build cache). A
    variant that does not compile (Go rejects an unused variable) is left out and the rest
    rebuilt: its results stay "lost", never a difference.
    """
    keep = list(range(len(workspaces)))
    for _attempt in range(3):
        outcome = _run_go_once(backend, package_dir, workspaces, keep, calls, call_seconds, budget_seconds)
        if isinstance(outcome, list):
            results = [[CallResult("lost") for _ in calls] for _ in workspaces]
            for row, v in zip(outcome, keep):
                results[v] = row
            return results
        broken = {keep[int(i)] for i in re.findall(r"taskaudit_inputs/v(\d+)", outcome) if int(i) < len(keep)}
        if not broken or 0 in broken and len(keep) == 1:
            raise HarnessError("the Go harness did not build: " + outcome[-1500:])
        keep = [v for v in keep if v not in broken]
        if not keep:
            raise HarnessError("no variant of the Go package builds: " + outcome[-1500:])
    raise HarnessError("the Go harness did not build after leaving out the variants that do not compile")


def _run_go_once(backend, package_dir, workspaces, keep, calls, call_seconds, budget_seconds) -> list | str:
    """The results of the kept variants, or the build's error output."""
    from taskaudit.inputspace import golang
    from taskaudit.languages import get_language

    base = workspaces[keep[0]]
    module = golang.module_path(base)
    if module is None:
        raise HarnessError("the workspace has no go.mod with a module path")
    prefix = "" if package_dir in ("", ".") else package_dir.rstrip("/") + "/"
    import_path = module + ("/" + prefix.rstrip("/") if prefix else "")
    root = Path(tempfile.mkdtemp(prefix="taskaudit-inputs-go-"))
    try:
        app, tests, results = root / "app", root / "tests", root / "results"
        tests.mkdir(parents=True)
        results.mkdir()
        _write_tree(app, base)
        for slot, v in enumerate(keep):
            package = {
                rel[len(prefix):]: content
                for rel, content in workspaces[v].items()
                if rel.startswith(prefix) and "/" not in rel[len(prefix):]
                and rel.endswith(".go") and not rel.endswith("_test.go")
            }
            _write_tree(app / prefix / "taskaudit_inputs" / f"v{slot}", package)
        nonce = secrets.token_hex(12)
        source = golang.harness_source(
            import_path, len(keep), [(c.function, c.args, list(c.types)) for c in calls],
            nonce, call_seconds, budget_seconds,
        )
        (app / prefix / "taskaudit_inputs" / "main.go").write_text(source)
        prepared = get_language("go").prepare(app, tests, results)
        problem = getattr(prepared, "problem", "")
        if problem:
            raise HarnessError(problem)
        env = dict(prepared.env)
        env["TASKAUDIT_APP"] = prepared.cwd + ("/" + prefix.rstrip("/") if prefix else "")
        request = SandboxRequest(
            argv=["/bin/sh", "-c", GO_SCRIPT],
            cwd=prepared.cwd,
            mounts=prepared.mounts,
            env=env,
            limits=Limits(wall_seconds=budget_seconds + 60.0, memory_mb=2048, output_bytes=32 << 20),
            address_space_ok=False,
        )
        process = backend.run(request)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if process.sandbox_error:
        raise HarnessError(f"sandbox failed: {process.sandbox_error}")
    if process.exit_code == 3:
        return process.stderr.decode(errors="replace")
    return _collect(process.stdout, nonce, len(keep), len(calls), process)


# Overflow checks and debug assertions on, as in `cargo test` (the dev profile), so a variant
# panics exactly where the task's tests would see it panic.
RUST_SCRIPT = """set -u
rustc --edition 2021 -C debuginfo=0 -C opt-level=0 -C debug-assertions=on -C overflow-checks=on -o /tmp/taskaudit-inputs /taskaudit-inputspace/main.rs 1>&2 || exit 3
exec /tmp/taskaudit-inputs
"""


def run_rust(
    backend: SandboxBackend,
    lib_path: str,
    workspaces: list[dict[str, bytes]],
    calls: list[Call],
    *,
    call_seconds: float = 1.0,
    budget_seconds: float = 20.0,
) -> list[list[CallResult]]:
    """Every variant's library file as a module of one generated program, one rustc build.

    A variant that does not compile is left out and the rest rebuilt (its results stay "lost");
    when the first workspace (the reference) itself cannot be hosted, HarnessUnsupported."""
    from taskaudit.inputspace import rust
    from taskaudit.languages.rust_support.toolchain import host_toolchain

    tc = host_toolchain()
    if tc is None:
        raise HarnessError("no Rust toolchain")
    keep = list(range(len(workspaces)))
    for _attempt in range(3):
        root = Path(tempfile.mkdtemp(prefix="taskaudit-inputs-rs-"))
        try:
            harness, variants = root / "harness", root / "variants"
            harness.mkdir()
            for slot, v in enumerate(keep):
                _write_tree(variants / str(slot), {p: c for p, c in workspaces[v].items() if p.endswith(".rs")})
            nonce = secrets.token_hex(12)
            source = rust.harness_source(
                [f"{VARIANTS_DIR}/{slot}/{lib_path}" for slot in range(len(keep))],
                [(c.function, c.args, list(c.types)) for c in calls], nonce, call_seconds, budget_seconds,
            )
            (harness / "main.rs").write_text(source)
            request = SandboxRequest(
                argv=["/bin/sh", "-c", RUST_SCRIPT],
                cwd=VARIANTS_DIR,
                mounts=[*tc.mounts, Mount(host=harness, target=HARNESS_DIR), Mount(host=variants, target=VARIANTS_DIR)],
                env={"PATH": f"{tc.bin_dir}:/usr/local/bin:/usr/bin:/bin", "RUST_BACKTRACE": "0"},
                limits=Limits(wall_seconds=budget_seconds + 90.0, memory_mb=2048, output_bytes=32 << 20),
                address_space_ok=False,
            )
            process = backend.run(request)
        finally:
            shutil.rmtree(root, ignore_errors=True)
        if process.sandbox_error:
            raise HarnessError(f"sandbox failed: {process.sandbox_error}")
        if process.exit_code != 3:
            outcome = _collect(process.stdout, nonce, len(keep), len(calls), process)
            results = [[CallResult("lost") for _ in calls] for _ in workspaces]
            for row, v in zip(outcome, keep):
                results[v] = row
            return results
        errors = process.stderr.decode(errors="replace")
        broken = {keep[int(i)] for i in re.findall(re.escape(VARIANTS_DIR) + r"/(\d+)/", errors) if int(i) < len(keep)}
        if keep[0] in broken or not broken:
            raise HarnessUnsupported("the library cannot be hosted by the generated Rust harness "
                                     "(it must compile as a module of one program): " + errors[-800:])
        keep = [v for v in keep if v not in broken]
    raise HarnessError("the Rust harness did not build after leaving out the variants that do not compile")


def run_java(
    backend: SandboxBackend,
    class_name: str,
    workspaces: list[dict[str, bytes]],
    calls: list[Call],
    *,
    call_seconds: float = 1.0,
    budget_seconds: float = 20.0,
) -> list[list[CallResult]]:
    """One JVM: it compiles each variant's main sources (javax.tools) into its own directory,
    loads it with its own class loader and calls the methods by reflection."""
    from taskaudit.inputspace import java
    from taskaudit.languages.java_support.toolchain import find_jdk

    jdk, why = find_jdk()
    if jdk is None:
        raise HarnessError(why)
    root = Path(tempfile.mkdtemp(prefix="taskaudit-inputs-java-"))
    try:
        harness, variants = root / "harness", root / "variants"
        harness.mkdir()
        sources: list[list[str]] = []
        for i, files in enumerate(workspaces):
            mains = {p: c for p, c in files.items() if p.endswith(".java") and "src/test/" not in p}
            _write_tree(variants / str(i), mains)
            sources.append([f"{VARIANTS_DIR}/{i}/{p}" for p in sorted(mains)])
        nonce = secrets.token_hex(12)
        source = java.harness_source(class_name, sources, [(c.function, c.args, list(c.types)) for c in calls],
                                     nonce, call_seconds, budget_seconds)
        (harness / "TaskauditInputs.java").write_text(source)
        request = SandboxRequest(
            argv=[str(jdk.java), "-Xss16m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                  f"{HARNESS_DIR}/TaskauditInputs.java"],
            cwd=VARIANTS_DIR,
            mounts=[Mount(host=jdk.home, target=str(jdk.home)), Mount(host=harness, target=HARNESS_DIR),
                    Mount(host=variants, target=VARIANTS_DIR)],
            env={"PATH": f"{jdk.home}/bin:/usr/bin:/bin"},
            limits=Limits(wall_seconds=budget_seconds + 60.0, memory_mb=2048, output_bytes=32 << 20),
            address_space_ok=False,
        )
        process = backend.run(request)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if process.sandbox_error:
        raise HarnessError(f"sandbox failed: {process.sandbox_error}")
    return _collect(process.stdout, nonce, len(workspaces), len(calls), process)
