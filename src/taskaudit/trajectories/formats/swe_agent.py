"""SWE-agent ``.traj`` (``trajectories/<run>/<instance>/<instance>.traj``, JSON).

``trajectory[]`` entries ``{response, thought, action, observation, state, execution_time,
query}``; ``info{submission (unified diff), exit_status, edited_files30, model_stats,
swe_agent_version}``; ``replay_config``. Documented at swe-agent.com/latest/usage/trajectories/.
Actions are shell or tool command lines (``str_replace_editor str_replace PATH --old_str A
--new_str B``, ``submit``): edits are read from them, and the final state from
``info.submission``. SWE-agent logs no exit codes.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

from taskaudit.trajectories.formats.common import Builder, call, editor_edit, read_json, result, shell_edits
from taskaudit.trajectories.model import AgentInfo, FileEdit, StepSource, Trajectory, TrajectoryFormatError

FORMAT = "swe-agent"


def detect(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("trajectory"), list) and "info" in data \
        and "trajectory_format" not in data


def editor_action(action: str, call_id: str) -> list[FileEdit]:
    """``str_replace_editor <command> <path> [--old_str X] [--new_str Y] [--file_text Z]``."""
    first = action.strip().split(None, 1)[0] if action.strip() else ""
    if first not in ("str_replace_editor", "str_replace_based_edit_tool"):
        return shell_edits(action, call_id)
    try:
        words = shlex.split(action)
    except ValueError:
        return []
    args: dict[str, Any] = {}
    if len(words) >= 3:
        args["command"], args["path"] = words[1], words[2]
    it = iter(words[3:])
    for w in it:
        if w.startswith("--"):
            args[w[2:]] = next(it, "")
    edit = editor_edit(args, call_id)
    return [edit] if edit else []


def load(path: Path, data: Any | None = None) -> Trajectory:
    data = read_json(path) if data is None else data
    if not detect(data):
        raise TrajectoryFormatError(str(path), "not a SWE-agent .traj (no trajectory[] and info)")
    info = data.get("info") or {}
    model = ""
    cfg = data.get("replay_config")
    if isinstance(cfg, str):
        try:
            cfg = json.loads(cfg)
        except json.JSONDecodeError:
            cfg = None
    if isinstance(cfg, dict):
        model = ((cfg.get("agent") or {}).get("model") or {}).get("name", "")
    traj = Trajectory(format=FORMAT, source=str(path), raw=list(data["trajectory"]),
                      agent=AgentInfo(name="swe-agent", version=str(info.get("swe_agent_version", "")), model=model),
                      final_patch=info.get("submission") or None, exit_status=info.get("exit_status"),
                      metadata={"model_stats": info.get("model_stats", {})})
    b = Builder(traj)
    for i, entry in enumerate(data["trajectory"]):
        if not isinstance(entry, dict):
            raise TrajectoryFormatError(str(path), f"trajectory[{i}] is not an object")
        action = str(entry.get("action", "")).strip()
        cid = f"swe-{i + 1}"
        tool = action.split(None, 1)[0] if action else ""
        editor = tool in ("str_replace_editor", "str_replace_based_edit_tool")
        # Editor actions are tool calls, not shell commands: their file text is not a command.
        calls = [call(cid, tool, {"action": action}, None if editor else action)] if action else []
        edits = editor_action(action, cid) if action else []
        results = [result(cid, entry.get("observation", ""))] if action else []
        b.add(StepSource.AGENT, i, message=str(entry.get("response") or ""),
              reasoning=entry.get("thought") or None, tool_calls=calls, results=results, edits=edits)
        if isinstance(entry.get("state"), dict) and entry["state"].get("working_dir"):
            traj.workdir = traj.workdir or entry["state"]["working_dir"]
    b.note("SWE-agent logs no exit codes: command success is read from the outputs only")
    return traj
