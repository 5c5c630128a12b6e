"""A Rust schema's whole mutation run in *one* sandboxed process: the build, the list of tests,
the coverage dry run and the warm loop. Run by the host's Python (``python -I -S``; standard
library only, it imports nothing of taskaudit but ``warm_loop.py``, copied beside it).

    python -I -S driver.py PLAN.json   (the host writes it as run.json)

PLAN.json: ``{"cargo": [argv], "targets": [test target names], "app": cwd, "results": dir,
"switches": [switch ids], "factor", "floor_ms", "wall_slack"}`` (the last three: the warm
loop's time-limit rule, ``compiled_support/loop.py``).

Why one process: each sandbox start costs 50-90 ms (bwrap, mounts, a Python start), and a
small task's whole mutation run is about half a second, so four starts were a third of it
(``docs/mutation-compiled.md``, "Rust"). The host reads back, in ``results``:

- ``cargo.jsonl``: cargo's ``--message-format=json`` messages (the executables, or the
  compiler's errors when the schema did not build); cargo's own stderr is this process's;
- ``list-<i>.txt``: ``--list --format terse`` of the i-th test binary (in ``targets`` order);
- ``cov-<i>-<n>.out`` / ``.ids``: the n-th listed test of binary i run alone with
  ``TASKAUDIT_MUTANT_COVERAGE`` set (the switches write the ids they reach), and one line per
  such run in ``coverage.jsonl`` (``warm_loop.py``'s record, with no time limit: as before, the
  sandbox's wall limit bounds the whole dry run);
- ``driver.json``: ``{"cargo_exit", "executables": {target: path}}``, written after the build;
- ``loop-plan.json``: the warm loop's entries, decided here from the dry run exactly as the Go
  backend decides them on the host: per mutant and test binary, a run of only the tests that
  passed alone with no mutant and reached its switch;
- ``loop.jsonl``: one ``warm_loop.py`` record per entry as it ends, then the loop's own
  memory and CPU (so a run the sandbox stops leaves what it did).

Exit status: cargo's when it failed, 5 when listing failed, 6 when a target has no binary,
else 0.
"""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import warm_loop  # copied beside this file by the host

SWITCH_ENV = "TASKAUDIT_MUTANT"  # = compiled_support/loop.py's


def build(plan, results):
    with open(os.path.join(results, "cargo.jsonl"), "wb") as out:
        done = subprocess.run(plan["cargo"], check=False, cwd=plan["app"], stdout=out, stdin=subprocess.DEVNULL)
    executables = {}
    with open(os.path.join(results, "cargo.jsonl"), "rb") as f:
        for line in f:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if not isinstance(msg, dict):
                continue
            target = msg.get("target") or {}
            if msg.get("reason") == "compiler-artifact" and "test" in target.get("kind", []) \
                    and msg.get("executable"):
                executables[target["name"]] = msg["executable"]
    with open(os.path.join(results, "driver.json"), "w", encoding="utf-8") as f:
        json.dump({"cargo_exit": done.returncode, "executables": executables}, f)
    return done.returncode, executables


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        plan = json.load(f)
    results, app = plan["results"], plan["app"]
    status, executables = build(plan, results)
    if status != 0:
        sys.exit(status if 0 < status < 256 else 1)
    if any(t not in executables for t in plan["targets"]):
        sys.exit(6)
    binaries = [executables[t] for t in plan["targets"]]

    entries = []
    for i, exe in enumerate(binaries):
        listing = os.path.join(results, f"list-{i}.txt")
        with open(listing, "wb") as out, open(os.path.join(results, f"list-{i}.err"), "wb") as err:
            if subprocess.run([exe, "--list", "--format", "terse"], check=False, cwd=app, stdout=out, stderr=err,
                              stdin=subprocess.DEVNULL).returncode != 0:
                sys.exit(5)
        with open(listing, encoding="utf-8", errors="replace") as f:
            names = [line[: -len(": test")] for line in f.read().splitlines() if line.endswith(": test")]
        for n, name in enumerate(names):
            key = f"cov-{i}-{n}"
            entries.append({"key": key, "argv": command(exe, [name]), "test": (i, name),
                            "cwd": app, "out": os.path.join(results, f"{key}.out"),
                            "env": {"TASKAUDIT_MUTANT_COVERAGE": os.path.join(results, f"{key}.ids")}})

    # The dry run: each test alone, no mutant active, the switches recording what it reaches.
    covering = {}  # switch id -> [(binary index, test name)]
    with open(os.path.join(results, "coverage.jsonl"), "a", encoding="utf-8") as out:
        for entry in entries:
            try:
                record = {"key": entry["key"], **warm_loop.run_once(entry, None, None)}
            except OSError as exc:
                record = {"key": entry["key"], "error": f"{type(exc).__name__}: {exc}"}
            out.write(json.dumps(record) + "\n")
            out.flush()
            if record.get("status") != 0:  # a test failing without any mutant kills nothing
                continue
            i, name = entry["test"]
            for token in _read_text(entry["env"]["TASKAUDIT_MUTANT_COVERAGE"]).split():
                if token.isdigit():
                    covering.setdefault(int(token), []).append((i, name))

    # The warm loop: per mutant and test binary, only the tests that reach it.
    loop = []
    for switch in sorted(plan["switches"]):
        tests = covering.get(switch, [])
        for i in sorted({t[0] for t in tests}):
            argv = command(binaries[i], sorted({t[1] for t in tests if t[0] == i}))
            loop.append({"key": f"m-{switch}-{i}", "argv": argv, "cwd": app,
                         "out": os.path.join(results, f"m-{switch}-{i}.out"),
                         "env": {SWITCH_ENV: str(switch)}, "base": f"{app}\0" + "\0".join(argv),
                         "reference_env": {SWITCH_ENV: "0"}})
    with open(os.path.join(results, "loop-plan.json"), "w", encoding="utf-8") as f:
        json.dump(loop, f)
    warm_loop.run_entries(loop, plan, os.path.join(results, "loop.jsonl"))


def command(exe, names):
    """One run of a libtest binary: exactly these tests, one thread, no colour."""
    return [exe, "--exact", *names, "--test-threads=1", "--color", "never"]


def _read_text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


if __name__ == "__main__":
    main()
