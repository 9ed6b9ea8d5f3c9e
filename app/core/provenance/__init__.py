"""AI provenance: commit-level signals (commits.py), git-ai notes (gitai.py) and line attribution (lines.py)."""
