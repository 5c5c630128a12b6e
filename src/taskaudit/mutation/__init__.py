"""Mutation testing of the reference solution (issue 4): operators on syntax trees, schemata
(all mutants compiled behind one runtime switch), warm workers per language, outcomes and
survivor classification. ``model.py`` is the vocabulary every language backend shares."""
