"""Where the LLM reviewer's endpoint is and how it is asked (from the environment)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LLMConfig:
    url: str  # base URL ("http://localhost:8000/v1") or the full .../chat/completions URL
    model: str
    api_key: str | None = None
    samples: int = 3  # independent answers; their agreement is reported
    temperature: float = 0.7  # > 0 so that samples can disagree: agreement is then informative
    timeout_sec: float = 120.0
    cache_dir: Path = Path(".taskaudit")

    @property
    def endpoint(self) -> str:
        url = self.url.rstrip("/")
        return url if url.endswith("/chat/completions") else f"{url}/chat/completions"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "LLMConfig | None":
        """The configuration the environment gives, or None when the reviewer is not configured."""
        env = os.environ if environ is None else environ
        url, model = env.get("TASKAUDIT_LLM_URL", "").strip(), env.get("TASKAUDIT_LLM_MODEL", "").strip()
        if not url or not model:
            return None
        samples = int(env.get("TASKAUDIT_LLM_SAMPLES", "3") or 3)
        return cls(url=url, model=model, api_key=env.get("TASKAUDIT_LLM_API_KEY") or None,
                   samples=max(1, samples),
                   cache_dir=Path(env.get("TASKAUDIT_LLM_CACHE_DIR", ".taskaudit")))
