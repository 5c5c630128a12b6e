"""Blind review: agent and model names replaced by labels everywhere, order shuffled with a seed,
the label -> run mapping sealed in a separate file.

The names removed are the agent's name and version and every model name the trajectory
records (``claude-sonnet-4-5-20250929`` also as ``claude-sonnet-4-5`` and without a
``provider/`` prefix), wherever they appear: messages, reasoning, commands, tool arguments and
results, edits. Raw records and metadata are dropped from a blinded trajectory (they hold the
names in too many shapes to scrub reliably). The sealed file holds, per label, the original
file, its SHA-256, the agent and the model; the report carries only the SHA-256 of the sealed
file, so a later unblinding can prove the mapping was not changed.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from pathlib import Path
from typing import Any

from taskaudit.trajectories.model import AgentInfo, Trajectory

LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def label(n: int) -> str:
    return f"run-{LABELS[n % 26]}{n // 26 if n >= 26 else ''}"


def names_of(traj: Trajectory) -> set[str]:
    """Every spelling of the agent's and the model's names a transcript is likely to hold."""
    names: set[str] = set()
    models = {traj.agent.model, *(s.model_name or "" for s in traj.steps)}
    for m in models:
        if not m:
            continue
        names.add(m)
        provider, _, tail = m.rpartition("/")
        names |= {tail, provider}
        family = re.sub(r"-\d{8}$", "", tail)  # dated snapshot -> family name
        names.add(family)
        # prose spellings: "claude-sonnet-4-5" -> "claude sonnet 4-5", "claude sonnet 4.5"; the maker's name
        names.add(family.replace("-", " "))
        names.add(re.sub(r"(\d)-(\d)", r"\1.\2", family).replace("-", " "))
        names.add(family.split("-")[0])
    if traj.agent.name:
        names |= {traj.agent.name, traj.agent.name.replace("-", " ")}
    return {n for n in names if len(n) >= 3}


def _scrub(value: Any, pattern: re.Pattern, replacement: str) -> Any:
    if isinstance(value, str):
        return pattern.sub(replacement, value)
    if isinstance(value, list):
        return [_scrub(v, pattern, replacement) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, pattern, replacement) for k, v in value.items()}
    return value


def blind(traj: Trajectory, new_label: str, names: set[str]) -> Trajectory:
    ordered = sorted(names, key=len, reverse=True)  # longest first: "claude-sonnet-4-5-2025" before "claude"
    pattern = re.compile("|".join(rf"\b{re.escape(n)}\b" for n in ordered), re.I) if ordered else re.compile(r"(?!)")
    data = traj.model_dump(exclude={"raw", "metadata"})
    data["steps"] = _scrub(data["steps"], pattern, "[model]")
    data["conversion_notes"] = _scrub(data["conversion_notes"], pattern, "[model]")
    data["source"] = new_label
    data["format"] = "hidden"  # the harness names the agent too; the sealed mapping keeps it
    data["session_id"] = None
    data["agent"] = AgentInfo(name=new_label).model_dump()
    for step in data["steps"]:
        step["model_name"] = None
    return Trajectory(**data)


def blind_all(loaded: list[tuple[str, Trajectory | None, str | None, Path]], seed: int,
              seal_path: Path | None) -> tuple[list[tuple[str, Trajectory | None, str | None, Path]], str]:
    """Shuffle, relabel and scrub; write the sealed mapping; return (blinded, sha256 of the seal)."""
    order = list(range(len(loaded)))
    random.Random(seed).shuffle(order)
    names: set[str] = set()
    for _, traj, _, _ in loaded:
        if traj is not None:
            names |= names_of(traj)
    out, mapping = [], {}
    for n, idx in enumerate(order):
        key, traj, error, path = loaded[idx]
        lab = label(n)
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
        mapping[lab] = {"file": str(path), "sha256": digest, "format": traj.format if traj else None,
                        "agent": traj.agent.name if traj else None, "version": traj.agent.version if traj else None,
                        "model": traj.agent.model if traj else None}
        blinded = blind(traj, lab, names) if traj is not None else None
        # the original path stays for --workspace lookups; reports show only the label
        out.append((lab, blinded, _scrub(error, re.compile(re.escape(str(path))), lab) if error else None, path))
    sealed = json.dumps({"seed": seed, "mapping": mapping}, indent=2, sort_keys=True) + "\n"
    if seal_path is not None:
        seal_path.parent.mkdir(parents=True, exist_ok=True)
        seal_path.write_text(sealed, encoding="utf-8")
    return out, hashlib.sha256(sealed.encode()).hexdigest()
