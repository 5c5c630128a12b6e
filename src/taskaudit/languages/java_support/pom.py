"""What taskaudit reads from a Maven ``pom.xml``: the dependencies (only JUnit is supported) and
the Java release. Maven itself never runs: the pom is parsed with defusedxml, as untrusted input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from defusedxml import ElementTree as SafeET

# Artefacts the JUnit Platform Console Standalone jar already provides (or that tests need only
# at compile time and the jar bundles): a pom may declare them in any version and scope.
PROVIDED_GROUPS = {
    "junit",
    "org.junit",
    "org.junit.jupiter",
    "org.junit.platform",
    "org.junit.vintage",
    "org.hamcrest",
    "org.opentest4j",
    "org.apiguardian",
    # Fetched on first need into the per-machine cache (java_support/toolchain.py LIBRARIES).
    "org.javatuples",
}


@dataclass
class PomInfo:
    unsupported: list[str] = field(default_factory=list)  # "group:artifact" not provided
    release: str | None = None  # maven.compiler.release / source
    build_config: list[str] = field(default_factory=list)  # ignored <build>/<profiles> parts
    error: str | None = None


def read_pom(data: bytes) -> PomInfo:
    info = PomInfo()
    try:
        root = SafeET.fromstring(data)
    except Exception as exc:  # defusedxml's and expat's errors alike
        info.error = f"pom.xml is not valid XML: {exc}"
        return info
    ns = ""
    match = re.match(r"\{[^}]*\}", root.tag)
    if match:
        ns = match.group(0)

    def find(node, path: str):
        return node.find("/".join(ns + part for part in path.split("/")))

    def text(node, path: str) -> str | None:
        found = find(node, path)
        return found.text.strip() if found is not None and found.text else None

    properties = {}
    props = find(root, "properties")
    if props is not None:
        for child in props:
            if isinstance(child.tag, str):
                properties[child.tag.removeprefix(ns)] = (child.text or "").strip()

    deps = find(root, "dependencies")
    for dep in [] if deps is None else deps.findall(f"{ns}dependency"):
        group = text(dep, "groupId") or "?"
        artifact = text(dep, "artifactId") or "?"
        if group not in PROVIDED_GROUPS:
            info.unsupported.append(f"{group}:{artifact}")

    release = properties.get("maven.compiler.release") or properties.get("maven.compiler.source")
    build = find(root, "build")
    if build is not None:
        for plugin in build.iter(f"{ns}plugin"):
            artifact = text(plugin, "artifactId") or "?"
            conf = find(plugin, "configuration")
            if artifact == "maven-compiler-plugin":
                if conf is not None:
                    release = text(conf, "release") or text(conf, "source") or release
            elif conf is not None or find(plugin, "executions") is not None or find(plugin, "dependencies") is not None:
                # A plugin merely pinned to a version (surefire 3.x for JUnit 5) changes nothing;
                # one configured (includes, testFailureIgnore, argLine, ...) would, under Maven.
                info.build_config.append(f"plugin {artifact} configuration")
        for tag in ("testSourceDirectory", "sourceDirectory", "testResources", "resources"):
            if find(build, tag) is not None:
                info.build_config.append(f"<build><{tag}>")
    if find(root, "profiles") is not None:
        info.build_config.append("<profiles>")
    if release and release.startswith("${"):
        release = properties.get(release[2:-1].strip())
    if release:
        release = release.removeprefix("1.")  # "1.8" -> "8"
    info.release = release if release and release.isdigit() else None
    return info
