"""Codex CLI rollout JSONL (``~/.codex/sessions/YYYY/MM/DD/rollout-<ts>-<uuid>.jsonl``).

Each line is ``{timestamp, type, payload}`` with ``type`` session_meta | turn_context |
response_item | event_msg | compacted. ``response_item`` payloads: message{role, content[]},
reasoning{summary[]}, function_call{name, arguments (JSON string), call_id},
function_call_output{call_id, output}, custom_tool_call{name: apply_patch, input, call_id},
custom_tool_call_output. ``event_msg`` ``exec_command_end{call_id, exit_code, ...}`` carries the
exit code. Shapes from kvsankar/agent-history ``docs/specs/agents/formats/codex-cli-format.md``,
jnarowski/agentcmd ``.agent/research/codex/format-comparison.md`` and Harbor's codex converter.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from taskaudit.trajectories.formats.common import Builder, exit_code_in, read_jsonl, result, text_of
from taskaudit.trajectories.formats.tools import tool_call
from taskaudit.trajectories.model import AgentInfo, Step, StepSource, Trajectory, TrajectoryFormatError

FORMAT = "codex"


def detect(records: list[Any]) -> bool:
    return bool(records) and isinstance(records[0], dict) and records[0].get("type") == "session_meta" \
        and "payload" in records[0]


def load(path: Path, records: list[Any] | None = None) -> Trajectory:
    records = read_jsonl(path) if records is None else records
    if not detect(records):
        raise TrajectoryFormatError(str(path), "not a Codex rollout (first line is not a session_meta record)")
    traj = Trajectory(format=FORMAT, source=str(path), raw=records, agent=AgentInfo(name="codex"))
    b = Builder(traj)
    by_call: dict[str, Step] = {}
    pending_exit: dict[str, int] = {}
    for i, rec in enumerate(records):
        kind, p, ts = rec.get("type"), rec.get("payload") or {}, rec.get("timestamp")
        if kind == "session_meta":
            traj.session_id = p.get("id")
            traj.agent.version = str(p.get("cli_version", ""))
            traj.workdir = p.get("cwd")
            continue
        if kind == "turn_context":
            traj.agent.model = traj.agent.model or p.get("model", "")
            continue
        if kind == "compacted":
            b.note(f"line {i + 1}: history compacted here; earlier context may be summarised")
            continue
        if kind == "event_msg":
            if p.get("type") == "exec_command_end" and isinstance(p.get("exit_code"), int):
                cid = str(p.get("call_id"))
                step = by_call.get(cid)
                r = step.result_for(cid) if step else None
                if r is not None:
                    r.exit_code = p["exit_code"]
                else:
                    pending_exit[cid] = p["exit_code"]
            continue  # other events repeat response items (agent_message, user_message ...)
        if kind != "response_item":
            b.note(f"line {i + 1}: unknown record type {kind!r} kept raw only")
            continue
        t = p.get("type")
        if t == "message":
            role = p.get("role")
            text = text_of(p.get("content"))
            if role == "assistant":
                b.add(StepSource.AGENT, i, timestamp=ts, message=text)
            elif role in ("user", "developer", "system"):
                src = StepSource.USER if role == "user" else StepSource.SYSTEM
                b.add(src, i, timestamp=ts, message=text)
        elif t == "reasoning":
            summary = "\n".join(text_of([s]) for s in p.get("summary") or [])
            b.add(StepSource.AGENT, i, timestamp=ts, reasoning=summary or None)
        elif t in ("function_call", "custom_tool_call", "local_shell_call"):
            cid = str(p.get("call_id", p.get("id", i)))
            name = p.get("name", "shell" if t == "local_shell_call" else "")
            args: Any = p.get("arguments") if t == "function_call" else {"input": p.get("input", "")}
            if t == "local_shell_call":
                args = {"command": (p.get("action") or {}).get("command")}
            c, edits = tool_call(cid, name, args)
            step = b.add(StepSource.AGENT, i, timestamp=ts, tool_calls=[c], edits=edits)
            by_call[cid] = step
        elif t in ("function_call_output", "custom_tool_call_output", "local_shell_call_output"):
            cid = str(p.get("call_id"))
            body, code = _output(p.get("output"))
            code = pending_exit.pop(cid, code)
            r = result(cid, body, exit_code=code)
            owner = by_call.get(cid)
            if owner is not None:
                owner.results.append(r)
                owner.raw_index.append(i)
            else:
                b.add(StepSource.TOOL, i, timestamp=ts, results=[r])
        elif t == "ghost_snapshot":
            traj.metadata.setdefault("ghost_commits", []).append(p.get("ghost_commit"))
        else:
            b.note(f"line {i + 1}: response item {t!r} kept raw only")
    b.note("Codex logs no final patch: the final state is rebuilt by replaying apply_patch edits")
    return traj


def _output(output: Any) -> tuple[str, int | None]:
    """A call's output: plain text, or a JSON string ``{output, metadata{exit_code}}``."""
    if isinstance(output, str):
        try:
            parsed = json.loads(output)
        except json.JSONDecodeError:
            return output, exit_code_in(output)
        if isinstance(parsed, dict) and "output" in parsed:
            code = (parsed.get("metadata") or {}).get("exit_code")
            return text_of(parsed["output"]), code if isinstance(code, int) else None
        return output, None
    if isinstance(output, dict):
        code = (output.get("metadata") or {}).get("exit_code")
        return text_of(output.get("output", output.get("content"))), code if isinstance(code, int) else None
    return text_of(output), None
