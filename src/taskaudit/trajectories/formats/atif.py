"""ATIF (Harbor's Agent Trajectory Interchange Format, v1.0-v1.8): ``agent/trajectory.json``.

Schema: harbor-framework/harbor ``rfcs/0001-trajectory-format.md`` and the pydantic models in
``harbor/models/trajectories/`` (mirrored by PyPI ``atif``). ATIF has no exit code and no edit
field: commands and edits are read from the tool calls' arguments by tool name (Harbor's
converters keep the agent's own tool names: ``Bash``/``Edit`` for Claude Code,
``exec_command``/``apply_patch`` for Codex, ``bash_command`` for terminus-2 ...), and an exit code
from ``extra.exit_code`` or the text of the result. Harbor keeps the outcome outside ATIF
(``verifier/``), so a final patch is read only from ``extra.final_patch`` / ``extra.git_patch``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from taskaudit.trajectories.formats.common import Builder, exit_code_in, read_json, result, text_of
from taskaudit.trajectories.formats.tools import tool_call
from taskaudit.trajectories.model import AgentInfo, StepSource, Trajectory, TrajectoryFormatError

FORMAT = "atif"


def detect(data: Any) -> bool:
    return isinstance(data, dict) and str(data.get("schema_version", "")).startswith("ATIF") and "steps" in data


def load(path: Path, data: Any | None = None) -> Trajectory:
    data = read_json(path) if data is None else data
    if not detect(data):
        raise TrajectoryFormatError(str(path), "not an ATIF document (no schema_version 'ATIF-v1.x' and steps)")
    agent = data.get("agent") or {}
    traj = Trajectory(
        format=FORMAT,
        source=str(path),
        session_id=data.get("session_id") or data.get("trajectory_id"),
        agent=AgentInfo(name=agent.get("name", ""), version=str(agent.get("version", "")),
                        model=agent.get("model_name") or ""),
        metadata={"schema_version": data["schema_version"]},
        raw=list(data["steps"]),
    )
    b = Builder(traj)
    extra = data.get("extra") or {}
    traj.final_patch = extra.get("final_patch") or extra.get("git_patch")
    traj.workdir = extra.get("cwd") or extra.get("workdir")
    if data.get("subagent_trajectories"):
        b.note("embedded subagent trajectories are not graded (only the main agent's steps)")
    _add_steps(b, path, data["steps"], offset=0)
    # Continuation files (trajectory.cont-N.json, written after summarisation) follow in order.
    seen = {path.resolve()}
    ref = data.get("continued_trajectory_ref")
    while ref:
        nxt = (path.parent / ref).resolve()
        if nxt in seen or not nxt.is_file() or nxt.parent != path.parent.resolve() or len(seen) > 100:
            b.note(f"continuation file {ref} not read (missing, outside the trajectory's folder, or a loop)")
            break
        seen.add(nxt)
        cont = read_json(nxt)
        if not detect(cont):
            raise TrajectoryFormatError(str(nxt), "continuation file is not an ATIF document")
        offset = len(traj.raw)
        traj.raw.extend(cont["steps"])
        _add_steps(b, nxt, cont["steps"], offset)
        b.note(f"steps {offset + 1}-{len(traj.raw)} come from the continuation file {nxt.name}")
        ref = cont.get("continued_trajectory_ref")
    return traj


def _add_steps(b: Builder, path: Path, steps: list[Any], offset: int) -> None:
    for i, raw in enumerate(steps, offset):
        if not isinstance(raw, dict) or "source" not in raw:
            raise TrajectoryFormatError(str(path), f"steps[{i - offset}] has no source")
        source = {"system": StepSource.SYSTEM, "user": StepSource.USER}.get(raw["source"], StepSource.AGENT)
        calls, edits = [], []
        for tc in raw.get("tool_calls") or []:
            c, e = tool_call(tc.get("tool_call_id", f"{i}"), tc.get("function_name", ""), tc.get("arguments") or {})
            calls.append(c)
            edits += e
        results = []
        for r in (raw.get("observation") or {}).get("results") or []:
            content = text_of(r.get("content"))
            rextra = r.get("extra") or {}
            code = rextra.get("exit_code", rextra.get("returncode"))
            results.append(result(r.get("source_call_id"), content,
                                  exit_code=code if isinstance(code, int) else exit_code_in(content),
                                  is_error=rextra.get("is_error")))
        step = b.add(source, i, timestamp=raw.get("timestamp"), message=text_of(raw.get("message")),
                     reasoning=raw.get("reasoning_content"), tool_calls=calls, results=results, edits=edits,
                     model_name=raw.get("model_name"))
        if raw.get("is_copied_context"):
            b.note(f"step {step.id} is copied context (ATIF is_copied_context)")
