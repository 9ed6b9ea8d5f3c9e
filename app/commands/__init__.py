"""Subcommands that live in their own modules (`check`, `sync`); app/cli.py registers them.

Each module defines one click command and keeps its heavy imports inside the command body, so
`review-tui --help` stays instant.
"""
