"""Adversarial suite: hostile repositories, bad config, resource bounds and storage races (issue 8)."""
