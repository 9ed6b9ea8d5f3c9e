"""Deterministic builders of the demo and test repositories.

Everything here is plain pygit2 with fixed authors and dates, so the same code always
produces the same commit ids. Modules import each other relatively because the package is
loaded from a source checkout and from inside the installed wheel (app/_data/sample_repos).
"""

from .build import SAMPLES, NotASample, build_all  # noqa: F401
from .builder import Clock, Person, RepoBuilder  # noqa: F401
