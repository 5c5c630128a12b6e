"""Rows of a JSONL / JSON-array dataset file, read once, and the loop every row-per-task format
shares (MultiPL-E, HumanEval-X): each row becomes a ``Task`` or a ``LoadError`` naming the row
and the problem; a duplicate id is a ``LoadError`` of the later row; one bad row never stops
the file. Nothing here runs code.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from taskaudit.formats.jsonl import MAX_FILE_BYTES
from taskaudit.formats.jsonl import _read as read_jsonl_text
from taskaudit.formats.safe_files import (
    DEFAULT_LIMITS,
    Limits,
    TaskFormatError,
    decode_text,
    open_regular,
    read_capped,
)
from taskaudit.model import LoadError, Task


def load_rows(
    path: Path,
    limits: Limits,
    row_id: Callable[[dict[str, Any], str], str],
    build: Callable[[dict[str, Any], str, str], Task],
    *,
    kind: str,
) -> list[Task | LoadError]:
    """Every row of ``path`` in file order: ``build(record, id, where)`` or a ``LoadError``.

    ``row_id(record, where)`` names the row (raising ``TaskFormatError`` when it cannot);
    ``kind`` names that id in the duplicate message ("task_id", "row").
    """
    results: list[Task | LoadError] = []
    seen: dict[str, str] = {}
    for where, record in read_rows(path, limits):
        task_id: str | None = None
        try:
            if isinstance(record, TaskFormatError):
                raise record
            task_id = row_id(record, where)
            if task_id in seen:
                dup, task_id = task_id, None
                raise TaskFormatError(where, f"duplicate {kind} {dup!r} (first at {seen[dup]})")
            seen[task_id] = where
            results.append(build(record, task_id, where))
        except TaskFormatError as e:
            results.append(LoadError(task_id=task_id or where, path=where, problem=e.problem))
    return results


def read_rows(path: Path, limits: Limits = DEFAULT_LIMITS) -> list[tuple[str, Any]]:
    """(where, parsed record or a TaskFormatError) per row of a JSONL or JSON-array file.

    ``where`` is ``<file>:<line>`` for JSONL and ``<file>[<index>]`` for a JSON array. Raises
    :class:`TaskFormatError` only when the file as a whole cannot be read.
    """
    if path.name.endswith(".json"):
        fd = open_regular(Path(os.path.realpath(path)), path)
        text = decode_text(read_capped(fd, MAX_FILE_BYTES, path), path)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise TaskFormatError(path, f"invalid JSON: {e}") from None
        except RecursionError:
            raise TaskFormatError(path, "invalid JSON: nested too deeply") from None
        if not isinstance(data, list):
            raise TaskFormatError(path, f"a .json file of rows must hold a JSON array, got {type(data).__name__}")
        rows: list[tuple[str, Any]] = []
        for i, item in enumerate(data):
            where = f"{path}[{i}]"
            if not isinstance(item, dict):
                rows.append((where, TaskFormatError(where, f"a row must be a JSON object, got {type(item).__name__}")))
            else:
                rows.append((where, item))
        return rows
    text = read_jsonl_text(path)
    rows = []
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        if len(line.encode()) > limits.max_task_bytes:
            rows.append((where, TaskFormatError(where, f"line is over the {limits.max_task_bytes} bytes limit per task")))
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            rows.append((where, TaskFormatError(where, f"invalid JSON: {e}")))
            continue
        except RecursionError:
            rows.append((where, TaskFormatError(where, "invalid JSON: nested too deeply")))
            continue
        if not isinstance(record, dict):
            rows.append((where, TaskFormatError(where, f"a line must be a JSON object, got {type(record).__name__}")))
            continue
        rows.append((where, record))
    return rows




def text_field(record: dict[str, Any], name: str, where: str, kind: str, fields: tuple[str, ...]) -> str:
    if name not in record:
        raise TaskFormatError(where, f"missing field {name!r} ({kind} rows have: {', '.join(fields)})")
    value = record[name]
    if not isinstance(value, str):
        raise TaskFormatError(where, f"field {name!r} must be a string, got {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise TaskFormatError(where, f"field {name!r} contains a lone surrogate (\\ud800-\\udfff)") from None
    return value
