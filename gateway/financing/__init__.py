"""Financing services (issue 11): products, self pre-qualification, financing demands pushed to
matching institutions, bank-initiated authorization requests, the demand lifecycle and its
outcome statistics. See docs/financing.md."""
