"""OpenHands event logs (V0): a JSON list of events, or an evaluation record
``{instance_id, history: [events], test_result: {git_patch}, metadata}`` (benchmarks output.jsonl).

Event: ``{id, timestamp, source: agent|user|environment, message, action|observation,
args|extras, cause, tool_call_metadata{function_name, tool_call_id}}``. ``action: run`` has
``args.command``; its ``observation: run`` has ``content`` and ``extras.metadata.exit_code``
(older releases: ``extras.exit_code``);
``action: edit`` / ``write`` carry str_replace_editor-style args; ``action: finish`` ends the run.
Source: All-Hands-AI/OpenHands ``frontend/src/types/core/base.ts`` and
``openhands/events/serialization``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from taskaudit.trajectories.formats.common import Builder, call, editor_edit, read_json, result, shell_edits
from taskaudit.trajectories.model import (
    AgentInfo,
    EditKind,
    FileEdit,
    Step,
    StepSource,
    Trajectory,
    TrajectoryFormatError,
)

FORMAT = "openhands"


def _events(data: Any) -> list[Any] | None:
    if isinstance(data, dict) and isinstance(data.get("history"), list):
        return data["history"]
    if isinstance(data, list):
        return data
    return None


def detect(data: Any) -> bool:
    events = _events(data)
    return bool(events) and all(isinstance(e, dict) for e in events[:10]) and any(
        # V0 names its actions and observations with strings; V1 (agent SDK) events hold objects
        (isinstance(e.get("action"), str) or isinstance(e.get("observation"), str)) and "source" in e
        for e in events[:10]
    )


def load(path: Path, data: Any | None = None) -> Trajectory:
    data = read_json(path) if data is None else data
    events = _events(data)
    if not detect(data) or events is None:
        raise TrajectoryFormatError(str(path), "not an OpenHands event log (events with action/observation)")
    traj = Trajectory(format=FORMAT, source=str(path), raw=events, agent=AgentInfo(name="openhands"))
    if isinstance(data, dict):
        meta = data.get("metadata") or {}
        traj.agent.name = meta.get("agent_class", "openhands")
        traj.agent.model = (meta.get("llm_config") or {}).get("model", "")
        traj.final_patch = (data.get("test_result") or {}).get("git_patch") or None
        traj.session_id = str(data.get("instance_id", "")) or None
    b = Builder(traj)
    by_event: dict[Any, Step] = {}
    for i, ev in enumerate(events):
        src = StepSource.USER if ev.get("source") == "user" else StepSource.AGENT
        ts = ev.get("timestamp")
        if "action" in ev:
            action, args = ev["action"], ev.get("args") or {}
            meta = ev.get("tool_call_metadata") or {}
            cid = str(meta.get("tool_call_id") or ev.get("id", i))
            name = meta.get("function_name") or action
            calls, edits, message = [], [], ev.get("message", "")
            if action == "run":
                calls = [call(cid, name, args, args.get("command"))]
                edits = shell_edits(args.get("command", ""), cid)
            elif action in ("edit", "write"):
                calls = [call(cid, name, args)]
                if action == "write":
                    edits = [FileEdit(path=args.get("path", ""), kind=EditKind.WRITE, new=args.get("content", ""),
                                      call_id=cid)]
                else:
                    e = editor_edit(args, cid)
                    edits = [e] if e else []
            elif action in ("read", "browse", "run_ipython"):
                calls = [call(cid, name, args, args.get("code") if action == "run_ipython" else None)]
            elif action in ("message", "finish"):
                message = args.get("content") or args.get("final_thought") or args.get("message") or message
                if action == "finish":
                    traj.exit_status = traj.exit_status or "finished"
            elif action == "system":
                src = StepSource.SYSTEM
                message = args.get("content", message)
            step = b.add(src, i, timestamp=ts, message=message or "", reasoning=args.get("thought") or None,
                         tool_calls=calls, edits=edits)
            by_event[ev.get("id")] = step
            if meta.get("tool_call_id"):
                by_event[meta["tool_call_id"]] = step
        elif "observation" in ev:
            extras = ev.get("extras") or {}
            code = (extras.get("metadata") or {}).get("exit_code", extras.get("exit_code"))
            owner = by_event.get(ev.get("cause"))
            cid = owner.tool_calls[0].call_id if owner and owner.tool_calls else None
            r = result(cid, ev.get("content", ""), exit_code=code if isinstance(code, int) and code >= 0 else None,
                       is_error=ev["observation"] == "error" or None)
            if owner is not None and owner.tool_calls:
                owner.results.append(r)
                owner.raw_index.append(i)
            elif ev["observation"] not in ("agent_state_changed", "null"):
                b.add(StepSource.TOOL, i, timestamp=ts, results=[r])
    if not traj.final_patch:
        b.note("no test_result.git_patch: the final state is rebuilt by replaying the edits")
    return traj
