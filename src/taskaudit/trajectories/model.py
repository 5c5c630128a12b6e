"""One step model for the trajectories of every agent harness.

A superset of ATIF v1.8 (Harbor's Agent Trajectory Interchange Format, RFC 0001): ATIF's
steps, tool calls and observation results are kept with their names and meaning, and what
grading needs but ATIF lacks is added: the source ``tool`` (some formats log a tool result as
its own event), per-result exit codes and error flags, the shell command a call ran, the file
edits a call made, and the final patch. Every conversion keeps the raw records it read
(``Trajectory.raw``; each step points at its records with ``raw_index``) and lists what it
could not keep in ``conversion_notes``, so a reviewer knows what the grade did not see.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import BaseModel, Field


class StepSource(str, Enum):
    USER = "user"
    AGENT = "agent"
    SYSTEM = "system"
    TOOL = "tool"  # not in ATIF: a tool result logged as an event of its own (OpenHands, Inspect)


class ToolCall(BaseModel):
    """ATIF ``ToolCall`` plus ``command``: the shell command it ran, when it ran one."""

    call_id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    command: str | None = Field(None, description="Shell command this call ran, normalised to one string")


class ToolResult(BaseModel):
    """ATIF ``ObservationResult`` plus the exit code and error flag where the format has them."""

    call_id: str | None = None
    content: str = ""
    exit_code: int | None = Field(None, description="Exit code of the command, when the format records it")
    is_error: bool | None = Field(None, description="The harness marked the call as failed")


class EditKind(str, Enum):
    WRITE = "write"  # whole new content (create or overwrite)
    REPLACE = "replace"  # old text -> new text inside the file
    PATCH = "patch"  # a unified diff or a Codex apply_patch hunk
    DELETE = "delete"
    SHELL = "shell"  # a shell command wrote the file (sed -i, cat >, ...): content unknown


class FileEdit(BaseModel):
    """A file modification made by one tool call."""

    path: str = Field(description="Path as the agent wrote it (often absolute, e.g. /app/x.py)")
    kind: EditKind
    call_id: str | None = None
    old: str | None = Field(None, description="Replaced text (REPLACE) or content before (when logged)")
    new: str | None = Field(None, description="New text (REPLACE) or whole content (WRITE)")
    diff: str | None = Field(None, description="The hunk or diff (PATCH)")
    replace_all: bool = False
    command: str | None = Field(None, description="The shell command that made a SHELL or DELETE edit")

    def added_text(self) -> str:
        """The text this edit put into the file, as far as the log says."""
        if self.kind in (EditKind.WRITE, EditKind.REPLACE):
            return self.new or ""
        if self.kind == EditKind.SHELL:  # the content is unknown: the command is what the log shows
            return self.new or self.command or ""
        if self.kind == EditKind.PATCH and self.diff:
            return "\n".join(
                line[1:] for line in self.diff.splitlines() if line.startswith("+") and not line.startswith("+++")
            )
        return ""

    def removed_text(self) -> str:
        if self.kind == EditKind.REPLACE:
            return self.old or ""
        if self.kind == EditKind.PATCH and self.diff:
            return "\n".join(
                line[1:] for line in self.diff.splitlines() if line.startswith("-") and not line.startswith("---")
            )
        return ""


class Step(BaseModel):
    """One turn or event. ``id`` is sequential from 1, as ATIF's ``step_id``."""

    id: int
    source: StepSource
    timestamp: str | None = None
    message: str = ""
    reasoning: str | None = None
    tool_calls: list[ToolCall] = Field(default_factory=list)
    results: list[ToolResult] = Field(default_factory=list)
    edits: list[FileEdit] = Field(default_factory=list)
    model_name: str | None = None
    raw_index: list[int] = Field(default_factory=list, description="Indices into Trajectory.raw")

    def commands(self) -> list[str]:
        return [c.command for c in self.tool_calls if c.command]

    def result_for(self, call_id: str | None) -> ToolResult | None:
        for r in self.results:
            if r.call_id == call_id:
                return r
        return None

    def text(self) -> str:
        """Everything a citation may quote from this step."""
        parts = [self.message, self.reasoning or ""]
        for c in self.tool_calls:
            parts.append(c.command or "")
            parts.append(_flat(c.arguments))
        for r in self.results:
            parts.append(r.content)
        for e in self.edits:
            parts += [e.path, e.old or "", e.new or "", e.diff or "", e.command or ""]
        return "\n".join(p for p in parts if p)


def _flat(value: Any) -> str:
    if isinstance(value, dict):
        return "\n".join(_flat(v) for v in value.values())
    if isinstance(value, list):
        return "\n".join(_flat(v) for v in value)
    return "" if value is None else str(value)


class AgentInfo(BaseModel):
    name: str = ""
    version: str = ""
    model: str = ""


class Trajectory(BaseModel):
    """One agent run, whatever harness wrote it."""

    format: str = Field(description="atif | claude-code | codex | swe-agent | mini-swe-agent | openhands | inspect")
    source: str = Field(description="File the trajectory was read from")
    session_id: str | None = None
    agent: AgentInfo = Field(default_factory=AgentInfo)
    steps: list[Step] = Field(default_factory=list)
    final_patch: str | None = Field(None, description="Final diff, when the harness records one")
    exit_status: str | None = Field(None, description="How the harness says the run ended (submitted, ...)")
    workdir: str | None = Field(None, description="The agent's working directory, when logged (/app, /testbed)")
    metadata: dict[str, Any] = Field(default_factory=dict)
    conversion_notes: list[str] = Field(default_factory=list, description="What the conversion could not keep")
    raw: list[Any] = Field(default_factory=list, description="The records read, in file order")

    def step(self, step_id: int) -> Step | None:
        if 1 <= step_id <= len(self.steps) and self.steps[step_id - 1].id == step_id:
            return self.steps[step_id - 1]
        return next((s for s in self.steps if s.id == step_id), None)

    def final_message(self) -> Step | None:
        """The last agent step with text: where a run says what it did."""
        for s in reversed(self.steps):
            if s.source == StepSource.AGENT and s.message.strip():
                return s
        return None

    def all_edits(self) -> list[tuple[Step, FileEdit]]:
        return [(s, e) for s in self.steps for e in s.edits]

    def all_commands(self) -> list[tuple[Step, ToolCall, ToolResult | None]]:
        out = []
        for s in self.steps:
            for c in s.tool_calls:
                if c.command:
                    out.append((s, c, self.result_of(s, c)))
        return out

    def result_of(self, step: Step, call: ToolCall) -> ToolResult | None:
        """The result of a call: in the same step (ATIF) or in a later tool step (event logs)."""
        found = step.result_for(call.call_id)
        if found is not None:
            return found
        if len(step.tool_calls) == 1 and len(step.results) == 1 and step.results[0].call_id is None:
            return step.results[0]
        for s in self.steps[step.id:]:
            r = s.result_for(call.call_id)
            if r is not None:
                return r
        return None


class TrajectoryFormatError(ValueError):
    """A trajectory file that cannot be read: names the file and the problem."""

    def __init__(self, path: str, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = path, problem
