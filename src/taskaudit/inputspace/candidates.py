"""Candidate solutions a user supplies (model samples, EvalPlus-style alternatives).

Two layouts, both keyed by task id:
- a JSONL file, one candidate per line: ``{"task_id": ..., "solution": <whole file>}`` or
  ``{"task_id": ..., "completion": <body appended to the starter, as HumanEval samples are>}``,
  optional ``"name"`` (default ``<file>:<line>``) and ``"path"`` (the solution file it replaces;
  default the task's only solution file);
- a folder with one sub-folder per task (the id with ``/`` replaced by ``_``), each holding
  candidate files for the task's solution file (``<task>/<anything>.py``).

Where the candidates come from: ``AuditConfig.candidates`` when the engine has that field,
else the task's ``metadata["candidates"]``. A bad line or file fails alone, named.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from taskaudit.model import Task

MAX_CANDIDATES_PER_TASK = 20
MAX_BYTES = 1 << 20


class CandidateError(ValueError):
    """A candidate file or line that cannot be read (names the file and the problem)."""


@dataclass(frozen=True)
class Candidate:
    name: str
    path: str  # the solution file (workspace path) it replaces
    source: str  # its full content
    expected_correct: bool | None = None  # a fixture's label, when it has one (never used to decide)


def source_of(ctx_config: object, task: Task) -> str | None:
    value = getattr(ctx_config, "candidates", None) or task.metadata.get("candidates")
    return str(value) if value else None


def load_for_task(location: str, task: Task) -> tuple[list[Candidate], list[str]]:
    """(this task's candidates, problems met while reading them)."""
    path = Path(location)
    if not path.exists():
        raise CandidateError(f"{path}: candidates file or folder does not exist")
    if path.is_dir():
        return _from_folder(path, task)
    by_task, problems = _read_jsonl(str(path.resolve()), path.stat().st_mtime_ns)
    out, more = [], list(problems)
    for i, record in enumerate(by_task.get(task.id, [])):
        try:
            out.append(_candidate(record, task, f"{path.name}:{record['_line']}"))
        except CandidateError as exc:
            more.append(str(exc))
    return out[:MAX_CANDIDATES_PER_TASK], more


@lru_cache(maxsize=8)
def _read_jsonl(path: str, _mtime: int) -> tuple[dict[str, list[dict]], tuple[str, ...]]:
    by_task: dict[str, list[dict]] = {}
    problems: list[str] = []
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CandidateError(f"{path}: cannot read candidates: {exc}") from None
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            problems.append(f"{path}:{lineno}: invalid JSON: {exc}")
            continue
        if not isinstance(record, dict) or not isinstance(record.get("task_id"), (str, int)):
            problems.append(f"{path}:{lineno}: a candidate line needs a task_id")
            continue
        record["_line"] = lineno
        by_task.setdefault(str(record["task_id"]), []).append(record)
    return by_task, tuple(problems)


def _solution_path(task: Task, given: object, where: str) -> str:
    if isinstance(given, str):
        if given not in task.solution_files:
            raise CandidateError(f"{where}: path {given!r} is not one of the task's solution files")
        return given
    if len(task.solution_files) != 1:
        raise CandidateError(f"{where}: the task has several solution files; say which one with \"path\"")
    return next(iter(task.solution_files))


def _candidate(record: dict, task: Task, where: str) -> Candidate:
    path = _solution_path(task, record.get("path"), where)
    if isinstance(record.get("solution"), str):
        source = record["solution"]
    elif isinstance(record.get("completion"), str):
        starter = task.starter_files.get(path, b"").decode("utf-8", errors="replace")
        source = starter + record["completion"]
    else:
        raise CandidateError(f"{where}: a candidate needs a string \"solution\" or \"completion\"")
    if len(source.encode()) > MAX_BYTES:
        raise CandidateError(f"{where}: candidate larger than {MAX_BYTES} bytes")
    label = record.get("correct")
    return Candidate(str(record.get("name") or where), path, source, label if isinstance(label, bool) else None)


def _from_folder(root: Path, task: Task) -> tuple[list[Candidate], list[str]]:
    folder = root / task.id.replace("/", "_")
    if not folder.is_dir():
        return [], []
    out: list[Candidate] = []
    problems: list[str] = []
    for file in sorted(folder.iterdir()):
        if not file.is_file() or file.is_symlink():
            continue
        try:
            path = _solution_path(task, None, str(file))
            out.append(Candidate(f"{folder.name}/{file.name}", path, file.read_text(encoding="utf-8")))
        except (CandidateError, OSError, UnicodeDecodeError) as exc:
            problems.append(f"{file}: {exc}")
    return out[:MAX_CANDIDATES_PER_TASK], problems
