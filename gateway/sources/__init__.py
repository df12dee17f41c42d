"""Data sources outside the platform, and stand-ins for them."""
