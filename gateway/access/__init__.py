"""Policy-enforced access: reports, the subject's own view, and its access log."""
