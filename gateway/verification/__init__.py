"""Yes/no verification: predicates evaluated under policy, with a budget against bisection."""
