"""Errors a user can act on: the CLI prints their message on one line and exits non-zero."""

from __future__ import annotations


class ReviewTuiError(Exception):
    """Base for every error shown to the user as a one-line message."""

    exit_code = 2


class RepoError(ReviewTuiError):
    """The path is not a usable git repository, or a ref/range cannot be resolved."""


class ConfigError(ReviewTuiError):
    """A config file is malformed; the message names the file and the key or line."""


class LedgerError(ReviewTuiError):
    """The review database cannot be opened or written safely."""


class ChangeNotFound(ReviewTuiError):
    """No pending change has the requested id."""


class UsageError(ReviewTuiError):
    """Options that do not go together (e.g. --merges without --range)."""
