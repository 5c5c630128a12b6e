"""The input harness for compiled languages: Go, Rust and Java.

Each generates one program (golang.py, rust.py, java.py write its source) that hosts every
variant of the task's code at once, builds it in the sandbox and runs every call on every
variant, printing results in the protocol ``execute._collect`` reads. Go and Rust compile all
variants into one binary, so a variant that does not compile (Go rejects an unused variable) is
left out and the rest rebuilt (``_leaving_out_broken``): its results stay "lost", never a
difference. Java compiles each variant inside the JVM and needs no rebuild.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from taskaudit.inputspace.execute import (
    HARNESS_DIR,
    VARIANTS_DIR,
    Call,
    CallResult,
    HarnessError,
    HarnessUnsupported,
    collect,
    harness_limits,
    new_nonce,
    run_sandboxed,
    scratch_dir,
    write_tree,
)
from taskaudit.sandbox.base import Mount, SandboxBackend, SandboxRequest

# An attempt's outcome: the kept variants' result rows, or (the variants named in the build's
# errors, the errors).
Attempt = Callable[[list[int]], "list[list[CallResult]] | tuple[set[int], str]"]


def _leaving_out_broken(n_variants: int, n_calls: int, attempt: Attempt, failure: type[HarnessError],
                        what: str) -> list[list[CallResult]]:
    """Build and run all variants; while the build names variants that do not compile, leave
    those out and try again (three times at most). ``failure`` is raised when the only variant
    does not build, or the errors name none (the harness itself is at fault)."""
    keep = list(range(n_variants))
    results = [[CallResult("lost") for _ in range(n_calls)] for _ in range(n_variants)]
    for _attempt in range(3):
        outcome = attempt(keep)
        if isinstance(outcome, list):
            for row, v in zip(outcome, keep):
                results[v] = row
            return results
        broken, errors = outcome
        if not broken or n_variants == 1:
            raise failure(f"{what}: {errors[-1500:]}")
        keep = [v for v in keep if v not in broken]
        if not keep:  # no rival of this batch compiles: none is compared
            return results
    raise HarnessError(f"{what} after leaving out the variants that do not compile")


def _calls_for_source(calls: list[Call]) -> list[tuple[str, tuple, list[str]]]:
    return [(c.function, c.args, list(c.types)) for c in calls]


# --------------------------------------------------------------------------- Go

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
    the Go language module's own environment and mounts (toolchain, prewarmed build cache).
    """

    def attempt(keep: list[int]):
        outcome = _run_go_once(backend, package_dir, workspaces, keep, calls, call_seconds, budget_seconds)
        if isinstance(outcome, list):
            return outcome
        return {keep[int(i)] for i in re.findall(r"taskaudit_inputs/v(\d+)", outcome) if int(i) < len(keep)}, outcome

    return _leaving_out_broken(len(workspaces), len(calls), attempt, HarnessError, "the Go harness did not build")


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
    nonce = new_nonce()
    with scratch_dir("taskaudit-inputs-go-") as root:
        app, tests, results = root / "app", root / "tests", root / "results"
        tests.mkdir(parents=True)
        results.mkdir()
        write_tree(app, base)
        for slot, v in enumerate(keep):
            package = {
                rel[len(prefix):]: content
                for rel, content in workspaces[v].items()
                if rel.startswith(prefix) and "/" not in rel[len(prefix):]
                and rel.endswith(".go") and not rel.endswith("_test.go")
            }
            write_tree(app / prefix / "taskaudit_inputs" / f"v{slot}", package)
        source = golang.harness_source(import_path, len(keep), _calls_for_source(calls), nonce,
                                       call_seconds, budget_seconds)
        (app / prefix / "taskaudit_inputs" / "main.go").write_text(source)
        prepared = get_language("go").prepare(app, tests, results)
        problem = getattr(prepared, "problem", "")
        if problem:
            raise HarnessError(problem)
        env = dict(prepared.env)
        env["TASKAUDIT_APP"] = prepared.cwd + ("/" + prefix.rstrip("/") if prefix else "")
        process = run_sandboxed(backend, SandboxRequest(
            argv=["/bin/sh", "-c", GO_SCRIPT], cwd=prepared.cwd, mounts=prepared.mounts, env=env,
            limits=harness_limits(budget_seconds, build_seconds=60.0), address_space_ok=False,
        ))
    if process.exit_code == 3:
        return process.stderr.decode(errors="replace")
    return collect(process.stdout, nonce, len(keep), len(calls), process)


# --------------------------------------------------------------------------- Rust

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

    When the reference itself cannot be hosted that way (it needs ``crate::`` paths or other
    files), HarnessUnsupported: the analysis is skipped, saying so."""
    from taskaudit.inputspace import rust
    from taskaudit.languages.rust_support.toolchain import host_toolchain

    tc = host_toolchain()
    if tc is None:
        raise HarnessError("no Rust toolchain")

    def attempt(keep: list[int]):
        nonce = new_nonce()
        with scratch_dir("taskaudit-inputs-rs-") as root:
            harness, variants = root / "harness", root / "variants"
            harness.mkdir()
            for slot, v in enumerate(keep):
                write_tree(variants / str(slot), {p: c for p, c in workspaces[v].items() if p.endswith(".rs")})
            source = rust.harness_source([f"{VARIANTS_DIR}/{slot}/{lib_path}" for slot in range(len(keep))],
                                         _calls_for_source(calls), nonce, call_seconds, budget_seconds)
            (harness / "main.rs").write_text(source)
            process = run_sandboxed(backend, SandboxRequest(
                argv=["/bin/sh", "-c", RUST_SCRIPT], cwd=VARIANTS_DIR,
                mounts=[*tc.mounts, Mount(host=harness, target=HARNESS_DIR), Mount(host=variants, target=VARIANTS_DIR)],
                env={"PATH": f"{tc.bin_dir}:/usr/local/bin:/usr/bin:/bin", "RUST_BACKTRACE": "0"},
                limits=harness_limits(budget_seconds, build_seconds=90.0), address_space_ok=False,
            ))
        if process.exit_code != 3:
            return collect(process.stdout, nonce, len(keep), len(calls), process)
        errors = process.stderr.decode(errors="replace")
        named = re.findall(re.escape(VARIANTS_DIR) + r"/(\d+)/", errors)
        return {keep[int(i)] for i in named if int(i) < len(keep)}, errors

    return _leaving_out_broken(
        len(workspaces), len(calls), attempt, HarnessUnsupported,
        "the library cannot be hosted by the generated Rust harness (it must compile as a module of one program)",
    )


# --------------------------------------------------------------------------- Java


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
    nonce = new_nonce()
    with scratch_dir("taskaudit-inputs-java-") as root:
        harness, variants = root / "harness", root / "variants"
        harness.mkdir()
        sources: list[list[str]] = []
        for i, files in enumerate(workspaces):
            mains = {p: c for p, c in files.items() if p.endswith(".java") and "src/test/" not in p}
            write_tree(variants / str(i), mains)
            sources.append([f"{VARIANTS_DIR}/{i}/{p}" for p in sorted(mains)])
        source = java.harness_source(class_name, sources, _calls_for_source(calls), nonce, call_seconds, budget_seconds)
        (harness / "TaskauditInputs.java").write_text(source)
        process = run_sandboxed(backend, SandboxRequest(
            argv=[str(jdk.java), "-Xss16m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                  f"{HARNESS_DIR}/TaskauditInputs.java"],
            cwd=VARIANTS_DIR,
            mounts=[Mount(host=jdk.home, target=str(jdk.home)), Mount(host=harness, target=HARNESS_DIR),
                    Mount(host=variants, target=VARIANTS_DIR)],
            env={"PATH": f"{jdk.home}/bin:/usr/bin:/bin"},
            limits=harness_limits(budget_seconds, build_seconds=60.0), address_space_ok=False,
        ))
    return collect(process.stdout, nonce, len(workspaces), len(calls), process)
