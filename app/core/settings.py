"""Typed reading of TOML config sections with errors that name the file and key.

Core modules describe their own settings as frozen dataclasses and read them through a
SectionReader; unknown keys are collected as warnings (reported, never fatal), wrong types
raise ConfigError (the user must fix the file).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, TypeVar

from app.errors import ConfigError

T = TypeVar("T")
D = TypeVar("D")

_TYPE_NAMES: dict[type, str] = {int: "an integer", float: "a number", str: "a string", bool: "true or false",
                                list: "a list", dict: "a table"}


@dataclass
class SectionReader:
    """Reads one table of a TOML document. `source` is the file path, `section` the dotted table name."""

    data: dict[str, Any]
    source: str
    section: str
    warnings: list[str] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)

    def where(self, key: str) -> str:
        dotted = f"{self.section}.{key}" if self.section else key
        return f"{self.source}: {dotted}"

    def get(self, key: str, kind: type[T], default: D) -> T | D:
        """The value of `key` checked to be of `kind` (int accepted where float is wanted)."""
        self._seen.add(key)
        if key not in self.data:
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)  # type: ignore[return-value]  # kind is float: T is float
        if kind is int and isinstance(value, bool):
            raise ConfigError(f"{self.where(key)}: expected {_TYPE_NAMES[int]}, got {value!r}")
        if not isinstance(value, kind):
            raise ConfigError(f"{self.where(key)}: expected {_TYPE_NAMES.get(kind, kind.__name__)}, got {value!r}")
        _refuse_nan(value, self.where(key))
        return value

    def get_list_of(self, key: str, kind: type[T], default: list[T]) -> list[T]:
        items: list[Any] = self.get(key, list, default)
        for i, item in enumerate(items):
            if not isinstance(item, kind) or (kind is int and isinstance(item, bool)):
                raise ConfigError(
                    f"{self.where(key)}[{i}]: expected {_TYPE_NAMES.get(kind, kind.__name__)}, got {item!r}"
                )
            _refuse_nan(item, f"{self.where(key)}[{i}]")
        return list(items)

    def get_number(self, key: str, default: float, *, minimum: float | None = None,
                   maximum: float | None = None) -> float:
        value: float = self.get(key, float, default)
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise ConfigError(f"{self.where(key)}: {value} is outside {minimum}..{maximum}")
        return value

    def sub(self, key: str) -> SectionReader:
        """A reader for a nested table (missing -> empty). Shares this reader's warnings list."""
        table = self.get(key, dict, {})
        name = f"{self.section}.{key}" if self.section else key
        return SectionReader(table, self.source, name, self.warnings)

    def finish(self, known: set[str] | None = None) -> None:
        """Record a warning for each key nobody read (call after reading every key)."""
        allowed = self._seen | (known or set())
        for key in self.data:
            if key not in allowed:
                self.warnings.append(f"{self.where(key)}: unknown key (ignored)")


def _refuse_nan(value: Any, where: str) -> None:
    """TOML has `nan`: no range check refuses it (every comparison is false), and it reached the floor
    arithmetic as an internal error (exit 70) or slipped through as a floor below the minimum."""
    if isinstance(value, float) and math.isnan(value):
        raise ConfigError(f"{where}: nan is not a number; give a number")
    if isinstance(value, dict):
        for name, item in value.items():
            _refuse_nan(item, f"{where}.{name}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _refuse_nan(item, f"{where}[{i}]")
