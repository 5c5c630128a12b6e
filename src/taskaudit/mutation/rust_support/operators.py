"""Rust mutation operators on tree-sitter syntax trees, each with the schema site it needs.

Rust's ``match`` is an expression whose arms must agree in type, and only one arm runs, so
every site is wrapped the same type-free, lazy way (``schema.py``):

- ``expr``: an expression (a comparison, arithmetic, a literal, ``!x``, a condition,
  ``s.trim()``): ``(match on(&[ids]) { 1 => (ALT), _ => (ORIGINAL) })``;
- ``stmt``: a statement ending in ``;`` (a call, ``panic!``, ``break``):
  ``match on(&[ids]) { 1 => { ALT } _ => { ORIGINAL } }``;
- ``body``: a function body, for ``return_value`` (cargo-mutants' replacement of the whole
  body by the return type's default): ``{ match on(&[ids]) { 1 => ALT, _ => ORIGINAL } }``.

Not generated, because the syntax says they cannot compile: arithmetic on operands that look
like strings, a default for a return type with none (references, ``impl Trait``), removal of a
``panic!`` that ends its block (its type is ``!``), anything in constant contexts (``const``,
``static``, ``const fn``, array lengths, patterns, attributes, macro arguments) or test code.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from taskaudit.mutation.compiled_support.operators import BOUNDARY as _BOUNDARY
from taskaudit.mutation.compiled_support.operators import REL_SWAP as _REL_SWAP
from taskaudit.mutation.compiled_support.operators import OperatorPass, run_pass
from taskaudit.mutation.compiled_support.operators import enclosing as _enclosing
from taskaudit.mutation.compiled_support.schema import Candidate

_INTS = {"i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize"}
_ARITH_SWAP = {"+": "-", "-": "+", "*": "/", "/": "*", "%": "*"}
_SKIP = {"const_item", "static_item", "attribute_item", "inner_attribute_item", "array_type",
         "match_pattern", "token_tree", "macro_definition", "use_declaration", "enum_variant",
         "trait_item", "type_item"}  # fmt: skip
_NORMALIZING = {"trim": "slice", "trim_start": "slice", "trim_end": "slice",
                "to_lowercase": "to_string", "to_uppercase": "to_string",
                "to_ascii_lowercase": "to_owned", "to_ascii_uppercase": "to_owned"}  # fmt: skip
_SORTS = {"sort", "sort_unstable", "sort_by", "sort_by_key", "sort_unstable_by", "dedup", "reverse"}
_RAISE_MACROS = {"panic", "unreachable", "unimplemented", "todo"}
_LOOPS = ("loop_expression", "while_expression", "for_expression")
_STOP = ("closure_expression", "function_item")


def candidates(path: str, source: bytes) -> list[Candidate]:
    return run_pass("rust", _Pass, path, source)


def default_value(typ: str) -> str | None:
    """The type's default as an expression, or None when it has none we can write."""
    t = typ.strip()
    if t in _INTS:
        return "0"
    if t in ("f32", "f64"):
        return "0.0"
    if t == "bool":
        return "false"
    if t == "char":
        return None
    if t == "String":
        return "String::new()"
    if re.fullmatch(r"&\s*(?:'\w+\s+)?str", t):
        return '""'
    if t.startswith(("&", "impl ", "dyn ")) or t in ("!", "Self"):
        return None
    if t.startswith("Vec<"):
        return "Vec::new()"
    if t.startswith("Option<"):
        return "None"
    m = re.fullmatch(r"Result<(.*)>", t, re.DOTALL)
    if m:
        inner = _split_generic(m[1])
        if not inner:
            return None
        ok = "()" if inner[0].strip() == "()" else default_value(inner[0])
        return f"Ok({ok})" if ok is not None else None
    if t in ("()",):
        return None
    return "Default::default()"


def _split_generic(text: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in "<([":
            depth += 1
        elif ch in ">)]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p for p in parts if p.strip()]


class _Pass(OperatorPass):
    def add(self, operator: str, node: Node, replacement: str, description: str, site: Node, kind: str,
            context: str = "") -> None:
        super().add(operator, node, replacement, description, site, kind, context=context)

    def skip(self, node: Node) -> bool:
        if node.type in _SKIP or self.test_code(node):
            return True
        return node.type == "function_item" and any(c.type == "function_modifiers" and "const" in self.text(c)
                                                     for c in node.children)

    def test_code(self, node: Node) -> bool:
        """``#[test]`` functions and ``#[cfg(test)]`` modules: the task's own tests."""
        if node.type not in ("function_item", "mod_item"):
            return False
        prev = node.prev_named_sibling
        while prev is not None and prev.type in ("attribute_item", "line_comment", "block_comment"):
            if prev.type == "attribute_item" and re.search(r"\b(test|cfg\(test\))\b", self.text(prev)):
                return True
            prev = prev.prev_named_sibling
        return False

    # ------------------------------------------------------------------ expressions

    def on_binary_expression(self, node: Node) -> None:
        op_node = node.child_by_field_name("operator")
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if op_node is None or left is None or right is None:
            return
        op = self.text(op_node)
        if op in _REL_SWAP:
            self.add("relational", op_node, _REL_SWAP[op], f"replaced {op} with {_REL_SWAP[op]}", node, "expr")
            if op in _BOUNDARY:
                self.add("boundary", op_node, _BOUNDARY[op], f"replaced {op} with {_BOUNDARY[op]}", node, "expr")
        elif op in ("&&", "||"):
            other = "||" if op == "&&" else "&&"
            self.add("logical", op_node, other, f"replaced {op} with {other}", node, "expr")
        elif op in _ARITH_SWAP and not (self.stringish(left) or self.stringish(right)):
            new = _ARITH_SWAP[op]
            self.add("arithmetic", op_node, new, f"replaced {op} with {new}", node, "expr")

    def stringish(self, node: Node) -> bool:
        """Syntax that says "a string" (``String + &str`` is the one ``+`` that is not arithmetic)."""
        if node.type in ("string_literal", "raw_string_literal", "macro_invocation"):
            return True
        if node.type in ("reference_expression", "parenthesized_expression", "binary_expression"):
            return any(self.stringish(c) for c in node.named_children)
        text = self.text(node)
        if node.type == "identifier":
            return text in self.string_names(node)
        return bool(re.search(r"(\.(to_string|to_owned|to_lowercase|to_uppercase)\(\)|^String::\w+\(.*\))$", text, re.DOTALL))

    def string_names(self, node: Node) -> set[str]:
        """Names the enclosing function declares as strings (parameters, ``let`` bindings)."""
        fn = node
        while fn is not None and fn.type != "function_item":
            fn = fn.parent
        names: set[str] = set()
        if fn is None:
            return names
        stack = [fn]
        while stack:
            n = stack.pop()
            stack.extend(n.children)
            if n.type in ("parameter", "let_declaration"):
                pattern = n.child_by_field_name("pattern")
                typ = n.child_by_field_name("type")
                value = n.child_by_field_name("value")
                if pattern is None:
                    continue
                typ_text = self.text(typ) if typ is not None else ""
                if re.fullmatch(r"(&\s*('\w+\s+)?(mut\s+)?)?(str|String)", typ_text) or (
                        value is not None and value.type != "identifier" and self.stringish(value)):
                    names.add(self.text(pattern).removeprefix("mut ").strip())
        return names

    def on_compound_assignment_expr(self, node: Node) -> None:
        op = node.child_by_field_name("operator")
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if op is None or left is None or right is None or self.stringish(right) or self.stringish(left):
            return
        text = self.text(op)
        if text in ("+=", "-=", "*=", "/=", "%="):
            new = _ARITH_SWAP[text[0]] + "="
            self.add("arithmetic", op, new, f"replaced {text} with {new}", node, "expr")

    def on_unary_expression(self, node: Node) -> None:
        if self.text(node).startswith("!") and node.named_children:
            operand = node.named_children[-1]
            self.add("negation", node, self.text(operand), "removed the negation", node, "expr")

    def on_integer_literal(self, node: Node) -> None:
        m = re.fullmatch(r"(\d[\d_]*)([iu]\d+|[iu]size)?", self.text(node))
        if m is None:
            return
        value = int(m[1].replace("_", ""))
        new = ("1" if value == 0 else str(value + 1)) + (m[2] or "")
        self.add("constant", node, new, f"replaced {self.text(node)} with {new}", node, "expr")

    def on_string_literal(self, node: Node) -> None:
        if self.text(node) != '""' and node.parent is not None and node.parent.type != "macro_invocation":
            self.add("constant", node, '""', "replaced the string with an empty one", node, "expr",
                     "error_message" if self.in_error(node) else "")

    def in_error(self, node: Node) -> bool:
        """Inside ``Err(...)``: the string is an error's message."""
        parent = node.parent
        while parent is not None and parent.type not in ("block", "function_item"):
            if parent.type == "call_expression":
                fn = parent.child_by_field_name("function")
                if fn is not None and self.text(fn) in ("Err", "Error::new", "io::Error::new"):
                    return True
            parent = parent.parent
        return False

    def on_boolean_literal(self, node: Node) -> None:
        new = "false" if self.text(node) == "true" else "true"
        self.add("constant", node, new, f"replaced {self.text(node)} with {new}", node, "expr")

    def on_call_expression(self, node: Node) -> None:
        fn = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        if fn is None or fn.type != "field_expression" or args is None or args.named_children:
            return
        name_node = fn.child_by_field_name("field")
        value = fn.child_by_field_name("value")
        if name_node is None or value is None:
            return
        name = self.text(name_node)
        how = _NORMALIZING.get(name)
        if how is None:
            return
        receiver = self.text(value)
        new = {"slice": f"(&{receiver}[..])", "to_string": f"{receiver}.to_string()",
               "to_owned": f"{receiver}.to_owned()"}[how]
        self.add("normalizing_call", node, new, f"removed .{name}()", node, "expr")

    # ------------------------------------------------------------------ statements

    def on_expression_statement(self, node: Node) -> None:
        inner = node.named_children[0] if node.named_children else None
        if inner is None or not self.text(node).rstrip().endswith(";"):
            return
        if inner.type == "macro_invocation":
            macro = inner.child_by_field_name("macro")
            name = self.text(macro) if macro is not None else ""
            # A diverging last statement may be what gives its block its type; in an ``if``
            # without ``else`` the block is ``()`` anyway.
            block = node.parent
            unit_block = block is not None and block.parent is not None and block.parent.type == "if_expression" \
                and block.parent.child_by_field_name("alternative") is None
            if name in _RAISE_MACROS and (unit_block or not _is_last(node)):
                self.add("remove_raise", node, "", f"removed the {name}!", node, "stmt")
        elif inner.type == "call_expression":
            fn = inner.child_by_field_name("function")
            name = self.text(fn.child_by_field_name("field")) if fn is not None and fn.type == "field_expression" \
                and fn.child_by_field_name("field") is not None else ""
            operator = "normalizing_call" if name in _SORTS else "remove_call"
            label = self.text(fn) if fn is not None else "the call"
            self.add(operator, node, "", f"removed the call to {label}", node, "stmt")
        elif inner.type in ("break_expression", "continue_expression") and not inner.named_children:
            if _enclosing(node, _LOOPS, _STOP) is None:
                return
            new = "continue;" if inner.type == "break_expression" else "break;"
            self.add("loop_control", node, new, f"replaced {self.text(inner)} with {new[:-1]}", node, "stmt")

    def on_if_expression(self, node: Node) -> None:
        cond = node.child_by_field_name("condition")
        body = node.child_by_field_name("consequence")
        if cond is None or body is None or cond.type == "let_condition" or "let " in self.text(cond):
            return
        if node.child_by_field_name("alternative") is None and _exits(body, self):
            self.add("remove_guard", cond, "false", "disabled the guard clause", cond, "expr")
        if cond.type not in ("binary_expression", "unary_expression"):
            self.add("negation", cond, f"!({self.text(cond)})", "negated the condition", cond, "expr")

    def on_function_item(self, node: Node) -> None:
        ret = node.child_by_field_name("return_type")
        body = node.child_by_field_name("body")
        if ret is None or body is None:
            return
        value = default_value(self.text(ret))
        if value is None:
            return
        body_text = self.text(body)
        if re.fullmatch(r"\{\s*" + re.escape(value) + r"\s*\}", body_text):
            return
        self.add("return_value", body, "{ " + value + " }", f"replaced the body with {value}", body, "body")


def _is_last(node: Node) -> bool:
    parent = node.parent
    named = [c for c in parent.named_children if not c.type.endswith("comment")] if parent else []
    return not named or named[-1] == node


def _exits(block: Node, p: _Pass) -> bool:
    named = [c for c in block.named_children if not c.type.endswith("comment")]
    if not named:
        return False
    text = p.text(named[-1]).lstrip()
    return text.startswith(("return", "break", "continue", "panic!"))
