"""A Rust schema's whole mutation run in *one* sandboxed process: the build, the list of tests,
the coverage dry run and the warm loop. Run by the host's Python (``python -I -S``; standard
library only, it imports nothing of taskaudit but ``warm_loop.py``, copied beside it).

    python -I -S driver.py PLAN.json   (the host writes it as run.json)

PLAN.json: ``{"cargo": [argv], "targets": [test target names], "app": cwd, "results": dir,
"switches": [switch ids], "factor", "floor_ms", "wall_slack", "hit_factor", "hit_floor"}``
(the warm loop's time-limit rule, ``compiled_support/loop.py``, and the hit limit).

Why one process: each sandbox start costs 50-90 ms (bwrap, mounts, a Python start), and a
small task's whole mutation run was about half a second, so four starts were a third of it
(``docs/mutation-compiled.md``, "Rust"). The host reads back, in ``results``:

- ``cargo.jsonl``: cargo's ``--message-format=json`` messages (the executables, or the
  compiler's errors when the schema did not build); cargo's own stderr is this process's;
- ``list-<i>.txt``: ``--list --format terse`` of the i-th test binary (in ``targets`` order);
- ``cov-<i>-<n>.out`` / ``.ids``: the n-th listed test of binary i run alone with
  ``TASKAUDIT_MUTANT_COVERAGE`` set (the switches write the ids they reach, and how many times
  they were called: ``rust_support/schema.py``), and one line per such run in
  ``coverage.jsonl`` (``warm_loop.py``'s record, with no time limit: the sandbox's wall limit
  bounds the whole dry run);
- ``covering.json``: ``{switch id: [[binary index, test name], ...]}``, the tests that passed
  alone and reached each switch;
- ``driver.json``: ``{"cargo_exit", "executables": {target: path}}``, written after the build;
- ``loop-plan.json``: the warm loop's entries, decided here from the dry run: per mutant and
  test binary, a run of only the tests that reach it, with its hit limit (``hit_factor`` x
  the switch calls those tests made in the dry run + ``hit_floor``) and, as the base of its
  time limit, the sum of those tests' dry runs (no base run of its own);
- ``loop.jsonl``: one ``warm_loop.py`` record per entry as it ends, then the loop's own
  memory and CPU (so a run the sandbox stops leaves what it did).

Exit status: cargo's when it failed, 5 when listing failed, 6 when a target has no binary,
else 0.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import warm_loop  # copied beside this file by the host

SWITCH_ENV = "TASKAUDIT_MUTANT"  # = compiled_support/loop.py's
HIT_LIMIT_ENV = "TASKAUDIT_MUTANT_HIT_LIMIT"  # = rust_support/schema.py's switch module's
HIT_FILE_ENV = "TASKAUDIT_MUTANT_HIT_FILE"
COVERAGE_ENV = "TASKAUDIT_MUTANT_COVERAGE"


def build(plan, results):
    status = run(plan["cargo"], plan["app"], os.path.join(results, "cargo.jsonl"))
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
        json.dump({"cargo_exit": status, "executables": executables}, f)
    return status, executables


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

    # The dry run: each test alone, no mutant active, the switches recording what it reaches.
    covering = {}  # switch id -> [(binary index, test name)]
    dry = {}  # (binary index, test name) -> (its record, the switch calls it made: at least half)
    with open(os.path.join(results, "coverage.jsonl"), "a", encoding="utf-8") as log:
        for i, exe in enumerate(binaries):
            listing = os.path.join(results, f"list-{i}.txt")
            if run([exe, "--list", "--format", "terse"], app, listing, os.path.join(results, f"list-{i}.err")) != 0:
                sys.exit(5)
            names = [line[: -len(": test")] for line in _read_text(listing).splitlines() if line.endswith(": test")]
            for n, name in enumerate(names):
                key = f"cov-{i}-{n}"
                entry = {"argv": command(exe, [name]), "cwd": app, "out": os.path.join(results, f"{key}.out"),
                         "env": {COVERAGE_ENV: os.path.join(results, f"{key}.ids")}}
                try:
                    record = {"key": key, **warm_loop.run_once(entry, None, None)}
                except OSError as exc:
                    record = {"key": key, "error": f"{type(exc).__name__}: {exc}"}
                log.write(json.dumps(record) + "\n")
                log.flush()
                if record.get("status") != 0:  # a test failing without any mutant kills nothing
                    continue
                ids, calls = read_coverage(_read_text(entry["env"][COVERAGE_ENV]))
                dry[(i, name)] = (record, calls)
                for switch in ids:
                    covering.setdefault(switch, []).append((i, name))
    with open(os.path.join(results, "covering.json"), "w", encoding="utf-8") as f:
        json.dump({str(k): sorted(v) for k, v in sorted(covering.items())}, f)

    # The warm loop: per mutant and test binary, only the tests that reach it.
    loop = []
    bases = {}
    for switch in sorted(plan["switches"]):
        tests = covering.get(switch, [])
        for i in sorted({t[0] for t in tests}):
            names = sorted({t[1] for t in tests if t[0] == i})
            argv = command(binaries[i], names)
            out = os.path.join(results, f"m-{switch}-{i}.out")
            alone = [dry[(i, name)] for name in names]
            # The hit limit: the last count each test wrote is at least half its real count.
            limit = int(plan["hit_factor"] * 2 * sum(calls for _, calls in alone) + plan["hit_floor"])
            entry = {"key": f"m-{switch}-{i}", "argv": argv, "cwd": app, "out": out,
                     "env": {SWITCH_ENV: str(switch), HIT_LIMIT_ENV: str(limit), HIT_FILE_ENV: out + ".hits"},
                     "hit_file": out + ".hits", "base": f"{app}\0" + "\0".join(argv),
                     "reference_env": {SWITCH_ENV: "0", HIT_LIMIT_ENV: ""}}
            loop.append(entry)
            # The time limit's base: these tests' dry runs, added (each alone, so at least what
            # they cost together). They all passed there: none fails anyway.
            bases[entry["base"]] = {"ms": sum(r["ms"] for r, _ in alone), "cpu_ms": sum(r["cpu_ms"] for r, _ in alone),
                                    "status": 0, "out": None}
    with open(os.path.join(results, "loop-plan.json"), "w", encoding="utf-8") as f:
        json.dump(loop, f)
    warm_loop.run_entries(loop, plan, os.path.join(results, "loop.jsonl"), bases)


def read_coverage(text):
    """The switch module's coverage file (``rust_support/schema.py``) -> (the switch ids the
    test reached, its switch calls: the last ``H`` line, at least half the real count)."""
    ids, calls = set(), 0
    for line in text.splitlines():
        if line.isdigit():
            ids.add(int(line))
        elif line.startswith("H ") and line[2:].isdigit():
            calls = int(line[2:])
    return ids, calls


def run(argv, cwd, out, err=None):
    """Run argv to its end, stdout to the file ``out`` (stderr to ``err``, else this process's);
    its exit status. (``posix_spawn``: importing ``subprocess`` costs more than it does here.)"""
    actions = [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    if err is not None:
        actions.append((os.POSIX_SPAWN_OPEN, 2, err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644))
    os.chdir(cwd)
    pid = os.posix_spawnp(argv[0], argv, dict(os.environ), file_actions=actions)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


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
