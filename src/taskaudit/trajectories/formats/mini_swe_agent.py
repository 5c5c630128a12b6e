"""mini-swe-agent ``*.traj.json`` (``trajectory_format: "mini-swe-agent-1"`` / ``-1.1``).

``messages[]`` (role system | user | assistant | tool | exit, ``extra``) and ``info{exit_status,
submission, model_stats, mini_version, config}``. v1 agents write one fenced ```bash block per
assistant message and get back ``<returncode>N</returncode><output>...</output>``; tool-calling
agents use chat-completion ``tool_calls`` and ``tool`` messages (``extra.actions`` keeps the
parsed commands). Source: mini-swe-agent ``minisweagent/agents/default.py``,
``config/default.yaml`` (observation template) and ``run/utils/save.py``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from taskaudit.trajectories.formats.common import (
    Builder,
    call,
    exit_code_in,
    read_json,
    result,
    shell_edits,
    text_of,
)
from taskaudit.trajectories.formats.tools import tool_call
from taskaudit.trajectories.model import AgentInfo, Step, StepSource, Trajectory, TrajectoryFormatError

FORMAT = "mini-swe-agent"
_BASH_BLOCK = re.compile(r"```(?:bash|sh)?\s*\n(.*?)\n```", re.DOTALL)


def detect(data: Any) -> bool:
    return isinstance(data, dict) and str(data.get("trajectory_format", "")).startswith("mini-swe-agent")


def load(path: Path, data: Any | None = None) -> Trajectory:
    data = read_json(path) if data is None else data
    if not detect(data) or not isinstance(data.get("messages"), list):
        raise TrajectoryFormatError(str(path), "not a mini-swe-agent trajectory (trajectory_format, messages[])")
    info = data.get("info") or {}
    model = ((info.get("config") or {}).get("model") or {}).get("model_name", "")
    submission = info.get("submission") or None
    traj = Trajectory(format=FORMAT, source=str(path), raw=list(data["messages"]),
                      agent=AgentInfo(name="mini-swe-agent", version=str(info.get("mini_version", "")), model=model),
                      exit_status=info.get("exit_status"),
                      final_patch=submission if submission and submission.lstrip().startswith("diff") else None,
                      metadata={"model_stats": info.get("model_stats", {}), "submission": submission})
    b = Builder(traj)
    last_action: Step | None = None
    for i, m in enumerate(data["messages"]):
        role, text = m.get("role"), text_of(m.get("content"))
        if role == "system":
            b.add(StepSource.SYSTEM, i, message=text)
        elif role == "assistant":
            calls, edits = [], []
            for n, tc in enumerate(m.get("tool_calls") or []):
                fn = tc.get("function") or {}
                c, e = tool_call(tc.get("id", f"mini-{i}-{n}"), fn.get("name", "bash"), fn.get("arguments") or {})
                calls.append(c)
                edits += e
            if not calls:
                blocks = _BASH_BLOCK.findall(text)
                actions = [a.get("command") for a in (m.get("extra") or {}).get("actions") or [] if isinstance(a, dict)]
                for n, cmd in enumerate([a for a in actions if a] or blocks[:1]):
                    cid = f"mini-{i}-{n}"
                    calls.append(call(cid, "bash", {"command": cmd}, cmd))
                    edits += shell_edits(cmd, cid)
            last_action = b.add(StepSource.AGENT, i, message=text, tool_calls=calls, edits=edits)
        elif role in ("user", "tool") and last_action is not None and last_action.tool_calls and (
            role == "tool" or "<returncode>" in text
        ):
            cid = m.get("tool_call_id") or last_action.tool_calls[len(last_action.results)
                                                                     % len(last_action.tool_calls)].call_id
            code = (m.get("extra") or {}).get("returncode")
            code = code if isinstance(code, int) else exit_code_in(text)
            last_action.results.append(result(cid, text, exit_code=code))
            last_action.raw_index.append(i)
        elif role == "exit":
            b.add(StepSource.SYSTEM, i, message=text)
        else:
            b.add(StepSource.USER, i, message=text)
    if not traj.final_patch:
        b.note("no diff in info.submission: the final state is rebuilt from the workspace or shell edits")
    return traj
