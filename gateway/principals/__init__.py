"""Who may call the gateway: principals, their public keys, and request authentication."""
