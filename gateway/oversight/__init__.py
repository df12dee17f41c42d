"""Oversight of institutions: activity profiles, anomaly detectors, exports, assessments."""
