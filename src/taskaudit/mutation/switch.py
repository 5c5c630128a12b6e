"""The runtime switch the Python schema reads (imported by the instrumented solution).

Every schematised function becomes a trampoline that asks ``hit(function_key)`` which mutant
is active; ``hit`` also records that the function was reached, which is how the warm worker
learns, in its dry run, which tests reach which mutants. Kept tiny and dependency-free: it is
imported inside the sandbox by the solution under test.
"""

from __future__ import annotations

import os

# The active mutant id (0 = the original code). A fresh process may start with one active.
ACTIVE: int = int(os.environ.get("TASKAUDIT_ACTIVE_MUTANT", "0") or 0)
# Keys of the schematised functions called since the last reset.
REACHED: set[int] = set()


def hit(function_key: int) -> int:
    REACHED.add(function_key)
    return ACTIVE
