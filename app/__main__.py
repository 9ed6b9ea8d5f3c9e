"""`python -m app` runs the CLI."""

from app.entry import main

main()
