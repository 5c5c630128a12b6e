"""Input formats. Each module turns one format into :class:`taskaudit.model.Task` objects.

Nothing else reads task files. ``load_tasks(paths)`` is the one entry point the rest of
taskaudit uses: it detects each path's format and never raises for a bad task: a task that
cannot be loaded comes back as a :class:`taskaudit.model.LoadError` naming the file and the
problem, and the other tasks of the batch load normally.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from taskaudit.formats.harbor import load_harbor_task
from taskaudit.formats.humaneval_x import is_humaneval_x, load_humaneval_x
from taskaudit.formats.jsonl import is_jsonl, load_jsonl
from taskaudit.formats.multipl_e import first_record, is_json_rows_file, is_multipl_e, load_multipl_e
from taskaudit.formats.safe_files import TaskFormatError
from taskaudit.formats.swebench import is_swebench, load_swebench
from taskaudit.model import LoadError, Task

__all__ = ["TaskFormatError", "load_tasks"]

# Directories a batch search never enters, besides hidden ones (.git, .venv, tool caches):
# dependency trees hold `tests/` directories that are not tasks.
_NOT_TASKS = frozenset({"node_modules", "venv", "__pycache__"})


def load_tasks(paths: Iterable[Path | str]) -> list[Task | LoadError]:
    """Load every task the paths name, in order: a Harbor task directory, a directory of tasks
    (a batch, searched recursively and sorted), or a ``.jsonl`` / ``.jsonl.gz`` / ``.json`` file of
    rows: HumanEval/MBPP, MultiPL-E, HumanEval-X or SWE-bench instances, told apart by the first row's fields."""
    results: list[Task | LoadError] = []
    for raw in paths:
        results.extend(_load_path(Path(raw)))
    return results


def _load_path(path: Path) -> list[Task | LoadError]:
    name = Path(os.path.abspath(path)).name  # abspath: "." and "tasks/" still get a name
    if not os.path.lexists(path):
        return [LoadError(task_id=name, path=str(path), problem="no such file or directory")]
    if path.is_dir():
        if os.path.lexists(path / "task.toml"):
            return [_harbor(path, name)]
        return _batch(path)
    if path.name == "task.toml":
        return [_harbor(path.parent, Path(os.path.abspath(path.parent)).name)]
    if is_json_rows_file(path):
        try:
            return _rows(path, name)
        except TaskFormatError as e:
            return [LoadError(task_id=name, path=e.path, problem=e.problem)]
    return [
        LoadError(
            task_id=name,
            path=str(path),
            problem="unknown input: expected a Harbor task directory (with task.toml), "
            "a directory of tasks, or a .jsonl / .jsonl.gz / .json file",
        )
    ]


def _rows(path: Path, name: str) -> list[Task | LoadError]:
    """A file of rows: the first row that parses says which dataset it is."""
    record = first_record(path)
    if record is not None and is_multipl_e(record):
        return load_multipl_e(path)
    if record is not None and is_humaneval_x(record):
        return load_humaneval_x(path)
    if record is not None and is_swebench(record):
        return load_swebench(path)
    if is_jsonl(path):
        return load_jsonl(path)
    return [
        LoadError(
            task_id=name,
            path=str(path),
            problem="a .json file must be a JSON array of MultiPL-E or HumanEval-X rows "
            "(a first row with name, language and tests; or task_id like 'Go/0' and declaration)",
        )
    ]


def _harbor(task_dir: Path, task_id: str) -> Task | LoadError:
    try:
        return load_harbor_task(task_dir, task_id)
    except TaskFormatError as e:
        return LoadError(task_id=task_id, path=e.path, problem=e.problem)
    except OSError as e:  # a file system error the loader did not foresee still fails one task only
        return LoadError(
            task_id=task_id, path=e.filename or str(task_dir), problem=f"cannot read: {e.strerror}"
        )


def _batch(root: Path) -> list[Task | LoadError]:
    found: list[tuple[Path, bool]] = []  # (task directory, has task.toml)
    errors: list[LoadError] = []
    _find_tasks(root, found, errors, visited=set())
    if not found and not errors:
        return [
            LoadError(
                task_id=Path(os.path.abspath(root)).name,
                path=str(root),
                problem="no task.toml here and no task directories below (a task directory holds task.toml)",
            )
        ]
    found.sort(key=lambda item: item[0].relative_to(root).as_posix())
    # A task's id is its directory's name, unless two tasks of the batch share one.
    shared = {n for n, count in Counter(d.name for d, _ in found).items() if count > 1}
    results: list[Task | LoadError] = []
    for task_dir, has_toml in found:
        task_id = task_dir.relative_to(root).as_posix() if task_dir.name in shared else task_dir.name
        if has_toml:
            results.append(_harbor(task_dir, task_id))
        else:
            results.append(
                LoadError(
                    task_id=task_id,
                    path=str(task_dir / "task.toml"),
                    problem="missing task.toml: the directory has instruction.md or tests/ "
                    "like a Harbor task, but no task.toml",
                )
            )
    return results + errors


def _find_tasks(
    directory: Path, found: list[tuple[Path, bool]], errors: list[LoadError], visited: set[Path]
) -> None:
    """Collect task directories below ``directory``; a task directory is not searched further."""
    real = directory.resolve()
    if real in visited:  # a directory link back up the tree
        return
    visited.add(real)
    try:
        children = sorted(
            p
            for p in directory.iterdir()
            if p.is_dir() and not p.name.startswith(".") and p.name not in _NOT_TASKS
        )
    except OSError as e:
        errors.append(
            LoadError(task_id=directory.name, path=str(directory), problem=f"cannot list: {e.strerror}")
        )
        return
    for child in children:
        if os.path.lexists(child / "task.toml"):
            found.append((child, True))
        elif (child / "instruction.md").exists() or (child / "tests").is_dir():
            found.append((child, False))
        else:
            _find_tasks(child, found, errors, visited)
