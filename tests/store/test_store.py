"""The results store and the engine's cache, without a sandbox: checks here need no runs.

What is served from the store and what is audited again (unchanged, changed, ERROR, load
errors, --rerun, another configuration or version), one row per key, the SQLite file's journal
mode, a PostgreSQL URL without a driver, and a store that fails not failing the audit.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sqlite3

import pytest

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig, CheckInfraError
from taskaudit.model import LoadError, Location, Question, Task, Verdict
from taskaudit.store import (
    AuditCache,
    ResultStore,
    StoreError,
    config_fingerprint,
    open_store,
    redact,
    result_key,
)


class CountingCheck:
    """A check that needs no sandbox run: it counts its calls and finds W001 in 'weak' tasks."""

    # Named as the check that runs the reference: without a reference run that ran, a task
    # is never ACCEPT (verdict.EXECUTION_VALIDITY), and these doubles stand in for it.
    name = "reference"
    question = Question.VALIDITY
    description = "test double"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def needs(self, task, config):
        return []

    def run(self, ctx):
        self.calls.append(ctx.task.id)
        if "weak" in ctx.task.statement:
            return [ctx.finding("W001", "weak tests", location=Location(path=f"{ctx.task.source}/tests/t.py"))]
        return []


class InfraCheck(CountingCheck):
    """Always fails for reasons outside the task: the verdict is ERROR."""

    name = "infra"

    def run(self, ctx):
        self.calls.append(ctx.task.id)
        raise CheckInfraError("sandbox would not start")


class Backend:
    name = "fake"
    isolating = True


def task(task_id: str, statement: str = "Return the sum of a and b as an integer.", source=None) -> Task:
    return Task(
        id=task_id,
        source=source or f"tasks/{task_id}",
        format="test",
        language="python",
        test_runner="pytest",
        statement=statement,
        solution_files={"calc.py": b"def add(a, b):\n    return a + b\n"},
        test_files={"test_calc.py": b"def test_add():\n    assert True\n"},
    )


def run(tasks, store, check, config=None, rerun=False):
    config = config or AuditConfig()
    cache = AuditCache(store, config, [check], Backend.name, rerun=rerun)
    report = audit(tasks, Backend(), config, jobs=2, checks=[check], cache=cache)
    return report, cache


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "results.db") as s:
        yield s


def test_an_unchanged_task_is_served_and_a_changed_one_audited_again(store):
    check = CountingCheck()
    first, _ = run([task("a"), task("b", "weak: return the sum of a and b.")], store, check)
    assert check.calls and sorted(check.calls) == ["a", "b"]
    assert [t.verdict for t in first.tasks] == [Verdict.ACCEPT, Verdict.REVISE]

    check.calls.clear()
    second, cache = run([task("a"), task("b", "weak: return the sum of a and b.")], store, check)
    assert check.calls == [] and cache.hits == 2
    assert [t.model_dump() for t in second.tasks] == [t.model_dump() for t in first.tasks]

    changed = task("b", "Return the sum of a and b, both integers.")
    third, cache = run([task("a"), changed], store, check)
    assert check.calls == ["b"] and cache.hits == 1
    assert third.tasks[1].verdict == Verdict.ACCEPT


def test_one_row_per_key_and_rerun_replaces_it(store):
    check = CountingCheck()
    tasks = [task("a"), task("b", "Return the product of a and b as an integer.")]
    run(tasks, store, check)
    rows = store.rows()
    assert len(rows) == 2 and {r["task_id"] for r in rows} == {"a", "b"}
    check.calls.clear()
    _, cache = run(tasks, store, check, rerun=True)
    assert sorted(check.calls) == ["a", "b"] and cache.hits == 0 and cache.recorded == 2
    again = store.rows()
    assert len(again) == 2
    assert [r["key"] for r in again] == [r["key"] for r in rows]
    assert all(n["recorded_at"] > o["recorded_at"] for n, o in zip(again, rows, strict=True))
    report = json.loads(again[0]["report"])  # the TaskReport, whole, as JSON
    assert report["task_id"] == again[0]["task_id"] and report["verdict"] == again[0]["verdict"]


def test_error_results_are_stored_but_retried(store):
    check = InfraCheck()
    first, _ = run([task("a")], store, check)
    assert first.tasks[0].verdict == Verdict.ERROR
    assert [r["verdict"] for r in store.rows()] == ["ERROR"]
    _, cache = run([task("a")], store, check)
    assert check.calls == ["a", "a"] and cache.hits == 0
    assert len(store.rows()) == 1


def test_load_errors_are_recorded_never_served(store):
    check = CountingCheck()
    broken = LoadError(task_id="bad", path="tasks/bad/task.toml", problem="invalid TOML at line 3")
    first, _ = run([broken, task("a")], store, check)
    assert first.tasks[0].verdict == Verdict.REJECT and first.tasks[0].findings[0].code == "F001"
    _, cache = run([broken, task("a")], store, check)
    assert cache.hits == 1  # the task; the load error was re-read, not served
    kinds = sorted(r["kind"] for r in store.rows())
    assert kinds == ["load_error", "task"]  # and still one row for it
    fixed = LoadError(task_id="bad", path="tasks/bad/task.toml", problem="missing [metadata]")
    run([fixed], store, check)
    assert len(store.rows()) == 3  # keyed by path and problem


def test_the_key_covers_version_configuration_checks_and_backend():
    t = task("a")
    base = config_fingerprint(AuditConfig(), [CountingCheck()], "bwrap")
    key = result_key(t, base)
    assert result_key(task("a"), base) == key  # deterministic
    others = [
        result_key(t, base, version="9.9.9"),
        result_key(t, config_fingerprint(AuditConfig(reference_runs=1), [CountingCheck()], "bwrap")),
        result_key(t, config_fingerprint(AuditConfig(select=["V"]), [CountingCheck()], "bwrap")),
        result_key(t, config_fingerprint(AuditConfig(ignore=["W001"]), [CountingCheck()], "bwrap")),
        result_key(t, config_fingerprint(AuditConfig(), [InfraCheck()], "bwrap")),
        result_key(t, config_fingerprint(AuditConfig(), [CountingCheck()], "docker")),
        result_key(t.model_copy(update={"ignore": ["W001"]}), base),
        result_key(t.model_copy(update={"test_files": {"test_calc.py": b"assert 1\n"}}), base),
    ]
    assert key not in others and len(set(others)) == len(others)


def test_same_content_elsewhere_is_served_under_its_own_name(store):
    check = CountingCheck()
    run([task("a", "weak: return the sum of a and b.", source="old/a")], store, check)
    moved = task("copy-of-a", "weak: return the sum of a and b.", source="new/place/a")
    report, cache = run([moved], store, check)
    assert cache.hits == 1 and check.calls == ["a"]
    got = report.tasks[0]
    assert (got.task_id, got.source) == ("copy-of-a", "new/place/a")
    assert got.findings[0].location.path == "new/place/a/tests/t.py"


def test_sqlite_file_uses_wal_and_gitignores_its_folder(tmp_path):
    path = tmp_path / "project" / ".taskaudit" / "results.db"
    with open_store(path) as s:
        run([task("a")], s, CountingCheck())
    assert (path.parent / ".gitignore").read_text().strip().endswith("*")
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT count(*) FROM taskaudit_results").fetchone()[0] == 1
    with open_store(f"sqlite:///{path}") as s:  # the same file by URL
        assert s.count() == 1


def test_postgres_url_without_a_driver_says_what_to_install(monkeypatch):
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *a: None)
    with pytest.raises(StoreError) as exc:
        open_store("postgresql://audit:s3cret@db.example/tasks")
    message = str(exc.value)
    assert "psycopg" in message and "pip install" in message
    assert "s3cret" not in message  # never print the password


def test_named_driver_that_is_missing_is_a_clear_error():
    if importlib.util.find_spec("psycopg2") is not None:  # pragma: no cover
        pytest.skip("psycopg2 is installed here")
    with pytest.raises(StoreError, match="psycopg"):
        open_store("postgresql+psycopg2://audit@localhost/tasks")


def test_not_a_store(tmp_path):
    with pytest.raises(StoreError, match="directory"):
        open_store(tmp_path)
    with pytest.raises(StoreError):
        open_store("nosuchdb://x/y")


def test_redact():
    assert redact("postgresql+psycopg://u:pw@h:5432/db") == "postgresql+psycopg://u:***@h:5432/db"
    assert redact(".taskaudit/results.db") == ".taskaudit/results.db"


def test_a_failing_store_does_not_fail_the_audit(store, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(store, "put", broken)
    report, cache = run([task("a"), task("b")], store, CountingCheck())
    assert [t.verdict for t in report.tasks] == [Verdict.ACCEPT, Verdict.ACCEPT]
    assert len(cache.errors) == 2 and "disk full" in cache.errors[0]


def test_identical_tasks_share_one_row(store):
    # Content-addressed: a duplicate task is served the other's result, under its own name.
    report, _ = run([task("a"), task("dup-of-a")], store, CountingCheck())
    assert [t.task_id for t in report.tasks] == ["a", "dup-of-a"]
    assert store.count() == 1


def test_two_stores_on_one_file_see_each_other(tmp_path):
    path = tmp_path / "r.db"
    with open_store(path) as one, open_store(path) as two:
        run([task("a")], one, CountingCheck())
        _, cache = run([task("a")], two, CountingCheck())
        assert cache.hits == 1


@pytest.mark.skipif(
    not os.environ.get("TASKAUDIT_TEST_POSTGRES_URL"),
    reason="set TASKAUDIT_TEST_POSTGRES_URL (and install psycopg) to test a PostgreSQL store",
)
def test_postgres_store():  # pragma: no cover - needs a server
    with ResultStore(os.environ["TASKAUDIT_TEST_POSTGRES_URL"]) as s:
        s._engine.dispose()
        with s._engine.begin() as conn:
            conn.execute(s.results.delete())
        check = CountingCheck()
        run([task("a"), task("b", "weak: sum.")], s, check)
        _, cache = run([task("a"), task("b", "weak: sum.")], s, check, rerun=True)
        _, cache = run([task("a"), task("b", "weak: sum.")], s, check)
        assert cache.hits == 2 and s.count() == 2 and s.dialect == "postgresql"
