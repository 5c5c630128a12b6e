"""Go mutation operators on tree-sitter syntax trees, each with the schema site it needs.

Go has no conditional expression and its function literals must spell their result type, so a
site is wrapped in one of four type-safe shapes (``schema.py`` renders them):

- ``bool``: a comparison, ``&&``/``||``, ``!x`` or an ``if`` condition (always ``bool``):
  ``func() bool { switch ... { case 1: return ALT }; return ORIGINAL }()``;
- ``typed:<T>``: an expression whose type is known from the syntax (a string normaliser's
  result, ``x := 0``): the same closure with result type ``T``;
- ``arith``: a side-effect-free arithmetic expression, ``taskauditSel(k, ORIGINAL, ALT...)``,
  a generic function whose type parameter is inferred from the operands (operands are
  evaluated eagerly, hence "side-effect free"; no alternative introduces a division);
- ``stmt``: a statement (``return``, a call statement, ``break``, ``i++``):
  ``if k := ...; k == 1 { ALT } else { ORIGINAL }``, which keeps ``break``/``continue``
  meaning what they meant and keeps terminating statements terminating.

Mutants that cannot compile where the syntax says so are not generated: no arithmetic on
operands that look like strings, a return value only as the declared result types' zero
values, no removal that would leave a variable or an import unused (Go rejects both), no
``break``/``continue`` swap outside a loop, nothing in constant or type contexts.
"""

from __future__ import annotations

from tree_sitter import Node

from taskaudit.mutation.compiled_support.operators import BOUNDARY as _BOUNDARY
from taskaudit.mutation.compiled_support.operators import REL_SWAP as _REL_SWAP
from taskaudit.mutation.compiled_support.operators import OperatorPass, run_pass
from taskaudit.mutation.compiled_support.operators import enclosing as _enclosing
from taskaudit.mutation.compiled_support.schema import Candidate

_NUMERIC = {
    "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64",
    "uintptr", "float32", "float64", "complex64", "complex128", "byte", "rune",
}  # fmt: skip
_NIL_TYPES = {"pointer_type", "slice_type", "map_type", "channel_type", "function_type", "interface_type"}
_ARITH_SWAP = {"+": "-", "-": "+", "*": "+", "/": "*", "%": "*"}
_PURE_CALLS = {"len", "cap", "min", "max"} | _NUMERIC
_STRING_FUNCS = {
    "strings": {"TrimSpace", "ToLower", "ToUpper", "Title", "Trim", "TrimLeft", "TrimRight",
                "TrimPrefix", "TrimSuffix", "TrimFunc", "ToTitle"},
    "bytes": {"TrimSpace", "ToLower", "ToUpper", "Trim", "TrimLeft", "TrimRight", "TrimPrefix",
              "TrimSuffix", "TrimFunc"},
}  # fmt: skip
_SORTS = {
    "sort": {"Ints", "Strings", "Float64s", "Slice", "SliceStable", "Sort", "Stable"},
    "slices": {"Sort", "SortFunc", "SortStableFunc", "Reverse"},
}
# Calls whose string arguments are messages: their literals are not mutated.
_MESSAGE_PKGS = {"fmt", "errors", "log", "t", "b"}
_SKIP_CONTEXT = {"const_declaration", "array_type", "import_declaration", "type_declaration",
                 "field_declaration_list", "type_arguments"}  # fmt: skip
_FUNCS = ("function_declaration", "method_declaration", "func_literal")


def candidates(path: str, source: bytes) -> list[Candidate]:
    return run_pass("go", _Pass, path, source)


class _Pass(OperatorPass):
    def __init__(self, path: str, source: bytes, root: Node) -> None:
        super().__init__(path, source, root)
        self.imports = self._imports()

    def site_kind(self, site: Node, kind: str) -> str:
        if kind == "stmt" and site.parent is not None and site.parent.type == "for_clause":
            return "simple_stmt"  # a for clause's post statement: no if statement can stand there
        return kind

    def skip(self, node: Node) -> bool:
        return node.type in _SKIP_CONTEXT

    def _imports(self) -> dict[str, str]:
        """Package name -> import path, for the imports of this file."""
        names: dict[str, str] = {}
        for spec in _descendants(self.root, "import_spec"):
            path_node = spec.child_by_field_name("path")
            if path_node is None:
                continue
            path = self.text(path_node).strip('"`')
            alias = spec.child_by_field_name("name")
            name = self.text(alias) if alias is not None else path.rsplit("/", 1)[-1]
            names[name] = path
        return names

    # ------------------------------------------------------------------ expressions

    def on_binary_expression(self, node: Node) -> None:
        op_node = node.child_by_field_name("operator")
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if op_node is None or left is None or right is None:
            return
        op = self.text(op_node)
        span = (op_node.start_byte, op_node.end_byte)
        if op in _REL_SWAP:
            self.add("relational", op_node, _REL_SWAP[op], f"replaced {op} with {_REL_SWAP[op]}", node, "bool")
            if op in _BOUNDARY:
                self.add("boundary", op_node, _BOUNDARY[op], f"replaced {op} with {_BOUNDARY[op]}", node, "bool")
        elif op in ("&&", "||"):
            other = "||" if op == "&&" else "&&"
            self.add("logical", op_node, other, f"replaced {op} with {other}", node, "bool")
        elif op in _ARITH_SWAP and self.arith_site(node):
            new = _ARITH_SWAP[op]
            self.add("arithmetic", op_node, new, f"replaced {op} with {new}", node, "arith", *span)

    def arith_site(self, node: Node) -> bool:
        """An arithmetic node the schema may evaluate eagerly with a generic helper."""
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            return False
        if not any(n.type in ("identifier", "selector_expression", "call_expression", "index_expression")
                   for n in _walk(node)):
            return False  # a constant expression: its type comes from the context
        if self.stringish(left) or self.stringish(right):
            return False
        return self.pure(node)

    def pure(self, node: Node) -> bool:
        for n in _walk(node):
            if n.type == "call_expression":
                fn = n.child_by_field_name("function")
                if fn is None or fn.type != "identifier" or self.text(fn) not in _PURE_CALLS:
                    return False
            elif n.type == "unary_expression" and self.text(n).startswith("<-") or n.type == "func_literal":
                return False
        return True

    def stringish(self, node: Node) -> bool:
        """Syntax that says "a string": literals, string conversions and string functions,
        identifiers declared as strings in the enclosing function."""
        if node.type in ("interpreted_string_literal", "raw_string_literal", "rune_literal"):
            return node.type != "rune_literal" or False
        if node.type == "parenthesized_expression":
            return any(self.stringish(c) for c in node.named_children)
        if node.type == "binary_expression":
            return self.stringish(node.child_by_field_name("left")) or self.stringish(
                node.child_by_field_name("right"))
        if node.type in ("call_expression", "type_conversion_expression"):
            fn = node.child_by_field_name("function") or node.child_by_field_name("type")
            name = self.text(fn) if fn is not None else ""
            if name in ("string", "fmt.Sprint", "fmt.Sprintf", "fmt.Sprintln", "strconv.Itoa",
                        "strconv.Quote", "strconv.FormatInt", "strconv.FormatFloat") or name.endswith(".String"):
                return True
            pkg, _, fname = name.partition(".")
            return pkg == "strings" and fname in _STRING_FUNCS["strings"] | {"Repeat", "Join", "Replace", "ReplaceAll", "Map"}
        if node.type == "identifier":
            return self.text(node) in self.string_names(node)
        if node.type == "index_expression" or node.type == "slice_expression":
            operand = node.child_by_field_name("operand")
            return node.type == "slice_expression" and operand is not None and self.stringish(operand)
        return False

    def string_names(self, node: Node) -> set[str]:
        fn = _enclosing(node, _FUNCS)
        names: set[str] = set()
        scope = fn if fn is not None else self.root
        for decl in _walk(scope):
            if decl.type in ("parameter_declaration", "var_spec"):
                typ = decl.child_by_field_name("type")
                if typ is not None and self.text(typ) == "string":
                    names.update(self.text(c) for c in decl.children_by_field_name("name"))
            elif decl.type == "short_var_declaration":
                left, right = decl.child_by_field_name("left"), decl.child_by_field_name("right")
                if left is None or right is None:
                    continue
                for lhs, rhs in zip(left.named_children, right.named_children):
                    if self.stringish_shallow(rhs):
                        names.add(self.text(lhs))
        return names

    def stringish_shallow(self, node: Node) -> bool:
        if node.type in ("interpreted_string_literal", "raw_string_literal"):
            return True
        if node.type == "call_expression":
            fn = node.child_by_field_name("function")
            return fn is not None and self.text(fn) in ("string", "fmt.Sprintf", "strconv.Itoa")
        return False

    def on_unary_expression(self, node: Node) -> None:
        op = node.child_by_field_name("operator")
        operand = node.child_by_field_name("operand")
        if op is not None and operand is not None and self.text(op) == "!":
            self.add("negation", node, self.text(operand), "removed the negation", node, "bool")

    def on_int_literal(self, node: Node) -> None:
        text = self.text(node)
        try:
            value = int(text.replace("_", ""), 0)
        except ValueError:
            return
        new = "1" if value == 0 else str(value + 1)  # never 0: an eager alternative must not divide by it
        site, kind = self.literal_site(node, int_literal=True)
        if site is not None:
            self.add("constant", node, new, f"replaced {text} with {new}", site, kind)

    def on_interpreted_string_literal(self, node: Node) -> None:
        if self.text(node) == '""':
            return
        site, kind = self.literal_site(node, int_literal=False)
        if site is not None:
            self.add("constant", node, '""', "replaced the string with an empty one", site, kind)

    def on_true(self, node: Node) -> None:
        self.bool_literal(node, "false")

    def on_false(self, node: Node) -> None:
        self.bool_literal(node, "true")

    def bool_literal(self, node: Node, new: str) -> None:
        site, kind = self.literal_site(node, int_literal=False)
        if site is not None:
            self.add("constant", node, new, f"replaced {self.text(node)} with {new}", site, kind)

    def literal_site(self, node: Node, *, int_literal: bool) -> tuple[Node | None, str]:
        """The nearest enclosing node whose schema shape is type-safe for a changed literal."""
        parent = node.parent
        child = node
        while parent is not None:
            if parent.type == "argument_list":
                call = parent.parent
                fn = call.child_by_field_name("function") if call is not None else None
                if fn is not None and (self.text(fn).split(".")[0] in _MESSAGE_PKGS or self.text(fn) == "panic"):
                    return None, ""
            if parent.type == "binary_expression":
                op = parent.child_by_field_name("operator")
                op_text = self.text(op) if op is not None else ""
                if op_text in _REL_SWAP:
                    return parent, "bool"
                if op_text in _ARITH_SWAP and int_literal and self.arith_site(parent):
                    return parent, "arith"
                if op_text in ("&&", "||"):
                    return parent, "bool"
                return None, ""
            if parent.type == "expression_list" and parent.parent is not None and \
                    parent.parent.type == "return_statement":
                ret = parent.parent
                return (ret, "stmt") if len(self.result_types(ret)) == len(parent.named_children) else (None, "")
            if parent.type == "return_statement":
                return (parent, "stmt") if len(self.result_types(parent)) == 1 else (None, "")
            if parent.type == "expression_list" and parent.parent is not None and \
                    parent.parent.type == "short_var_declaration" and child.type in (
                    "int_literal", "interpreted_string_literal", "true", "false"):
                typ = {"int_literal": "int", "interpreted_string_literal": "string"}.get(child.type, "bool")
                return child, f"typed:{typ}"
            if parent.type == "index_expression" and parent.child_by_field_name("index") == child and int_literal:
                return child, "typed:int"
            if parent.type in ("parenthesized_expression",):
                child, parent = parent, parent.parent
                continue
            return None, ""
        return None, ""

    def on_call_expression(self, node: Node) -> None:
        fn = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        if fn is None or args is None or fn.type != "selector_expression":
            return
        pkg, _, name = self.text(fn).partition(".")
        if pkg in self.imports and name in _STRING_FUNCS.get(self.imports[pkg], set()):
            first = next(iter(args.named_children), None)
            if first is None or self.orphans(node, exclude=first):
                return
            typ = "string" if self.imports[pkg] == "strings" else "[]byte"
            self.add("normalizing_call", node, self.text(first), f"removed the call to {pkg}.{name}",
                     node, f"typed:{typ}")

    # ------------------------------------------------------------------ statements

    def on_expression_statement(self, node: Node) -> None:
        call = node.named_children[0] if node.named_children else None
        if call is None or call.type != "call_expression":
            return
        fn = call.child_by_field_name("function")
        if fn is None:
            return
        name = self.text(fn)
        pkg, _, member = name.partition(".")
        if self.orphans(node):
            return
        if name == "panic":
            if _is_last_statement(node):
                return  # a terminating statement: without it the function may not compile
            self.add("remove_raise", node, "", "removed the panic", node, "stmt")
        elif pkg in self.imports and member in _SORTS.get(self.imports[pkg], set()):
            self.add("normalizing_call", node, "", f"removed the call to {name}", node, "stmt")
        else:
            self.add("remove_call", node, "", f"removed the call to {name}", node, "stmt")

    def on_return_statement(self, node: Node) -> None:
        values = node.named_children[0] if node.named_children else None
        types = self.result_types(node)
        if values is None or not types:
            return
        exprs = values.named_children if values.type == "expression_list" else [values]
        if len(exprs) != len(types):
            return  # return f() of a multi-value call
        zeros = [_zero(t, self.text(t)) for t in types]
        if [self.text(e) for e in exprs] == zeros:
            return
        new = "return " + ", ".join(zeros)
        self.add("return_value", node, new, "returned the zero value" + ("s" if len(zeros) > 1 else ""),
                 node, "stmt")

    def result_types(self, node: Node) -> list[Node]:
        fn = _enclosing(node, _FUNCS)
        if fn is None:
            return []
        result = fn.child_by_field_name("result")
        if result is None:
            return []
        if result.type != "parameter_list":
            return [result]
        types = []
        for decl in result.named_children:
            typ = decl.child_by_field_name("type")
            if typ is None:
                return []
            types.extend([typ] * max(1, len(decl.children_by_field_name("name"))))
        return types

    def on_if_statement(self, node: Node) -> None:
        cond = node.child_by_field_name("condition")
        body = node.child_by_field_name("consequence")
        if cond is None or body is None:
            return
        if node.child_by_field_name("alternative") is None and _exits(body):
            text = self.text(cond)
            self.add("remove_guard", cond, f"false && ({text})", "disabled the guard clause", cond, "bool")
        if cond.type not in ("binary_expression", "unary_expression"):
            text = self.text(cond)
            self.add("negation", cond, f"!({text})", "negated the condition", cond, "bool")

    def on_inc_statement(self, node: Node) -> None:
        self.step(node, "++", "--")

    def on_dec_statement(self, node: Node) -> None:
        self.step(node, "--", "++")

    def step(self, node: Node, old: str, new: str) -> None:
        op = node.children[-1]
        self.add("arithmetic", op, new, f"replaced {old} with {new}", node, "stmt")

    def on_assignment_statement(self, node: Node) -> None:
        op = node.child_by_field_name("operator")
        if op is None:
            return
        text = self.text(op)
        if text in ("+=", "-=", "*=", "/=", "%="):
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if (left is not None and self.stringish(left.named_children[0])) or (
                    right is not None and self.stringish(right.named_children[0])):
                return
            new = _ARITH_SWAP[text[0]] + "="
            self.add("arithmetic", op, new, f"replaced {text} with {new}", node, "stmt")

    def on_break_statement(self, node: Node) -> None:
        self.loop_control(node, "continue")

    def on_continue_statement(self, node: Node) -> None:
        self.loop_control(node, "break")

    def loop_control(self, node: Node, new: str) -> None:
        if node.named_children:  # labelled
            return
        if _enclosing(node, ("for_statement",), stop=_FUNCS) is None:
            return
        if new == "continue" and _enclosing(node, ("for_statement",), stop=_FUNCS) is None:
            return
        self.add("loop_control", node, new, f"replaced {self.text(node)} with {new}", node, "stmt")

    # ------------------------------------------------------------------ compile safety

    def orphans(self, span: Node, exclude: Node | None = None) -> bool:
        """Would removing ``span`` (but for ``exclude``) leave a local variable or an import
        unused? Go rejects both, so such a removal is not generated."""
        def inside(n: Node) -> bool:
            return span.start_byte <= n.start_byte < span.end_byte and not (
                exclude is not None and exclude.start_byte <= n.start_byte < exclude.end_byte)

        used = {self.text(n) for n in _walk(span) if n.type in ("identifier", "package_identifier") and inside(n)}
        for pkg in used & set(self.imports):
            others = [n for n in _walk(self.root) if n.type in ("identifier", "package_identifier")
                      and self.text(n) == pkg and not inside(n) and n.parent is not None
                      and n.parent.type in ("selector_expression", "qualified_type")]
            if not others:
                return True
        fn = _enclosing(span, _FUNCS)
        if fn is None:
            return False
        for name in used - set(self.imports):
            nodes = [n for n in _walk(fn) if n.type == "identifier" and self.text(n) == name and not inside(n)]
            declared = [n for n in nodes if _declares(n)]
            if declared and len(nodes) == len(declared):
                return True
        return False


def _walk(node: Node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def _descendants(node: Node, kind: str) -> list[Node]:
    return [n for n in _walk(node) if n.type == kind]


def _declares(ident: Node) -> bool:
    """An identifier on the left of ``:=``/``=``, a ``var`` name or a range variable."""
    parent = ident.parent
    if parent is None:
        return False
    if parent.type == "var_spec":
        return True
    if parent.type == "expression_list" and parent.parent is not None:
        holder = parent.parent
        if holder.type in ("short_var_declaration", "assignment_statement", "range_clause"):
            return holder.child_by_field_name("left") == parent
    return False


def _is_last_statement(node: Node) -> bool:
    parent = node.parent
    if parent is None:
        return True
    named = [c for c in parent.named_children if c.type != "comment"]
    return bool(named) and named[-1] == node


def _exits(block: Node) -> bool:
    """A guard clause's body: it ends by leaving (return, panic, continue, break)."""
    stmts = [c for c in _walk(block) if c.parent is not None and c.parent.type == "statement_list"
             and c.parent.parent == block]
    if not stmts:
        return False
    last = stmts[-1]
    if last.type in ("return_statement", "continue_statement", "break_statement"):
        return True
    if last.type == "expression_statement" and last.named_children:
        call = last.named_children[0]
        fn = call.child_by_field_name("function") if call.type == "call_expression" else None
        return fn is not None and fn.text == b"panic"
    return False


def _zero(node: Node, text: str) -> str:
    if node.type == "type_identifier" or node.type == "identifier":
        if text in _NUMERIC:
            return "0"
        if text == "string":
            return '""'
        if text == "bool":
            return "false"
        if text in ("error", "any"):
            return "nil"
    if node.type in _NIL_TYPES:
        return "nil"
    return f"*new({text})"
