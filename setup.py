"""Only the package list: pyproject.toml holds everything else.

``packages.find`` in pyproject.toml cannot list ``credgate_policies``, which ``package-dir`` maps
to the top-level ``policies/`` directory, so the list is built here.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[
        *find_namespace_packages(include=["gateway*", "ledger*", "verifiers*"]),
        "credgate_policies",
        "credgate_policies.testdata",
    ]
)
