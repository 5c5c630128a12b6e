"""``taskaudit report`` and ``taskaudit store ...``: the results store, read back without running
anything (docs/store.md).

    taskaudit report --store results.db --html report.html --junit audit.xml
    taskaudit store info --store results.db
    taskaudit store prune --store results.db --other-versions --older-than 30

"The current configuration" is the one ``taskaudit audit`` would use with the same options
(``--reference-runs``, ``--select``, ``--ignore``, ``--sandbox``, the default checks) and this
taskaudit's version: the results such an audit would serve from the store.

Like cli.py, the library is imported inside the commands so that ``taskaudit --help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

EXIT_OK, EXIT_BELOW_THRESHOLD, EXIT_USAGE, EXIT_COULD_NOT_EVALUATE = 0, 1, 2, 3


def _codes(value: str | None) -> list[str]:
    return [c.strip().upper() for c in (value or "").split(",") if c.strip()]


def store_option(function):
    return click.option(
        "--store", "store_target", default=".taskaudit/results.db", show_default=True,
        envvar="TASKAUDIT_STORE", metavar="PATH_OR_URL",
        help="Results store: a SQLite file, or a postgresql:// URL.",
    )(function)


def configuration_options(function):
    """The options of ``taskaudit audit`` that make up the configuration results are kept under."""
    for option in reversed([
        click.option("--reference-runs", type=click.IntRange(1, 50), default=3, show_default=True,
                     help="The --reference-runs of the audit whose results to use."),
        click.option("--select", help="The --select of the audit whose results to use."),
        click.option("--ignore", help="The --ignore of the audit whose results to use."),
        click.option("--sandbox", "sandbox_name", default=None,
                     help="The sandbox backend of the audit whose results to use (default: the one "
                          "an audit would choose here)."),
    ]):
        function = option(function)
    return function


def current_fingerprint(reference_runs: int, select: str | None, ignore: str | None,
                        sandbox_name: str | None) -> dict:
    """The configuration part of a result's key for an audit run with these options, now."""
    from taskaudit.checks.base import AuditConfig
    from taskaudit.checks.registry import default_checks
    from taskaudit.store import config_fingerprint

    config = AuditConfig(reference_runs=reference_runs, select=_codes(select), ignore=_codes(ignore))
    return config_fingerprint(config, default_checks(), _backend_name(sandbox_name))


def _backend_name(sandbox_name: str | None) -> str:
    """The backend an audit would use, by name, without needing it to work here (the results may
    come from other machines)."""
    from taskaudit.sandbox import BACKENDS, SandboxUnavailable, get_backend

    if sandbox_name is not None:
        if sandbox_name not in BACKENDS:
            raise click.UsageError(f"unknown sandbox backend {sandbox_name!r}; choose one of: "
                                   f"{', '.join(BACKENDS)}")
        return sandbox_name
    try:
        return get_backend(None).name
    except SandboxUnavailable:
        return next(name for name, cls in BACKENDS.items() if cls.isolating)


def open_existing(store_target: str):
    """Open a store that must already exist: reading back never creates an empty one."""
    from rich.console import Console
    from rich.markup import escape

    from taskaudit.store import StoreError, _sqlite_path, open_store

    err = Console(stderr=True)
    sqlite_file = _sqlite_path(store_target)
    if sqlite_file is not None and not sqlite_file.is_file():
        err.print(f"[bold red]results store:[/] no store at {escape(str(sqlite_file))}; give the "
                  "--store an audit wrote to")
        sys.exit(EXIT_USAGE)
    try:
        return open_store(store_target)
    except StoreError as exc:
        err.print(f"[bold red]results store:[/] {escape(str(exc))}")
        sys.exit(EXIT_USAGE)


# --------------------------------------------------------------------------- taskaudit report


@click.command("report")
@store_option
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Write the JSON report here.")
@click.option("--markdown", "md_path", type=click.Path(path_type=Path), help="Write a Markdown report here.")
@click.option("--html", "html_path", type=click.Path(path_type=Path),
              help="Write a self-contained HTML dataset report here.")
@click.option("--junit", "junit_path", type=click.Path(path_type=Path),
              help="Write JUnit XML here: each task a test case, for CI.")
@click.option("--export-failing", "export_path", type=click.Path(path_type=Path),
              help="Write the tasks below the threshold (and ERROR ones) here as JSONL.")
@click.option("--all", "any_config", is_flag=True,
              help="The latest result of every task whatever taskaudit version or configuration "
                   "produced it (default: only the current configuration's).")
@configuration_options
@click.option("--fail-on", type=click.Choice(["revise", "reject"]), default="revise", show_default=True,
              help="Exit 1 when a task's verdict is this or worse.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when tasks are below the threshold.")
@click.option("-v", "--verbose", is_flag=True, help="Show evidence and every check in the terminal.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary line.")
def report(store_target, json_path, md_path, html_path, junit_path, export_path, any_config,
           reference_runs, select, ignore, sandbox_name, fail_on, exit_zero, verbose, quiet) -> None:
    """Rebuild the reports from the results store, running nothing.

    Takes the latest stored result of each task (same id and source) for the current
    configuration (this taskaudit, the default checks and the options given), or with --all
    whatever produced it. Exit codes as for `taskaudit audit`."""
    import json
    from datetime import UTC, datetime

    from rich.console import Console
    from rich.markup import escape

    from taskaudit import __version__
    from taskaudit.model import AuditReport, Verdict
    from taskaudit.report.terminal import render_terminal

    console, err = Console(), Console(stderr=True)
    fingerprint = None if any_config else current_fingerprint(reference_runs, select, ignore, sandbox_name)
    with open_existing(store_target) as opened:
        results = opened.latest_results(
            version=None if any_config else __version__, config=fingerprint
        )
        location, total = opened.location, opened.count()
    tasks = [task for _, task in results]
    if not tasks:
        why = "" if any_config else (
            f" for this configuration ({total} results of other versions or configurations: "
            "see `taskaudit store info`, or use --all)")
        err.print(f"[bold red]nothing to report:[/] no results in {escape(location)}{escape(why)}")
        sys.exit(EXIT_USAGE)
    backends = {json.loads(row.config).get("backend") or "?" for row, _ in results}
    backend = fingerprint["backend"] if fingerprint else ", ".join(sorted(backends))
    audit_report = AuditReport(
        taskaudit_version=__version__,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        sandbox_backend=backend,
        tasks=tasks,
        summary={v.value: sum(t.verdict == v for t in tasks) for v in Verdict},
    )
    written = write_reports(audit_report, json_path, md_path, html_path, junit_path, export_path, fail_on)
    if quiet:
        console.print(" ".join(f"{k}={v}" for k, v in audit_report.summary.items()))
    else:
        render_terminal(audit_report, console, verbose=verbose)
        console.print(f"{len(tasks)} tasks from {location}"
                      + ("" if any_config else " (this configuration)"), style="dim", highlight=False)
        for label, path in written:
            console.print(f"{label}: {path}", style="dim", highlight=False)
    verdicts = {t.verdict for t in tasks}
    if Verdict.ERROR in verdicts:
        sys.exit(EXIT_COULD_NOT_EVALUATE)
    below = {Verdict.REJECT} if fail_on == "reject" else {Verdict.REJECT, Verdict.REVISE}
    sys.exit(EXIT_BELOW_THRESHOLD if verdicts & below and not exit_zero else EXIT_OK)


def write_reports(report, json_path, md_path, html_path, junit_path, export_path, fail_on):
    """Write each report asked for (each to a temporary file, then renamed); return what was written."""
    written = []
    if json_path:
        from taskaudit.report.json_report import write_json

        write_json(report, json_path)
        written.append(("JSON report", json_path))
    if md_path:
        from taskaudit.report.markdown import render_markdown

        md_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = md_path.with_name(md_path.name + ".tmp")
        tmp.write_text(render_markdown(report), encoding="utf-8")
        tmp.replace(md_path)
        written.append(("Markdown report", md_path))
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
    return written


# --------------------------------------------------------------------------- taskaudit store


@click.group("store")
def store() -> None:
    """Inspect and prune the results store."""


@store.command("info")
@store_option
@configuration_options
def info(store_target, reference_runs, select, ignore, sandbox_name) -> None:
    """Count the stored results: per taskaudit version, per configuration, per verdict."""
    from collections import Counter

    from rich.console import Console
    from rich.table import Table

    from taskaudit import __version__
    from taskaudit.store import config_json

    current = config_json(current_fingerprint(reference_runs, select, ignore, sandbox_name))
    with open_existing(store_target) as opened:
        rows = opened.summaries()
        location = opened.location
    console = Console()
    tasks = len({(r.source, r.task_id) for r in rows})
    console.print(f"{location}: {len(rows)} results, {tasks} tasks", highlight=False, soft_wrap=True)
    if not rows:
        return
    table = Table()
    for col in ("taskaudit", "config", "results", "ACCEPT", "REVISE", "REJECT", "ERROR", "latest (UTC)"):
        table.add_column(col, no_wrap=True)
    groups: dict[tuple[str, str], list] = {}
    for row in rows:
        groups.setdefault((row.taskaudit_version, row.config), []).append(row)
    labels = {config: f"#{i + 1}" for i, config in enumerate(sorted({r.config for r in rows}))}
    for (version, config), members in sorted(groups.items()):
        verdicts = Counter(r.verdict for r in members)
        mark = "*" if version == __version__ and config == current else ""
        table.add_row(version, labels[config] + mark, str(len(members)),
                      *(str(verdicts.get(v, 0)) for v in ("ACCEPT", "REVISE", "REJECT", "ERROR")),
                      max(r.recorded_at for r in members)[:16].replace("T", " "))
    console.print(table)
    for config, label in labels.items():
        console.print(f"{label}: {_describe(config)}", highlight=False, soft_wrap=True)
    console.print("* the current configuration: what `taskaudit report` and an audit with these "
                  "options use", highlight=False, soft_wrap=True)


def _describe(config_text: str) -> str:
    """A configuration in one line: the options of `taskaudit audit` it stands for."""
    import json

    try:
        fingerprint = json.loads(config_text)
        settings = fingerprint.get("config", {})
        parts = [f"--{k.replace('_', '-')} {','.join(v) if isinstance(v, list) else v}"
                 for k, v in sorted(settings.items()) if v not in ([], None)]
        checks = [c.rsplit(":", 1)[-1] for c in fingerprint.get("checks", [])]
        return " ".join([*parts, f"--sandbox {fingerprint.get('backend')}",
                         f"(checks: {', '.join(checks)})"])
    except (ValueError, AttributeError):
        return config_text


@store.command("prune")
@store_option
@click.option("--other-versions", is_flag=True, help="Drop results of other taskaudit versions.")
@click.option("--other-configs", is_flag=True,
              help="Drop results of other configurations than the current one (see the options below).")
@click.option("--older-than", "older_than_days", type=click.FloatRange(min=0), metavar="DAYS",
              help="Drop results recorded more than DAYS days ago.")
@configuration_options
@click.option("--dry-run", is_flag=True, help="Only say how many results would be dropped.")
def prune(store_target, other_versions, other_configs, older_than_days, reference_runs, select,
          ignore, sandbox_name, dry_run) -> None:
    """Drop stored results that no audit of this configuration would serve any more.

    Give at least one of --other-versions, --other-configs, --older-than; a result matching any
    of them goes. Dropped results are simply audited again if ever needed."""
    from datetime import UTC, datetime, timedelta

    from taskaudit import __version__

    if not (other_versions or other_configs or older_than_days is not None):
        raise click.UsageError("say what to prune: --other-versions, --other-configs and/or "
                               "--older-than DAYS")
    cutoff = None if older_than_days is None else datetime.now(UTC) - timedelta(days=older_than_days)
    keep_config = (current_fingerprint(reference_runs, select, ignore, sandbox_name)
                   if other_configs else None)
    with open_existing(store_target) as opened:
        n = opened.prune(keep_version=__version__ if other_versions else None,
                         keep_config=keep_config, older_than=cutoff, dry_run=dry_run)
        left = opened.count() - (n if dry_run else 0)
        location = opened.location
    if dry_run:
        click.echo(f"{location}: would drop {n} results and keep {left} (dry run: nothing dropped)")
    else:
        click.echo(f"{location}: dropped {n} results, kept {left}")
