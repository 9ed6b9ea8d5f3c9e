"""Load the bundled sample_repos package, whether from a checkout or from inside the wheel."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from app.paths import resource_dir

_MODULE = "review_tui_sample_repos"


def load() -> ModuleType:
    """Import sample_repos/ under a private module name (it is data shipped with the app)."""
    if _MODULE in sys.modules:
        return sys.modules[_MODULE]
    folder = resource_dir("sample_repos")
    spec = importlib.util.spec_from_file_location(
        _MODULE, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    if spec is None or spec.loader is None:  # pragma: no cover - packaging error
        raise ImportError(f"sample repositories are missing from {folder}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[_MODULE] = module
    spec.loader.exec_module(module)
    return module
