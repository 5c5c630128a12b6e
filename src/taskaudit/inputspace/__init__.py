"""Input-space analysis: generated inputs, untested input classes, differential testing against
the reference, missing tests written out (docs/inputspace.md; the check is checks/inputspace.py)."""
