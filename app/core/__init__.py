"""The analysis core: git access, change discovery, metrics, risk, review plans.

Nothing in here imports textual, rich or the storage layer.
"""
