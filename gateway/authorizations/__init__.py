"""Enterprise authorizations (the consent ledger): signed, purpose-bound, scoped, expiring."""
