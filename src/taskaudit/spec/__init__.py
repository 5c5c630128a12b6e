"""Shared extraction helpers for the requirements checks (statement spans, what tests rely on).

Nothing here runs task code or decides a verdict: these functions read text and syntax trees and
return facts (a name the tests call, the statement span that mentions it) that the checks in
``checks/interface.py``, ``checks/statement_examples.py``, ``checks/unstated.py`` and
``checks/untested.py`` turn into findings.
"""
