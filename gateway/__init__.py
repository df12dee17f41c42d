"""credgate gateway: the HTTP service, its features and its wiring."""
