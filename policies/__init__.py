"""The Rego policy, its data and decision corpus, shipped as package data.

Installed as the package ``credgate_policies`` (``pyproject.toml`` maps it to this directory), so
a wheel carries the policy and ``gateway.policy.source`` finds it with ``importlib.resources``.
OPA's bundle loader ignores this file.
"""
