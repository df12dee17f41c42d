"""The ledger's HTTP face (public, no auth), its wiring into the gateway, and its CLI."""
