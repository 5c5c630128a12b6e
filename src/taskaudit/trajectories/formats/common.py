"""Helpers every trajectory format shares: reading files, building steps, reading edits out of
shell commands and patches."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

from taskaudit.trajectories.model import (
    EditKind,
    FileEdit,
    Step,
    StepSource,
    ToolCall,
    ToolResult,
    Trajectory,
    TrajectoryFormatError,
)

MAX_BYTES = 256 << 20


def read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise TrajectoryFormatError(str(path), f"larger than {MAX_BYTES >> 20} MiB")
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise TrajectoryFormatError(str(path), f"not UTF-8 text ({e.reason} at byte {e.start})") from e
    except OSError as e:
        raise TrajectoryFormatError(str(path), f"cannot read: {e.strerror}") from e


def read_json(path: Path) -> Any:
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as e:
        raise TrajectoryFormatError(str(path), f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from e


def read_jsonl(path: Path) -> list[Any]:
    records = []
    for n, line in enumerate(read_text(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as e:
            raise TrajectoryFormatError(str(path), f"line {n}: invalid JSON ({e.msg})") from e
    return records


class Builder:
    """Appends steps with sequential ids (ATIF's rule) to a trajectory."""

    def __init__(self, traj: Trajectory):
        self.traj = traj

    def add(self, source: StepSource, raw_index: int | list[int] | None = None, **fields: Any) -> Step:
        idx = [] if raw_index is None else ([raw_index] if isinstance(raw_index, int) else list(raw_index))
        step = Step(id=len(self.traj.steps) + 1, source=source, raw_index=idx, **fields)
        self.traj.steps.append(step)
        return step

    def note(self, text: str) -> None:
        if text not in self.traj.conversion_notes:
            self.traj.conversion_notes.append(text)


def text_of(content: Any) -> str:
    """Text of a message content: a string, or a list of parts (OpenAI / Anthropic / ATIF)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        out = []
        for part in content:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, dict):
                if part.get("type") in ("text", "input_text", "output_text") or "text" in part:
                    out.append(str(part.get("text", "")))
                elif part.get("type") == "tool_result":
                    out.append(text_of(part.get("content")))
        return "\n".join(o for o in out if o)
    if isinstance(content, dict):
        return str(content.get("text", "")) or json.dumps(content)
    return str(content)


def command_string(value: Any) -> str | None:
    """A shell command from a tool argument: a string, or an argv list (``["bash", "-lc", "..."]``)."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        if len(value) >= 3 and value[0].split("/")[-1] in ("bash", "sh", "zsh") and value[1] in ("-c", "-lc"):
            return value[2]
        return shlex.join(value)
    return None


_HEREDOC = re.compile(r"<<-?\s*['\"]?(\w+)['\"]?")
_SEPARATORS = {";", "&&", "||", "|", "&", "\n", "(", ")"}
_REDIRECTS = {">", ">>", "&>", ">|"}


def strip_heredocs(command: str) -> str:
    """The command without heredoc bodies (their text is data, not shell)."""
    out, lines, i = [], command.splitlines(), 0
    while i < len(lines):
        out.append(lines[i])
        m = _HEREDOC.search(lines[i])
        i += 1
        if m:
            while i < len(lines) and lines[i].strip() != m.group(1):
                i += 1
            i += 1
    return "\n".join(out)


def simple_commands(command: str) -> list[list[str]]:
    """The simple commands of a shell line, as word lists (quotes respected; redirections kept
    as their own words). Unbalanced quotes fall back to whitespace splitting."""
    text = strip_heredocs(command)
    try:
        lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|()<>")
        lexer.whitespace = " \t\r"
        lexer.whitespace_split = True
        words = list(lexer)
    except ValueError:
        words = text.replace(";", " ; ").split()
    cmds: list[list[str]] = [[]]
    for w in words:
        if w in _SEPARATORS or w.strip() == "":
            cmds.append([])
        else:
            cmds[-1].append(w)
    return [c for c in cmds if c]


def shell_edits(command: str, call_id: str | None) -> list[FileEdit]:
    """Files a shell command writes or deletes, as far as its text shows (content unknown):
    redirections, ``sed -i``, ``tee``, ``rm``."""
    edits: list[FileEdit] = []
    seen: set[str] = set()

    def add(path: str, kind: EditKind) -> None:
        if not path or path.startswith(("/dev/", "&", "$", "-")) or path in seen:
            return
        seen.add(path)
        edits.append(FileEdit(path=path, kind=kind, call_id=call_id, command=command))

    for words in simple_commands(command):
        for i, w in enumerate(words[:-1]):
            if w in _REDIRECTS:
                add(words[i + 1], EditKind.SHELL)
        args = [w for i, w in enumerate(words) if w not in _REDIRECTS and (i == 0 or words[i - 1] not in _REDIRECTS)
                and w != "<"]
        if not args:
            continue
        prog = args[0].split("/")[-1]
        if prog == "sed" and any(a == "--in-place" or (a.startswith("-") and not a.startswith("--") and "i" in a)
                                 for a in args[1:]):
            rest = args[1:]
            has_e = any(a in ("-e", "--expression") for a in rest)
            positional = [a for i, a in enumerate(rest)
                          if not a.startswith("-") and (i == 0 or rest[i - 1] not in ("-e", "--expression"))]
            for path in positional[(0 if has_e else 1):]:
                add(path, EditKind.SHELL)
        elif prog == "tee":
            for path in args[1:]:
                if not path.startswith("-"):
                    add(path, EditKind.SHELL)
        elif prog == "rm":
            for path in args[1:]:
                if not path.startswith("-"):
                    add(path, EditKind.DELETE)
    return edits


def parse_apply_patch(text: str, call_id: str | None) -> list[FileEdit]:
    """Edits of a Codex ``apply_patch`` envelope (``*** Begin Patch`` ... ``*** End Patch``).

    Grammar from openai/codex ``codex-rs/apply-patch/apply_patch_tool_instructions.md``:
    ``*** Add File: p`` (lines prefixed ``+``), ``*** Delete File: p``, ``*** Update File: p``
    (optional ``*** Move to: q``) followed by ``@@`` hunks of `` ``/``-``/``+`` lines.
    """
    edits: list[FileEdit] = []
    current: FileEdit | None = None
    lines: list[str] = []

    def close() -> None:
        nonlocal current, lines
        if current is not None:
            if current.kind == EditKind.WRITE:
                current.new = "".join(line[1:] + "\n" for line in lines if line.startswith("+"))
            elif current.kind == EditKind.PATCH:
                current.diff = "\n".join(lines) + "\n"
            edits.append(current)
        current, lines = None, []

    for line in text.splitlines():
        if line.startswith("*** Begin Patch") or line.startswith("*** End of File"):
            continue
        if line.startswith("*** End Patch"):
            break
        m = re.match(r"\*\*\* (Add|Delete|Update) File: (.+)$", line)
        if m:
            close()
            kind = {"Add": EditKind.WRITE, "Delete": EditKind.DELETE, "Update": EditKind.PATCH}[m.group(1)]
            current = FileEdit(path=m.group(2).strip(), kind=kind, call_id=call_id)
            continue
        if line.startswith("*** Move to:"):
            continue
        if current is not None:
            lines.append(line)
    close()
    return edits


def apply_codex_hunks(before: str, diff: str) -> str:
    """Apply the ``@@`` hunks of an apply_patch ``Update File`` to ``before``.

    Each hunk's context and removed lines are found in order (exactly, then ignoring trailing
    space, as Codex does) and replaced by its context and added lines. Raises ValueError when a
    hunk does not match.
    """
    src = before.splitlines()
    pos = 0
    for hunk in _hunks(diff):
        old = [line[1:] for line in hunk if line[:1] in (" ", "-")]
        new = [line[1:] for line in hunk if line[:1] in (" ", "+")]
        at = _find(src, old, pos)
        if at < 0:
            raise ValueError("a hunk does not match the file: " + " | ".join(old[:3]))
        src[at : at + len(old)] = new
        pos = at + len(new)
    out = "\n".join(src)
    return out + "\n" if (before.endswith("\n") or not before) and src else out


def _hunks(diff: str) -> list[list[str]]:
    hunks: list[list[str]] = [[]]
    for line in diff.splitlines():
        if line.startswith("@@"):
            if hunks[-1]:
                hunks.append([])
            continue
        if line[:1] in (" ", "-", "+"):
            hunks[-1].append(line)
        elif line == "":
            hunks[-1].append(" ")
    return [h for h in hunks if h]


def _find(src: list[str], old: list[str], start: int) -> int:
    if not old:
        return len(src)
    for norm in (lambda s: s, lambda s: s.rstrip()):
        target = [norm(x) for x in old]
        for i in range(start, len(src) - len(old) + 1):
            if [norm(x) for x in src[i : i + len(old)]] == target:
                return i
        start = 0  # second pass: anywhere
    return -1


def call(call_id: str, name: str, arguments: dict[str, Any] | None = None, command: Any = None) -> ToolCall:
    return ToolCall(call_id=str(call_id), name=name, arguments=arguments or {}, command=command_string(command))


def result(call_id: str | None, content: Any, exit_code: int | None = None, is_error: bool | None = None) -> ToolResult:
    return ToolResult(call_id=call_id, content=text_of(content), exit_code=exit_code, is_error=is_error)


_EXIT_PATTERNS = (
    re.compile(r"<returncode>\s*(-?\d+)\s*</returncode>"),
    re.compile(r"[Ee]xit code:?\s*(-?\d+)"),
    re.compile(r"Process exited with code (-?\d+)"),
)


def exit_code_in(text: str) -> int | None:
    """An exit code a harness printed into an observation (mini-swe-agent, Codex, OpenHands)."""
    for pattern in _EXIT_PATTERNS:
        m = pattern.search(text or "")
        if m:
            return int(m.group(1))
    return None


# Edits made by editor tools that many harnesses share (SWE-agent / OpenHands / Anthropic's
# str_replace_based_edit_tool): command = create | str_replace | insert | view | undo_edit.
def editor_edit(args: dict[str, Any], call_id: str | None) -> FileEdit | None:
    cmd, path = args.get("command"), args.get("path")
    if not path or not isinstance(path, str):
        return None
    if cmd == "create":
        return FileEdit(path=path, kind=EditKind.WRITE, new=args.get("file_text", ""), call_id=call_id)
    if cmd == "str_replace":
        return FileEdit(path=path, kind=EditKind.REPLACE, old=args.get("old_str", ""),
                        new=args.get("new_str", "") or "", call_id=call_id)
    if cmd == "insert":
        return FileEdit(path=path, kind=EditKind.SHELL, new=args.get("new_str", ""), call_id=call_id)
    return None
