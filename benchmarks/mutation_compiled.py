"""Mutation testing of compiled languages: schemata + warm loop vs rebuilding per mutant.

For each language (Go, Rust, Java) on the same example task and the same mutants, in one run:

  schema    the backend's ``execute``: one sandboxed build of the schema (every mutant behind
            a switch), one coverage dry run, one warm loop running the prebuilt tests per
            mutant. "schema ms/mutant" = the whole wall time / number of mutants (the build is
            shared: the amortised cost, everything and every timeout included); "warm-loop
            median" = the median of each mutant's own time in the loop (timed in the sandbox).
  rebuild   the engine's rebuild path (``mutation/rebuild.py``, ``runner.run_variant``) with
            one mutant applied: a fresh sandboxed build and test run per mutant, what a tool
            without schemata does. Median over a deterministic sample of the same mutants.

"agreement": on how many sampled mutants both paths reach the same verdict (detected or not);
exact differences are listed (a Go test that panics is "killed" by that test in the warm loop,
a "crash" of the whole run through the language runner). Peer tools (gremlins for Go,
cargo-mutants for Rust, PIT via Maven for Java) run on the same task when installed
(``--peers``), unsandboxed as they run; what is missing is said, not guessed.

"--curve N ...": the good example repeated until it has N mutants (renamed copies of its
solution and tests), the first N run; printed per N: the amortised ms per mutant, the warm
median, CPU ms per mutant (the loop's mean, timeouts included), the RSS of the warm worker
(Go/Rust: the loop process; Java: the JVM) and of the largest test process (Go/Rust).

Run:  .venv/bin/python benchmarks/mutation_compiled.py [--languages go rust java] [--peers] [--repeat 3]
      (--repeat N: the schema run N times, spread among the rebuilds, the median; outcomes compared)
      .venv/bin/python benchmarks/mutation_compiled.py --curve 10 100 1000   (cost, CPU, RSS vs mutants)
The machine is shared and noisy: compare ratios measured in one run, not absolute times.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from taskaudit.formats import load_tasks
from taskaudit.languages import get_language
from taskaudit.model import RunStatus, Task
from taskaudit.mutation.base import MutationJob, get_mutation_backend
from taskaudit.mutation.rebuild import rebuild_results
from taskaudit.runner import reference_variant, run_variant
from taskaudit.sandbox import get_backend

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "tasks"
PEERS = {"go": "gremlins", "rust": "cargo-mutants", "java": "PIT (pitest-maven)"}
PIT_PLUGIN = """
      <plugin>
        <groupId>org.pitest</groupId>
        <artifactId>pitest-maven</artifactId>
        <version>1.15.3</version>
        <dependencies>
          <dependency>
            <groupId>org.pitest</groupId>
            <artifactId>pitest-junit5-plugin</artifactId>
            <version>1.2.1</version>
          </dependency>
        </dependencies>
      </plugin>
"""


def job_for(language: str, name: str) -> MutationJob:
    (task,) = load_tasks([EXAMPLES / language / name])
    assert isinstance(task, Task), task
    backend, lang = get_backend(), get_language(task.language)
    variant = reference_variant(task)
    reference = run_variant(task, variant, backend, lang)
    if reference.status != RunStatus.COMPLETED:
        raise SystemExit(f"{language}/{name}: the reference run failed: {reference.detail}")
    mutation = get_mutation_backend(task.language)
    mutants = mutation.generate(variant.workspace, sorted(task.solution_files))
    return MutationJob(task, variant.workspace, mutants, backend, lang, reference)


def _peer_command(language: str) -> list[str] | None:
    if language == "go":
        exe = shutil.which("gremlins") or str(Path.home() / "go" / "bin" / "gremlins")
        return [exe, "unleash"] if Path(exe).exists() else None
    if language == "rust":
        return ["cargo", "mutants", "--no-shuffle"] if shutil.which("cargo-mutants") else None
    if language == "java":
        # The example's pom leaves the compiler plugin at Maven's old default: say the release.
        return ["mvn", "-B", "-q", "test-compile", "org.pitest:pitest-maven:mutationCoverage",
                "-Dmaven.compiler.source=17", "-Dmaven.compiler.target=17",
                "-DoutputFormats=CSV", "-DtimestampedReports=false"] if shutil.which("mvn") else None
    return None


def _peer_count(language: str, root: Path, output: str) -> int | None:
    """How many mutants the peer ran, from its own report."""
    if language == "go":
        nums = re.findall(r"(?:Killed|Lived|Not covered|Timed out|Not viable): (\d+)", output)
        return sum(map(int, nums)) if nums else None
    if language == "rust":
        m = re.search(r"(\d+) mutants tested", output)
        return int(m[1]) if m else None
    csv = root / "target" / "pit-reports" / "mutations.csv"
    return len(csv.read_text().splitlines()) if csv.exists() else None


def peer_time(language: str, task: Task) -> dict:
    """The peer tool on the same task (our own example, run the way the peer runs: unsandboxed)."""
    tool, argv = PEERS[language], _peer_command(language)
    if argv is None:
        return {"peer": tool, "peer_total_s": None, "peer_note": "not installed"}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel, data in {**task.starter_files, **task.solution_files}.items():
            if rel.endswith(".sh") or rel.startswith("solve"):
                continue
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
        for rel, data in task.test_files.items():
            if rel == "test.sh":
                continue
            where = {"go": root / rel, "rust": root / "tests" / rel, "java": root / "src" / "test" / "java" / rel}[language]
            where.parent.mkdir(parents=True, exist_ok=True)
            where.write_bytes(data)
        if language == "java":
            pom = (root / "pom.xml").read_text()
            (root / "pom.xml").write_text(pom.replace("<plugins>", "<plugins>" + PIT_PLUGIN, 1))
        if language == "java":  # the example's classes are in the default package
            classes = sorted(Path(r).stem for r in task.solution_files if r.endswith(".java"))
            tests = sorted(Path(r).stem for r in task.test_files if r.endswith(".java"))
            argv = [*argv, f"-DtargetClasses={','.join(classes)}", f"-DtargetTests={','.join(tests)}"]
        started = time.perf_counter()
        try:
            done = subprocess.run(argv, cwd=root, check=False, capture_output=True, text=True, timeout=1800)
        except subprocess.TimeoutExpired:
            return {"peer": tool, "peer_total_s": None, "peer_note": "did not finish in 30 min"}
        seconds = time.perf_counter() - started
        output = done.stdout + done.stderr
        count = _peer_count(language, root, output)
        note = "" if count else f"exit {done.returncode}: {output.strip()[-300:]}"
        return {"peer": tool, "peer_total_s": round(seconds, 2), "peer_mutants": count,
                "peer_ms_per_mutant": round(seconds * 1000 / count, 1) if count else None, "peer_note": note}


_GO_NAMES = r"\b(isDigit|Encode|Decode|ErrDigit|ErrMalformed|encodeOK|decodeOK|Test\w+)\b"


def _copies_go(task: Task, copies: int) -> tuple[dict, dict]:
    """go/good's solution and tests once per copy, under renamed functions (one file pair each)."""
    (path, source), = ((p, d) for p, d in task.solution_files.items() if p.endswith(".go"))
    (tpath, tsource), = ((p, d) for p, d in task.test_files.items() if p.endswith("_test.go"))
    files, tests = {}, {}
    for k in range(copies):
        rename = lambda text, k=k: re.sub(_GO_NAMES, lambda m: f"{m[1]}{k}", text)
        files[path.replace(".go", f"_{k}.go")] = rename(source.decode()).encode()
        tests[tpath.replace("_test.go", f"_{k}_test.go")] = rename(tsource.decode()).encode()
    return files, tests


def _copies_rust(task: Task, copies: int) -> tuple[dict, dict]:
    """rust/good's library as modules ``c0``, ``c1``... of the crate (src/lib.rs declares them),
    and its tests as one module per copy in the one test file (one test binary to build)."""
    (tpath, tsource), = ((p, d) for p, d in task.test_files.items() if p.endswith(".rs"))
    lib = task.solution_files["src/lib.rs"].decode()
    files = {f"src/c{k}.rs": lib.encode() for k in range(copies)}
    files["src/lib.rs"] = "".join(f"pub mod c{k};\n" for k in range(copies)).encode()
    body = tsource.decode()
    tests = "".join(f"mod c{k} {{\n" + body.replace("use rle::{", f"use rle::c{k}::{{") + "\n}\n" for k in range(copies))
    return files, {tpath: tests.encode()}


def _copies_java(task: Task, copies: int) -> tuple[dict, dict]:
    """java/good's class ``Rle`` as ``Rle0``, ``Rle1``... with a test class for each."""
    (path, source), = ((p, d) for p, d in task.solution_files.items() if p.endswith(".java"))
    (tpath, tsource), = ((p, d) for p, d in task.test_files.items() if p.endswith(".java"))
    files, tests = {}, {}
    for k in range(copies):
        rename = lambda text, k=k: re.sub(r"\b(Rle|RleTest)\b", lambda m: f"{m[1]}{k}", text)
        files[path.replace("Rle.java", f"Rle{k}.java")] = rename(source.decode()).encode()
        tests[tpath.replace("RleTest.java", f"RleTest{k}.java")] = rename(tsource.decode()).encode()
    return files, tests


def scaled_task(language: str, copies: int) -> Task:
    """The language's good example repeated ``copies`` times, for the cost curve."""
    (task,) = load_tasks([EXAMPLES / language / "good"])
    files, tests = {"go": _copies_go, "rust": _copies_rust, "java": _copies_java}[language](task, copies)
    suffix = {"go": ".go", "rust": ".rs", "java": ".java"}[language]
    starter = {p: d for p, d in task.starter_files.items() if not p.endswith(suffix)}
    other_tests = {p: d for p, d in task.test_files.items() if not p.endswith(suffix)}
    return task.model_copy(update={"id": f"{task.id}-x{copies}", "starter_files": starter,
                                   "solution_files": files, "test_files": {**other_tests, **tests},
                                   "solution_paths": sorted(files)})


def curve(language: str, counts: list[int]) -> list[dict]:
    """Cost, CPU and memory per mutant as the number of mutants grows: the good example
    repeated until it has enough mutants, the first N of them run."""
    per_copy = len(job_for(language, "good").mutants)
    rows = []
    for count in counts:
        task = scaled_task(language, -(-count // per_copy))
        sandbox, lang = get_backend(), get_language(language)
        variant = reference_variant(task)
        reference = run_variant(task, variant, sandbox, lang)
        if reference.status != RunStatus.COMPLETED:
            raise SystemExit(f"{language} x{count}: the reference run failed: {reference.detail}")
        backend = get_mutation_backend(language)
        mutants = backend.generate(variant.workspace, sorted(task.solution_files))[:count]
        job = MutationJob(task, variant.workspace, mutants, sandbox, lang, reference)
        started = time.perf_counter()
        results = backend.execute(job)
        seconds = time.perf_counter() - started
        warm = [r.duration_ms for r in results if r.duration_ms > 0 and r.outcome.value in ("killed", "survived", "crash")]
        stats = job.stats
        rss = stats.get("jvm_rss_kb") or stats.get("loop_rss_kb")
        rows.append({"language": language, "mutants": len(mutants), "total_s": round(seconds, 2),
                     "ms_per_mutant": round(seconds * 1000 / len(mutants), 1),
                     "warm_median_ms": round(statistics.median(warm), 1) if warm else None,
                     "cpu_ms_per_mutant": stats.get("mean_cpu_ms_per_mutant"),
                     "worker_rss_mb": round(rss / 1024, 1) if rss else None,
                     "test_process_rss_mb": round(stats["max_test_process_rss_kb"] / 1024, 1)
                     if "max_test_process_rss_kb" in stats else None,
                     "timeouts": sum(r.outcome.value == "timeout" for r in results),
                     "errors": sum(r.outcome.value == "error" for r in results)})
    return rows


def measure(language: str, task_name: str, sample: int, peers: bool, repeat: int = 1) -> dict:
    job = job_for(language, task_name)
    backend = get_mutation_backend(language)
    n = len(job.mutants)
    schema_runs: list[float] = []
    outcome_sets: set[tuple] = set()

    def schema_run():
        started = time.perf_counter()
        out = backend.execute(job)
        schema_runs.append(time.perf_counter() - started)
        outcome_sets.add(tuple((r.mutant.id, r.outcome.value) for r in out))
        return out

    results = schema_run()
    outcomes: dict[str, int] = {}
    for r in results:
        outcomes[r.outcome.value] = outcomes.get(r.outcome.value, 0) + 1
    step = max(1, n // sample)
    chosen = job.mutants[::step][:sample]
    rebuild_ms = []
    agree = 0
    disagree: list[str] = []
    by_id = {r.mutant.id: r for r in results}
    # --repeat: the schema run again, spread among the rebuilds (the same load for both).
    again = {round((k + 1) * len(chosen) / repeat) - 1 for k in range(repeat - 1)}
    for k, m in enumerate(chosen):
        if k in again:
            schema_run()
        t0 = time.perf_counter()
        (r,) = rebuild_results(job, [m])
        rebuild_ms.append((time.perf_counter() - t0) * 1000)
        detected = {"killed", "timeout", "crash"}
        if (r.outcome.value in detected) == (by_id[m.id].outcome.value in detected):
            agree += 1  # the same verdict: detected, or not
        if r.outcome != by_id[m.id].outcome:
            disagree.append(f"{m.id}: schema {by_id[m.id].outcome.value}, rebuild {r.outcome.value} {r.detail[:80]!r}")
    while len(schema_runs) < repeat:  # a sample smaller than --repeat
        schema_run()
    schema_sec = statistics.median(schema_runs)
    per_mutant = schema_sec * 1000 / max(1, n)
    # The warm loop's own cost per mutant (the shared build excluded), timed in the sandbox for
    # each mutant that ran there and finished (timeouts cost their limit by design).
    warm = [r.duration_ms for r in results if r.duration_ms > 0 and r.outcome.value in ("killed", "survived", "crash")]
    row = {
        "language": language,
        "task": f"{language}/{task_name}",
        "mutants": n,
        "outcomes": outcomes,
        "schema_total_s": round(schema_sec, 2),
        "schema_ms_per_mutant": round(per_mutant, 1),
        "rebuild_sampled": len(chosen),
        "rebuild_median_ms": round(statistics.median(rebuild_ms), 1),
        "ratio": round(statistics.median(rebuild_ms) / per_mutant, 1),
        "warm_loop_median_ms": round(statistics.median(warm), 1) if warm else None,
        "warm_ratio": round(statistics.median(rebuild_ms) / statistics.median(warm), 1) if warm else None,
        "schema_runs_s": [round(t, 2) for t in schema_runs],  # median taken
        "same_outcomes_every_run": len(outcome_sets) == 1,
        "outcome_agreement": f"{agree}/{len(chosen)}",  # detected-or-not agrees
        "disagreements": disagree,
    }
    if peers:
        row.update(peer_time(language, job.task))
        if row.get("peer_ms_per_mutant"):
            row["peer_ratio"] = round(row["peer_ms_per_mutant"] / per_mutant, 1)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--languages", nargs="+", default=["go", "rust", "java"])
    parser.add_argument("--task", default="good")
    parser.add_argument("--rebuild-sample", type=int, default=8)
    parser.add_argument("--peers", action="store_true", help="also time gremlins / cargo-mutants if installed")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run the schema N times among the rebuilds and take the median (a noisy machine)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--curve", type=int, nargs="*", metavar="N",
                        help="cost, CPU and memory per mutant for N mutants (e.g. 10 100 1000), per language")
    args = parser.parse_args()
    if args.curve:
        print(f"{'language':<8} {'mutants':>7} {'total s':>8} {'ms/mutant':>10} {'warm median ms':>15} "
              f"{'CPU ms/mutant':>14} {'worker RSS MB':>14} {'test proc RSS MB':>17} {'timeouts':>9} {'errors':>7}")
        rows = []
        for language in args.languages:
            for r in curve(language, args.curve):
                rows.append(r)
                print(f"{r['language']:<8} {r['mutants']:>7} {r['total_s']:>8} {r['ms_per_mutant']:>10} "
                      f"{r['warm_median_ms']!s:>15} {r['cpu_ms_per_mutant']!s:>14} {r['worker_rss_mb']!s:>14} "
                      f"{r['test_process_rss_mb']!s:>17} {r['timeouts']:>9} {r['errors']:>7}", flush=True)
        if args.json:
            args.json.write_text(json.dumps(rows, indent=2))
        return
    rows = [measure(lang, args.task, args.rebuild_sample, args.peers, max(1, args.repeat)) for lang in args.languages]
    print(f"{'task':<10} {'mutants':>7} {'schema ms/mutant':>17} {'warm-loop median ms':>20} "
          f"{'rebuild median ms':>18} {'ratio amortised':>16} {'ratio warm':>11}  agreement  outcomes")
    for r in rows:
        print(f"{r['task']:<10} {r['mutants']:>7} {r['schema_ms_per_mutant']:>17} {r['warm_loop_median_ms']!s:>20} "
              f"{r['rebuild_median_ms']:>18} {r['ratio']:>15}x {r['warm_ratio']!s:>10}x  {r['outcome_agreement']:>9}  {r['outcomes']}")
        if len(r["schema_runs_s"]) > 1:
            print(f"  schema runs (s): {r['schema_runs_s']}, median taken; same outcomes every run: "
                  f"{r['same_outcomes_every_run']}")
        for d in r["disagreements"]:
            print(f"  differs: {d}")
        if "peer" in r:
            if r["peer_total_s"] is None or not r.get("peer_mutants"):
                print(f"  peer {r['peer']}: {r['peer_note'] or 'no mutant count'}")
            else:
                print(f"  peer {r['peer']}: {r['peer_mutants']} mutants in {r['peer_total_s']} s = "
                      f"{r['peer_ms_per_mutant']} ms/mutant (unsandboxed) vs taskaudit {r['schema_ms_per_mutant']} "
                      f"ms/mutant amortised (sandboxed): {r['peer_ratio']}x")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
