"""Trajectory formats: one module per harness, and ``load_trajectory`` which detects which.

Detection reads the file once (JSON, or JSON Lines) and asks each module's ``detect`` in
order; a file no module recognises is a :class:`TrajectoryFormatError` naming it.
"""

from __future__ import annotations

import json
from pathlib import Path

from taskaudit.trajectories.formats import atif, claude_code, codex, inspect, mini_swe_agent, openhands, swe_agent
from taskaudit.trajectories.formats.common import read_jsonl, read_text
from taskaudit.trajectories.model import Trajectory, TrajectoryFormatError

JSON_FORMATS = (atif, mini_swe_agent, swe_agent, inspect, openhands)
JSONL_FORMATS = (claude_code, codex)
FORMATS = {m.FORMAT: m for m in (*JSON_FORMATS, *JSONL_FORMATS)}


def load_trajectory(path: Path | str, fmt: str | None = None) -> Trajectory:
    """Read one trajectory file; ``fmt`` forces a format (a key of ``FORMATS``)."""
    path = Path(path)
    if path.is_dir():
        for candidate in ("agent/trajectory.json", "trajectory.json"):
            if (path / candidate).is_file():
                return load_trajectory(path / candidate, fmt)
        raise TrajectoryFormatError(str(path), "a directory without agent/trajectory.json")
    if not path.is_file():
        raise TrajectoryFormatError(str(path), "no such file")
    if fmt is not None:
        if fmt not in FORMATS:
            raise TrajectoryFormatError(str(path), f"unknown format {fmt!r}; known: {', '.join(sorted(FORMATS))}")
        return FORMATS[fmt].load(path)
    if path.suffix == ".eval":
        return inspect.load(path)
    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = None
    if data is not None and not (isinstance(data, dict) and path.suffix == ".jsonl"):
        for module in JSON_FORMATS:
            if module.detect(data):
                return module.load(path, data)
    records = read_jsonl(path)
    for module in JSONL_FORMATS:
        if module.detect(records):
            return module.load(path, records)
    raise TrajectoryFormatError(
        str(path), "unrecognised trajectory format; known: " + ", ".join(sorted(FORMATS)) + " (use --format)"
    )
