"""HTTP plumbing shared by every feature: parameter bounds, ASGI middlewares, health."""
