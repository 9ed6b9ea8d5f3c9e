"""review-tui: triage, chunk and honestly review pending git changes."""

__version__ = "0.1.0"
