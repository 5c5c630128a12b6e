"""The warm Java driver: one JVM compiles the schema once, records per-test coverage, then runs
the covering tests of each mutant with the JUnit Platform launcher, switching mutants by
setting ``TaskauditMutants.active`` between runs.

It lives in the package of the language runner's harness (``languages/java_support/
harness.py``) so that it reuses its in-memory compiler plumbing (``Main.MemoryFileManager``,
``Main.MemoryClassLoader``, ``Main.json``) instead of copying it; it is compiled once per
machine against that harness jar and cached beside it.

Output, one JSON object a line, flushed as it goes (so a JVM that dies leaves what it did):
``{"build_error": [...]}``; ``{"unit": ..., "cls": ..., "name": ..., "ms": ..., "passed": ...,
"ids": [...]}`` per test unit of the coverage dry run; ``{"mutant": id, "status": "start"}``
then ``"done"`` (with ``ms`` and ``tests``: [class, legacy name, outcome]), ``"crash"`` (the
launcher itself failed), ``"no_coverage"``
or ``"timeout"`` (the runaway test thread is stopped; if it does not die at once the JVM halts
with exit code 4 and taskaudit starts another for the mutants left).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from taskaudit.languages.java_support.toolchain import JavaCache, Jdk

DRIVER_MAIN_CLASS = "taskaudit.harness.MutationDriver"

DRIVER_JAVA = r'''package taskaudit.harness;

import java.io.FileOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.LegacyReportingUtils;

public final class MutationDriver {
    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) opt.put(args[i], args[i + 1]);
        Path results = Paths.get(opt.get("--results"));
        PrintStream out = new PrintStream(new FileOutputStream(results.resolve(opt.get("--out")).toFile(), true), true, "UTF-8");
        int code;
        try {
            code = run(opt, out);
        } catch (Throwable t) {
            out.println("{\"error\":" + Main.json(String.valueOf(t)) + "}");
            code = 3;
        }
        out.flush();
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(code);
    }

    static final class Recorder implements TestExecutionListener {
        TestPlan plan;
        final List<String[]> tests = new ArrayList<>();
        boolean allPassed = true;
        @Override public void testPlanExecutionStarted(TestPlan p) { plan = p; }
        @Override public void executionFinished(TestIdentifier id, TestExecutionResult r) {
            String o;
            switch (r.getStatus()) {
                case SUCCESSFUL: o = "passed"; break;
                case ABORTED: o = "skipped"; break;
                default: o = r.getThrowable().map(t -> t instanceof AssertionError).orElse(false) ? "failed" : "error";
            }
            if (!id.isTest() && o.equals("passed")) return;
            if (!o.equals("passed") && !o.equals("skipped")) allPassed = false;
            tests.add(new String[] {LegacyReportingUtils.getClassName(plan, id), id.getLegacyReportingName(), o});
        }
        String json() {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < tests.size(); i++) {
                String[] t = tests.get(i);
                if (i > 0) sb.append(',');
                sb.append('[').append(Main.json(t[0])).append(',').append(Main.json(t[1])).append(',').append(Main.json(t[2])).append(']');
            }
            return sb.append(']').toString();
        }
    }

    static Recorder execute(Launcher launcher, List<String> uniqueIds) {
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
            .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false")
            .configurationParameter("junit.jupiter.execution.parallel.enabled", "false");
        for (String u : uniqueIds) request.selectors(DiscoverySelectors.selectUniqueId(u));
        Recorder recorder = new Recorder();
        launcher.execute(request.build(), recorder);
        return recorder;
    }

    @SuppressWarnings("unchecked")
    static int run(Map<String, String> opt, PrintStream out) throws Exception {
        Path app = Paths.get(opt.get("--app"));
        Path tests = Paths.get(opt.get("--tests"));
        List<String> mainSources = new ArrayList<>(), testSources = new ArrayList<>(), resources = new ArrayList<>();
        String release = null;
        for (String line : Files.readAllLines(Paths.get(opt.get("--plan")), StandardCharsets.UTF_8)) {
            int sp = line.indexOf(' ');
            if (sp < 0) continue;
            String kind = line.substring(0, sp), value = line.substring(sp + 1);
            if (kind.equals("main")) mainSources.add(value);
            else if (kind.equals("test")) testSources.add(value);
            else if (kind.equals("resources")) resources.add(value);
            else if (kind.equals("release")) release = value;
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
        StandardJavaFileManager std = javac.getStandardFileManager(diags, Locale.ROOT, StandardCharsets.UTF_8);
        Main.MemoryFileManager mem = new Main.MemoryFileManager(std);
        List<JavaFileObject> units = new ArrayList<>();
        Map<URI, String> label = new HashMap<>();
        Set<URI> testUnits = new java.util.HashSet<>();
        for (String rel : mainSources) {
            JavaFileObject f = std.getJavaFileObjects(app.resolve(rel).toFile()).iterator().next();
            units.add(f);
            label.put(f.toUri(), rel);
        }
        for (String rel : testSources) {
            JavaFileObject f = std.getJavaFileObjects(tests.resolve(rel).toFile()).iterator().next();
            units.add(f);
            testUnits.add(f.toUri());
            label.put(f.toUri(), "tests/" + rel);
        }
        List<String> options = new ArrayList<>(List.of("-proc:none", "-encoding", "UTF-8", "-nowarn", "-Xlint:none",
            "-implicit:none", "-Xmaxerrs", "500", "-classpath", opt.get("--classpath"), "-sourcepath", ""));
        if (release != null) { options.add("--release"); options.add(release); }
        if (!javac.getTask(null, mem, diags, options, null, units).call()) {
            StringBuilder sb = new StringBuilder("{\"build_error\":[");
            int n = 0;
            for (Diagnostic<? extends JavaFileObject> d : diags.getDiagnostics()) {
                if (d.getKind() != Diagnostic.Kind.ERROR) continue;
                if (n++ > 0) sb.append(',');
                String where = d.getSource() == null ? "" : label.getOrDefault(d.getSource().toUri(), d.getSource().getName());
                sb.append("{\"file\":").append(Main.json(where)).append(",\"line\":").append(d.getLineNumber())
                  .append(",\"column\":").append(d.getColumnNumber())
                  .append(",\"message\":").append(Main.json(d.getMessage(Locale.ROOT))).append('}');
            }
            out.println(sb.append("]}"));
            return 2;
        }
        List<URL> resourceUrls = new ArrayList<>();
        for (String r : resources) resourceUrls.add(tests.resolve(r).toUri().toURL());
        Main.MemoryClassLoader loader = new Main.MemoryClassLoader(mem.classes, resourceUrls.toArray(new URL[0]), MutationDriver.class.getClassLoader());
        Thread.currentThread().setContextClassLoader(loader);
        Class<?> sw = Class.forName("taskaudit_mutants.TaskauditMutants", true, loader);
        Field active = sw.getField("active"), coverage = sw.getField("coverage");
        Set<Integer> seen = (Set<Integer>) sw.getField("seen").get(null);
        List<Class<?>> testClasses = new ArrayList<>();
        for (String name : new TreeSet<>(mem.classes.keySet())) {
            URI src = mem.sources.get(name);
            if (name.contains("$") || src == null || !testUnits.contains(src)) continue;
            testClasses.add(Class.forName(name, false, loader));
        }
        LauncherConfig config = LauncherConfig.builder()
            .enableTestEngineAutoRegistration(false)
            .enableLauncherSessionListenerAutoRegistration(false)
            .enableLauncherDiscoveryListenerAutoRegistration(false)
            .enablePostDiscoveryFilterAutoRegistration(false)
            .enableTestExecutionListenerAutoRegistration(false)
            .addTestEngines(new org.junit.jupiter.engine.JupiterTestEngine(), new org.junit.vintage.engine.VintageTestEngine())
            .build();
        Launcher launcher = LauncherFactory.create(config);
        LauncherDiscoveryRequestBuilder discovery = LauncherDiscoveryRequestBuilder.request()
            .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false");
        for (Class<?> c : testClasses) discovery.selectors(DiscoverySelectors.selectClass(c));
        TestPlan plan = launcher.discover(discovery.build());

        // Coverage: each test method (or parameterised template) alone, the switches recording.
        Map<String, Set<Integer>> covered = new LinkedHashMap<>();
        Map<String, Long> unitMs = new HashMap<>();
        for (TestIdentifier root : plan.getRoots()) {
            for (TestIdentifier id : plan.getDescendants(root)) {
                boolean method = id.getSource().map(s -> s instanceof MethodSource).orElse(false);
                boolean parentMethod = id.getParentId().map(plan::getTestIdentifier)
                    .flatMap(TestIdentifier::getSource).map(s -> s instanceof MethodSource).orElse(false);
                if (!method || parentMethod) continue;
                seen.clear();
                coverage.setBoolean(null, true);
                long t0 = System.nanoTime();
                Recorder r = execute(launcher, List.of(id.getUniqueId()));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                coverage.setBoolean(null, false);
                Set<Integer> ids = new TreeSet<>(seen);
                out.println("{\"unit\":" + Main.json(id.getUniqueId()) + ",\"cls\":" + Main.json(LegacyReportingUtils.getClassName(plan, id))
                    + ",\"name\":" + Main.json(id.getLegacyReportingName()) + ",\"ms\":" + ms + ",\"passed\":" + r.allPassed
                    + ",\"ids\":" + ids + "}");
                if (r.allPassed) {
                    covered.put(id.getUniqueId(), ids);
                    unitMs.put(id.getUniqueId(), ms);
                }
            }
        }

        // The warm loop: per mutant, only the tests that reach it.
        for (String line : Files.readAllLines(Paths.get(opt.get("--ids")), StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            int mutant = Integer.parseInt(line.trim());
            List<String> reach = new ArrayList<>();
            long own = 0;
            for (Map.Entry<String, Set<Integer>> e : covered.entrySet()) {
                if (e.getValue().contains(mutant)) { reach.add(e.getKey()); own += unitMs.get(e.getKey()); }
            }
            if (reach.isEmpty()) {
                out.println("{\"mutant\":" + mutant + ",\"status\":\"no_coverage\"}");
                continue;
            }
            long limit = Math.max(1000, 10 * own + 1000);
            out.println("{\"mutant\":" + mutant + ",\"status\":\"start\",\"limit\":" + limit + "}");
            active.setInt(null, mutant);
            Recorder[] box = new Recorder[1];
            long t0 = System.nanoTime();
            Thread worker = new Thread(() -> box[0] = execute(launcher, reach), "taskaudit-mutant-" + mutant);
            worker.setDaemon(true);
            worker.setContextClassLoader(loader);
            worker.start();
            worker.join(limit);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            if (worker.isAlive()) {
                out.println("{\"mutant\":" + mutant + ",\"status\":\"timeout\",\"ms\":" + ms + "}");
                // Stop the runaway test thread and go on in this JVM when it dies at once
                // (Thread.stop exists up to JDK 19); otherwise end the JVM: taskaudit starts a
                // fresh one for the mutants left.
                boolean stopped;
                try {
                    // JUnit records a stopped test as failed and goes on to the next covering
                    // test, which may loop too: stop again until the thread is gone.
                    long deadline = System.nanoTime() + 3_000_000_000L;
                    while (worker.isAlive() && System.nanoTime() < deadline) {
                        worker.stop();
                        worker.join(50);
                    }
                    stopped = !worker.isAlive();
                } catch (Throwable t) {
                    stopped = false;
                }
                if (!stopped) return 4;
                active.setInt(null, 0);
                continue;
            }
            active.setInt(null, 0);
            if (box[0] == null) {  // the launcher itself failed: nothing says a test ran
                out.println("{\"mutant\":" + mutant + ",\"status\":\"crash\",\"ms\":" + ms + "}");
                continue;
            }
            String testsJson = box[0].json();
            out.println("{\"mutant\":" + mutant + ",\"status\":\"done\",\"ms\":" + (System.nanoTime() - t0) / 1e6 + ",\"tests\":" + testsJson + "}");
        }
        return 0;
    }
}
'''


def ensure_driver(jdk: Jdk, cache: JavaCache) -> Path:
    """The driver jar, compiled once per machine against the harness jar (taskaudit's own code)."""
    key = hashlib.sha256((DRIVER_JAVA + str(cache.harness_jar) + jdk.version).encode()).hexdigest()[:16]
    final = cache.root / f"mutation-driver-{key}"
    jar = final / "driver.jar"
    if jar.is_file():
        return jar
    work = Path(tempfile.mkdtemp(dir=cache.root, prefix=".mutation-driver-"))
    try:
        src = work / "src" / "taskaudit" / "harness" / "MutationDriver.java"
        src.parent.mkdir(parents=True)
        src.write_text(DRIVER_JAVA)
        classes = work / "classes"
        cp = f"{cache.harness_jar}:{cache.junit_jar}"
        for argv in ([str(jdk.home / "bin" / "javac"), "-nowarn", "-d", str(classes), "-cp", cp, str(src)],
                     [str(jdk.home / "bin" / "jar"), "cf", str(work / "driver.jar"), "-C", str(classes), "."]):
            done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
            if done.returncode != 0:
                raise RuntimeError(f"cannot build taskaudit's Java mutation driver: {(done.stdout + done.stderr)[-1500:]}")
        shutil.rmtree(classes)
        shutil.rmtree(work / "src")
        work.chmod(0o755)
        try:
            os.rename(work, final)
        except OSError:
            pass  # another process got there first
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return jar
