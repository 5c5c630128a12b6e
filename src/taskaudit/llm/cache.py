"""Answers kept by content hash, so the same task asked the same way is not asked again."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

_LOCK = threading.Lock()


def key(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


class AnswerCache:
    """One small JSON file: key -> answer text."""

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / "llm-cache.json"

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, json.JSONDecodeError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, k: str) -> str | None:
        with _LOCK:
            value = self._load().get(k)
        return value if isinstance(value, str) else None

    def put(self, k: str, value: str) -> None:
        with _LOCK:
            data = self._load()
            data[k] = value
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, sort_keys=True))
            tmp.replace(self.path)
