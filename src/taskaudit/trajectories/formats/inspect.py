"""Inspect AI eval logs: the ``.json`` log (``EvalLog``) or the ``.eval`` zip
(``header.json`` + ``samples/<id>_epoch_<n>.json``).

``samples[].messages[]`` are ChatMessages: system | user | assistant (``tool_calls[]{id,
function, arguments}``) | tool (``tool_call_id``, ``function``, ``content``, ``error``).
``bash`` tool results carry no exit code; a failing command comes back with ``error`` set.
Source: inspect-ai ``inspect_ai/log/_log.py``, ``model/_chat_message.py``,
``log/_recorders/eval.py``. One sample is one trajectory (``sample`` picks it: ``id`` or
``id:epoch``; the first by default).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from taskaudit.trajectories.formats.common import Builder, read_json, result, text_of
from taskaudit.trajectories.formats.tools import tool_call
from taskaudit.trajectories.model import AgentInfo, Step, StepSource, Trajectory, TrajectoryFormatError

FORMAT = "inspect"


def detect(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("eval"), dict) and "samples" in data


def _read_eval_zip(path: Path) -> dict[str, Any]:
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            header = json.loads(z.read("header.json")) if "header.json" in names else {}
            samples = [json.loads(z.read(n)) for n in sorted(names) if n.startswith("samples/") and n.endswith(".json")]
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as e:
        raise TrajectoryFormatError(str(path), f"not a readable Inspect .eval archive: {e}") from e
    return {**header, "samples": samples}


def load(path: Path, data: Any | None = None, sample: str | None = None) -> Trajectory:
    if data is None:
        data = _read_eval_zip(path) if path.suffix == ".eval" else read_json(path)
    if not detect(data):
        raise TrajectoryFormatError(str(path), "not an Inspect eval log (eval{} and samples[])")
    samples = data.get("samples") or []
    if not samples:
        raise TrajectoryFormatError(str(path), "the log holds no samples (written with --no-log-samples?)")
    chosen = samples[0]
    if sample is not None:
        matches = [s for s in samples if f"{s.get('id')}" == sample or f"{s.get('id')}:{s.get('epoch')}" == sample]
        if not matches:
            raise TrajectoryFormatError(str(path), f"no sample {sample!r}")
        chosen = matches[0]
    ev = data["eval"]
    traj = Trajectory(format=FORMAT, source=str(path), raw=list(chosen.get("messages") or []),
                      session_id=f"{ev.get('run_id', '')}:{chosen.get('id')}:{chosen.get('epoch', 1)}",
                      agent=AgentInfo(name=str((ev.get("solver") or ev.get("task") or "inspect")),
                                      version=str(data.get("version", "")), model=ev.get("model", "")),
                      metadata={"scores": chosen.get("scores") or {}, "sample_id": chosen.get("id")})
    b = Builder(traj)
    if len(samples) > 1 and sample is None:
        b.note(f"the log holds {len(samples)} samples: only the first ({chosen.get('id')}) is graded")
    by_call: dict[str, Step] = {}
    for i, m in enumerate(chosen.get("messages") or []):
        role = m.get("role")
        if role == "assistant":
            calls, edits = [], []
            for tc in m.get("tool_calls") or []:
                c, e = tool_call(tc.get("id", f"{i}"), tc.get("function", ""), tc.get("arguments") or {})
                calls.append(c)
                edits += e
            step = b.add(StepSource.AGENT, i, message=text_of(m.get("content")), tool_calls=calls, edits=edits,
                         model_name=m.get("model"))
            for c in calls:
                by_call[c.call_id] = step
        elif role == "tool":
            err = m.get("error")
            body = text_of(m.get("content")) + (f"\n{err.get('message', '')}" if isinstance(err, dict) else "")
            r = result(m.get("tool_call_id"), body, is_error=err is not None)
            owner = by_call.get(str(m.get("tool_call_id")))
            if owner is not None:
                owner.results.append(r)
                owner.raw_index.append(i)
            else:
                b.add(StepSource.TOOL, i, results=[r])
        else:
            b.add(StepSource.SYSTEM if role == "system" else StepSource.USER, i, message=text_of(m.get("content")))
    b.note("Inspect's bash tool logs no exit code: a failed command is seen only through its error")
    return traj
