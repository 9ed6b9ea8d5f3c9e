"""What a change can break: path tiers (tiers.py), destructive operations (destructive/), and their join (assess.py)."""
