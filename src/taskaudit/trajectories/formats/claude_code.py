"""Claude Code session JSONL (``~/.claude/projects/<cwd-slug>/<session-uuid>.jsonl``).

One record per line; ``type`` is user | assistant | system | summary | file-history-snapshot |
queue-operation. Assistant ``message.content[]`` blocks are text, thinking or
``tool_use{id, name, input}``; the next user record carries ``tool_result{tool_use_id, content,
is_error}`` and a record-level ``toolUseResult``. Bash failures come back with ``is_error: true``
and the text ``Exit code N``. Shapes from kvsankar/agent-history
``docs/specs/agents/formats/claude-code-format.md`` and Harbor's claude_code converter.
Each tool result is attached to the step of the call it answers (as ATIF does).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from taskaudit.trajectories.formats.common import Builder, exit_code_in, read_jsonl, result, text_of
from taskaudit.trajectories.formats.tools import tool_call
from taskaudit.trajectories.model import AgentInfo, Step, StepSource, Trajectory, TrajectoryFormatError

FORMAT = "claude-code"
_KNOWN = {"user", "assistant", "system", "summary", "file-history-snapshot", "queue-operation", "progress"}


def detect(records: list[Any]) -> bool:
    return bool(records) and all(isinstance(r, dict) for r in records[:20]) and any(
        r.get("type") in ("user", "assistant") and "sessionId" in r and isinstance(r.get("message"), dict)
        for r in records[:20]
    )


def load(path: Path, records: list[Any] | None = None) -> Trajectory:
    records = read_jsonl(path) if records is None else records
    if not detect(records):
        raise TrajectoryFormatError(str(path), "not a Claude Code session (no user/assistant records with sessionId)")
    traj = Trajectory(format=FORMAT, source=str(path), raw=records, agent=AgentInfo(name="claude-code"))
    b = Builder(traj)
    by_call: dict[str, Step] = {}
    for i, rec in enumerate(records):
        kind = rec.get("type")
        traj.session_id = traj.session_id or rec.get("sessionId")
        traj.workdir = traj.workdir or rec.get("cwd")
        if rec.get("version"):
            traj.agent.version = str(rec["version"])
        if kind not in _KNOWN:
            b.note(f"record {i + 1}: unknown type {kind!r} kept raw only")
            continue
        if rec.get("isSidechain"):
            b.note(f"record {i + 1}: sidechain (subagent) record not graded")
            continue
        if kind == "system" and rec.get("subtype") == "compact_boundary":
            b.note(f"record {i + 1}: the session was compacted here; earlier context may be summarised")
        if kind in ("file-history-snapshot", "queue-operation", "progress", "summary"):
            continue
        msg = rec.get("message") or {}
        ts = rec.get("timestamp")
        if kind == "system":
            b.add(StepSource.SYSTEM, i, timestamp=ts, message=text_of(rec.get("content") or msg.get("content")))
            continue
        content = msg.get("content")
        blocks = content if isinstance(content, list) else [{"type": "text", "text": content or ""}]
        if kind == "assistant":
            traj.agent.model = traj.agent.model or msg.get("model", "")
            texts, thinking, calls, edits = [], [], [], []
            for blk in blocks:
                t = blk.get("type")
                if t == "text":
                    texts.append(blk.get("text", ""))
                elif t == "thinking":
                    thinking.append(blk.get("thinking", ""))
                elif t == "tool_use":
                    c, e = tool_call(blk.get("id", ""), blk.get("name", ""), blk.get("input") or {})
                    calls.append(c)
                    edits += e
            step = b.add(StepSource.AGENT, i, timestamp=ts, message="\n".join(texts),
                         reasoning="\n".join(thinking) or None, tool_calls=calls, edits=edits,
                         model_name=msg.get("model"))
            for c in calls:
                by_call[c.call_id] = step
            continue
        # user record: a prompt, or tool results answering earlier calls
        texts = []
        for blk in blocks:
            if blk.get("type") == "tool_result":
                body = text_of(blk.get("content"))
                extra = rec.get("toolUseResult") if isinstance(rec.get("toolUseResult"), dict) else {}
                code = extra.get("exitCode", extra.get("exit_code"))
                is_error = bool(blk.get("is_error"))
                if not isinstance(code, int):
                    code = exit_code_in(body) if is_error else (0 if extra.get("stdout") is not None else None)
                r = result(blk.get("tool_use_id"), body, exit_code=code, is_error=is_error)
                owner = by_call.get(str(blk.get("tool_use_id")))
                if owner is not None:
                    owner.results.append(r)
                    owner.raw_index.append(i)
                else:
                    b.add(StepSource.TOOL, i, timestamp=ts, results=[r])
            elif blk.get("type") == "text":
                texts.append(blk.get("text", ""))
        if texts:
            b.add(StepSource.USER, i, timestamp=ts, message="\n".join(texts))
    b.note("Claude Code logs no final patch: the final state is rebuilt by replaying the edits")
    return traj
