"""Calibration of the likelihood model on a repository's own history (issue 12)."""
