"""Synthetic demo data: Benxi enterprises with records in every catalog dataset."""

from gateway.demo.generator import DemoData, generate_demo

__all__ = ["DemoData", "generate_demo"]
