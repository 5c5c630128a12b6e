"""Can one mutant's test run leave state behind for the next? A static answer for JS/TS tasks.

The warm worker (``js_support/worker.cjs``) runs most mutants without reloading the task's
modules: it re-runs the tests registered by the last clean load with the new switch value.
That is only sound when nothing a test run can change outlives the run. This module decides
it from the syntax trees of the task's own files (solution, starter and test files); any doubt
answers "stateful" and every mutant of the task then runs after a fresh load, as before.

A file is *stateless* when:

- its **load-time code** (the top level, and the callbacks of ``describe``/``suite``, which run
  while the tests register) holds only imports and ``require``s, function and class
  declarations (no ``static`` fields or blocks), ``const``/``let``/``var`` bound to immutable
  values (primitive literals, functions, classes, ``require(...)``, other names, arithmetic on
  those, a regular expression without the ``g``/``y`` flag), ``module.exports``/``exports``
  assignments, registration calls (``describe``/``test``/``it``/hooks and their ``.each``/
  ``.skip``/``.only`` forms), and ``for``/``if``/blocks around those;
- a ``const`` bound to an array or object literal of immutable values is only read (indexed,
  iterated, spread; never written, passed on, exported or given to a mutating method);
- a ``/g`` or ``/y`` regular expression bound at the top level of a file the schema rewrites is
  only used through its methods and ``lastIndex`` (the schema resets ``lastIndex`` to 0 before
  each mutant that does not reload, which is all a fresh load would change);
- **code that runs during tests** (every other function) writes (``=``, ``+=``, ``++``,
  ``delete``) only names declared in the functions running the test: never a name the
  load-time code declared, never a global (``globalThis.x``, ``process.env.X``), never ``this``
  of a static method or of load-time code;
- it installs no spies (``spyOn``, ``mock.method``): a spy that is not restored outlives a test.

What this does not see: state kept through calls on globals (``someGlobalArray.push``) or
inside ``node_modules``; a fresh load would not reset those either.
"""

from __future__ import annotations

import re

from taskaudit.mutation.treesitter import parser_for, text, walk

_FUNCTIONS = ("function_declaration", "function_expression", "function", "arrow_function",
              "method_definition", "generator_function_declaration", "generator_function")
_SUITES = {"describe", "suite", "context", "xdescribe", "fdescribe"}
_REGISTRATIONS = {"test", "it", "xit", "fit", "xtest", "before", "after", "beforeAll", "afterAll",
                  "beforeEach", "afterEach"}
_PRIMITIVES = {"number", "string", "true", "false", "null", "undefined", "identifier",
               "function_expression", "function", "arrow_function", "class", "generator_function"}
_MUTATING_METHODS = {"push", "pop", "shift", "unshift", "splice", "sort", "reverse", "fill",
                     "copyWithin", "set", "add", "delete", "clear"}
_REGEX_STRING_METHODS = {"replace", "replaceAll", "match", "matchAll", "split", "search"}
_CONFIG = re.compile(r"(^|/)(jest|vitest|vite|babel|eslint|prettier|stryker)\.config\.[cm]?[jt]s$")
SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")


def _grammar(path: str) -> str:
    from taskaudit.mutation.javascript import grammar_for

    return grammar_for(path)


class Stateful(Exception):
    """Raised with the reason (file:line: what) at the first sign of state."""


def task_state(files: dict[str, bytes], resettable: set[str] = frozenset()) -> str:
    """"" when no task file keeps state a test run can change, else the first reason.

    ``files``: every JS/TS file of the task (solution, starter and test files) by path;
    ``resettable``: the files the schema rewrites (their ``/g``, ``/y`` regexes get a reset).
    """
    for path in sorted(files):
        if not path.endswith(SUFFIXES) or path.endswith(".d.ts") or "node_modules/" in path \
                or _CONFIG.search(path):
            continue
        reason = file_state(path, files[path], path in resettable)
        if reason:
            return reason
    return ""


def file_state(path: str, source: bytes, resettable: bool = False) -> str:
    try:
        _FileState(path, source, resettable).check()
    except Stateful as why:
        return str(why)
    except (AttributeError, TypeError, ValueError, RecursionError) as error:
        # a syntax this analysis does not know: count it as state
        return f"{path}: not analysed ({type(error).__name__}: {error})"
    return ""


def resettable_regexes(path: str, source: bytes) -> list[str]:
    """Names bound at the top level of ``source`` to a ``/g`` or ``/y`` regular expression."""
    root = parser_for(_grammar(path)).parse(source).root_node
    names = []
    for child in root.named_children:
        decl = child.child_by_field_name("declaration") if child.type == "export_statement" else child
        if decl is None or decl.type not in ("lexical_declaration", "variable_declaration"):
            continue
        for d in decl.named_children:
            value = d.child_by_field_name("value") if d.type == "variable_declarator" else None
            name = d.child_by_field_name("name") if d.type == "variable_declarator" else None
            if value is not None and name is not None and name.type == "identifier" and _sticky_regex(value):
                names.append(text(name))
    return names


def _sticky_regex(node) -> bool:
    if node.type != "regex":
        return False
    flags = node.child_by_field_name("flags")
    return flags is not None and bool(set(text(flags)) & {"g", "y"})


def _root(node):
    """The name a written or called expression starts from (``a`` in ``a.b[c].d``)."""
    while node is not None:
        if node.type in ("member_expression", "subscript_expression"):
            node = node.child_by_field_name("object")
        elif node.type in ("parenthesized_expression", "non_null_expression", "as_expression"):
            node = node.named_children[0] if node.named_child_count else None
        else:
            return node
    return None


def _callee_name(call) -> str:
    """``describe`` for ``describe(...)``, ``describe.each(t)(...)``, ``test.skip(...)``."""
    fn = call.child_by_field_name("function")
    while fn is not None and fn.type == "call_expression":
        fn = fn.child_by_field_name("function")
    root = _root(fn)
    return text(root) if root is not None and root.type == "identifier" else ""


def _pattern_names(node) -> list[str]:
    """Names a declaration pattern binds (not the names in its default values)."""
    if node is None:
        return []
    if node.type in ("identifier", "shorthand_property_identifier_pattern"):
        return [text(node)]
    if node.type in ("assignment_pattern", "object_assignment_pattern"):
        return _pattern_names(node.child_by_field_name("left"))
    if node.type == "pair_pattern":
        return _pattern_names(node.child_by_field_name("value"))
    if node.type in ("required_parameter", "optional_parameter"):
        return _pattern_names(node.child_by_field_name("pattern"))
    out = []
    for child in node.named_children:
        if child.type not in ("type_annotation", "property_identifier"):
            out += _pattern_names(child)
    return out


class _FileState:
    def __init__(self, path: str, source: bytes, resettable: bool) -> None:
        self.path, self.resettable = path, resettable
        self.root = parser_for(_grammar(path)).parse(source).root_node
        self.load_scopes: set[int] = set()  # ids of describe callbacks (run at load time)
        self.containers: set[str] = set()   # const bound to literal arrays/objects: read-only?
        self.regexes: set[str] = set()      # /g, /y regexes reset by the schema

    def fail(self, node, why: str):
        raise Stateful(f"{self.path}:{node.start_point[0] + 1}: {why}")

    def check(self) -> None:
        if self.root.has_error:
            self.fail(self.root, "does not parse")
        self.load_scope(self.root.named_children)
        self.check_uses()
        for node in walk(self.root):
            if node.type in _FUNCTIONS and node.id not in self.load_scopes:
                self.check_test_time(node)

    # ---------------------------------------------------------------- load-time code

    def load_scope(self, statements) -> None:
        for s in statements:
            kind = s.type
            if kind in ("comment", "empty_statement", "import_statement", "hash_bang_line",
                        "function_declaration", "generator_function_declaration",
                        "type_alias_declaration", "interface_declaration", "enum_declaration",
                        "ambient_declaration"):
                continue
            if kind == "export_statement":
                inner = s.child_by_field_name("declaration") or s.child_by_field_name("value")
                if inner is not None:
                    if inner.type.endswith("declaration"):
                        self.load_scope([inner])
                    else:
                        self.value(inner, None)
                continue
            if kind in ("class_declaration", "abstract_class_declaration"):
                self.check_class(s)
            elif kind in ("lexical_declaration", "variable_declaration"):
                for d in s.named_children:
                    if d.type == "variable_declarator":
                        self.value(d.child_by_field_name("value"), d.child_by_field_name("name"),
                                   const=text(s).startswith("const"))
            elif kind == "expression_statement":
                self.load_expression(s.named_children[0] if s.named_child_count else s)
            elif kind in ("for_in_statement", "for_statement"):
                right = s.child_by_field_name("right")
                if kind == "for_in_statement" and not self.immutable(right, deep=True):
                    self.fail(s, "a load-time loop over values that may be mutable")
                body = s.child_by_field_name("body")
                self.load_scope(body.named_children if body.type == "statement_block" else [body])
            elif kind == "if_statement":
                for part in (s.child_by_field_name("consequence"), s.child_by_field_name("alternative")):
                    if part is not None:
                        part = part.named_children[-1] if part.type == "else_clause" else part
                        self.load_scope(part.named_children if part.type == "statement_block" else [part])
            elif kind == "statement_block":
                self.load_scope(s.named_children)
            else:
                self.fail(s, f"load-time {kind.replace('_', ' ')}")

    def load_expression(self, e) -> None:
        if e.type == "string":
            return  # a directive
        if e.type == "assignment_expression":
            left = _root(e.child_by_field_name("left"))
            if left is not None and text(left) in ("module", "exports"):
                return  # the module's exports, written once per load
            self.fail(e, "a load-time assignment")
        if e.type == "await_expression" and e.named_child_count:
            e = e.named_children[0]
        if e.type != "call_expression":
            self.fail(e, f"load-time {e.type.replace('_', ' ')}")
        name = _callee_name(e)
        args = e.child_by_field_name("arguments")
        if name in _SUITES:
            for a in args.named_children if args is not None else []:
                if a.type in ("function_expression", "arrow_function", "function"):
                    self.load_scopes.add(a.id)
                    body = a.child_by_field_name("body")
                    if body is not None and body.type == "statement_block":
                        self.load_scope(body.named_children)
                    # a describe callback's parameters (describe.each rows) may be mutable
                    params = a.child_by_field_name("parameters") or a.child_by_field_name("parameter")
                    if params is not None and _pattern_names(params):
                        self.fail(a, "describe.each rows (values shared by its tests)")
        elif name in _REGISTRATIONS:
            # test.each(table)(...): each row's values are shared by every run of its test.
            fn = e.child_by_field_name("function")
            if fn is not None and fn.type == "call_expression" and not self.each_table_ok(fn):
                self.fail(e, "a .each table with values a test could change")
        elif name == "require":
            return
        else:
            self.fail(e, f"a load-time call of {name or text(e.child_by_field_name('function'))[:40]}")

    def each_table_ok(self, call) -> bool:
        """Rows of primitives, or of arrays of primitives (jest spreads a row into arguments)."""
        args = call.child_by_field_name("arguments")
        if args is None or args.type != "arguments":
            return False  # a template-literal table
        for table in args.named_children:
            if table.type != "array":
                return False
            for row in table.named_children:
                cells = row.named_children if row.type == "array" else [row]
                if not all(self.immutable(c) for c in cells if c.type != "comment"):
                    return False
        return True

    def check_class(self, cls) -> None:
        body = cls.child_by_field_name("body")
        for member in body.named_children if body is not None else []:
            if member.type == "class_static_block" or (
                member.type in ("field_definition", "public_field_definition")
                and any(c.type == "static" for c in member.children)
            ):
                self.fail(member, "a static class field")

    def value(self, value, name, const: bool = True) -> None:
        if value is None:
            return  # `let x;`: any later write is checked as a write to a load-time name
        if self.immutable(value):
            return
        names = _pattern_names(name) if name is not None else []
        if const and len(names) == 1 and name.type == "identifier":
            if value.type in ("array", "object") and self.immutable(value, deep=True):
                self.containers.add(names[0])
                return
            if _sticky_regex(value) and self.resettable:
                self.regexes.add(names[0])
                return
        self.fail(value, f"load-time state: {' '.join(text(value).split())[:50]}")

    def immutable(self, node, deep: bool = False) -> bool:
        """A value nothing can change: primitives, functions, require(), arithmetic on those;
        with ``deep``, arrays and objects of those too (whether they are then written is
        check_uses's question)."""
        if node is None:
            return True
        kind = node.type
        if kind in _PRIMITIVES or kind in ("class", "regex") and not (kind == "regex" and _sticky_regex(node)):
            return True
        if kind == "template_string":
            return not any(c.type == "template_substitution" for c in node.named_children)
        if kind in ("unary_expression", "binary_expression", "parenthesized_expression", "ternary_expression"):
            return all(self.immutable(c, deep) for c in node.named_children)
        if kind in ("call_expression", "member_expression"):
            base = node
            while base.type in ("member_expression", "call_expression") and _callee_name(base) != "require":
                base = base.child_by_field_name("object" if base.type == "member_expression" else "function")
                if base is None:
                    return False
            return base.type == "call_expression"  # require("...")[.member]
        if kind == "await_expression":  # await import("...")
            inner = node.named_children[0] if node.named_child_count else None
            return inner is not None and inner.type == "call_expression" and text(inner).startswith("import(")
        if deep and kind == "array":
            return all(self.immutable(c, deep) for c in node.named_children if c.type != "comment")
        if deep and kind == "object":
            return all(c.type == "pair" and self.immutable(c.child_by_field_name("value"), deep)
                       for c in node.named_children if c.type != "comment")
        return False

    # ---------------------------------------------------------------- read-only values

    def check_uses(self) -> None:
        """A literal container is only read; a reset regex only used through its methods."""
        watched = self.containers | self.regexes
        if not watched:
            return
        for node in walk(self.root):
            if node.type == "shorthand_property_identifier" and text(node) in watched:
                self.fail(node, f"passes on {text(node)}, bound at load time")  # `{ A }`
            if node.type != "identifier" or text(node) not in watched:
                continue
            parent = node.parent
            if parent.type == "variable_declarator" and parent.child_by_field_name("name") == node:
                continue
            name = text(node)
            if parent.type in ("member_expression", "subscript_expression") and parent.child_by_field_name("object") == node:
                outer = parent.parent
                written = (outer.type in ("assignment_expression", "augmented_assignment_expression")
                           and outer.child_by_field_name("left") == parent) \
                    or outer.type == "update_expression" or (outer.type == "unary_expression" and text(outer).startswith("delete"))
                if name in self.regexes:
                    prop = parent.child_by_field_name("property")
                    if written and (prop is None or text(prop) != "lastIndex"):
                        self.fail(node, f"writes a property of {name}")
                    continue
                called = outer.type == "call_expression" and outer.child_by_field_name("function") == parent
                prop = parent.child_by_field_name("property")
                if written or (called and prop is not None and text(prop) in _MUTATING_METHODS):
                    self.fail(node, f"changes {name}, bound at load time")
                continue
            if name in self.containers and (parent.type == "spread_element" or (
                    parent.type == "for_in_statement" and parent.child_by_field_name("right") == node)):
                continue
            if name in self.regexes and parent.type == "arguments":
                call = parent.parent
                fn = call.child_by_field_name("function") if call.type == "call_expression" else None
                prop = fn.child_by_field_name("property") if fn is not None and fn.type == "member_expression" else None
                if prop is not None and text(prop) in _REGEX_STRING_METHODS:
                    continue
            self.fail(node, f"passes on {name}, bound at load time")

    # ---------------------------------------------------------------- code run by tests

    def check_test_time(self, fn) -> None:
        """Writes in this function (not in nested ones: they are checked on their own) must
        land on names some test-time function between here and the load-time code declared."""
        for node in self.own_nodes(fn):
            target = None
            if node.type in ("assignment_expression", "augmented_assignment_expression"):
                target = node.child_by_field_name("left")
            elif node.type == "update_expression" or (
                    node.type == "unary_expression" and text(node).startswith("delete")):
                target = node.child_by_field_name("argument")
            elif node.type == "call_expression":
                callee = node.child_by_field_name("function")
                prop = callee.child_by_field_name("property") if callee is not None and callee.type == "member_expression" else None
                if prop is not None and (text(prop) == "spyOn" or text(callee).endswith("mock.method")):
                    self.fail(node, f"installs a spy ({text(callee)})")
            if target is None:
                continue
            root = _root(target)
            if root is not None and text(root) in self.regexes and target != root:
                continue  # `RE.lastIndex = n`: check_uses allows that property alone
            if root is None or root.type not in ("identifier", "this", "shorthand_property_identifier_pattern"):
                if target.type in ("object_pattern", "array_pattern"):
                    for name in _pattern_names(target):
                        if not self.declared_in_test_time(fn, name):
                            self.fail(node, f"a test-time write to {name}, which outlives the test")
                continue
            if root.type == "this":
                owner = self.this_owner(fn)
                if owner is None or owner.id in self.load_scopes or any(c.type == "static" for c in owner.children):
                    self.fail(node, "a test-time write to `this` that outlives the test")
                continue
            if not self.declared_in_test_time(fn, text(root)):
                self.fail(node, f"a test-time write to {text(root)}, which outlives the test")

    def own_nodes(self, fn):
        stack = list(reversed(fn.children))
        while stack:
            n = stack.pop()
            yield n
            if n.type not in _FUNCTIONS:
                stack.extend(reversed(n.children))

    def declared_in_test_time(self, fn, name: str) -> bool:
        f = fn
        while f is not None and f.id not in self.load_scopes:
            if f.type in _FUNCTIONS and name in self.declared(f):
                return True
            f = f.parent
            while f is not None and f.type not in _FUNCTIONS:
                f = f.parent
        return False

    def declared(self, fn) -> set[str]:
        names: set[str] = set()
        params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
        names.update(_pattern_names(params))
        for node in self.own_nodes(fn):
            if node.type == "variable_declarator":
                names.update(_pattern_names(node.child_by_field_name("name")))
            elif node.type in ("function_declaration", "generator_function_declaration", "class_declaration"):
                n = node.child_by_field_name("name")
                if n is not None:
                    names.add(text(n))
            elif node.type == "catch_clause":
                names.update(_pattern_names(node.child_by_field_name("parameter")))
            elif node.type == "for_in_statement":
                left = node.child_by_field_name("left")
                if any(c.type in ("const", "let", "var") for c in node.children):
                    names.update(_pattern_names(left))
        return names

    def this_owner(self, fn):
        """The function whose `this` an arrow function sees."""
        f = fn
        while f is not None and f.type == "arrow_function":
            f = f.parent
            while f is not None and f.type not in _FUNCTIONS:
                f = f.parent
        return f
