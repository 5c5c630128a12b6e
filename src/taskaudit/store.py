"""The results store: every finished task's report, kept so that an unchanged task is not audited
twice and an interrupted batch resumes where it stopped.

SQLite by default (one file, WAL journal), PostgreSQL by URL, both through SQLAlchemy 2::

    store = open_store(".taskaudit/results.db")            # or "postgresql+psycopg://..."
    cache = AuditCache(store, config, checks, backend.name)
    report = audit(items, backend, config, cache=cache)   # consults and fills the store

A result is keyed by :func:`result_key`: the task's content hash (its files, statement, language,
runner, timeout), what else in the task steers the audit (its own select/ignore, solution paths,
metadata), taskaudit's version and the audit's configuration (``AuditConfig``, the checks, the
sandbox backend's name). Change any of them and the task is audited again.

What is stored and what is served back:

* Each finished task is written in its own transaction, the ``TaskReport`` as JSON: a process
  killed at any moment (even ``kill -9``) leaves only whole results, and the same command run
  again audits only what is missing. A key is written with an upsert, so a result is never
  duplicated.
* ERROR results (taskaudit could not evaluate the task: sandbox, toolchain, timeout of the
  reference) are stored for the record but never served: the next run retries them.
* A task that failed to load is stored under its path and problem and never served either
  (loading again is cheaper than a lookup is worth, and a fixed file must not hit a stale row).

Read back in bulk: ``AuditCache.lookup_many`` (one query per chunk of keys, what the engine
uses before a batch), ``ResultStore.latest_results`` (``taskaudit report``) and
``ResultStore.prune`` (``taskaudit store prune``).

Importing this module does not import SQLAlchemy; :func:`open_store` does.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from taskaudit import __version__
from taskaudit.model import LoadError, Task, TaskReport, Verdict

if TYPE_CHECKING:  # pragma: no cover
    from taskaudit.checks.base import AuditConfig, Check

STORE_SCHEMA_VERSION = "1"
# Keys per lookup query: well under SQLite's oldest limit of 999 bound parameters.
LOOKUP_CHUNK = 500
DEFAULT_STORE = Path(".taskaudit") / "results.db"
POSTGRES_INSTALL_HINT = (
    "a PostgreSQL store needs a database driver, which taskaudit does not install by itself: "
    "pip install 'taskaudit[postgres]' (or pip install 'psycopg[binary]') and use a "
    "postgresql+psycopg://user:password@host/dbname URL; psycopg2 works too "
    "(pip install psycopg2-binary, postgresql+psycopg2://...)"
)


class StoreError(Exception):
    """The store cannot be opened or used; the message says what to do."""


# --------------------------------------------------------------------------- keys


def _digest(parts: dict[str, Any]) -> str:
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def config_fingerprint(config: AuditConfig, checks: list[Check], backend_name: str) -> dict[str, Any]:
    """Everything about an audit's configuration that can change a task's report."""
    settings = asdict(config) if is_dataclass(config) else dict(vars(config))
    return {
        "config": settings,
        "checks": [f"{type(c).__module__}.{type(c).__qualname__}:{c.name}" for c in checks],
        "backend": backend_name,
    }


def result_key(task: Task, fingerprint: dict[str, Any], version: str = __version__) -> str:
    """The key of a task's result: its content, what steers its audit, taskaudit, the config."""
    return _digest(
        {
            "kind": "task",
            "content": task.content_hash(),
            "task_select": task.select,
            "task_ignore": task.ignore,
            "solution_paths": task.solution_paths,
            "metadata": task.metadata,
            "taskaudit": version,
            "audit": fingerprint,
        }
    )


def load_error_key(error: LoadError, version: str = __version__) -> str:
    return _digest(
        {"kind": "load_error", "path": error.path, "problem": error.problem, "taskaudit": version}
    )


def config_json(fingerprint: dict[str, Any]) -> str:
    """A configuration as the store keeps it (its ``config`` column): canonical JSON."""
    return json.dumps(fingerprint, sort_keys=True, default=str)


def _timestamp(moment: datetime) -> str:
    """``recorded_at``: UTC, ISO 8601 to the microsecond, so that text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class StoredResult(NamedTuple):
    """One stored result, without its report."""

    key: str
    kind: str
    task_id: str
    source: str
    verdict: str
    taskaudit_version: str
    config: str
    recorded_at: str


# --------------------------------------------------------------------------- the store


def _sqlite_path(target: str) -> Path | None:
    """The file of a SQLite store, or None when the target is a URL of another database."""
    if "://" not in target:
        return Path(target)
    if target.startswith("sqlite:///"):
        return Path(target.removeprefix("sqlite:///")) if target != "sqlite:///" else None
    return None


def _is_postgres(url: str) -> bool:
    return url.split("://", 1)[0].split("+", 1)[0] in {"postgresql", "postgres"}


def _postgres_url(url: str) -> str:
    """Pick an installed driver for a URL that names none, or say what to install."""
    scheme, rest = url.split("://", 1)
    if "+" in scheme:
        return url
    import importlib.util

    for module, driver in (("psycopg", "psycopg"), ("psycopg2", "psycopg2")):
        if importlib.util.find_spec(module) is not None:
            return f"postgresql+{driver}://{rest}"
    raise StoreError(f"cannot open {redact(url)}: {POSTGRES_INSTALL_HINT}")


def redact(url: str) -> str:
    """A store location fit for printing: no password."""
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else url


class ResultStore:
    """Task reports in a SQL database, one row per result key.

    Thread-safe: the engine's task threads look up and record concurrently.
    """

    def __init__(self, target: str | os.PathLike[str]) -> None:
        try:
            import sqlalchemy as sa
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise StoreError(f"the results store needs SQLAlchemy 2: pip install sqlalchemy ({exc})")
        self._sa = sa
        self._lock = threading.Lock()
        target = os.fspath(target)
        sqlite_file = _sqlite_path(target)
        if sqlite_file is not None:
            self.location = str(sqlite_file)
            self._engine = self._open_sqlite(sqlite_file)
        else:
            self.location = redact(target)
            url = _postgres_url(target) if _is_postgres(target) else target
            try:
                self._engine = sa.create_engine(url, pool_pre_ping=True)
            except ImportError as exc:
                hint = POSTGRES_INSTALL_HINT if _is_postgres(target) else "install its driver"
                raise StoreError(f"cannot open {self.location}: {exc}; {hint}") from None
            except sa.exc.ArgumentError as exc:
                raise StoreError(f"not a store path or database URL: {self.location} ({exc})") from None
            except sa.exc.NoSuchModuleError as exc:
                raise StoreError(f"cannot open {self.location}: {exc}") from None
        self._define_tables()
        try:
            self._metadata.create_all(self._engine)
            self._check_schema()
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot open the results store {self.location}: {exc}") from None

    # ----------------------------------------------------------------- setup

    def _open_sqlite(self, path: Path):
        sa = self._sa
        if path.exists() and path.is_dir():
            raise StoreError(f"the results store {path} is a directory; give a file name")
        try:
            if not path.parent.exists():
                path.parent.mkdir(parents=True)
                if path.parent.name == ".taskaudit":  # like .pytest_cache: never committed
                    (path.parent / ".gitignore").write_text("# created by taskaudit\n*\n")
        except OSError as exc:
            raise StoreError(f"cannot create the results store's folder {path.parent}: {exc}") from None
        engine = sa.create_engine(
            f"sqlite:///{path}",
            # Waiting for another writer (a second audit on the same store) beats failing.
            connect_args={"timeout": 60, "check_same_thread": False},
        )

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            # WAL: readers never block the writer and a killed writer leaves the database whole;
            # synchronous=NORMAL is durable against a crash of the process (not of the machine,
            # where the last results may be lost: they are then simply audited again).
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine

    def _define_tables(self) -> None:
        sa = self._sa
        self._metadata = sa.MetaData()
        self.results = sa.Table(
            "taskaudit_results",
            self._metadata,
            sa.Column("key", sa.String(64), primary_key=True),
            sa.Column("kind", sa.String(16), nullable=False),  # task | load_error
            sa.Column("task_id", sa.Text, nullable=False),
            sa.Column("source", sa.Text, nullable=False),
            sa.Column("content_hash", sa.String(64)),
            sa.Column("verdict", sa.String(8), nullable=False),
            sa.Column("taskaudit_version", sa.String(32), nullable=False),
            sa.Column("config", sa.Text, nullable=False),  # the fingerprint, as JSON
            sa.Column("duration_sec", sa.Float, nullable=False),
            sa.Column("recorded_at", sa.String(32), nullable=False),
            sa.Column("report", sa.Text, nullable=False),  # the TaskReport, as JSON
        )
        sa.Index("ix_taskaudit_results_task", self.results.c.task_id)
        self.meta = sa.Table(
            "taskaudit_meta",
            self._metadata,
            sa.Column("name", sa.String(64), primary_key=True),
            sa.Column("value", sa.Text, nullable=False),
        )

    def _check_schema(self) -> None:
        sa = self._sa
        with self._engine.begin() as conn:
            found = conn.execute(
                sa.select(self.meta.c.value).where(self.meta.c.name == "schema_version")
            ).scalar_one_or_none()
            if found is None:
                try:
                    conn.execute(self.meta.insert().values(name="schema_version", value=STORE_SCHEMA_VERSION))
                except sa.exc.IntegrityError:  # another process created it first
                    pass
            elif found != STORE_SCHEMA_VERSION:
                raise StoreError(
                    f"the results store {self.location} has schema version {found}; this taskaudit "
                    f"uses {STORE_SCHEMA_VERSION}: use another --store, or delete it"
                )

    # ----------------------------------------------------------------- use

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    def get(self, key: str) -> TaskReport | None:
        sa = self._sa
        with self._lock, self._engine.connect() as conn:
            text = conn.execute(
                sa.select(self.results.c.report).where(self.results.c.key == key)
            ).scalar_one_or_none()
        return None if text is None else TaskReport.model_validate_json(text)

    def get_many(self, keys: list[str]) -> dict[str, str]:
        """The stored report JSON of each key found, one query per chunk of keys (not per key:
        a lookup of a large dataset is a few dozen round trips, not one per task)."""
        sa = self._sa
        found: dict[str, str] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), LOOKUP_CHUNK):
            chunk = unique[start:start + LOOKUP_CHUNK]
            with self._lock, self._engine.connect() as conn:
                result = conn.execute(
                    sa.select(self.results.c.key, self.results.c.report).where(
                        self.results.c.key.in_(chunk)
                    )
                )
                found.update((row.key, row.report) for row in result)
        return found

    def put(self, key: str, kind: str, report: TaskReport, config: dict[str, Any] | None = None) -> None:
        """Record one result in one transaction, replacing any earlier result under its key."""
        row = {
            "key": key,
            "kind": kind,
            "task_id": report.task_id,
            "source": report.source,
            "content_hash": report.content_hash,
            "verdict": report.verdict.value,
            "taskaudit_version": __version__,
            "config": config_json(config or {}),
            "duration_sec": report.duration_sec,
            "recorded_at": _timestamp(datetime.now(UTC)),
            "report": report.model_dump_json(),
        }
        with self._lock, self._engine.begin() as conn:
            if self.dialect in ("sqlite", "postgresql"):
                conn.execute(self._upsert(row))
            else:  # pragma: no cover - databases without an upsert: both in one transaction
                conn.execute(self.results.delete().where(self.results.c.key == key))
                conn.execute(self.results.insert().values(**row))

    def _upsert(self, row: dict[str, Any]):
        if self.dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        update = {k: v for k, v in row.items() if k != "key"}
        return insert(self.results).values(**row).on_conflict_do_update(
            index_elements=["key"], set_=update
        )

    # ----------------------------------------------------------------- reading back, pruning

    def summaries(self) -> list[StoredResult]:
        """Every stored result without its report (cheap, for choosing and counting)."""
        sa = self._sa
        c = self.results.c
        columns = [c.key, c.kind, c.task_id, c.source, c.verdict, c.taskaudit_version, c.config,
                   c.recorded_at]
        with self._lock, self._engine.connect() as conn:
            return [StoredResult(*row) for row in conn.execute(sa.select(*columns))]

    def latest_results(
        self, *, version: str | None = None, config: dict[str, Any] | None = None
    ) -> list[tuple[StoredResult, TaskReport]]:
        """The latest stored result of each task (same id, same source) with its report, ordered
        by source and id; only results of taskaudit ``version`` and audit ``config`` when given.
        Two identical tasks share one result (the store is content-addressed): it comes back
        under the id and source it was last recorded with."""
        wanted_config = None if config is None else config_json(config)
        latest: dict[tuple[str, str], StoredResult] = {}
        for row in self.summaries():
            if version is not None and row.taskaudit_version != version:
                continue
            if wanted_config is not None and row.config != wanted_config:
                continue
            task = (row.source, row.task_id)
            if task not in latest or row.recorded_at > latest[task].recorded_at:
                latest[task] = row
        chosen = [latest[task] for task in sorted(latest)]
        texts = self.get_many([row.key for row in chosen])
        return [(row, TaskReport.model_validate_json(texts[row.key])) for row in chosen if row.key in texts]

    def latest_reports(
        self, *, version: str | None = None, config: dict[str, Any] | None = None
    ) -> list[TaskReport]:
        """``latest_results``, reports only."""
        return [report for _, report in self.latest_results(version=version, config=config)]

    def prune(
        self,
        *,
        keep_version: str | None = None,
        keep_config: dict[str, Any] | None = None,
        older_than: datetime | None = None,
        dry_run: bool = False,
    ) -> int:
        """Delete the results of another taskaudit version than ``keep_version``, of another
        configuration than ``keep_config``, or recorded before ``older_than`` (any of them);
        return how many (with ``dry_run``, how many would go). One transaction."""
        sa = self._sa
        c = self.results.c
        conditions = []
        if keep_version is not None:
            conditions.append(c.taskaudit_version != keep_version)
        if keep_config is not None:
            conditions.append(c.config != config_json(keep_config))
        if older_than is not None:
            conditions.append(c.recorded_at < _timestamp(older_than))
        if not conditions:
            raise ValueError("prune needs at least one criterion")
        where = sa.or_(*conditions)
        with self._lock, self._engine.begin() as conn:
            if dry_run:
                count = sa.select(sa.func.count()).select_from(self.results).where(where)
                return conn.execute(count).scalar_one()
            return conn.execute(self.results.delete().where(where)).rowcount

    def rows(self) -> list[dict[str, Any]]:
        """Every stored result, ordered by key (for tests, exports and inspection)."""
        sa = self._sa
        with self._lock, self._engine.connect() as conn:
            result = conn.execute(sa.select(self.results).order_by(self.results.c.key))
            return [dict(r._mapping) for r in result]

    def count(self) -> int:
        sa = self._sa
        with self._lock, self._engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(self.results)).scalar_one()

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(target: str | os.PathLike[str] | None = None) -> ResultStore:
    """Open (creating if needed) the store at a file path or database URL."""
    return ResultStore(DEFAULT_STORE if target is None else target)


# --------------------------------------------------------------------------- the engine's view


class AuditCache:
    """A store bound to one audit's configuration: what the engine consults and fills.

    ``lookup`` returns the stored report of an unchanged task (never an ERROR, never a load
    error; nothing at all with ``rerun``); ``record`` stores a finished one. ``hits`` and
    ``recorded`` count both, for the progress display; a result the store could not take is
    listed in ``errors`` and the audit goes on.
    """

    def __init__(
        self,
        store: ResultStore,
        config: AuditConfig,
        checks: list[Check],
        backend_name: str,
        *,
        rerun: bool = False,
    ) -> None:
        self.store = store
        self.rerun = rerun
        self.fingerprint = config_fingerprint(config, checks, backend_name)
        self.hits = 0
        self.recorded = 0
        self.errors: list[str] = []  # results that could not be recorded, and why
        self._lock = threading.Lock()

    def key(self, item: Task | LoadError) -> str:
        if isinstance(item, LoadError):
            return load_error_key(item)
        return result_key(item, self.fingerprint)

    def lookup(self, item: Task | LoadError) -> TaskReport | None:
        if self.rerun or isinstance(item, LoadError):
            return None
        try:
            report = self.store.get(self.key(item))
        except Exception as exc:  # an unreadable row is a miss: the task is audited again
            with self._lock:
                self.errors.append(f"{item.id}: cannot read its stored result: {exc}")
            return None
        if report is None or report.verdict == Verdict.ERROR:
            return None
        with self._lock:
            self.hits += 1
        return _as_task(report, item)

    def lookup_many(self, items: list[Task | LoadError]) -> list[TaskReport | None]:
        """``lookup`` for a whole batch, in one query per chunk of keys; answers in order."""
        if self.rerun:
            return [None] * len(items)
        keys = [None if isinstance(item, LoadError) else self.key(item) for item in items]
        try:
            stored = self.store.get_many([k for k in keys if k is not None])
        except Exception as exc:  # the store cannot be read: every task is audited again
            with self._lock:
                self.errors.append(f"cannot read stored results: {exc}")
            return [None] * len(items)
        answers: list[TaskReport | None] = []
        for item, key in zip(items, keys, strict=True):
            text = stored.get(key) if key is not None else None
            answers.append(None if text is None else self._served(item, text))
        return answers

    def _served(self, item: Task, text: str) -> TaskReport | None:
        try:
            report = TaskReport.model_validate_json(text)
        except Exception as exc:  # an unreadable row is a miss: the task is audited again
            with self._lock:
                self.errors.append(f"{item.id}: cannot read its stored result: {exc}")
            return None
        if report.verdict == Verdict.ERROR:
            return None
        with self._lock:
            self.hits += 1
        return _as_task(report, item)

    def record(self, item: Task | LoadError, report: TaskReport) -> None:
        kind = "load_error" if isinstance(item, LoadError) else "task"
        try:
            self.store.put(self.key(item), kind, report, self.fingerprint)
        except Exception as exc:  # a store that fails must not fail the audit: it reports on
            with self._lock:
                self.errors.append(f"{report.task_id}: {exc}")
            return
        with self._lock:
            self.recorded += 1


def _as_task(report: TaskReport, task: Task) -> TaskReport:
    """A stored report of the same content, named after the task at hand.

    Identical content may sit under another id or another folder (a copied task, a moved
    dataset): the id and source are the current task's, and locations under the old source
    are moved under the new one.
    """
    if (report.task_id, report.source) == (task.id, task.source):
        return report
    old, new = report.source, task.source
    findings = []
    for finding in report.findings:
        loc = finding.location
        if loc is not None and old and (loc.path == old or loc.path.startswith(old.rstrip("/") + "/")):
            loc = loc.model_copy(update={"path": new + loc.path[len(old):]})
            finding = finding.model_copy(update={"location": loc})
        findings.append(finding)
    return report.model_copy(update={"task_id": task.id, "source": task.source, "findings": findings})
