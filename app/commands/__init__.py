"""Every `review-tui` command, one module each (list, explain, chunks, demo, check, sync, stats);
common.py holds what they share. app/cli.py only registers them.

Each module defines one click command and keeps its heavy imports inside the command body, so
`review-tui --help` stays instant. Commands never import app.cli.
"""
