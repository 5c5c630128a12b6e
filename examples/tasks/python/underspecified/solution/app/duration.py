"""Durations: "1h30m" <-> 5400 seconds."""

import re

_UNITS = {"h": 3600, "m": 60, "s": 1}
_PART = re.compile(r"(\d+)([a-z])")


def parse_duration(text: str) -> int:
    if not text:
        raise ValueError("empty duration")
    total, pos = 0, 0
    for match in _PART.finditer(text):
        if match.start() != pos:
            break
        count, unit = match.groups()
        if unit not in _UNITS:
            raise ValueError(f"unknown unit {unit!r}")
        total += int(count) * _UNITS[unit]
        pos = match.end()
    if pos != len(text):
        raise ValueError(f"malformed duration {text!r}")
    return total


def format_duration(seconds: int) -> str:
    parts = []
    for unit, size in _UNITS.items():
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return " ".join(parts) or "0s"
