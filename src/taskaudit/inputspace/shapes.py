"""The shape of a parameter's values: enough of a type to generate and describe inputs.

A shape comes from the parameter's type hint when it has one, else from the values the
tests pass (the seeds). ``any`` means neither says: such a parameter is varied only from its
seeds, never invented.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    kind: str  # int float bool str none list tuple set dict optional any
    items: tuple["Shape", ...] = ()  # element shape(s): list/set -> (elem,), dict -> (k, v), tuple -> each

    def __str__(self) -> str:
        if not self.items:
            return self.kind
        return f"{self.kind}[{', '.join(str(i) for i in self.items)}]"


ANY = Shape("any")
_SCALARS = {"int", "float", "bool", "str"}
_GENERIC = {"list": "list", "List": "list", "Sequence": "list", "Iterable": "list", "tuple": "tuple",
            "Tuple": "tuple", "set": "set", "Set": "set", "frozenset": "set", "dict": "dict", "Dict": "dict",
            "Mapping": "dict", "Optional": "optional"}


def from_annotation(node: ast.expr | None) -> Shape:
    if node is None:
        return ANY
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # "List[int]" as a string
        try:
            return from_annotation(ast.parse(node.value, mode="eval").body)
        except SyntaxError:
            return ANY
    if isinstance(node, ast.Constant) and node.value is None:
        return Shape("none")
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
    if name in _SCALARS:
        return Shape(name)
    if name in _GENERIC:
        kind = _GENERIC[name]
        return Shape(kind, (ANY,) if kind in ("list", "set") else (ANY, ANY) if kind == "dict" else ())
    if isinstance(node, ast.Subscript):
        base = node.value.attr if isinstance(node.value, ast.Attribute) else getattr(node.value, "id", None)
        args = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        kind = _GENERIC.get(base or "")
        if kind == "optional":
            return Shape("optional", (from_annotation(args[0]),))
        if base == "Union":
            inner = [from_annotation(a) for a in args if not (isinstance(a, ast.Constant) and a.value is None)]
            if len(inner) == 1 and len(inner) < len(args):
                return Shape("optional", (inner[0],))
            return inner[0] if len(inner) == 1 else ANY
        if kind in ("list", "set"):
            return Shape(kind, (from_annotation(args[0]),))
        if kind == "dict" and len(args) == 2:
            return Shape("dict", (from_annotation(args[0]), from_annotation(args[1])))
        if kind == "tuple":
            if len(args) == 2 and isinstance(args[1], ast.Constant) and args[1].value is Ellipsis:
                return Shape("list", (from_annotation(args[0]),))  # Tuple[int, ...]: vary like a list
            return Shape("tuple", tuple(from_annotation(a) for a in args))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):  # int | None
        left, right = from_annotation(node.left), from_annotation(node.right)
        if right.kind == "none":
            return Shape("optional", (left,))
        if left.kind == "none":
            return Shape("optional", (right,))
    return ANY


def of_value(value: object) -> Shape:
    if value is None:
        return Shape("none")
    if isinstance(value, bool):
        return Shape("bool")
    if isinstance(value, int):
        return Shape("int")
    if isinstance(value, float):
        return Shape("float")
    if isinstance(value, str):
        return Shape("str")
    if isinstance(value, (list, set, frozenset)):
        kind = "list" if isinstance(value, list) else "set"
        return Shape(kind, (merge([of_value(v) for v in value]),))
    if isinstance(value, tuple):
        return Shape("tuple", tuple(of_value(v) for v in value))
    if isinstance(value, dict):
        return Shape("dict", (merge([of_value(k) for k in value]), merge([of_value(v) for v in value.values()])))
    return ANY


def merge(shapes: list[Shape]) -> Shape:
    """One shape for values seen together (int and float make float; None makes optional)."""
    real = [s for s in shapes if s.kind != "any"]
    if not real:
        return ANY
    non_none = [s for s in real if s.kind != "none"]
    if not non_none:
        return Shape("none")
    kinds = {s.kind for s in non_none}
    if kinds == {"int", "float"}:
        merged = Shape("float")
    elif len(kinds) > 1:
        return ANY
    else:
        kind = kinds.pop()
        if kind in ("list", "set", "dict"):
            width = len(non_none[0].items)
            merged = Shape(kind, tuple(merge([s.items[i] for s in non_none]) for i in range(width)))
        elif kind == "tuple":
            widths = {len(s.items) for s in non_none}
            if len(widths) != 1:
                return ANY
            merged = Shape("tuple", tuple(merge([s.items[i] for s in non_none]) for i in range(widths.pop())))
        else:
            merged = non_none[0]
    return Shape("optional", (merged,)) if len(non_none) < len(real) else merged


def param_shape(annotation: ast.expr | None, seed_values: list[object]) -> Shape:
    """The hint's shape, its unknown parts filled in from the seeds."""
    hinted = from_annotation(annotation)
    seen = merge([of_value(v) for v in seed_values])
    return _fill(hinted, seen)


def _fill(hinted: Shape, seen: Shape) -> Shape:
    if hinted.kind == "any":
        return seen
    if hinted.kind == seen.kind and len(hinted.items) == len(seen.items):
        return Shape(hinted.kind, tuple(_fill(h, s) for h, s in zip(hinted.items, seen.items)))
    if hinted.kind == "optional" and seen.kind != "optional":
        return Shape("optional", (_fill(hinted.items[0], seen),))
    return hinted
