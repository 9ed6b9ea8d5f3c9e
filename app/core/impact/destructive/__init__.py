"""Destructive-operation detectors; ops.py holds the DestructiveOp every detector returns.

The parsing detectors (one module per family, driven by scan.scan_change) read each file's whole base
and head version; legacy.py keeps the regex detectors as the fallback for files that do not parse.
"""
