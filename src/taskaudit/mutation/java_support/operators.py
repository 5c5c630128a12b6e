"""Java mutation operators on tree-sitter syntax trees, each with the schema site it needs.

Java has a conditional expression, so (``schema.py``):

- ``expr``: ``(S.is(3) ? (ALT) : S.is(7) ? (ALT) : ORIGINAL)``, lazy and typed by the
  branches (a comparison, arithmetic, a literal, ``!x``, ``s.trim()``);
- ``stmt``: ``{ if (S.is(3)) { ALT } else { ORIGINAL } }`` (``return``, a call statement,
  ``throw``, ``break``/``continue``, ``i++``).

Not generated, because the types or Java's flow rules say they cannot compile: arithmetic on
operands that look like strings (``+`` is concatenation there), a return value other than the
declared type's default, removal of a ``throw`` that ends a method (it would "miss a return"),
mutants in constant contexts (``case`` labels, annotations, ``static final`` fields) or in
field initialisers and static initialisers (run once per class, not per mutant), ``true`` in a
loop condition (the code after the loop would become reachable).
"""

from __future__ import annotations

import re

from tree_sitter import Node

from taskaudit.mutation.compiled_support.operators import BOUNDARY as _BOUNDARY
from taskaudit.mutation.compiled_support.operators import REL_SWAP as _REL_SWAP
from taskaudit.mutation.compiled_support.operators import OperatorPass, run_pass
from taskaudit.mutation.compiled_support.schema import Candidate

_ARITH_SWAP = {"+": "-", "-": "+", "*": "/", "/": "*", "%": "*"}
_SKIP = {"field_declaration", "static_initializer", "switch_label", "annotation", "marker_annotation",
         "enum_constant", "constant_declaration", "annotation_type_declaration", "lambda_expression",
         "import_declaration", "package_declaration", "explicit_constructor_invocation"}  # fmt: skip
_NORMALIZING = {"trim", "strip", "toLowerCase", "toUpperCase", "stripLeading", "stripTrailing"}
_SORTS = {"Collections.sort", "Arrays.sort", "Collections.reverse"}
_INT_TYPES = {"int", "long", "short", "byte"}
_STRING_METHODS = {"toString", "substring", "trim", "strip", "toLowerCase", "toUpperCase", "repeat",
                   "concat", "replace", "valueOf", "format", "join", "charAt"}  # fmt: skip


def candidates(path: str, source: bytes) -> list[Candidate]:
    return run_pass("java", _Pass, path, source)


def default_value(typ: str) -> str | None:
    t = re.sub(r"\s+", "", typ)
    if t in _INT_TYPES:
        return "0"
    if t in ("double", "float"):
        return "0.0" if t == "double" else "0.0f"
    if t == "boolean":
        return "false"
    if t in ("void", "char"):
        return None
    if t == "String":
        return '""'
    base = t.split("<", 1)[0].rsplit(".", 1)[-1]
    if base in ("List", "Collection", "Iterable"):
        return "java.util.Collections.emptyList()"
    if base == "Set":
        return "java.util.Collections.emptySet()"
    if base == "Map":
        return "java.util.Collections.emptyMap()"
    if base == "Optional":
        return "java.util.Optional.empty()"
    return "null"


class _Pass(OperatorPass):
    def skip(self, node: Node) -> bool:
        return node.type in _SKIP

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
        elif op in _ARITH_SWAP and not (self.stringish(left) or self.stringish(right)) and not self.in_message(node):
            new = _ARITH_SWAP[op]
            self.add("arithmetic", op_node, new, f"replaced {op} with {new}", node, "expr")

    def stringish(self, node: Node) -> bool:
        if node.type in ("string_literal", "text_block", "character_literal"):
            return node.type != "character_literal"
        if node.type in ("parenthesized_expression", "binary_expression"):
            return any(self.stringish(c) for c in node.named_children)
        if node.type == "method_invocation":
            name = node.child_by_field_name("name")
            return name is not None and self.text(name) in _STRING_METHODS and self.text(name) != "charAt"
        if node.type == "identifier":
            return self.text(node) in self.string_names(node)
        return False

    def string_names(self, node: Node) -> set[str]:
        method = node
        while method is not None and method.type not in ("method_declaration", "constructor_declaration", "class_body"):
            method = method.parent
        names: set[str] = set()
        if method is None:
            return names
        stack = [method]
        while stack:
            n = stack.pop()
            stack.extend(n.children)
            if n.type in ("formal_parameter", "local_variable_declaration", "field_declaration"):
                typ = n.child_by_field_name("type")
                if typ is not None and self.text(typ) in ("String", "CharSequence", "Object"):
                    for d in n.named_children:
                        name = d.child_by_field_name("name") if d.type == "variable_declarator" else None
                        if name is not None:
                            names.add(self.text(name))
                    if n.type == "formal_parameter":
                        name = n.child_by_field_name("name")
                        if name is not None:
                            names.add(self.text(name))
        return names

    def in_message(self, node: Node) -> bool:
        """Inside a ``throw`` or an exception's constructor arguments: a message, not behaviour."""
        parent = node.parent
        while parent is not None and parent.type not in ("block", "class_body"):
            if parent.type == "throw_statement":
                return True
            if parent.type == "object_creation_expression":
                typ = parent.child_by_field_name("type")
                if typ is not None and re.search(r"(Exception|Error)$", self.text(typ)):
                    return True
            parent = parent.parent
        return False

    def on_unary_expression(self, node: Node) -> None:
        op = node.child_by_field_name("operator")
        operand = node.child_by_field_name("operand")
        if op is not None and operand is not None and self.text(op) == "!":
            self.add("negation", node, self.text(operand), "removed the negation", node, "expr")

    def on_decimal_integer_literal(self, node: Node) -> None:
        m = re.fullmatch(r"(\d[\d_]*)([lL]?)", self.text(node))
        if m is None or self.in_message(node):
            return
        value = int(m[1].replace("_", ""))
        new = ("1" if value == 0 else str(value + 1)) + m[2]
        self.add("constant", node, new, f"replaced {self.text(node)} with {new}", node, "expr")

    def on_string_literal(self, node: Node) -> None:
        if self.text(node) == '""' or self.in_message(node):
            return
        self.add("constant", node, '""', "replaced the string with an empty one", node, "expr")

    def on_true(self, node: Node) -> None:
        self.bool_literal(node, "false")

    def on_false(self, node: Node) -> None:
        self.bool_literal(node, "true")

    def bool_literal(self, node: Node, new: str) -> None:
        parent = node.parent
        while parent is not None and parent.type == "parenthesized_expression":
            parent = parent.parent
        if parent is not None and parent.type in ("while_statement", "do_statement", "for_statement"):
            return  # while (true): the loop's exits decide what is reachable after it
        self.add("constant", node, new, f"replaced {self.text(node)} with {new}", node, "expr")

    def on_method_invocation(self, node: Node) -> None:
        name = node.child_by_field_name("name")
        obj = node.child_by_field_name("object")
        args = node.child_by_field_name("arguments")
        if name is None or obj is None or args is None or args.named_children:
            return
        if self.text(name) in _NORMALIZING and node.parent is not None and node.parent.type != "expression_statement":
            self.add("normalizing_call", node, self.text(obj), f"removed .{self.text(name)}()", node, "expr")

    # ------------------------------------------------------------------ statements

    def on_expression_statement(self, node: Node) -> None:
        inner = node.named_children[0] if node.named_children else None
        if inner is None:
            return
        if inner.type == "method_invocation":
            obj = inner.child_by_field_name("object")
            name = inner.child_by_field_name("name")
            label = (self.text(obj) + "." if obj is not None else "") + (self.text(name) if name is not None else "")
            operator = "normalizing_call" if label in _SORTS or label.endswith(".sort") else "remove_call"
            self.add(operator, node, "", f"removed the call to {label}", node, "stmt")
        elif inner.type == "update_expression":
            text = self.text(inner)
            new = text.replace("++", "--") if "++" in text else text.replace("--", "++")
            self.add("arithmetic", node, new + ";", f"replaced {text} with {new}", node, "stmt")
        elif inner.type == "assignment_expression":
            op = inner.child_by_field_name("operator")
            left, right = inner.child_by_field_name("left"), inner.child_by_field_name("right")
            if op is None or left is None or right is None:
                return
            text = self.text(op)
            if text in ("+=", "-=", "*=", "/=", "%=") and not (self.stringish(left) or self.stringish(right)):
                new = _ARITH_SWAP[text[0]] + "="
                self.add("arithmetic", op, new, f"replaced {text} with {new}", node, "stmt")

    def on_throw_statement(self, node: Node) -> None:
        parent = node.parent
        guarded = parent is not None and (parent.type == "if_statement" or (
            parent.type == "block" and parent.parent is not None and parent.parent.type == "if_statement"))
        if guarded:
            self.add("remove_raise", node, "", "removed the throw", node, "stmt")

    def on_return_statement(self, node: Node) -> None:
        value = node.named_children[0] if node.named_children else None
        method = node.parent
        while method is not None and method.type not in ("method_declaration", "lambda_expression", "class_body"):
            method = method.parent
        if value is None or method is None or method.type != "method_declaration":
            return
        typ = method.child_by_field_name("type")
        zero = default_value(self.text(typ)) if typ is not None else None
        if zero is None or self.text(value) == zero:
            return
        self.add("return_value", node, f"return {zero};", f"returned {zero}", node, "stmt")

    def on_if_statement(self, node: Node) -> None:
        cond = node.child_by_field_name("condition")
        body = node.child_by_field_name("consequence")
        if cond is None or body is None:
            return
        inner = cond.named_children[0] if cond.type == "parenthesized_expression" and cond.named_children else cond
        if node.child_by_field_name("alternative") is None and self.exits(body):
            self.add("remove_guard", inner, f"false && ({self.text(inner)})", "disabled the guard clause", inner, "expr")
        if inner.type not in ("binary_expression", "unary_expression"):
            self.add("negation", inner, f"!({self.text(inner)})", "negated the condition", inner, "expr")

    def exits(self, body: Node) -> bool:
        last = body
        if body.type == "block":
            named = [c for c in body.named_children if "comment" not in c.type]
            if not named:
                return False
            last = named[-1]
        return last.type in ("return_statement", "throw_statement", "break_statement", "continue_statement")

    def on_break_statement(self, node: Node) -> None:
        self.loop_control(node, "continue;")

    def on_continue_statement(self, node: Node) -> None:
        self.loop_control(node, "break;")

    def loop_control(self, node: Node, new: str) -> None:
        if node.named_children:  # labelled
            return
        parent = node.parent
        while parent is not None and parent.type not in ("method_declaration", "lambda_expression"):
            if parent.type == "switch_block_statement_group" or parent.type == "switch_rule":
                return  # break ends the switch here; continue would change what it means
            if parent.type in ("for_statement", "enhanced_for_statement", "while_statement", "do_statement"):
                self.add("loop_control", node, new, f"replaced {self.text(node)[:-1]} with {new[:-1]}", node, "stmt")
                return
            parent = parent.parent
