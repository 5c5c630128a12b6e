"""Durations. Implement the module as the task statement describes."""
