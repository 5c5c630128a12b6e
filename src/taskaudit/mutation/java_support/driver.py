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
then ``"done"`` (with ``ms``, ``cpu_ms``, ``limit_ms``, ``tests``: [class, legacy name, outcome],
and ``base_tests``, the same tests' outcomes with no mutant), ``"crash"`` (the launcher itself
failed), ``"no_coverage"`` or ``"timeout"``; ``"recheck"`` on a mutant that went past its first
limit. Last, ``{"jvm": {"rss_kb", "peak_rss_kb", "cpu_ms", "loop_cpu_ms"}}`` (the process's CPU
time counts in clock ticks, so per mutant it is read as the loop's total over the mutants).

Limits and timeouts follow ``compiled_support/loop.py`` (``--factor``, ``--floor-ms``,
``--wall-slack``): the test thread's CPU time is read every 5 ms (``ThreadMXBean``); a
runaway test thread is ended by the switch's stop flag (the next switch point it reaches
throws), else by ``Thread.stop``; if it still does not die the JVM halts with exit code 4 and
taskaudit starts another for the mutants left.
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
        Field active = sw.getField("active"), coverage = sw.getField("coverage"), stop = sw.getField("stop");
        Switch hits = new Switch(sw.getField("hits"), sw.getField("hitLimit"), sw.getField("hitStopped"));
        Set<Integer> seen = (Set<Integer>) sw.getField("seen").get(null);
        List<Class<?>> testClasses = new ArrayList<>();
        for (String name : new TreeSet<>(mem.classes.keySet())) {
            URI src = mem.sources.get(name);
            if (name.contains("$") || src == null || !testUnits.contains(src)) continue;
            if (name.endsWith("package-info") || name.endsWith("module-info")) continue;
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
        // As the harness does (languages/java_support/harness.py): no extension autodetection, and
        // no parallel execution a task's junit-platform.properties could turn on (one switch per JVM).
        LauncherDiscoveryRequestBuilder discovery = LauncherDiscoveryRequestBuilder.request()
            .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false")
            .configurationParameter("junit.jupiter.execution.parallel.enabled", "false");
        for (Class<?> c : testClasses) discovery.selectors(DiscoverySelectors.selectClass(c));
        TestPlan plan = launcher.discover(discovery.build());

        // Coverage: each test method (or parameterised template) alone, the switches recording.
        Map<String, Set<Integer>> covered = new LinkedHashMap<>();
        Map<String, Long> calls = new HashMap<>();  // test unit -> its switch calls
        for (TestIdentifier root : plan.getRoots()) {
            for (TestIdentifier id : plan.getDescendants(root)) {
                boolean method = id.getSource().map(s -> s instanceof MethodSource).orElse(false);
                boolean parentMethod = id.getParentId().map(plan::getTestIdentifier)
                    .flatMap(TestIdentifier::getSource).map(s -> s instanceof MethodSource).orElse(false);
                if (!method || parentMethod) continue;
                seen.clear();
                coverage.setBoolean(null, true);
                hits.count.setLong(null, 0);
                long t0 = System.nanoTime();
                Recorder r = execute(launcher, List.of(id.getUniqueId()));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                coverage.setBoolean(null, false);
                calls.put(id.getUniqueId(), hits.count.getLong(null));
                Set<Integer> ids = new TreeSet<>(seen);
                out.println("{\"unit\":" + Main.json(id.getUniqueId()) + ",\"cls\":" + Main.json(LegacyReportingUtils.getClassName(plan, id))
                    + ",\"name\":" + Main.json(id.getLegacyReportingName()) + ",\"ms\":" + ms + ",\"passed\":" + r.allPassed
                    + ",\"ids\":" + ids + "}");
                if (r.allPassed) covered.put(id.getUniqueId(), ids);
            }
        }

        // The warm loop: per mutant, only the tests that reach it. The limits follow what
        // those tests take with no mutant, measured here once per set of tests (warm JIT,
        // this machine now): CPU time factor * base + floor, and a wall-clock backstop
        // (compiled_support/loop.py).
        double factor = Double.parseDouble(opt.getOrDefault("--factor", "3"));
        double floorMs = Double.parseDouble(opt.getOrDefault("--floor-ms", "50"));
        double wallSlack = Double.parseDouble(opt.getOrDefault("--wall-slack", "5"));
        long hitFactor = Long.parseLong(opt.getOrDefault("--hit-factor", "100"));
        long hitFloor = Long.parseLong(opt.getOrDefault("--hit-floor", "100000"));
        Map<List<String>, Run> bases = new HashMap<>();
        long loopCpu0 = processCpuNanos();
        for (String line : Files.readAllLines(Paths.get(opt.get("--ids")), StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            int mutant = Integer.parseInt(line.trim());
            List<String> reach = new ArrayList<>();
            for (Map.Entry<String, Set<Integer>> e : covered.entrySet()) {
                if (e.getValue().contains(mutant)) reach.add(e.getKey());
            }
            if (reach.isEmpty()) {
                out.println("{\"mutant\":" + mutant + ",\"status\":\"no_coverage\"}");
                continue;
            }
            long reachCalls = 0;
            for (String u : reach) reachCalls += calls.getOrDefault(u, 0L);
            long hitLimit = hitFactor * reachCalls + hitFloor;
            Run base = bases.get(reach);
            if (base == null) {
                base = runLimited(launcher, loader, active, stop, hits, reach, 0, 0, 0, Long.MAX_VALUE);
                if (base.stuck) return 4;
                bases.put(reach, base);
            }
            double cpuLimit = factor * base.cpuMs + floorMs;
            double wallLimit = wallSlack * (factor * base.ms + floorMs);
            out.println("{\"mutant\":" + mutant + ",\"status\":\"start\",\"limit\":" + wallLimit + "}");
            long cpu0 = processCpuNanos();
            Run run = runLimited(launcher, loader, active, stop, hits, reach, mutant, cpuLimit, wallLimit, hitLimit);
            if (run.stuck) return 4;
            String recheck = "";
            if ("wall".equals(run.hit)) {
                // Past the backstop without using its CPU: it waits, or the machine starved it.
                // Re-check once: how slow is the machine now (the same tests, no mutant), then
                // the mutant again with the backstop scaled by that slowdown.
                Run now = runLimited(launcher, loader, active, stop, hits, reach, 0, cpuLimit * 10, wallLimit * 10, Long.MAX_VALUE);
                if (now.stuck) return 4;
                double slowdown = Math.min(10.0, Math.max(2.0, now.ms / Math.max(base.ms, 0.001)));
                double first = run.ms;
                run = runLimited(launcher, loader, active, stop, hits, reach, mutant, cpuLimit, wallLimit * slowdown, hitLimit);
                if (run.stuck) return 4;
                recheck = ",\"recheck\":{\"first_ms\":" + first + ",\"first_limit_ms\":" + wallLimit
                    + ",\"reference_ms\":" + now.ms + ",\"slowdown\":" + slowdown + "}";
            }
            double cpuMs = (processCpuNanos() - cpu0) / 1e6;
            String common = ",\"ms\":" + run.ms + ",\"cpu_ms\":" + cpuMs + ",\"thread_cpu_ms\":" + run.cpuMs
                + ",\"limit_ms\":" + run.wallLimit + ",\"cpu_limit_ms\":" + cpuLimit + ",\"base_cpu_ms\":" + base.cpuMs
                + (run.hit == null ? "" : ",\"limit_hit\":\"" + run.hit + "\"")
                + ("hits".equals(run.hit) ? ",\"hits\":" + run.hits + ",\"hit_limit\":" + hitLimit : "") + recheck;
            if (run.hit != null) {
                out.println("{\"mutant\":" + mutant + ",\"status\":\"timeout\"" + common + "}");
            } else if (run.recorder == null) {  // the launcher itself failed: nothing says a test ran
                out.println("{\"mutant\":" + mutant + ",\"status\":\"crash\"" + common + "}");
            } else {
                out.println("{\"mutant\":" + mutant + ",\"status\":\"done\"" + common + ",\"tests\":" + run.recorder.json()
                    + ",\"base_tests\":" + base.recorder.json() + "}");
            }
        }
        out.println("{\"jvm\":{\"rss_kb\":" + procStatusKb("VmRSS") + ",\"peak_rss_kb\":" + procStatusKb("VmHWM")
            + ",\"cpu_ms\":" + processCpuNanos() / 1e6 + ",\"loop_cpu_ms\":" + (processCpuNanos() - loopCpu0) / 1e6 + "}}");
        return 0;
    }

    static final class Run {
        Recorder recorder;
        double ms, wallLimit, cpuMs = -1;  // cpuMs: the test thread's CPU time
        String hit;  // the limit it went past: "hits", "cpu", "wall", or null
        long hits;  // switch calls in the run
        boolean stuck;
    }

    /** The switch class's hit counter, limit and flag (TaskauditMutants.hits/hitLimit/hitStopped). */
    static final class Switch {
        final Field count, limit, stopped;
        Switch(Field count, Field limit, Field stopped) { this.count = count; this.limit = limit; this.stopped = stopped; }
    }

    static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /** The covering tests with ``mutant`` active (0: none) on a thread of their own, limited to
     *  ``cpuLimitMs`` of that thread's CPU time and ``wallLimitMs`` of wall time (0: none).
     *  Past a limit the switch's stop flag makes the next switch point the thread reaches
     *  throw (a loop through mutated code ends there); a thread that reaches none is stopped
     *  with Thread.stop (up to JDK 19). ``stuck``: it would not stop, so this JVM must end
     *  (taskaudit starts a fresh one for the mutants left). */
    static Run runLimited(Launcher launcher, ClassLoader loader, Field active, Field stop, Switch hits, List<String> reach,
                          int mutant, double cpuLimitMs, double wallLimitMs, long hitLimit) throws Exception {
        Run run = new Run();
        run.wallLimit = wallLimitMs;
        hits.count.setLong(null, 0);
        hits.stopped.setBoolean(null, false);
        hits.limit.setLong(null, hitLimit);
        active.setInt(null, mutant);
        Recorder[] box = new Recorder[1];
        long[] cpuBox = {-1};
        boolean cpuTimed = THREADS.isThreadCpuTimeSupported();
        long t0 = System.nanoTime();
        Thread worker = new Thread(() -> {
            box[0] = execute(launcher, reach);
            if (cpuTimed) cpuBox[0] = THREADS.getCurrentThreadCpuTime();
        }, "taskaudit-mutant-" + mutant);
        worker.setDaemon(true);
        worker.setContextClassLoader(loader);
        worker.start();
        while (worker.isAlive()) {
            worker.join(5);
            if (!worker.isAlive() || wallLimitMs <= 0) continue;
            if ((System.nanoTime() - t0) / 1e6 > wallLimitMs) { run.hit = "wall"; break; }
            long cpu = cpuTimed ? THREADS.getThreadCpuTime(worker.getId()) : -1;
            if (cpu >= 0 && cpu / 1e6 > cpuLimitMs) { run.hit = "cpu"; run.cpuMs = cpu / 1e6; break; }
        }
        run.ms = (System.nanoTime() - t0) / 1e6;
        if (run.hit != null) {
            stop.setBoolean(null, true);
            worker.join(200);
            try {
                // JUnit records a stopped test as failed and goes on to the next covering
                // test, which may loop too: stop again until the thread is gone.
                long deadline = System.nanoTime() + 3_000_000_000L;
                while (worker.isAlive() && System.nanoTime() < deadline) {
                    worker.stop();
                    worker.join(50);
                }
            } catch (Throwable t) {
                // Thread.stop is gone (JDK 20+): only the stop flag can end the thread.
            }
            run.stuck = worker.isAlive();
            stop.setBoolean(null, false);
        } else {
            run.cpuMs = cpuBox[0] < 0 ? -1 : cpuBox[0] / 1e6;
        }
        hits.limit.setLong(null, Long.MAX_VALUE);
        run.hits = hits.count.getLong(null);
        if (hits.stopped.getBoolean(null)) {
            // Past its hit limit: the switch threw Stop at every switch point since (the tests
            // it reached failed with it); a timeout, whatever the tests reported.
            run.hit = "hits";
            hits.stopped.setBoolean(null, false);
        }
        active.setInt(null, 0);
        run.recorder = box[0];
        return run;
    }

    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
        }
        return -1;
    }

    static long procStatusKb(String field) {
        try {
            for (String l : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (l.startsWith(field + ":")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        } catch (Exception e) {
            // not Linux: no number
        }
        return -1;
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
            done = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=300)
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
