"""Which functions of a Python task take inputs, and their signatures.

A target is a top-level function of the reference's sources that the tests call (or the
function-level format's ``entry_point``), with plain positional parameters. Its parameters'
type hints, when present, are kept as syntax trees for ``shapes.from_annotation``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from taskaudit.model import Task


@dataclass
class Param:
    name: str
    annotation: ast.expr | None = None


@dataclass
class Target:
    module: str  # import name from the workspace root ("rle", "solution", "pkg.mod")
    function: str
    params: list[Param]
    path: str  # workspace path of the file that defines it
    line: int
    returns: ast.expr | None = None  # the return type hint
    native_types: list[str] = field(default_factory=list)  # parameter types in the task's language (Go)
    aliases: set[str] = field(default_factory=set)  # other names tests call it by ("candidate")

    @property
    def label(self) -> str:
        return f"{self.function}({', '.join(p.name for p in self.params)})"


def module_name(path: str) -> str | None:
    p = PurePosixPath(path)
    if p.suffix != ".py":
        return None
    parts = list(p.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or not all(part.isidentifier() for part in parts):
        return None
    return ".".join(parts)


def _parse(source: bytes) -> ast.Module | None:
    try:
        return ast.parse(source.decode("utf-8", errors="replace"))
    except (SyntaxError, ValueError, RecursionError):
        return None


def called_names(test_files: dict[str, bytes]) -> set[str]:
    """Every name the test sources call, directly (``f(...)``) or as an attribute (``m.f(...)``)."""
    names: set[str] = set()
    for path, source in test_files.items():
        if not path.endswith(".py"):
            continue
        tree = _parse(source)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                if isinstance(node.func, ast.Name):
                    names.add(node.func.id)
                elif isinstance(node.func, ast.Attribute):
                    names.add(node.func.attr)
    return names


def python_targets(task: Task, workspace: dict[str, bytes]) -> list[Target]:
    """The functions to generate inputs for, in a stable order (file, then line)."""
    entry = task.metadata.get("entry_point")
    # The functions the tests call, and the public ones the statement names even if no test
    # calls them (a function no test reaches is the widest untested input class of all).
    statement_words = set(re.findall(r"[A-Za-z_]\w*", task.statement))
    wanted = {entry} if entry else called_names(task.test_files) | statement_words
    paths = task.solution_paths or sorted(task.solution_files)
    targets: list[Target] = []
    for path in sorted(paths):
        module = module_name(path)
        if module is None or path not in workspace:
            continue
        tree = _parse(workspace[path])
        if tree is None:
            continue
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or node.name not in wanted or node.name.startswith("_"):
                continue
            args = node.args
            if args.vararg or args.kwarg or any(d is None for d in args.kw_defaults):
                continue  # *args / required keyword-only parameters: no plain positional signature
            params = [Param(a.arg, a.annotation) for a in [*args.posonlyargs, *args.args]]
            if not params:
                continue  # nothing to vary
            targets.append(
                Target(
                    module=module,
                    function=node.name,
                    params=params,
                    path=path,
                    line=node.lineno,
                    returns=node.returns,
                    aliases={"candidate"} if entry else set(),
                )
            )
    return targets
