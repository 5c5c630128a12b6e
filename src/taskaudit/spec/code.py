"""What source files define and what test files use, per language, from tree-sitter syntax trees.

One walker for every language: each language names the node types that define a name
(functions, classes, types...), that use one (identifiers), and that hold a string literal. The
requirement checks compare these sets: a name the tests use that the reference defines and the
tests do not is something the solver must produce, so the statement or the starter files must
give it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import PurePosixPath

SUFFIXES = {
    "python": (".py",),
    "javascript": (".js", ".mjs", ".cjs", ".jsx"),
    "typescript": (".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs"),
    "go": (".go",),
    "rust": (".rs",),
    "java": (".java",),
}

# Node types whose ``name`` field (or first identifier child) is a defined name.
_DEFINITIONS = {
    "python": {"function_definition", "class_definition"},
    "javascript": {"function_declaration", "class_declaration", "method_definition",
                   "generator_function_declaration"},
    "typescript": {"function_declaration", "class_declaration", "method_definition",
                   "interface_declaration", "type_alias_declaration", "enum_declaration",
                   "generator_function_declaration", "function_signature"},
    "go": {"function_declaration", "method_declaration", "type_spec", "const_spec"},
    "rust": {"function_item", "struct_item", "enum_item", "trait_item", "enum_variant",
             "const_item", "type_item", "function_signature_item"},
    "java": {"class_declaration", "interface_declaration", "enum_declaration", "record_declaration",
             "method_declaration", "constructor_declaration", "enum_constant"},
}
_IDENTIFIERS = {
    "python": {"identifier"},
    "javascript": {"identifier", "property_identifier", "shorthand_property_identifier_pattern",
                   "shorthand_property_identifier"},
    "typescript": {"identifier", "property_identifier", "shorthand_property_identifier_pattern",
                   "shorthand_property_identifier", "type_identifier"},
    "go": {"identifier", "field_identifier", "type_identifier"},
    "rust": {"identifier", "field_identifier", "type_identifier"},
    "java": {"identifier", "type_identifier"},
}
_STRINGS = {
    "python": {"string"},
    "javascript": {"string", "template_string", "regex"},
    "typescript": {"string", "template_string", "regex"},
    "go": {"interpreted_string_literal", "raw_string_literal"},
    "rust": {"string_literal", "raw_string_literal"},
    "java": {"string_literal"},
}
_COMMENTS = {"comment", "line_comment", "block_comment"}

# Names every language's runtime calls by convention: needing them says nothing about the task.
CONVENTIONAL = frozenset({
    "main", "new", "init", "__init__", "constructor", "Error", "String", "toString", "equals",
    "hashCode", "compareTo", "Len", "Less", "Swap", "fmt", "clone", "eq", "cmp", "partial_cmp",
    "default", "from", "into", "drop", "next", "iter", "len", "get", "set", "run", "call",
    "apply", "close", "test", "setUp", "tearDown", "self", "this", "value", "values", "items",
    "keys", "size", "length", "push", "pop", "add", "append", "to_string", "unwrap", "is_err",
    "is_ok", "expect",
})


@dataclass(frozen=True)
class Occurrence:
    name: str  # the identifier, or the literal's value
    path: str  # file path within its file map
    line: int  # 1-based
    line_text: str  # that line, trimmed (the evidence)


def language_of(path: str, language: str) -> str | None:
    """The grammar to parse ``path`` with, or None when it is not a source file of the task."""
    suffix = PurePosixPath(path).suffix
    if language in ("javascript", "typescript"):
        if suffix in (".ts", ".mts", ".cts"):
            return "typescript"
        if suffix == ".tsx":
            return "tsx"
        return "javascript" if suffix in SUFFIXES["javascript"] else None
    return language if suffix in SUFFIXES.get(language, ()) else None


@cache
def _parser(grammar: str):  # noqa: ANN202 - tree_sitter.Parser
    from tree_sitter import Language, Parser

    if grammar == "python":
        import tree_sitter_python as mod

        lang = mod.language()
    elif grammar == "javascript":
        import tree_sitter_javascript as mod

        lang = mod.language()
    elif grammar in ("typescript", "tsx"):
        import tree_sitter_typescript as mod

        lang = mod.language_tsx() if grammar == "tsx" else mod.language_typescript()
    elif grammar == "go":
        import tree_sitter_go as mod

        lang = mod.language()
    elif grammar == "rust":
        import tree_sitter_rust as mod

        lang = mod.language()
    elif grammar == "java":
        import tree_sitter_java as mod

        lang = mod.language()
    else:
        raise ValueError(f"no grammar for {grammar!r}")
    return Parser(Language(lang))


def _kind(grammar: str) -> str:
    return "typescript" if grammar == "tsx" else grammar


def _walk(node):  # noqa: ANN001, ANN202
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def _line_text(lines: list[str], row: int) -> str:
    return lines[row].strip()[:300] if 0 <= row < len(lines) else ""


def _source_files(files: dict[str, bytes], language: str):  # noqa: ANN202
    for path in sorted(files):
        grammar = language_of(path, language)
        if grammar is None:
            continue
        source = files[path]
        try:
            tree = _parser(grammar).parse(source)
        except Exception:  # noqa: BLE001 - an unparsable file simply contributes nothing
            continue
        lines = source.decode("utf-8", errors="replace").splitlines()
        yield path, grammar, tree, lines


def _def_name(node, grammar: str) -> str:  # noqa: ANN001
    name = node.child_by_field_name("name")
    if name is None:
        for child in node.named_children:
            if child.type in _IDENTIFIERS[_kind(grammar)] or child.type == "identifier":
                name = child
                break
    return name.text.decode("utf-8", errors="replace") if name is not None else ""


def definitions(files: dict[str, bytes], language: str) -> dict[str, Occurrence]:
    """Every name the files define (first definition wins), with where."""
    found: dict[str, Occurrence] = {}
    for path, grammar, tree, lines in _source_files(files, language):
        kinds = _DEFINITIONS[_kind(grammar)]
        for node in _walk(tree.root_node):
            if node.type in kinds:
                name = _def_name(node, grammar)
                if name and name not in found:
                    row = node.start_point[0]
                    found[name] = Occurrence(name, path, row + 1, _line_text(lines, row))
            elif _kind(grammar) in ("javascript", "typescript") and node.type == "variable_declarator" \
                    and _top_level_js(node):
                # const encode = (...) => ...; module-level values count as definitions too.
                name_node = node.child_by_field_name("name")
                if name_node is not None and name_node.type == "identifier":
                    name = name_node.text.decode()
                    if name not in found:
                        row = node.start_point[0]
                        found[name] = Occurrence(name, path, row + 1, _line_text(lines, row))
            elif _kind(grammar) == "go" and node.type == "var_spec" and _top_level_go(node):
                name = _def_name(node, grammar)  # package-level `var ErrEmpty = errors.New(...)`
                if name and name not in found:
                    row = node.start_point[0]
                    found[name] = Occurrence(name, path, row + 1, _line_text(lines, row))
            elif _kind(grammar) == "python" and node.type == "assignment" and node.parent is not None \
                    and node.parent.parent is not None and node.parent.parent.type == "module":
                left = node.child_by_field_name("left")
                if left is not None and left.type == "identifier":
                    name = left.text.decode()
                    if name not in found:
                        row = node.start_point[0]
                        found[name] = Occurrence(name, path, row + 1, _line_text(lines, row))
    return found


def _top_level_go(spec) -> bool:  # noqa: ANN001
    node = spec.parent
    while node is not None and node.type in ("var_declaration", "var_spec_list"):
        node = node.parent
    return node is not None and node.type == "source_file"


def _top_level_js(declarator) -> bool:  # noqa: ANN001
    """``const x = ...`` at module level (or exported), not a local variable."""
    declaration = declarator.parent
    outer = declaration.parent if declaration is not None else None
    while outer is not None and outer.type == "export_statement":
        outer = outer.parent
    return outer is not None and outer.type == "program"


def identifier_uses(files: dict[str, bytes], language: str) -> dict[str, Occurrence]:
    """Every identifier the files use outside comments and strings (first use wins)."""
    found: dict[str, Occurrence] = {}
    for path, grammar, tree, lines in _source_files(files, language):
        kinds = _IDENTIFIERS[_kind(grammar)]
        for node in _walk(tree.root_node):
            if node.type in kinds:
                name = node.text.decode("utf-8", errors="replace")
                if name not in found:
                    row = node.start_point[0]
                    found[name] = Occurrence(name, path, row + 1, _line_text(lines, row))
    return found


_QUOTED = re.compile(r"^[A-Za-z]*(\"\"\"|'''|\"|'|`)(.*)\1$", re.S)
_RAW_RUST = re.compile(r'^r(#*)"(.*)"\1$', re.S)


def literal_value(text: str) -> str:
    """The value of a string literal's source text (prefixes and quotes removed; simple
    escapes resolved). Interpolated parts are kept as written."""
    if text.startswith("/") and text.rfind("/") > 0:  # a JavaScript regex literal: its pattern
        return text[1 : text.rfind("/")]
    match = _RAW_RUST.match(text)
    if match:
        return match.group(2)
    match = _QUOTED.match(text)
    if not match:
        return text
    body = match.group(2)
    if text[:1] in "rR" and not text.startswith(("rb", "Rb")):
        return body
    return (body.replace("\\\\", "\0").replace('\\"', '"').replace("\\'", "'")
            .replace("\\n", "\n").replace("\\t", "\t").replace("\0", "\\"))


def string_literals(files: dict[str, bytes], language: str) -> list[Occurrence]:
    """Every string literal (its value), with its line; in file and source order."""
    found: list[Occurrence] = []
    for path, grammar, tree, lines in _source_files(files, language):
        kinds = _STRINGS[_kind(grammar)]
        for node in _walk(tree.root_node):
            if node.type in kinds and (node.parent is None or node.parent.type not in kinds):
                value = literal_value(node.text.decode("utf-8", errors="replace"))
                row = node.start_point[0]
                found.append(Occurrence(value, path, row + 1, _line_text(lines, row)))
    return found


def find_text(files: dict[str, bytes], needle: str) -> Occurrence | None:
    """The first line of any file that contains ``needle`` verbatim."""
    for path in sorted(files):
        text = files[path].decode("utf-8", errors="replace")
        at = text.find(needle)
        if at != -1:
            row = text.count("\n", 0, at)
            lines = text.splitlines()
            return Occurrence(needle, path, row + 1, _line_text(lines, row))
    return None


def mentions(files: dict[str, bytes], word: str) -> bool:
    """Whether any file's text holds ``word`` as a whole word."""
    pattern = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])")
    return any(pattern.search(content.decode("utf-8", errors="replace")) for content in files.values())


def python_parameters(files: dict[str, bytes]) -> dict[str, tuple[set[str], Occurrence]]:
    """Each Python function's parameter names, with where it is defined (first definition)."""
    found: dict[str, tuple[set[str], Occurrence]] = {}
    for path, grammar, tree, lines in _source_files(files, "python"):
        for node in _walk(tree.root_node):
            if node.type != "function_definition":
                continue
            name = _def_name(node, grammar)
            params = node.child_by_field_name("parameters")
            if not name or params is None or name in found:
                continue
            names = set()
            for child in params.named_children:
                target = child if child.type == "identifier" else (
                    child.child_by_field_name("name") or next(
                        (c for c in child.named_children if c.type == "identifier"), None))
                if target is not None and target.type == "identifier":
                    names.add(target.text.decode())
            row = node.start_point[0]
            found[name] = (names, Occurrence(name, path, row + 1, _line_text(lines, row)))
    return found


def java_static_methods(files: dict[str, bytes]) -> dict[str, str]:
    """How a statement's unqualified call reaches each method of the Java files' top-level
    classes (first wins): a ``static`` method through its class (``Rle.encode``); an instance
    method of a class a statement can construct - no constructor declared, or one without
    parameters - through a new instance (``new Solution().hasCloseElements``)."""
    found: dict[str, str] = {}
    for _path, grammar, tree, _lines in _source_files(files, "java"):
        for cls in tree.root_node.named_children:
            if cls.type not in ("class_declaration", "enum_declaration", "record_declaration",
                                "interface_declaration"):
                continue
            body = cls.child_by_field_name("body")
            members = list(body.named_children) if body is not None else []
            constructors = [m for m in members if m.type == "constructor_declaration"]
            constructible = cls.type == "class_declaration" and (not constructors or any(
                not (m.child_by_field_name("parameters") or m).named_children
                and b"private" not in next((c.text for c in m.children if c.type == "modifiers"), b"")
                for m in constructors))
            abstract = b"abstract" in (next((c for c in cls.children if c.type == "modifiers"),
                                            cls).text.split()[:3])
            for member in members:
                if member.type != "method_declaration":
                    continue
                modifiers = next((c for c in member.children if c.type == "modifiers"), None)
                words = modifiers.text.split() if modifiers is not None else []
                if b"static" in words:
                    found.setdefault(_def_name(member, grammar), _def_name(cls, grammar))
                elif constructible and not abstract and b"private" not in words:
                    found.setdefault(_def_name(member, grammar), f"new {_def_name(cls, grammar)}()")
    return found


def rust_library_crate(files: dict[str, bytes]) -> str | None:
    """The name integration tests ``use`` the workspace's library crate by (``[lib] name``, or
    the package name with ``-`` as ``_``), or None when it has no library target."""
    import tomllib

    manifest = files.get("Cargo.toml")
    if manifest is None:
        return None
    try:
        data = tomllib.loads(manifest.decode("utf-8", errors="replace"))
    except tomllib.TOMLDecodeError:
        return None
    lib = data.get("lib") if isinstance(data.get("lib"), dict) else {}
    if "src/lib.rs" not in files and not lib.get("path"):
        return None
    name = lib.get("name") or (data.get("package") or {}).get("name")
    return str(name).replace("-", "_") if name else None
