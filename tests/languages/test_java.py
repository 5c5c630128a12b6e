"""A Java run passes only with a trusted per-test result for every test.

Each hostile solution here is wrong (its ``add`` is not a sum) and tries to make the run look
green anyway: exit early with success, forge the reports, plant runner configuration or a
shadowing test beside its code. None may be reported as passing. The toolchain (a JDK) is
installed on this project's machines: these tests never skip.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from taskaudit.languages.java import JavaLanguage, parse_junit_xml, read_record, test_ids
from taskaudit.languages.java_support.pom import read_pom
from taskaudit.model import Outcome, RunStatus, Task
from taskaudit.runner import Variant, reference_variant, run_variant
from taskaudit.sandbox import get_backend

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "tasks" / "java"

TEST_SOURCE = b"""import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CalcTest {
    @Test
    void small() {
        assertEquals(3, Calc.add(1, 2));
    }

    @Test
    void negative() {
        assertEquals(-3, Calc.add(-1, -2));
    }

    @ParameterizedTest
    @CsvSource({"1, 1, 2", "2, 5, 7"})
    void table(int a, int b, int sum) {
        assertEquals(sum, Calc.add(a, b));
    }
}
"""
TESTS = {"CalcTest.java": TEST_SOURCE}
EXPECTED = ["CalcTest::small", "CalcTest::negative", "CalcTest::table[1]", "CalcTest::table[2]"]

GOOD = "public class Calc {\n    public static int add(int a, int b) { return a + b; }\n}\n"
WRONG = "public class Calc {\n    public static int add(int a, int b) { return a - b; }\n}\n"


def calc(body: str = "return a - b;", static: str = "", extra: str = "") -> str:
    return (
        f"{extra}public class Calc {{\n    static {{ {static} }}\n"
        f"    public static int add(int a, int b) {{ {body} }}\n}}\n"
    )


def make_task(solution: str, extra: dict[str, bytes] | None = None, path: str = "Calc.java",
              tests: dict[str, bytes] | None = None) -> Task:
    return Task(
        id="calc",
        source="<test>",
        format="test",
        language="java",
        test_runner="junit",
        statement="Write Calc.add(a, b) returning the sum of two ints.",
        starter_files={},
        solution_files={path: solution.encode(), **(extra or {})},
        test_files=tests or TESTS,
        solution_paths=[path],
        timeout_sec=60,
    )


@pytest.fixture(scope="module")
def backend():
    return get_backend(None)


@pytest.fixture(scope="module")
def java():
    language = JavaLanguage()
    ok, why = language.toolchain()
    assert ok, why  # the JDK is part of this project's machines: never skip
    return language


def run(task: Task, backend, java):
    return run_variant(task, reference_variant(task), backend, java)


# ---------------------------------------------------------------- plain runs


def test_correct_solution_passes_every_test(backend, java):
    result = run(make_task(GOOD), backend, java)
    assert result.status == RunStatus.COMPLETED, (result.detail, result.stderr_tail)
    assert sorted(result.outcomes()) == sorted(EXPECTED)
    assert result.passed_all(EXPECTED)
    assert result.backend == "bwrap" and result.run_key


def test_wrong_solution_fails(backend, java):
    result = run(make_task(WRONG), backend, java)
    assert result.status == RunStatus.COMPLETED
    assert result.outcomes()["CalcTest::small"] == Outcome.FAILED
    assert result.outcomes()["CalcTest::table[1]"] == Outcome.FAILED
    assert not result.passed_all(EXPECTED)


def test_reference_that_does_not_compile_is_a_build_failure(backend, java):
    result = run(make_task("public class Calc { public static int add(int a, int b) { return a + } }"), backend, java)
    assert result.status == RunStatus.BUILD_FAILED
    assert "app/Calc.java:1" in result.detail


def test_baseline_without_the_class_fails_to_build(backend, java):
    task = make_task(GOOD)
    result = run_variant(task, Variant("baseline", {}), backend, java)
    assert result.status == RunStatus.BUILD_FAILED
    assert "tests/CalcTest.java" in result.detail


def test_maven_layout_with_junit4_through_vintage(backend, java):
    pom = b"""<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
    <groupId>g</groupId><artifactId>a</artifactId><version>1</version>
    <properties><maven.compiler.release>11</maven.compiler.release></properties>
    <dependencies><dependency><groupId>junit</groupId><artifactId>junit</artifactId>
    <version>4.13.2</version><scope>test</scope></dependency></dependencies></project>"""
    legacy = b"""package demo;
import static org.junit.Assert.assertEquals;
import org.junit.Test;
public class CalcTest {
    @Test public void small() { assertEquals(3, Calc.add(1, 2)); }
    @Test(expected = ArithmeticException.class) public void divide() { int z = 0; Calc.add(1 / z, 0); }
}
"""
    solution = "package demo;\npublic class Calc {\n    public static int add(int a, int b) { return a + b; }\n}\n"
    task = make_task(
        solution,
        {"pom.xml": pom},
        path="src/main/java/demo/Calc.java",
        tests={"src/test/java/demo/CalcTest.java": legacy},
    )
    result = run(task, backend, java)
    assert result.status == RunStatus.COMPLETED, (result.detail, result.stderr_tail)
    assert result.outcomes() == {"demo.CalcTest::small": Outcome.PASSED, "demo.CalcTest::divide": Outcome.PASSED}
    assert java.locate_test("demo.CalcTest::divide", task.test_files) == ("src/test/java/demo/CalcTest.java", 6)


def test_failed_container_reports_its_tests_and_junit4_parameterized_runs(backend, java):
    failing_setup = b"""import org.junit.jupiter.api.*;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
class SetupTest {
    @BeforeAll static void boom() { throw new IllegalStateException("setup"); }
    @Test void small() { Assertions.assertEquals(3, Calc.add(1, 2)); }
    @ParameterizedTest @ValueSource(ints = {1, 2}) void table(int x) { }
}
"""
    legacy = b"""import java.util.*;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
@RunWith(Parameterized.class)
public class LegacyTest {
    @Parameterized.Parameters public static Collection<Object[]> data() {
        return Arrays.asList(new Object[][] {{1}, {2}});
    }
    private final int x;
    public LegacyTest(int x) { this.x = x; }
    @Test public void positive() { org.junit.Assert.assertTrue(Calc.add(x, 0) > 0); }
}
"""
    task = make_task(GOOD, tests={"SetupTest.java": failing_setup, "LegacyTest.java": legacy})
    result = run(task, backend, java)
    assert result.status == RunStatus.COMPLETED, result.detail
    assert result.outcomes() == {
        "SetupTest::small": Outcome.ERROR,
        "SetupTest::table": Outcome.ERROR,  # no invocation ran: the method itself is reported
        "LegacyTest::positive[0]": Outcome.PASSED,
        "LegacyTest::positive[1]": Outcome.PASSED,
    }


def test_pom_with_other_dependencies_is_an_infrastructure_error(backend, java):
    pom = b"""<project><dependencies><dependency><groupId>com.google.guava</groupId>
    <artifactId>guava</artifactId><version>33.0.0-jre</version></dependency></dependencies></project>"""
    result = run(make_task(GOOD, {"pom.xml": pom}, path="src/main/java/Calc.java"), backend, java)
    assert result.status == RunStatus.INFRA_ERROR
    assert "com.google.guava:guava" in result.detail and "not supported" in result.detail


# ---------------------------------------------------------------- early exits and forgeries


@pytest.mark.parametrize(
    "where, call",
    [
        ("static", "System.exit(0);"),
        ("static", "Runtime.getRuntime().halt(0);"),
        ("body", "System.exit(0); return 0;"),
        ("body", "Runtime.getRuntime().halt(1); return 0;"),
    ],
)
def test_exit_with_success_is_never_a_pass(backend, java, where, call):
    source = calc(static=call) if where == "static" else calc(body=call)
    result = run(make_task(source), backend, java)
    assert result.status == RunStatus.INCOMPLETE, result.detail
    assert not result.passed_all(EXPECTED)


def test_forged_reports_then_exit_are_not_trusted(backend, java):
    forged_xml = (
        '<testsuite name="JUnit Jupiter">'
        + "".join(f'<testcase classname="CalcTest" name="{n}()"/>' for n in ("small", "negative"))
        + "</testsuite>"
    )
    record = '{"status":"completed","exit":0,"tests":[["CalcTest","small()","passed"]]}\nabc\n'
    static = (
        "try { java.nio.file.Files.createDirectories(java.nio.file.Path.of(\"/results/junit\"));"
        f" java.nio.file.Files.writeString(java.nio.file.Path.of(\"/results/junit/TEST-junit-jupiter.xml\"), {json.dumps(forged_xml)});"
        f" java.nio.file.Files.writeString(java.nio.file.Path.of(\"/results/session.json\"), {json.dumps(record)});"
        " } catch (Exception e) { throw new RuntimeException(e); }"
        " Runtime.getRuntime().halt(0);"
    )
    result = run(make_task(calc(static=static)), backend, java)
    assert result.status == RunStatus.INCOMPLETE
    assert "forged" in result.detail
    assert not result.passed_all(EXPECTED)


def test_shutdown_hook_rewriting_reports_never_runs(backend, java):
    # The harness halts after signing its record: a solution's shutdown hook never runs.
    static = (
        "Runtime.getRuntime().addShutdownHook(new Thread(() -> {"
        " try { java.nio.file.Files.writeString(java.nio.file.Path.of(\"/results/session.json\"), \"x\"); }"
        " catch (Exception e) { } }));"
    )
    result = run(make_task(calc(static=static)), backend, java)
    assert result.status == RunStatus.COMPLETED, result.detail
    assert result.outcomes()["CalcTest::small"] == Outcome.FAILED


def test_record_must_carry_this_runs_signature(tmp_path):
    body = '{"status":"completed","exit":0,"tests":[]}'
    (tmp_path / "session.json").write_text(body + "\n" + "0" * 64 + "\n")
    record, why = read_record(tmp_path / "session.json", "secret")
    assert record is None and "forged" in why


# ---------------------------------------------------------------- planted configuration

LISTENER = """import org.junit.platform.launcher.*;
import org.junit.platform.engine.TestExecutionResult;
public class Cheat implements TestExecutionListener, LauncherSessionListener {
    static { Runtime.getRuntime().halt(0); }
}
"""
SWALLOW = """import org.junit.jupiter.api.extension.*;
public class Swallow implements TestExecutionExceptionHandler {
    public void handleTestExecutionException(ExtensionContext c, Throwable t) { }
}
"""
SURE_POM = b"""<project><modelVersion>4.0.0</modelVersion><groupId>g</groupId><artifactId>a</artifactId>
<version>1</version><build><plugins><plugin><artifactId>maven-surefire-plugin</artifactId>
<configuration><testFailureIgnore>true</testFailureIgnore><skipTests>true</skipTests></configuration>
</plugin></plugins></build></project>"""
PASSING_TEST = b"class CalcTest { @org.junit.jupiter.api.Test void small() { } }\n"

PLANTS: dict[str, dict[str, bytes]] = {
    "service-listener": {
        "META-INF/services/org.junit.platform.launcher.TestExecutionListener": b"Cheat\n",
        "META-INF/services/org.junit.platform.launcher.LauncherSessionListener": b"Cheat\n",
        "Cheat.java": LISTENER.encode(),
    },
    "extension-autodetection": {
        "junit-platform.properties": b"junit.jupiter.extensions.autodetection.enabled=true\n",
        "META-INF/services/org.junit.jupiter.api.extension.Extension": b"Swallow\n",
        "Swallow.java": SWALLOW.encode(),
        "src/main/resources/junit-platform.properties": b"junit.jupiter.extensions.autodetection.enabled=true\n",
    },
    "surefire-pom": {"pom.xml": SURE_POM},
    "solution-side-test": {"src/test/java/CalcTest.java": PASSING_TEST},
    "prebuilt-class": {"CalcTest.class": b"\xca\xfe\xba\xbe junk"},
}


@pytest.mark.parametrize("plant", sorted(PLANTS))
def test_planted_configuration_is_inert_and_reported(backend, java, plant):
    files = PLANTS[plant]
    path = "src/main/java/Calc.java" if "pom.xml" in files else "Calc.java"
    result = run(make_task(WRONG, files, path=path), backend, java)
    assert result.status == RunStatus.COMPLETED, (result.detail, result.stderr_tail)
    assert result.outcomes()["CalcTest::small"] == Outcome.FAILED
    assert not result.passed_all(EXPECTED)
    planted = [p for p in files if not p.endswith(".java") or p.startswith("src/test/")]
    if plant == "surefire-pom":
        assert "maven-surefire-plugin" in result.detail  # read from the content at run time
        assert list(java.planted_files({"pom.xml": files["pom.xml"]})) == ["pom.xml"]
    else:
        for p in planted:
            assert p in result.detail, (p, result.detail)


def test_solution_file_named_like_a_test_is_not_compiled(backend, java):
    result = run(make_task(WRONG, {"CalcTest.java": PASSING_TEST}), backend, java)
    assert result.status == RunStatus.COMPLETED
    assert not result.passed_all(EXPECTED)
    assert "CalcTest.java has the name of a test file" in result.detail


def test_pinned_pom_plugin_is_not_reported():
    pom = b"<project><build><plugins><plugin><artifactId>maven-surefire-plugin</artifactId>" \
          b"<version>3.2.5</version></plugin></plugins></build></project>"
    assert read_pom(pom).build_config == []
    assert JavaLanguage().planted_files({"pom.xml": pom}) == {}


def test_tests_are_read_only_for_the_solution(backend, java):
    static = (
        "for (String p : new String[] {\"/tests/CalcTest.java\", \"/app/src/test/java/CalcTest.java\"}) {"
        " try { java.nio.file.Files.writeString(java.nio.file.Path.of(p), \"class CalcTest {}\"); }"
        " catch (Exception e) { System.out.println(\"refused \" + p); } }"
    )
    tests = {"src/test/java/CalcTest.java": TEST_SOURCE}
    result = run(make_task(calc(static=static), tests=tests), backend, java)
    assert result.status == RunStatus.COMPLETED
    assert result.stdout_tail.count("refused") == 2
    assert result.outcomes()["CalcTest::small"] == Outcome.FAILED


# ---------------------------------------------------------------- parsing and static reading


def test_test_ids_are_readable_and_unique():
    ids = test_ids([
        ("RleTest", "decodeMultiDigit()"),
        ("RleTest", "roundtrip(String)[2]"),
        ("RleTest", "cases()[1][3]"),
        ("RleTest", "check(int)"),
        ("RleTest", "check(String)"),
        ("LegacyTest", "small"),
    ])
    assert list(ids.values()) == [
        "RleTest::decodeMultiDigit",
        "RleTest::roundtrip[2]",
        "RleTest::cases[1][3]",
        "RleTest::check(int)",
        "RleTest::check(String)",
        "LegacyTest::small",
    ]


def test_junit_xml_is_parsed_safely():
    from defusedxml import EntitiesForbidden

    xml = b"""<testsuite><testcase classname="T" name="a()" time="0.5"/>
    <testcase classname="T" name="b()"><failure message="expected: 1">trace</failure></testcase>
    <testcase classname="T" name="c()"><skipped/></testcase></testsuite>"""
    assert [(c[1], c[2]) for c in parse_junit_xml(xml)] == [
        ("a()", Outcome.PASSED), ("b()", Outcome.FAILED), ("c()", Outcome.SKIPPED)
    ]
    with pytest.raises(EntitiesForbidden):
        parse_junit_xml(b'<!DOCTYPE x [<!ENTITY a "aaaa">]><testsuite>&a;</testsuite>')


def test_assertion_points_count_asserts_helpers_and_expected_exceptions():
    source = b"""import org.junit.jupiter.api.*;
class RleTest {
    private void check(String s) { Assertions.assertEquals(s, s); assert s != null; }
    @Test void usesHelper() { check("a"); check("b"); }
    @Test void nothing() { Rle.encode("a"); }
    @org.junit.Test(expected = IllegalArgumentException.class) public void legacy() { }
    @Nested class Inner { @ParameterizedTest void thrown() { assertThrows(X.class, () -> {}); } }
}
"""
    points = {name: (line, n) for _, name, line, n in JavaLanguage().assertion_points({"RleTest.java": source})}
    assert points == {
        "RleTest::usesHelper": (4, 4),
        "RleTest::nothing": (5, 0),
        "RleTest::legacy": (6, 1),
        "RleTest$Inner::thrown": (7, 1),
    }
    assert JavaLanguage().locate_test("RleTest$Inner::thrown[1]", {"RleTest.java": source}) == ("RleTest.java", 7)


# ---------------------------------------------------------------- the bundled examples

@pytest.fixture(scope="module")
def example_report(examples_audit, java):
    # Verdicts and codes of every example are pinned in tests/test_examples.py; this reads the
    # same audit for the Java-specific evidence.
    tasks = examples_audit.language("java")
    assert all(r["status"] == "completed" for r in tasks["good"]["runs"]), tasks["good"]["runs"]
    return examples_audit.exit_code, tasks


def test_example_findings_point_at_the_test(example_report):
    code, tasks = example_report
    assert code == 1
    v001 = [f for f in tasks["reference-fails"]["findings"] if f["code"] == "V001"]
    located = {f["location"]["line"] for f in v001}
    assert 46 in located  # void decodeMultiDigitCount()
    assert all(f["location"]["path"].endswith("tests/RleTest.java") for f in v001)
    v004 = next(f for f in tasks["passes-without-solution"]["findings"] if f["code"] == "V004")
    classes = v004["evidence"]["classification"]
    assert classes["RleTest::classExposesMethods"] == "pass-to-pass"
    assert list(classes.values()).count("pass-to-pass") == 1
