"""Run-length encoding. Implement both functions as the task statement describes."""


def encode(text: str) -> str:
    raise NotImplementedError


def decode(data: str) -> str:
    raise NotImplementedError
