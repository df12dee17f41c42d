"""Retention: records kept only as long as the policy data says; the ledger keeps their hashes."""
