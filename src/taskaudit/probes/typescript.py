"""Probe generation for TypeScript tasks: the JavaScript generator with type casts."""

from __future__ import annotations

from taskaudit.probes.javascript import JsProbes

_ts = JsProbes(typescript=True)
language = _ts.language
functions, default, echo, answer, matches, body, cases = (
    _ts.functions, _ts.default, _ts.echo, _ts.answer, _ts.matches, _ts.body, _ts.cases)
exit_early, plant, patch_runner, tamper = _ts.exit_early, _ts.plant, _ts.patch_runner, _ts.tamper
read_tests = _ts.read_tests
