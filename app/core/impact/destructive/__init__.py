"""Destructive-operation detectors; ops.py holds the DestructiveOp every detector returns."""
