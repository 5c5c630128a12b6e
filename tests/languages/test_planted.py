"""Content-based detection of planted runner configuration (languages/planted.py): a file is
planted by what it says, not only by its name; ordinary project files are not."""

from __future__ import annotations

from taskaudit.languages import planted

CARGO = b'[package]\nname = "calc"\nversion = "0.1.0"\nedition = "2021"\n'


def test_python_config_files_count_only_when_they_configure_pytest():
    found = planted.python({
        "pyproject.toml": b"[project]\nname = 'x'\n",
        "setup.cfg": b"[metadata]\nname = x\n",
        "sub/pyproject.toml": b"[tool.pytest.ini_options]\naddopts = '--co'\n",
        "tox.ini": b"[pytest]\naddopts = -q\n",
        "conftest.py": b"",
        "x.pth": b"import os\n",
        "solution.py": b"def f(): pass\n",
    })
    assert list(found) == ["conftest.py", "sub/pyproject.toml", "tox.ini", "x.pth"]
    assert "configures pytest" in found["sub/pyproject.toml"]


def test_go_test_main_and_exiting_init_in_solution_files():
    found = planted.go({
        "calc.go": b"package calc\n\nfunc init() {\n\ttable = map[int]int{}\n}\n",
        "exit.go": b"package calc\n\nimport \"os\"\n\nfunc init() {\n\tos.Exit(0)\n}\n",
        "main.go": b"package calc\n\nimport \"testing\"\n\nfunc TestMain(m *testing.M) {}\n",
        "go.work": b"go 1.22\n",
    })
    assert list(found) == ["exit.go", "go.work", "main.go"]
    assert "init()" in found["exit.go"] and "TestMain" in found["main.go"]


def test_rust_manifest_tricks_and_static_constructors():
    found = planted.rust({
        "Cargo.toml": CARGO + b'build = "gen.rs"\n\n[[test]]\nname = "t"\nharness = false\n',
        "src/lib.rs": b"pub fn add(a: i64, b: i64) -> i64 { a + b }\n",
        "src/ctor.rs": b'#[link_section = ".init_array"]\nstatic X: extern "C" fn() = f;\n',
        "build.rs": b"fn main() {}\n",
    })
    assert list(found) == ["Cargo.toml", "build.rs", "src/ctor.rs"]
    assert "package.build" in found["Cargo.toml"] and "[[test]]" in found["Cargo.toml"]
    assert planted.rust({"Cargo.toml": CARGO + b'\n[dependencies]\nregex = "1"\n'}) == {}


def test_java_surefire_pom_and_exiting_static_initialiser():
    pom = (b"<project><build><plugins><plugin><artifactId>maven-surefire-plugin</artifactId>"
           b"<configuration><testFailureIgnore>true</testFailureIgnore></configuration>"
           b"</plugin></plugins></build></project>")
    found = planted.java({
        "pom.xml": pom,
        "Calc.java": b"class Calc {\n  static { if (true) { System.exit(0); } }\n}\n",
        "Ok.java": b"class Ok {\n  static final int[] T;\n  static { T = new int[3]; }\n}\n",
    })
    assert list(found) == ["Calc.java", "pom.xml"]
    assert "System.exit" in found["Calc.java"] and "maven-surefire-plugin" in found["pom.xml"]


def test_javascript_package_json_runner_keys():
    found = planted.javascript({
        "package.json": b'{"name": "x", "jest": {"testMatch": ["**/nothing"]}}',
        "lib/package.json": b'{"name": "y", "type": "module"}',
        "jest.config.js": b"module.exports = {};\n",
        "rle.spec.js": b"",
        "rle.js": b"",
    })
    assert list(found) == ["jest.config.js", "package.json", "rle.spec.js"]
    assert found["package.json"] == "package.json configures jest"
    assert found["rle.spec.js"] == "a test file on the solution side"
