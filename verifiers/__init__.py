"""Yes/no verification predicates (issue 5)."""
