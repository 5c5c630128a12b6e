"""Grading agent trajectories: formats -> one step model; outcome; detectors; rubrics; ranking;
rationales; blind review; agreement. See docs/trajectories.md."""
