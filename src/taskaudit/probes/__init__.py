"""Cheat probes: deliberately wrong or cheating solutions generated from a task (issue 5).

``generate.build_probes(task, reference_workspace)`` returns them; ``checks/probes.py`` runs
them like any variant and reports those that pass. ``harness_scan`` reads a task's own test
script (Harbor's ``tests/test.sh``) for weaknesses. Nothing in this package starts a process.
"""
