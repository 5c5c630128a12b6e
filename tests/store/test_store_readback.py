"""Reading the store back without running anything: bulk lookups, the latest result per task,
pruning, and the ``taskaudit report`` / ``taskaudit store`` commands (src/taskaudit/cli_store.py).

No sandbox: results are produced by a check that needs no runs and stored under the default
configuration's fingerprint, as ``taskaudit audit --sandbox bwrap`` would store them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from taskaudit import store as store_module
from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.registry import default_checks
from taskaudit.cli_store import report as report_command
from taskaudit.cli_store import store as store_group
from taskaudit.model import LoadError, Location, Question, Task
from taskaudit.store import LOOKUP_CHUNK, AuditCache, config_fingerprint, open_store


class WeakCheck:
    """Needs no sandbox run; finds W001 (a warning: REVISE) in tasks whose statement says 'weak'."""

    name = "reference"  # stands in for the reference run: without one, never ACCEPT
    question = Question.VALIDITY
    description = "test double"

    def needs(self, task, config):
        return []

    def run(self, ctx):
        if "weak" in ctx.task.statement:
            return [ctx.finding("W001", "weak tests", location=Location(path=f"{ctx.task.source}/t.py"))]
        return []


class Backend:
    name = "bwrap"  # the results are stored as a bwrap audit's
    isolating = True


def task(task_id: str, statement: str | None = None) -> Task:
    """A task; each id its own content unless a statement is given (the store is
    content-addressed: identical tasks share one result)."""
    statement = statement or f"Return a plus b ({task_id})."
    return Task(
        id=task_id, source=f"tasks/{task_id}", format="test", language="python",
        test_runner="pytest", statement=statement,
        solution_files={"calc.py": b"def add(a, b):\n    return a + b\n"},
        test_files={"test_calc.py": b"def test_add():\n    assert True\n"},
    )


def default_cache(store, config=None, **kw) -> AuditCache:
    """A cache keyed like `taskaudit audit --sandbox bwrap` with the default checks."""
    return AuditCache(store, config or AuditConfig(), default_checks(), "bwrap", **kw)


def fill(store, tasks, config=None):
    cache = default_cache(store, config)
    audit(tasks, Backend(), config or AuditConfig(), checks=[WeakCheck()], cache=cache)
    assert not cache.errors
    return cache


def count_selects(store):
    """Count the SELECT statements the store's engine sends from now on."""
    import sqlalchemy as sa

    seen: list[str] = []

    @sa.event.listens_for(store._engine, "before_cursor_execute")
    def _count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    return seen


# --------------------------------------------------------------------------- bulk lookups


def test_lookup_many_is_one_query_per_chunk_and_agrees_with_lookup(tmp_path):
    n = 2 * LOOKUP_CHUNK + 7
    tasks = [task(f"t{i}", f"weak tests {i}" if i % 5 == 0 else f"Return {i} plus b.") for i in range(n)]
    with open_store(tmp_path / "r.db") as store:
        fill(store, tasks[: n - 3])  # the last three are not stored: misses
        cache = default_cache(store)
        selects = count_selects(store)
        answers = cache.lookup_many([*tasks, LoadError(task_id="bad", path="x/task.toml", problem="bad")])
        assert len(selects) == 3  # ceil(n / LOOKUP_CHUNK), not n
        assert cache.hits == n - 3
        one_by_one = [default_cache(store).lookup(t) for t in tasks]
    assert answers[-1] is None  # load errors are never served
    assert [a and a.model_dump() for a in answers[:-1]] == [a and a.model_dump() for a in one_by_one]
    assert answers[n - 1] is None and answers[0].verdict.value == "REVISE"
    assert answers[1].verdict.value == "ACCEPT"


def test_audit_asks_the_store_once_per_chunk(tmp_path):
    tasks = [task(f"t{i}", f"Return {i} plus b.") for i in range(30)]
    with open_store(tmp_path / "r.db") as store:
        fill(store, tasks)
        selects = count_selects(store)
        cache = default_cache(store)
        report = audit(tasks, Backend(), AuditConfig(), checks=[WeakCheck()], cache=cache)
    assert cache.hits == 30 and len(selects) == 1
    assert [t.task_id for t in report.tasks] == [t.id for t in tasks]


def test_lookup_many_with_rerun_serves_nothing(tmp_path):
    with open_store(tmp_path / "r.db") as store:
        fill(store, [task("a")])
        assert default_cache(store, rerun=True).lookup_many([task("a")]) == [None]


# --------------------------------------------------------------------------- latest, prune


def test_latest_result_per_task_for_a_configuration_or_all(tmp_path):
    with open_store(tmp_path / "r.db") as store:
        fill(store, [task("a"), task("b", "weak tests")])
        fill(store, [task("a", "weak tests now")])  # a changed: a second, newer result
        fill(store, [task("c")], AuditConfig(reference_runs=5))  # another configuration
        current = config_fingerprint(AuditConfig(), default_checks(), "bwrap")
        latest = store.latest_reports(version=store_module.__version__, config=current)
        everything = store.latest_reports()
        assert store.count() == 4
    assert [(t.task_id, t.verdict.value) for t in latest] == [("a", "REVISE"), ("b", "REVISE")]
    assert [t.task_id for t in everything] == ["a", "b", "c"]


def test_prune_other_versions_configs_and_old_results(tmp_path, monkeypatch):
    with open_store(tmp_path / "r.db") as store:
        monkeypatch.setattr(store_module, "__version__", "0.0.1")
        fill(store, [task("old-version")])
        monkeypatch.undo()
        fill(store, [task("other-config")], AuditConfig(reference_runs=5))
        fill(store, [task("a"), task("b")])
        current = config_fingerprint(AuditConfig(), default_checks(), "bwrap")
        with pytest.raises(ValueError):
            store.prune()
        assert store.prune(keep_version=store_module.__version__, dry_run=True) == 1
        assert store.count() == 4
        assert store.prune(keep_version=store_module.__version__) == 1
        assert store.prune(keep_config=current) == 1
        assert {r["task_id"] for r in store.rows()} == {"a", "b"}
        # Recorded "two days ago": older than one day goes, younger than three stays.
        two_days_ago = (datetime.now(UTC) - timedelta(days=2)).isoformat(timespec="microseconds")
        with store._engine.begin() as conn:
            conn.execute(store.results.update().where(store.results.c.task_id == "a")
                         .values(recorded_at=two_days_ago))
        assert store.prune(older_than=datetime.now(UTC) - timedelta(days=3)) == 0
        assert store.prune(older_than=datetime.now(UTC) - timedelta(days=1)) == 1
        assert [r["task_id"] for r in store.rows()] == ["b"]


# --------------------------------------------------------------------------- the commands


@pytest.fixture
def filled(tmp_path):
    path = tmp_path / "results.db"
    with open_store(path) as store:
        fill(store, [task("good"), task("weak", "weak tests")])
        fill(store, [task("elsewhere")], AuditConfig(reference_runs=5))
    return path


def invoke(command, *args):
    return CliRunner().invoke(command, [str(a) for a in args], catch_exceptions=False)


def test_report_rebuilds_every_report_from_the_store(filled, tmp_path):
    out = tmp_path / "out"
    result = invoke(report_command, "--store", filled, "--sandbox", "bwrap",
                    "--json", out / "r.json", "--markdown", out / "r.md", "--html", out / "r.html",
                    "--junit", out / "r.xml", "--export-failing", out / "f.jsonl")
    assert result.exit_code == 1, result.output  # "weak" is REVISE: below the default threshold
    data = json.loads((out / "r.json").read_text())
    assert [(t["task_id"], t["verdict"]) for t in data["tasks"]] == [("good", "ACCEPT"), ("weak", "REVISE")]
    assert data["summary"]["ACCEPT"] == 1 and data["sandbox_backend"] == "bwrap"
    assert [json.loads(line)["task_id"] for line in (out / "f.jsonl").read_text().splitlines()] == ["weak"]
    assert "<svg" in (out / "r.html").read_text()
    assert 'tests="2"' in (out / "r.xml").read_text()
    assert "W001" in (out / "r.md").read_text()
    assert "2 tasks from" in result.output


def test_report_all_and_thresholds(filled):
    result = invoke(report_command, "--store", filled, "--all", "-q", "--fail-on", "reject")
    assert result.exit_code == 0, result.output
    assert "ACCEPT=2 REVISE=1" in result.output
    matching = invoke(report_command, "--store", filled, "--sandbox", "bwrap", "--reference-runs", "5", "-q")
    assert matching.exit_code == 0 and "ACCEPT=1 REVISE=0" in matching.output


def test_report_says_when_there_is_nothing_to_report(filled, tmp_path):
    result = invoke(report_command, "--store", filled, "--sandbox", "bwrap", "--reference-runs", "7")
    assert result.exit_code == 2
    assert "nothing to report" in result.output and "3 results of other versions" in result.output
    missing = tmp_path / "nowhere" / "results.db"
    result = invoke(report_command, "--store", missing)
    assert result.exit_code == 2 and "no store at" in result.output
    assert not missing.parent.exists()  # reading back never creates a store


def test_store_info_and_prune_commands(filled):
    info = invoke(store_group, "info", "--store", filled, "--sandbox", "bwrap")
    assert info.exit_code == 0, info.output
    assert "3 results, 3 tasks" in info.output and "#1*" in info.output
    assert "#2: --reference-runs 5 --sandbox bwrap" in info.output
    assert invoke(store_group, "prune", "--store", filled).exit_code == 2  # no criterion
    dry = invoke(store_group, "prune", "--store", filled, "--other-configs", "--sandbox", "bwrap", "--dry-run")
    assert dry.exit_code == 0 and "would drop 1 results and keep 2" in dry.output
    done = invoke(store_group, "prune", "--store", filled, "--other-configs", "--sandbox", "bwrap")
    assert "dropped 1 results, kept 2" in done.output
    assert invoke(store_group, "prune", "--store", filled, "--other-versions").output.endswith(
        "dropped 0 results, kept 2\n")


@pytest.mark.skipif(
    not __import__("os").environ.get("TASKAUDIT_TEST_POSTGRES_URL"),
    reason="set TASKAUDIT_TEST_POSTGRES_URL (and install psycopg) to test a PostgreSQL store",
)
def test_bulk_lookup_latest_and_prune_on_postgres():  # pragma: no cover - needs a server
    import os

    with open_store(os.environ["TASKAUDIT_TEST_POSTGRES_URL"]) as store:
        with store._engine.begin() as conn:
            conn.execute(store.results.delete())
        tasks = [task(f"pg{i}") for i in range(LOOKUP_CHUNK + 3)]
        fill(store, tasks)
        fill(store, [task("other")], AuditConfig(reference_runs=5))
        cache = default_cache(store)
        assert all(cache.lookup_many(tasks)) and cache.hits == len(tasks)
        current = config_fingerprint(AuditConfig(), default_checks(), "bwrap")
        assert len(store.latest_reports(version=store_module.__version__, config=current)) == len(tasks)
        assert store.prune(keep_config=current) == 1
        assert store.count() == len(tasks)
        with store._engine.begin() as conn:
            conn.execute(store.results.delete())
