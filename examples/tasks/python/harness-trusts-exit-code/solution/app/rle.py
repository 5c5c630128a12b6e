"""Run-length encoding: "aaabcc" <-> "3a1b2c"."""

import re

_TOKEN = re.compile(r"([0-9]+)([^0-9])")


def encode(text: str) -> str:
    if any(ch in "0123456789" for ch in text):
        raise ValueError("text must not contain decimal digits")
    out = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and text[j] == text[i]:
            j += 1
        out.append(f"{j - i}{text[i]}")
        i = j
    return "".join(out)


def decode(data: str) -> str:
    out = []
    pos = 0
    for match in _TOKEN.finditer(data):
        if match.start() != pos:
            break
        count = int(match.group(1))
        if count == 0:
            raise ValueError(f"count of 0 at offset {pos}")
        out.append(match.group(2) * count)
        pos = match.end()
    if pos != len(data):
        raise ValueError(f"malformed run-length data at offset {pos}: {data[pos:pos + 10]!r}")
    return "".join(out)
