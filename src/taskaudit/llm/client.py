"""One chat completion from an OpenAI-compatible endpoint, with the standard library only."""

from __future__ import annotations

import json

from taskaudit.llm.config import LLMConfig


class LLMError(Exception):
    """The endpoint could not be reached or answered with something that is not a completion."""


def complete(config: LLMConfig, messages: list[dict], seed: int) -> str:
    """The assistant message's text for ``messages`` (JSON output requested)."""
    import urllib.error
    import urllib.request

    body = {
        "model": config.model,
        "messages": messages,
        "temperature": config.temperature,
        "seed": seed,
        "response_format": {"type": "json_object"},
    }
    headers = {"Content-Type": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    request = urllib.request.Request(config.endpoint, data=json.dumps(body).encode(),
                                     headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=config.timeout_sec) as response:  # noqa: S310
            payload = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as e:
        raise LLMError(f"{config.endpoint} answered HTTP {e.code}: {e.read()[:300]!r}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        raise LLMError(f"cannot reach {config.endpoint}: {e}") from None
    except json.JSONDecodeError as e:
        raise LLMError(f"{config.endpoint} did not answer JSON: {e}") from None
    try:
        return payload["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise LLMError(f"{config.endpoint} answered without choices[0].message.content") from None
