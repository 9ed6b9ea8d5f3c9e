"""Themes are data: themes/*.toml (shipped) and the user's themes dir, validated into ReviewTheme.

A theme file has a top-level `name` and `dark`, a `[colors]` table with Textual's base colours
(primary, secondary, accent, foreground, background, surface, panel, warning, error, success) and a
`[variables]` table with review-tui's own CSS variables ($risk-critical, $diff-added, ...; see
VARIABLE_DEFAULTS) plus, optionally, overrides of Textual's generated variables.

`load_themes` never raises for a bad file: it reports one line naming the file and the key and keeps
loading the others. `ReviewTheme.to_textual()` builds a fresh `textual.theme.Theme`; Textual's global
theme table is never touched (an App registers themes on itself).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from rich.style import Style
from textual.color import Color, ColorParseError
from textual.theme import Theme

from app.config import parse_toml
from app.core.risk.bands import BAND_NAMES
from app.errors import ConfigError

BANDS = BAND_NAMES
"""Risk bands, lowest first (app.core.risk.score names them the same way)."""

BASE_COLOR_KEYS = (
    "primary", "secondary", "accent", "foreground", "background",
    "surface", "panel", "warning", "error", "success",
)
"""Textual's base colours, the keys of a theme file's [colors] table."""

MAX_THEME_BYTES = 200_000  # a theme is a few dozen lines; anything bigger is not a theme

# review-tui's own variables with the fallback used when a theme leaves one out. These also feed
# App.get_theme_variable_defaults(), so CSS referencing $risk-critical parses under ANY theme,
# Textual's built-in ones included.
COLOR_VARIABLE_DEFAULTS: dict[str, str] = {
    "risk-low": "#4caf50",
    "risk-medium": "#d7a500",
    "risk-high": "#e67e22",
    "risk-critical": "#e53935",
    "tier-0": "#e53935",
    "tier-1": "#e67e22",
    "tier-2": "#3f8fd2",
    "tier-3": "#8a8a8a",
    "diff-added": "#4caf50",
    "diff-added-bg": "#4caf50 18%",
    "diff-removed": "#e53935",
    "diff-removed-bg": "#e53935 18%",
    "diff-added-word-bg": "#4caf50 40%",
    "diff-removed-word-bg": "#e53935 40%",
    "diff-context": "#9e9e9e",
    "diff-file-header": "#3f8fd2",
    "diff-hunk-header": "#26a6a6",
    "diff-gutter": "#808080",
    "diff-cursor-bg": "#808080 30%",
    "diff-search-bg": "#d7a500",
    "gutter-ai": "#b267e6",
    "hotspot": "#ff9800",
    "syntax-keyword": "#b267e6",
    "syntax-string": "#7cb342",
    "syntax-comment": "#8a8a8a",
    "syntax-number": "#e67e22",
    "syntax-function": "#3f8fd2",
    "syntax-class": "#d7a500",
    "syntax-builtin": "#26a6a6",
    "syntax-operator": "#26a6a6",
}
"""Colour variables: "<colour>" or "<colour> <percent>%" (the percent is opacity over the background)."""

SYMBOL_DEFAULTS: dict[str, str] = {
    "band-symbol-low": "▁",
    "band-symbol-medium": "▃",
    "band-symbol-high": "▅",
    "band-symbol-critical": "█",
}
"""Band symbols: a bar height by default, so bands differ by shape as well as colour."""

VARIABLE_NAMES = tuple(COLOR_VARIABLE_DEFAULTS) + tuple(SYMBOL_DEFAULTS)

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_ALPHA = re.compile(r"^(?P<colour>.+?)\s+(?P<percent>\d{1,3}(?:\.\d+)?)%$")
_TOP_LEVEL_KEYS = {"name", "dark", "colors", "variables", "description"}


# -- colours ------------------------------------------------------------------------------
@lru_cache(maxsize=512)
def parse_colour(value: str) -> Color:
    """A theme colour value -> Color; accepts "#rrggbb", "rgb(...)", names and "<colour> NN%".

    Raises ValueError with the reason when the value is not a colour.
    """
    text = value.strip()
    alpha = 1.0
    match = _ALPHA.match(text)
    if match:
        text = match.group("colour")
        alpha = float(match.group("percent")) / 100
        if alpha > 1:
            raise ValueError(f"{value!r}: opacity above 100%")
    try:
        colour = Color.parse(text)
    except ColorParseError:
        raise ValueError(f"{value!r} is not a colour") from None
    return colour.multiply_alpha(alpha) if alpha < 1 else colour


def resolve_colour(value: str | None, over: Color) -> Color | None:
    """The opaque colour `value` gives when drawn over `over` (None if missing or invalid)."""
    if not value:
        return None
    try:
        colour = parse_colour(value)
    except ValueError:
        return None
    return over + colour if colour.a < 1 else colour


def css_string(symbol: str) -> str:
    """A symbol as a quoted CSS string: bare "○" would make Textual's CSS tokenizer fail."""
    return f'"{symbol}"'


def css_unquote(value: str) -> str:
    """The inverse of css_string (tolerates unquoted values)."""
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def theme_variable_defaults() -> dict[str, str]:
    """Defaults for App.get_theme_variable_defaults(): every review-tui variable, CSS-ready."""
    variables = dict(COLOR_VARIABLE_DEFAULTS)
    variables.update({key: css_string(value) for key, value in SYMBOL_DEFAULTS.items()})
    return variables


@lru_cache(maxsize=1)
def _textual_variable_names() -> frozenset[str]:
    """Names of the variables Textual generates (a theme may override them in [variables])."""
    return frozenset(Theme(name="probe", primary="#000000").to_color_system().generate())


# -- the model ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReviewTheme:
    """One validated theme file."""

    name: str
    """Unique name, lowercase letters, digits, '-' and '_' (shown in the command palette)."""
    dark: bool
    """Whether the theme is dark (Textual derives shades from it)."""
    colors: dict[str, str]
    """Textual base colours from [colors]: primary is required, the others optional."""
    variables: dict[str, str] = field(default_factory=dict)
    """review-tui colour variables, every one of VARIABLE_NAMES' colours (defaults fill gaps)."""
    symbols: dict[str, str] = field(default_factory=dict)
    """band-symbol-<band> -> the symbol shown for that risk band."""
    textual_overrides: dict[str, str] = field(default_factory=dict)
    """Overrides of Textual's own generated variables (e.g. footer-key-foreground)."""
    source: str = ""
    """The file it came from."""
    description: str = ""

    def variable(self, key: str) -> str:
        """A review-tui variable's value (symbols unquoted), defaults filling gaps."""
        if key in SYMBOL_DEFAULTS:
            return self.symbols.get(key, SYMBOL_DEFAULTS[key])
        return self.variables.get(key, COLOR_VARIABLE_DEFAULTS.get(key, ""))

    def css_variables(self) -> dict[str, str]:
        """Every app variable as Textual expects it in Theme.variables (symbols quoted)."""
        merged = theme_variable_defaults()
        merged.update(self.variables)
        merged.update({key: css_string(value) for key, value in self.symbols.items()})
        merged.update(self.textual_overrides)
        return merged

    def to_textual(self) -> Theme:
        """A new textual Theme (never a shared or global instance)."""
        get = self.colors.get
        return Theme(
            name=self.name, primary=self.colors["primary"], secondary=get("secondary"),
            warning=get("warning"), error=get("error"), success=get("success"), accent=get("accent"),
            foreground=get("foreground"), background=get("background"), surface=get("surface"),
            panel=get("panel"), dark=self.dark, variables=self.css_variables(),
        )


def theme_from_data(data: Mapping[str, Any], source: str) -> ReviewTheme:
    """Validate a parsed theme file; ConfigError names the file and the offending key."""

    def fail(key: str, message: str) -> ConfigError:
        return ConfigError(f"{source}: key '{key}': {message}")

    for key in data:
        if key not in _TOP_LEVEL_KEYS:
            raise fail(key, f"unknown key (expected one of {', '.join(sorted(_TOP_LEVEL_KEYS))})")
    name = data.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise fail("name", "required: lowercase letters, digits, '-' or '_' (up to 64)")
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise fail("dark", "must be true or false")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise fail("description", "must be a string")

    colors_table = data.get("colors", {})
    if not isinstance(colors_table, dict):
        raise fail("colors", "must be a table")
    colors: dict[str, str] = {}
    for key, value in colors_table.items():
        where = f"colors.{key}"
        if key not in BASE_COLOR_KEYS:
            raise fail(where, f"unknown colour (expected one of {', '.join(BASE_COLOR_KEYS)})")
        if not isinstance(value, str):
            raise fail(where, "must be a string such as \"#1e2127\"")
        try:
            colour = parse_colour(value)
        except ValueError as exc:
            raise fail(where, str(exc)) from None
        if colour.a < 1:
            raise fail(where, "base colours must be opaque")
        colors[key] = value
    if "primary" not in colors:
        raise fail("colors.primary", "required")

    variables_table = data.get("variables", {})
    if not isinstance(variables_table, dict):
        raise fail("variables", "must be a table")
    variables: dict[str, str] = {}
    symbols: dict[str, str] = {}
    overrides: dict[str, str] = {}
    for key, value in variables_table.items():
        where = f"variables.{key}"
        if not isinstance(value, str):
            raise fail(where, "must be a string")
        if key in SYMBOL_DEFAULTS:
            printable = value.strip() and value.isprintable() and '"' not in value and "\\" not in value
            if not printable or len(value) > 3:
                raise fail(where, "must be 1 to 3 printable characters (no quotes)")
            symbols[key] = value
        elif key in COLOR_VARIABLE_DEFAULTS:
            try:
                parse_colour(value)
            except ValueError as exc:
                raise fail(where, str(exc)) from None
            variables[key] = value
        elif key in _textual_variable_names():
            _check_css_value(value, where, fail)
            overrides[key] = value
        else:
            raise fail(where, "unknown variable (see app/tui/themes.py VARIABLE_NAMES)")
    return ReviewTheme(name, dark, colors, variables, symbols, overrides, source, description)


def _check_css_value(value: str, where: str, fail: Callable[[str, str], Exception]) -> None:
    """A value for one of Textual's variables must tokenize, or every stylesheet would fail to parse."""
    from textual.css.tokenize import tokenize_value
    from textual.css.tokenizer import TokenError

    try:
        list(tokenize_value(value, ("theme", where)))
    except TokenError:
        raise fail(where, f"{value!r} is not a valid CSS value") from None


def load_theme_file(path: Path) -> ReviewTheme:
    """Read and validate one theme file (ConfigError on any problem)."""
    try:
        size = path.stat().st_size
        if size > MAX_THEME_BYTES:
            raise ConfigError(f"{path}: {size:,} bytes is too large for a theme file")
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read theme ({exc.strerror})") from None
    return theme_from_data(parse_toml(data, str(path)), str(path))


def load_themes(dirs: Iterable[Path]) -> tuple[dict[str, ReviewTheme], list[str]]:
    """Every *.toml theme in `dirs` (in order; a later dir's theme replaces an earlier one of the
    same name, so a user can restyle a shipped theme). Returns (themes by name, error lines)."""
    themes: dict[str, ReviewTheme] = {}
    errors: list[str] = []
    for folder in dirs:
        if not folder.is_dir():
            continue  # a user without a themes dir is the normal case
        seen_here: dict[str, str] = {}
        for path in sorted(folder.glob("*.toml")):
            try:
                theme = load_theme_file(path)
            except ConfigError as exc:
                errors.append(str(exc))
                continue
            if theme.name in seen_here:
                first = seen_here[theme.name]
                errors.append(f"{path}: key 'name': {theme.name!r} is already defined by {first}")
                continue
            seen_here[theme.name] = str(path)
            themes[theme.name] = theme
    return themes, errors


def default_theme_dirs() -> list[Path]:
    """The shipped themes, then the user's own (which win on a name clash)."""
    from app.paths import resource_dir, user_themes_dir

    return [resource_dir("themes"), user_themes_dir()]


# -- helpers for renderers ----------------------------------------------------------------
def band_style(theme: ReviewTheme | Mapping[str, str] | None, band: str | None) -> tuple[str, Style]:
    """(symbol, Rich style) for a risk band, from a ReviewTheme or a variables mapping such as
    `app.theme_variables`. An unknown or missing band gets a neutral "·" (e.g. analysis failed)."""
    if band not in BANDS:
        return "·", Style(dim=True)
    symbol_key, colour_key = f"band-symbol-{band}", f"risk-{band}"
    if isinstance(theme, ReviewTheme):
        symbol, colour_value = theme.variable(symbol_key), theme.variable(colour_key)
    else:
        variables = theme or {}
        symbol = css_unquote(variables.get(symbol_key, "")) or SYMBOL_DEFAULTS[symbol_key]
        colour_value = variables.get(colour_key) or COLOR_VARIABLE_DEFAULTS[colour_key]
    try:
        colour = parse_colour(colour_value)
    except ValueError:
        colour = parse_colour(COLOR_VARIABLE_DEFAULTS[colour_key])
    return symbol, Style(color=colour.with_alpha(1).rich_color, bold=band == "critical")
