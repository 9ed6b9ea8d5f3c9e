"""The analysis pipeline joining the pure core and the cache: Analyzer (analyzer.py) and the
reports it hands to the CLI and the TUI (report.py)."""
