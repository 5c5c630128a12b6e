"""The Python input harness: call one function of each variant on every input, print the outputs.

This file is copied into the sandbox and run there as a script (``python -I -B pyharness.py
JOB``), so it imports nothing from taskaudit. The host imports it too, for ``encode`` and
``decode`` (the one value codec both sides share) and ``same`` (output comparison).

The job file (JSON) names the module to import, the calls to make (function + encoded
arguments), the variant directories (each a complete workspace) and the per-call time limit.
For every variant the harness puts its directory first on ``sys.path``, imports the module
afresh and makes every call; each result is printed at once as one line
``<nonce> <json>``, so a variant that hangs the whole process (a C-level loop the alarm
cannot interrupt) still leaves every result before it. A call's exception or timeout is
recorded for that call only.
"""

from __future__ import annotations

import io
import json
import math
import os
import signal
import sys
import time

# --------------------------------------------------------------------------- value codec
# JSON objects are always tags, so a plain JSON value never needs one: a dict is {"dict": ...}.


def encode(value, depth: int = 0):
    """A JSON-able, type-preserving form of a Python value (tuples, sets, dicts, odd floats)."""
    if depth > 50:
        return {"repr": "<nested too deeply>", "type": type(value).__name__}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        if value.bit_length() > 13000:  # past CPython's int-to-decimal limit: hex has none
            return {"bigint": hex(value)}
        return int(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return {"float": repr(value)}
        return value
    if isinstance(value, list):
        return [encode(v, depth + 1) for v in value]
    if isinstance(value, tuple):
        return {"tuple": [encode(v, depth + 1) for v in value]}
    if isinstance(value, (set, frozenset)):
        items = [encode(v, depth + 1) for v in value]
        return {"set": sorted(items, key=lambda x: json.dumps(x, sort_keys=True))}
    if isinstance(value, dict):
        return {"dict": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    if isinstance(value, complex):
        return {"complex": [value.real, value.imag]}
    return {"repr": repr(value)[:300], "type": type(value).__name__}


def decode(data):
    """The inverse of ``encode`` for the values inputs can hold."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "tuple" in data:
        return tuple(decode(v) for v in data["tuple"])
    if "set" in data:
        return {decode(v) for v in data["set"]}
    if "dict" in data:
        return {_hashable(decode(k)): decode(v) for k, v in data["dict"]}
    if "float" in data:
        return float(data["float"])
    if "complex" in data:
        return complex(*data["complex"])
    if "bigint" in data:
        return int(data["bigint"], 16)
    raise ValueError(f"cannot decode {data!r}")


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


FLOAT_REL_TOL = 1e-7  # as EvalPlus compares float outputs: summation order is not a behaviour
FLOAT_ABS_TOL = 1e-9


def same(a, b) -> bool:
    """Two encoded outputs are the same as the tests' ``==`` would see them: numbers by value
    (``True == 1``, ``3 == 3.0``; floats within a small tolerance), containers element by
    element, dict keys in any order."""
    if isinstance(a, (bool, int, float)) and isinstance(b, (bool, int, float)):
        if isinstance(a, float) or isinstance(b, float):
            return math.isclose(a, b, rel_tol=FLOAT_REL_TOL, abs_tol=FLOAT_ABS_TOL)
        return a == b  # a bool and an int compare by value, as assert f(x) == True does
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        if set(a) != set(b):
            return False
        if "dict" in a:  # key order of a dict never matters
            key = lambda kv: json.dumps(kv[0], sort_keys=True)  # noqa: E731
            return same(sorted(a["dict"], key=key), sorted(b["dict"], key=key))
        return all(same(a[k], b[k]) for k in a)
    return a == b


# --------------------------------------------------------------------------- the harness


class _CallTimeout(BaseException):
    """Raised by the alarm; a BaseException so ``except Exception`` in task code cannot eat it."""


def _on_alarm(signum, frame):
    raise _CallTimeout()


def _emit(nonce: str, record: dict) -> None:
    try:
        text = json.dumps(record, sort_keys=True)
    except (TypeError, ValueError, RecursionError) as exc:  # an output JSON cannot carry
        record = {k: v for k, v in record.items() if k in ("variant", "call", "ms")}
        record.update({"raise": "UnencodableOutput", "message": str(exc)[:200]})
        text = json.dumps(record, sort_keys=True)
    os.write(1, (nonce + " " + text + "\n").encode())


def _fresh_import(module: str, directory: str):
    import importlib

    for name, mod in list(sys.modules.items()):
        path = getattr(mod, "__file__", None) or ""
        if name == module or name.startswith(module + ".") or path.startswith(_VARIANT_ROOT):
            del sys.modules[name]
    sys.path.insert(0, directory)
    try:
        importlib.invalidate_caches()
        return importlib.import_module(module)
    finally:
        sys.path.remove(directory)


_VARIANT_ROOT = "/nonexistent"


def main(job_path: str) -> int:
    global _VARIANT_ROOT
    with open(job_path) as f:
        job = json.load(f)
    nonce = job["nonce"]
    _VARIANT_ROOT = job.get("variant_root", "/nonexistent")
    # The harness starts in the variants directory. Where the sandbox has no mount namespace
    # (the unisolated backend) that directory is a host path, not job["variant_root"]: re-root.
    here = os.getcwd()
    if here != _VARIANT_ROOT:
        job["variants"] = [here + d[len(_VARIANT_ROOT):] if d.startswith(_VARIANT_ROOT) else d
                           for d in job["variants"]]
        _VARIANT_ROOT = here
    limit = float(job.get("call_seconds", 1.0))
    budget = float(job.get("budget_seconds", 20.0))
    max_timeouts = int(job.get("max_timeouts", 2))
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 3000))
    signal.signal(signal.SIGALRM, _on_alarm)
    real_stdout, real_stderr = sys.stdout, sys.stderr
    started = time.monotonic()
    for v, directory in enumerate(job["variants"]):
        os.chdir(directory)
        sink = io.StringIO()
        sys.stdout = sys.stderr = sink  # what task code prints must not reach the protocol
        try:
            signal.setitimer(signal.ITIMER_REAL, max(limit, 5.0))
            module = _fresh_import(job["module"], directory)
            signal.setitimer(signal.ITIMER_REAL, 0)
        except BaseException as exc:  # noqa: BLE001 - any import failure is that variant's result
            signal.setitimer(signal.ITIMER_REAL, 0)
            sys.stdout, sys.stderr = real_stdout, real_stderr
            _emit(nonce, {"variant": v, "import_error": f"{type(exc).__name__}: {exc}"[:500]})
            continue
        timeouts = 0
        for c, call in enumerate(job["calls"]):
            if timeouts >= max_timeouts or time.monotonic() - started > budget:
                # Inputs come smallest first: after a few timeouts the rest would time out too.
                # The host reports budget skips (the inputs chosen stay the same run to run).
                sys.stdout, sys.stderr = real_stdout, real_stderr
                why = "after timeouts" if timeouts >= max_timeouts else "budget"
                _emit(nonce, {"variant": v, "call": c, "skipped": why})
                continue
            record = {"variant": v, "call": c}
            func = getattr(module, call["function"], None)
            if func is None:
                record["raise"] = "AttributeError"
                record["message"] = f"module has no {call['function']}"
            else:
                args = decode(call["args"])
                t0 = time.perf_counter()
                try:
                    signal.setitimer(signal.ITIMER_REAL, limit)
                    try:
                        value = func(*args)
                    finally:
                        signal.setitimer(signal.ITIMER_REAL, 0)
                    record["value"] = encode(value)
                except _CallTimeout:
                    record["timeout"] = True
                    timeouts += 1
                except RecursionError:
                    record["raise"] = "RecursionError"
                    record["message"] = "maximum recursion depth exceeded"
                except BaseException as exc:  # noqa: BLE001 - recorded per call, never fatal
                    if isinstance(exc, (KeyboardInterrupt,)):
                        raise
                    record["raise"] = type(exc).__name__
                    record["bases"] = [c.__name__ for c in type(exc).__mro__[1:]]
                    record["message"] = str(exc)[:300]
                record["ms"] = round((time.perf_counter() - t0) * 1000, 3)
            sys.stdout, sys.stderr = real_stdout, real_stderr
            _emit(nonce, record)
            sys.stdout = sys.stderr = sink
        sys.stdout, sys.stderr = real_stdout, real_stderr
    _emit(nonce, {"done": True})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
