"""SWE-bench instances (JSONL, one instance per line) as tasks that are audited statically.

A row has ``instance_id``, ``repo``, ``problem_statement``, ``patch`` (the gold patch),
``test_patch``, ``FAIL_TO_PASS`` and ``PASS_TO_PASS`` (JSON-encoded lists, or lists). Without
a checkout of the repository there is nothing to run, so the task is marked
``metadata["runnable"] = False`` and the execution checks say they were skipped. What the static
checks read:

* ``starter_files``: the gold patch's files as they were before it (its context and removed
  lines), each line at its real line number (the rest of the file is blank);
* ``solution_files``: the same files after the gold patch (context and added lines);
* ``test_files``: the test patch's files after it (context and added lines).

So "a name the test patch uses that the gold patch defines and the pre-patch hunks do not" is
visible from the row alone, with real file:line locations.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

from taskaudit.formats.jsonl import _read
from taskaudit.formats.safe_files import TaskFormatError
from taskaudit.model import LoadError, Task

REQUIRED = ("instance_id", "problem_statement", "patch", "test_patch")
_LANGUAGES = {".py": "python", ".js": "javascript", ".ts": "typescript", ".go": "go",
              ".rs": "rust", ".java": "java"}
_RUNNERS = {"python": "pytest", "javascript": "node", "typescript": "node", "go": "go",
            "rust": "cargo", "java": "junit"}


def is_swebench(record: dict[str, Any]) -> bool:
    return all(k in record for k in ("instance_id", "problem_statement", "patch", "test_patch"))


def load_swebench(path: Path) -> list[Task | LoadError]:
    """Every instance of a SWE-bench JSONL (or JSON array) file; a bad row fails alone."""
    text = _read(path)
    stripped = text.lstrip()
    rows: list[tuple[int, Any]] = []
    if stripped.startswith("["):
        try:
            rows = list(enumerate(json.loads(text), 1))
        except json.JSONDecodeError as e:
            raise TaskFormatError(path, f"invalid JSON: {e}") from None
    else:
        for lineno, line in enumerate(text.split("\n"), 1):
            if line.strip():
                try:
                    rows.append((lineno, json.loads(line)))
                except json.JSONDecodeError as e:
                    rows.append((lineno, TaskFormatError(f"{path}:{lineno}", f"invalid JSON: {e}")))
    results: list[Task | LoadError] = []
    for lineno, row in rows:
        where = f"{path}:{lineno}"
        try:
            if isinstance(row, TaskFormatError):
                raise row
            results.append(_task(row, path, where))
        except TaskFormatError as e:
            task_id = row.get("instance_id") if isinstance(row, dict) else None
            results.append(LoadError(task_id=str(task_id or where), path=e.path, problem=e.problem))
    return results


def _tests_list(row: dict[str, Any], key: str, where: str) -> list[str]:
    value = row.get(key, [])
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except json.JSONDecodeError:
            raise TaskFormatError(where, f"{key} must be a JSON list of test names") from None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TaskFormatError(where, f"{key} must be a list of test names")
    return value


def _task(row: Any, path: Path, where: str) -> Task:
    if not isinstance(row, dict):
        raise TaskFormatError(where, f"a row must be a JSON object, got {type(row).__name__}")
    missing = [k for k in REQUIRED if not isinstance(row.get(k), str)]
    if missing:
        raise TaskFormatError(where, f"missing or non-string field(s): {', '.join(missing)} "
                              f"(SWE-bench rows have: {', '.join(REQUIRED)}, FAIL_TO_PASS, PASS_TO_PASS)")
    before, after = images(row["patch"], where, "patch")
    sections = hunk_sections(row["patch"])
    _, tests = images(row["test_patch"], where, "test_patch")
    if not after:
        raise TaskFormatError(where, "the gold patch changes no file")
    if not tests:
        raise TaskFormatError(where, "the test patch changes no file")
    suffixes = [PurePosixPath(p).suffix for p in [*after, *tests]]
    language = next((_LANGUAGES[s] for s in suffixes if s in _LANGUAGES), "python")
    task_id = row["instance_id"]
    origin = {"statement": f"{where} (problem_statement)", "tests": f"{where} (test_patch)",
              "solution": f"{where} (patch)"}
    # Findings cite repository paths at their post-patch line numbers.
    origin.update({f"tests/{p}": p for p in tests})
    origin.update({f"solution/{p}": p for p in after})
    return Task(
        id=task_id,
        source=str(path),
        format="swebench",
        language=language,
        test_runner=_RUNNERS[language],
        statement=row["problem_statement"],
        starter_files=before,
        solution_files=after,
        test_files=tests,
        solution_paths=sorted(after),
        origin=origin,
        metadata={
            "runnable": False,
            "repo": row.get("repo"),
            "base_commit": row.get("base_commit"),
            "FAIL_TO_PASS": _tests_list(row, "FAIL_TO_PASS", where),
            "PASS_TO_PASS": _tests_list(row, "PASS_TO_PASS", where),
            # Each gold-patch hunk's first post-patch line and the function git names in its
            # header (``@@ -234,6 +234,7 @@ def from_file(``): the signature a hunk continues
            # when the ``def`` line itself lies outside it.
            "patch_sections": sections,
        },
    )


def images(diff: str, where: str, field: str) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """(before, after) text of each file a unified diff touches: only the lines the diff shows,
    each at its own line number, blank lines elsewhere."""
    from unidiff import PatchSet
    from unidiff.errors import UnidiffParseError

    try:
        patch = PatchSet(diff)
    except UnidiffParseError as e:
        raise TaskFormatError(where, f"{field} is not a unified diff: {e}") from None
    before: dict[str, bytes] = {}
    after: dict[str, bytes] = {}
    for patched in patch:
        if patched.is_binary_file:
            continue
        old: dict[int, str] = {}
        new: dict[int, str] = {}
        for hunk in patched:
            for line in hunk:
                text = line.value.rstrip("\n")
                if line.source_line_no is not None:
                    old[line.source_line_no] = text
                if line.target_line_no is not None:
                    new[line.target_line_no] = text
        path = patched.path
        if PurePosixPath(path).is_absolute() or ".." in PurePosixPath(path).parts:
            raise TaskFormatError(where, f"{field} touches a path outside the repository: {path!r}")
        if not patched.is_added_file:
            before[path] = _render(old)
        if not patched.is_removed_file:
            after[path] = _render(new)
    return before, after


def hunk_sections(diff: str) -> dict[str, list[list]]:
    """{path: [[first post-patch line, section header], ...]} of a diff's hunks (parsed already:
    called after ``images`` accepted the diff)."""
    from unidiff import PatchSet

    found: dict[str, list[list]] = {}
    for patched in PatchSet(diff):
        if not patched.is_binary_file:
            found[patched.path] = [[h.target_start, h.section_header] for h in patched]
    return found


def _render(lines: dict[int, str]) -> bytes:
    if not lines:
        return b""
    out = [""] * max(lines)
    for number, text in lines.items():
        out[number - 1] = text
    return ("\n".join(out) + "\n").encode()
