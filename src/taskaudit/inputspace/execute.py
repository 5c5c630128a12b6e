"""Run generated inputs through variants of a solution, in the sandbox, one process per batch.

The host writes a job (module, calls, variant workspaces), the sandbox runs the language's
harness on it, and the outputs come back as ``CallResult`` per (variant, call). Every call's
exception or timeout is a result, not a failure; only the sandbox failing, or the harness
leaving no trustworthy record, is an infrastructure error (``HarnessError``).
"""

from __future__ import annotations

import json
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

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
        return f"was not run ({'time budget' if self.message == BUDGET else self.message or 'skipped'})"

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


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` (workspace-relative paths) below ``root``, refusing any path that leaves it."""
    from taskaudit.runner import _write_tree

    _write_tree(root, files)


@contextmanager
def scratch_dir(prefix: str) -> Iterator[Path]:
    """A host directory for one harness run's files (mounted into the sandbox), removed after."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def new_nonce() -> str:
    """Prefixes every protocol line, so nothing the task's code prints can pass for a result."""
    return secrets.token_hex(12)


def harness_limits(budget_seconds: float, build_seconds: float = 15.0) -> Limits:
    """The sandbox limits of one harness process: its time budget plus time to start or build."""
    return Limits(wall_seconds=budget_seconds + build_seconds, memory_mb=2048, output_bytes=32 << 20)


def run_sandboxed(backend: SandboxBackend, request: SandboxRequest):
    """Run the harness; the sandbox failing to start it is an infrastructure error."""
    process = backend.run(request)
    if process.sandbox_error:
        raise HarnessError(f"sandbox failed: {process.sandbox_error}")
    return process


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

    if runtime in ("go", "rust", "java"):
        from taskaudit.inputspace import execute_compiled

        run = {"go": execute_compiled.run_go, "rust": execute_compiled.run_rust, "java": execute_compiled.run_java}[runtime]
        return run(backend, module, workspaces, calls, call_seconds=call_seconds, budget_seconds=budget_seconds)
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

    nonce = new_nonce()
    with scratch_dir("taskaudit-inputs-") as root:
        harness, variants = root / "harness", root / "variants"
        harness.mkdir()
        shutil.copyfile(harness_src, harness / ("harness.py" if runtime == "python" else "harness.mjs"))
        for i, files in enumerate(workspaces):
            (variants / str(i)).mkdir(parents=True)
            write_tree(variants / str(i), files)
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
        process = run_sandboxed(backend, SandboxRequest(
            argv=argv,
            cwd=VARIANTS_DIR,
            mounts=[
                *toolchain_mounts,
                Mount(host=harness, target=HARNESS_DIR),
                Mount(host=variants, target=VARIANTS_DIR, writable=True),
            ],
            limits=harness_limits(budget_seconds),
            address_space_ok=address_space_ok,
        ))
    return collect(process.stdout, nonce, len(workspaces), len(calls), process)


def collect(stdout: bytes, nonce: str, n_variants: int, n_calls: int, process) -> list[list[CallResult]]:
    results = [[CallResult("lost") for _ in range(n_calls)] for _ in range(n_variants)]
    seen_any = finished = False
    prefix = nonce + " "
    for line in stdout.decode("utf-8", errors="replace").splitlines():
        if not line.startswith(prefix):
            continue
        try:
            record = json.loads(line[len(prefix) :])
        except ValueError:
            continue
        seen_any = True
        if record.get("done"):
            finished = True
            continue
        if "variant" not in record:
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
            results[v][c] = CallResult("skipped", message=_skip_reason(record.get("skipped"), results[v]))
    if not seen_any:
        tail = process.stderr.decode("utf-8", errors="replace")[-800:]
        raise HarnessError(f"the input harness printed no result (exit {process.exit_code}): {tail}")
    # The calls after a variant's last answer that the harness never answered were skipped by
    # it (it finished: after the variant's timeouts, or at the time budget) or cut off when the
    # sandbox's wall limit ended it. Both are reported as "not run", never silently dropped
    # (see ``not_run_for_budget``). A call with no answer before a later answer ended its
    # process or worker: that stays "lost".
    ended_by_wall = bool(process.timed_out or process.limit_hit == "timeout")
    if finished or ended_by_wall:
        for row in results:
            if row and row[0].kind == "lost" and row[0].message:  # did not load: stays lost
                continue
            answered = [c for c, r in enumerate(row) if r.kind != "lost"]
            for c in range(answered[-1] + 1 if answered else 0, len(row)):
                row[c] = CallResult("skipped", message=_skip_reason(None, row) if finished else BUDGET)
    return results


BUDGET = "budget"  # a call not run because the harness's time budget was spent
AFTER_TIMEOUTS = "after timeouts"  # not run because the variant had already timed out twice


def _skip_reason(reported: object, row: list[CallResult]) -> str:
    """Why the harness skipped a call: as it says (Python: "budget" / "after timeouts"; the
    compiled harnesses: "no literal" for an input their language cannot write), else inferred
    from the variant's own timeouts (two end a variant; otherwise the budget ran out)."""
    if isinstance(reported, str) and reported:
        return reported
    return AFTER_TIMEOUTS if sum(r.kind == "timeout" for r in row) >= 2 else BUDGET


def not_run_for_budget(rows: list[list[CallResult]]) -> int:
    """How many calls the time budget left unrun (reported; the inputs chosen never change)."""
    return sum(r.kind == "skipped" and r.message == BUDGET for row in rows for r in row)
