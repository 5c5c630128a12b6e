"""Missing tests written out for Go: a ``go test`` function that pins the reference's results.

In the style of the task's own tests: the same package clause (``package rle_test`` calling
``rle.Encode``, or the package itself calling ``Encode``) and the same directory, so the Go
runner places it beside them. Each result is checked as the input harness compared it: an
``error`` by its message (nil when the reference returned nil), a float within 1e-9, anything
else with ``reflect.DeepEqual`` against a typed literal; a panic with ``recover``. The test is
then run on the reference and on the rival (``missing_tests.verify``).
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath

from taskaudit.inputspace import golang
from taskaudit.inputspace.execute import CallResult
from taskaudit.inputspace.missing_tests import MissingTest
from taskaudit.inputspace.signature import Target
from taskaudit.model import Task

FILE_NAME = "taskaudit_missing_test.go"


def result_types(source: bytes, function: str) -> list[str] | None:
    """The declared result types of ``function`` (``(string, error)`` -> two), or None."""
    for node in golang._parse(source).named_children:
        if node.type != "function_declaration" or golang._text(node.child_by_field_name("name")) != function:
            continue
        result = node.child_by_field_name("result")
        if result is None:
            return []
        if result.type != "parameter_list":
            return [golang._text(result)]
        types = []
        for decl in result.named_children:
            typ = golang._text(decl.child_by_field_name("type"))
            types += [typ] * max(1, len(decl.children_by_field_name("name")))
        return types
    return None


def _test_style(task: Task, directory: str) -> tuple[str, str] | None:
    """(package clause name, directory of the tests) as the task's own test files in the
    package's directory have them; the external ``<pkg>_test`` package when there are none."""
    for path, content in sorted(task.test_files.items()):
        if path.endswith("_test.go") and str(PurePosixPath(path).parent) == directory:
            m = re.search(rb"^package\s+(\w+)", content, re.M)
            if m:
                return m.group(1).decode(), directory
    return None


def _decode(value):
    """An encoded Go result as the Python value ``golang.literal`` writes (maps from pairs)."""
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict) and "dict" in value:
        return {_decode(k): _decode(v) for k, v in value["dict"]}
    if isinstance(value, dict):
        raise ValueError("no Go literal for this result")
    return value


def _check(i: int, value, go_type: str, shown: str) -> str:
    """The Go statements that fail the test unless result ``got{i}`` is ``value``."""
    got, t = f"got{i}", go_type.replace(" ", "")
    if t == "error":
        if value is None:
            return f'\tif {got} != nil {{\n\t\tt.Errorf("{shown}: error %v, want nil", {got})\n\t}}\n'
        if isinstance(value, dict) and str(value.get("repr", "")).startswith("error: "):
            want = json.dumps(str(value["repr"])[len("error: "):], ensure_ascii=False)
            return (f"\tif {got} == nil || {got}.Error() != {want} {{\n"
                    f'\t\tt.Errorf("{shown}: error %v, want %q", {got}, {want})\n\t}}\n')
        raise ValueError("an error result that is neither nil nor an error")
    if isinstance(value, dict) and value.get("repr") == "nil slice":
        return f'\tif {got} != nil {{\n\t\tt.Errorf("{shown} = %#v, want nil", {got})\n\t}}\n'
    if t in ("float64", "float32") and isinstance(value, (int, float)) and not isinstance(value, bool):
        want = repr(float(value))
        return (f"\tif math.Abs(float64({got})-{want}) > 1e-9*math.Max(1, math.Abs({want})) {{\n"
                f'\t\tt.Errorf("{shown} = %v, want %v", {got}, {want})\n\t}}\n')
    want = golang.literal(_decode(value), t)
    return (f"\tif want := {want}; !reflect.DeepEqual({got}, want) {{\n"
            f'\t\tt.Errorf("{shown} = %#v, want %#v", {got}, want)\n\t}}\n')


def go_test(task: Task, target: Target, args: tuple, expected: CallResult, why: str) -> MissingTest | None:
    """The test source, or None when an argument or a result has no Go literal."""
    files = {**task.starter_files, **task.solution_files}
    source = files.get(target.path)
    if source is None:
        return None
    types = result_types(source, target.function)
    solution_package = golang._package(golang._parse(source))
    directory = target.module
    style = _test_style(task, directory)
    package = style[0] if style else f"{solution_package}_test"
    external = package.endswith("_test") and package != solution_package
    try:
        call_args = ", ".join(golang.literal(a, t) for a, t in zip(args, target.native_types, strict=True))
    except ValueError:
        return None
    imports = {"testing"}
    if external:
        module = golang.module_path(files)
        if module is None:
            return None
        import_path = module if directory in ("", ".") else f"{module}/{directory}"
        callee = f"{solution_package}.{target.function}"
    else:
        import_path, callee = None, target.function
    call = f"{callee}({call_args})"
    shown = json.dumps(f"{target.function}({', '.join(map(repr, args))})", ensure_ascii=False)[1:-1].replace("%", "%%")
    if expected.kind == "raise" and expected.error == "panic":
        body = (f"\tdefer func() {{\n\t\tif recover() == nil {{\n\t\t\tt.Errorf(\"{shown} did not panic\")\n\t\t}}\n\t}}()\n"
                f"\t{call}\n")
    elif expected.kind == "value" and types:
        values = expected.value["tuple"] if len(types) > 1 and isinstance(expected.value, dict) else [expected.value]
        if len(values) != len(types):
            return None
        try:
            checks = [_check(i, v, t, shown) for i, (v, t) in enumerate(zip(values, types))]
        except ValueError:
            return None
        body = f"\t{', '.join(f'got{i}' for i in range(len(types)))} := {call}\n" + "".join(checks)
        text = "".join(checks)
        imports |= {"reflect"} if "reflect." in text else set()
        imports |= {"math"} if "math." in text else set()
    else:
        return None
    name = "TestTaskauditMissing" + "".join(w.capitalize() for w in re.findall(r"[A-Za-z0-9]+", f"{target.function} {why}"))[:60]
    import_block = "\n".join(f'\t"{p}"' for p in sorted(imports))
    if import_path:
        import_block += f'\n\n\t"{import_path}"'
    text = (
        "// Written by taskaudit (input-space analysis): pins the reference's behaviour on an\n"
        f"// input no test covers ({why}).\n"
        f"package {package}\n\nimport (\n{import_block}\n)\n\n"
        f"func {name}(t *testing.T) {{\n{body}}}\n"
    )
    path = FILE_NAME if directory in ("", ".") else f"{directory}/{FILE_NAME}"
    return MissingTest(path, text)
