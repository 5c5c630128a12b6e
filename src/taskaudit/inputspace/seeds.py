"""The inputs the tests already use: literal argument tuples of calls to a target.

Read statically from the test sources (never run): every call ``f(...)``, ``m.f(...)`` or, in
HumanEval-style checks, ``candidate(...)`` whose arguments evaluate with a tiny, bounded
evaluator (literals, containers, arithmetic on them, ``list(range(n))``, module constants and
``pytest.mark.parametrize`` values). A call whose arguments are anything else is skipped: the
seeds are a lower bound of what the tests exercise.
"""

from __future__ import annotations

import ast
import itertools
import operator
from typing import Any

from taskaudit.inputspace.signature import Target

_MAX_SIZE = 10_000  # no evaluated string or list longer than this
_MAX_SEEDS = 400


class _NotLiteral(Exception):
    pass


_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_CALLS = {"list": list, "tuple": tuple, "set": set, "range": range, "float": float, "int": int,
          "str": str, "sorted": sorted, "frozenset": frozenset, "dict": dict}


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple, set, dict, range)) else 0


def evaluate(node: ast.expr, env: dict[str, Any]) -> Any:
    """The value of a literal-ish expression, or ``_NotLiteral``."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in env:
            return env[node.id]
        if node.id in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[node.id]
        raise _NotLiteral(node.id)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = [evaluate(e, env) for e in node.elts]
        return {ast.List: list, ast.Tuple: tuple, ast.Set: set}[type(node)](items)
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):
            raise _NotLiteral("dict unpacking")
        return {evaluate(k, env): evaluate(v, env) for k, v in zip(node.keys, node.values)}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Not)):
        value = evaluate(node.operand, env)
        return {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_}[type(node.op)](value)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left, right = evaluate(node.left, env), evaluate(node.right, env)
        if isinstance(node.op, ast.Pow) and (not isinstance(right, int) or abs(right) > 64):
            raise _NotLiteral("large power")
        if isinstance(node.op, ast.Mult) and isinstance(right, int) and _size(left) * abs(right) > _MAX_SIZE:
            raise _NotLiteral("too large")
        if isinstance(node.op, ast.Mult) and isinstance(left, int) and _size(right) * abs(left) > _MAX_SIZE:
            raise _NotLiteral("too large")
        try:
            return _BINOPS[type(node.op)](left, right)
        except Exception as exc:  # noqa: BLE001 - a literal that does not evaluate is no seed
            raise _NotLiteral(str(exc)) from None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _CALLS and not node.keywords:
        args = [evaluate(a, env) for a in node.args]
        if node.func.id == "range" and (len(args) > 3 or any(not isinstance(a, int) for a in args)):
            raise _NotLiteral("range")
        try:
            value = _CALLS[node.func.id](*args)
        except Exception as exc:  # noqa: BLE001
            raise _NotLiteral(str(exc)) from None
        if _size(value) > _MAX_SIZE:
            raise _NotLiteral("too large")
        return list(value) if isinstance(value, range) else value
    raise _NotLiteral(type(node).__name__)


def _module_constants(tree: ast.Module) -> dict[str, Any]:
    env: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                env[node.targets[0].id] = evaluate(node.value, env)
            except _NotLiteral:
                pass
    return env


def _parametrize_bindings(func: ast.FunctionDef, env: dict[str, Any]) -> list[dict[str, Any]]:
    """One binding per parametrize case (the product over stacked decorators)."""
    tables: list[list[dict[str, Any]]] = []
    for deco in func.decorator_list:
        if not (isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute) and deco.func.attr == "parametrize"):
            continue
        if len(deco.args) < 2:
            continue
        try:
            names = evaluate(deco.args[0], env)
            values = evaluate(deco.args[1], env)
        except _NotLiteral:
            continue
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",") if n.strip()]
        rows = []
        for value in values:
            row = value if len(names) > 1 else (value,)
            if isinstance(row, (list, tuple)) and len(row) == len(names):
                rows.append(dict(zip(names, row)))
        tables.append(rows)
    bindings = [{}]
    for rows in tables:
        bindings = [{**b, **r} for b, r in itertools.product(bindings, rows)][:_MAX_SEEDS]
    return bindings


def python_seeds(test_files: dict[str, bytes], target: Target) -> list[tuple]:
    """Argument tuples the tests pass to ``target``, deduplicated, in source order."""
    names = {target.function, *target.aliases}
    seeds: list[tuple] = []
    seen: set[str] = set()
    for path in sorted(test_files):
        if not path.endswith(".py"):
            continue
        try:
            tree = ast.parse(test_files[path].decode("utf-8", errors="replace"))
        except (SyntaxError, ValueError, RecursionError):
            continue
        env = _module_constants(tree)
        scopes: list[tuple[ast.AST, list[dict[str, Any]]]] = [(tree, [{}])]
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                scopes.append((node, _parametrize_bindings(node, env)))
        for scope, bindings in scopes:
            for call in _calls_in(scope):
                if _call_name(call) not in names or call.keywords or len(call.args) != len(target.params):
                    continue
                if any(isinstance(a, ast.Starred) for a in call.args):
                    continue
                for binding in bindings:
                    try:
                        args = tuple(evaluate(a, {**env, **binding}) for a in call.args)
                    except (_NotLiteral, RecursionError):
                        continue
                    key = repr(args)
                    if key not in seen and len(seeds) < _MAX_SEEDS:
                        seen.add(key)
                        seeds.append(args)
    return seeds


def _calls_in(scope: ast.AST) -> list[ast.Call]:
    """Calls inside ``scope`` but not inside a nested function (which is its own scope)."""
    found: list[ast.Call] = []
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Call):
            found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    found.sort(key=lambda c: (c.lineno, c.col_offset))
    return found


def _call_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return ""
