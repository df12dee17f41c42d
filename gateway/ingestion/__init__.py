"""Sources push batches; the platform validates, versions and reconciles them."""
