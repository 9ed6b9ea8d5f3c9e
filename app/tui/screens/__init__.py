"""The TUI's screens."""

from pathlib import Path

STYLES = Path(__file__).resolve().parent.parent / "styles"
"""The .tcss files: each screen names its own (CSS_PATH), parsed when the screen is first shown."""
