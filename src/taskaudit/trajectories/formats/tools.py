"""Tool calls of the common agent tools -> (ToolCall with its shell command, file edits).

Harnesses share a few tool shapes; reading them in one place keeps every format module short:
- shell: ``Bash{command}`` (Claude Code), ``exec_command{cmd}`` / ``shell{command: argv}``
  (Codex), ``execute_bash{command}`` (OpenHands), ``bash{cmd}`` (Inspect), ``bash_command{keystrokes}``
  (terminus-2 in ATIF);
- edits: ``Edit{file_path, old_string, new_string, replace_all}``, ``Write{file_path, content}``,
  ``MultiEdit{file_path, edits[]}`` (Claude Code), ``apply_patch`` (Codex envelope),
  ``str_replace_editor`` / ``str_replace_based_edit_tool`` / ``text_editor`` (SWE-agent,
  OpenHands, Anthropic, Inspect: ``command`` create | str_replace | insert).
"""

from __future__ import annotations

import json
from typing import Any

from taskaudit.trajectories.formats.common import (
    call,
    command_string,
    editor_edit,
    parse_apply_patch,
    shell_edits,
)
from taskaudit.trajectories.model import EditKind, FileEdit, ToolCall

SHELL_TOOLS = {"bash", "shell", "exec_command", "execute_bash", "run", "bash_command", "terminal",
               "local_shell", "run_command", "shell_command", "cmd", "python_exec"}
EDITOR_TOOLS = {"str_replace_editor", "str_replace_based_edit_tool", "text_editor", "edit_file", "editor"}
# Tools whose argument names a file that is read, not written.
READ_TOOLS = {"read", "view", "read_file", "cat", "open"}


def tool_call(call_id: str, name: str, arguments: Any) -> tuple[ToolCall, list[FileEdit]]:
    if isinstance(arguments, str):  # OpenAI-style JSON string arguments
        try:
            parsed = json.loads(arguments)
            arguments = parsed if isinstance(parsed, dict) else {"input": arguments}
        except json.JSONDecodeError:
            arguments = {"input": arguments}
    args: dict[str, Any] = arguments if isinstance(arguments, dict) else {"input": arguments}
    low = name.lower()
    cid = str(call_id)
    if low in SHELL_TOOLS:
        raw = args.get("command", args.get("cmd", args.get("keystrokes", args.get("input"))))
        if isinstance(raw, list) and len(raw) == 2 and raw[0] == "apply_patch":  # Codex: ["apply_patch", patch]
            return call(cid, name, args, raw[0]), parse_apply_patch(str(raw[1]), cid)
        command = command_string(raw)
        if command and "apply_patch" in command and "*** Begin Patch" in command:
            return call(cid, name, args, command), parse_apply_patch(command, cid)
        return call(cid, name, args, command), shell_edits(command, cid) if command else []
    if low == "apply_patch":
        text = args.get("input", args.get("patch", ""))
        return call(cid, name, args), parse_apply_patch(str(text), cid)
    if low == "write":
        path = args.get("file_path", args.get("path", ""))
        edit = FileEdit(path=path, kind=EditKind.WRITE, new=args.get("content", ""), call_id=cid)
        return call(cid, name, args), [edit]
    if low == "edit":
        path = args.get("file_path", args.get("path", ""))
        edit = FileEdit(path=path, kind=EditKind.REPLACE, old=args.get("old_string", ""),
                        new=args.get("new_string", ""), replace_all=bool(args.get("replace_all")), call_id=cid)
        return call(cid, name, args), [edit]
    if low == "multiedit":
        path = args.get("file_path", "")
        return call(cid, name, args), [
            FileEdit(path=path, kind=EditKind.REPLACE, old=e.get("old_string", ""), new=e.get("new_string", ""),
                     replace_all=bool(e.get("replace_all")), call_id=cid)
            for e in args.get("edits") or [] if isinstance(e, dict)
        ]
    if low in EDITOR_TOOLS:
        edit = editor_edit(args, cid)
        return call(cid, name, args), [edit] if edit else []
    return call(cid, name, args), []


def read_path(tool: ToolCall) -> str | None:
    """The file a read-only tool call opened (Read, view), if it is one."""
    low = tool.name.lower()
    if low in READ_TOOLS:
        return tool.arguments.get("file_path") or tool.arguments.get("path")
    if low in EDITOR_TOOLS and tool.arguments.get("command") == "view":
        return tool.arguments.get("path")
    return None
