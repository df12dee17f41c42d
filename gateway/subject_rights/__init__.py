"""The subject's rights: objections (异议申诉) and credit repair (信用修复)."""
