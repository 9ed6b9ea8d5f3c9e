"""Theme files: every shipped theme loads and validates, broken files are reported by file and key
without stopping the others, CSS using review-tui's variables parses under every theme, and the
band helpers (band_style, score_cell) draw from the theme."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.style import Style
from textual.app import App, ComposeResult
from textual.color import Color
from textual.widgets import Static

from app.paths import resource_dir
from app.tui.themes import (
    BANDS,
    BASE_COLOR_KEYS,
    COLOR_VARIABLE_DEFAULTS,
    SYMBOL_DEFAULTS,
    VARIABLE_NAMES,
    ReviewTheme,
    band_style,
    load_themes,
    parse_colour,
    theme_variable_defaults,
)
from app.tui.widgets.score_bar import score_cell

SHIPPED = resource_dir("themes")
REQUIRED = {"review-dark", "review-light", "review-high-contrast", "review-colorblind"}


def _load_shipped() -> dict[str, ReviewTheme]:
    themes, errors = load_themes([SHIPPED])
    assert errors == []
    return themes


def test_every_shipped_theme_loads_and_defines_every_variable() -> None:
    themes = _load_shipped()
    assert set(themes) >= REQUIRED
    assert len(themes) == len(list(SHIPPED.glob("*.toml")))
    for theme in themes.values():
        assert set(theme.colors) == set(BASE_COLOR_KEYS), theme.name
        # shipped themes spell every variable out rather than leaning on defaults
        assert set(theme.variables) | set(theme.symbols) == set(VARIABLE_NAMES), theme.name
        symbols = [theme.variable(f"band-symbol-{band}") for band in BANDS]
        assert len(set(symbols)) == 4, theme.name  # bands differ by shape in every theme
        colours = [theme.variable(f"risk-{band}") for band in BANDS]
        assert len(set(colours)) == 4, theme.name
        textual_theme = theme.to_textual()
        assert textual_theme.name == theme.name and textual_theme.dark == theme.dark
        assert textual_theme.variables["band-symbol-low"] == f'"{symbols[0]}"'


def _luminance(value: str) -> float:
    return parse_colour(value).brightness


def test_colorblind_theme_uses_okabe_ito_with_symbols_and_a_lightness_ramp() -> None:
    theme = _load_shipped()["review-colorblind"]
    okabe_ito = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7"}
    assert {theme.variable(f"risk-{band}").lower() for band in BANDS} <= okabe_ito
    assert [theme.variable(f"band-symbol-{band}") for band in BANDS] == ["○", "◔", "◑", "●"]
    # added/removed are not the red/green pair colour-blind readers confuse
    assert theme.variable("diff-added").lower() in okabe_ito - {"#009e73"}
    assert theme.variable("diff-removed").lower() in okabe_ito - {"#009e73"}


def test_light_theme_is_light_and_readable() -> None:
    theme = _load_shipped()["review-light"]
    assert theme.dark is False
    assert _luminance(theme.colors["background"]) > 0.8 > 0.3 > _luminance(theme.colors["foreground"])


class CssProbe(App[None]):
    """Styles that reference every review-tui variable; fails to start if one is undefined."""

    CSS = "\n".join(
        f"#v{i} {{ color: ${name}; }}" for i, name in enumerate(COLOR_VARIABLE_DEFAULTS)
    )

    def __init__(self, themes: dict[str, ReviewTheme]) -> None:
        super().__init__()
        for theme in themes.values():
            self.register_theme(theme.to_textual())

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return theme_variable_defaults()

    def compose(self) -> ComposeResult:
        for i, _ in enumerate(COLOR_VARIABLE_DEFAULTS):
            yield Static("x", id=f"v{i}")


async def test_css_with_review_variables_parses_under_every_theme_and_builtin_ones() -> None:
    themes = _load_shipped()
    app = CssProbe(themes)
    async with app.run_test(size=(40, 10)) as pilot:
        for name in [*themes, "textual-dark", "textual-light"]:
            app.theme = name
            await pilot.pause()
            expected = themes[name].variable("risk-critical") if name in themes else COLOR_VARIABLE_DEFAULTS[
                "risk-critical"]
            index = list(COLOR_VARIABLE_DEFAULTS).index("risk-critical")
            assert app.query_one(f"#v{index}").styles.color == Color.parse(expected), name
            assert app.theme_variables["band-symbol-low"].strip('"')


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, "utf-8")
    return path


GOOD = """name = "{name}"
dark = true
[colors]
primary = "#336699"
[variables]
risk-critical = "#ff0000"
band-symbol-critical = "!"
"""


def test_broken_theme_files_are_reported_by_file_and_key_and_others_still_load(tmp_path: Path) -> None:
    user = tmp_path / "themes"
    _write(user, "a-good.toml", GOOD.format(name="mine"))
    bad_colour = _write(user, "bad-colour.toml", GOOD.format(name="bad1").replace('"#ff0000"', '"reddish"'))
    bad_key = _write(user, "bad-key.toml", GOOD.format(name="bad2") + 'risk-hihg = "#ffffff"\n')
    bad_toml = _write(user, "bad-toml.toml", "name = \n")
    no_name = _write(user, "no-name.toml", GOOD.format(name="x").replace('name = "x"\n', ""))
    bad_symbol = _write(user, "bad-symbol.toml", GOOD.format(name="bad3").replace('"!"', '"\\""'))
    bad_dark = _write(user, "bad-dark.toml", GOOD.format(name="bad4").replace("dark = true", 'dark = "yes"'))
    bad_textual = _write(user, "bad-textual.toml",
                         GOOD.format(name="bad5") + 'footer-key-foreground = "@@"\n')

    themes, errors = load_themes([SHIPPED, user])
    assert "mine" in themes and set(themes) >= REQUIRED
    assert not {"bad1", "bad2", "bad3", "bad4", "bad5"} & set(themes)
    assert len(errors) == 7
    by_file = {error.split(":")[0]: error for error in errors}
    assert "key 'variables.risk-critical'" in by_file[str(bad_colour)]
    assert "reddish" in by_file[str(bad_colour)]
    assert "key 'variables.risk-hihg'" in by_file[str(bad_key)]
    assert "invalid TOML" in by_file[str(bad_toml)]
    assert "key 'name'" in by_file[str(no_name)]
    assert "key 'variables.band-symbol-critical'" in by_file[str(bad_symbol)]
    assert "key 'dark'" in by_file[str(bad_dark)]
    assert "key 'variables.footer-key-foreground'" in by_file[str(bad_textual)]

    mine = themes["mine"]  # a minimal user theme: the rest comes from defaults
    assert mine.variable("risk-critical") == "#ff0000"
    assert mine.variable("band-symbol-critical") == "!"
    assert mine.variable("risk-low") == COLOR_VARIABLE_DEFAULTS["risk-low"]
    assert mine.variable("band-symbol-low") == SYMBOL_DEFAULTS["band-symbol-low"]


def test_a_user_theme_replaces_a_shipped_one_of_the_same_name(tmp_path: Path) -> None:
    _write(tmp_path, "dark.toml", GOOD.format(name="review-dark"))
    themes, errors = load_themes([SHIPPED, tmp_path, tmp_path / "missing"])
    assert errors == []
    assert themes["review-dark"].variable("risk-critical") == "#ff0000"
    assert themes["review-dark"].source == str(tmp_path / "dark.toml")


def test_two_files_with_one_name_in_a_folder_report_the_second(tmp_path: Path) -> None:
    _write(tmp_path, "a.toml", GOOD.format(name="twin"))
    second = _write(tmp_path, "b.toml", GOOD.format(name="twin"))
    themes, errors = load_themes([tmp_path])
    assert list(themes) == ["twin"]
    assert errors and errors[0].startswith(f"{second}: key 'name'")


def test_band_style_reads_theme_or_variables() -> None:
    theme = _load_shipped()["review-colorblind"]
    symbol, style = band_style(theme, "critical")
    assert symbol == "●" and style.bold
    assert style.color is not None and style.color.triplet == Color.parse("#d55e00").rich_color.triplet
    # the same through the CSS variables an App exposes (symbols quoted there)
    assert band_style(theme.to_textual().variables, "medium")[0] == "◔"
    assert band_style({}, "high")[0] == SYMBOL_DEFAULTS["band-symbol-high"]
    assert band_style(theme, None)[0] == "·"


def test_score_cell_shape_and_colour() -> None:
    theme = _load_shipped()["review-colorblind"]
    cell = score_cell(72, "high", theme.to_textual().variables)
    assert cell.plain == "◑  72 █████▊  "
    assert cell.cell_len == 8 + 6
    for span in cell.spans:
        assert isinstance(span.style, Style) and span.style.color is not None
        assert span.style.color.get_truecolor() == Color.parse("#e69f00").rich_color.get_truecolor()
    assert score_cell(None, None, theme).plain.strip() == "·   –"
    assert score_cell(100, "critical", theme, width=4).plain == "● 100 ████"
    assert score_cell(0, "low", theme, width=4).plain == "○   0     "


@given(score=st.floats(min_value=-50, max_value=500, allow_nan=False), band=st.sampled_from([*BANDS, None]),
       width=st.integers(min_value=1, max_value=30))
def test_score_cell_always_has_the_same_width(score: float, band: str | None, width: int) -> None:
    cell = score_cell(score, band, {}, width=width)
    assert cell_len(cell.plain) == width + 6
    bar = cell.plain[6:]
    assert len(bar) == width
    clamped = min(100.0, max(0.0, score))
    assert cell.plain[1:6] == f" {math.floor(clamped):>3d} "  # the floor: 64.9 is "64", below the band edge
    # the bar's length in eighths of a cell is the score's share of the width
    full = bar.count("█")
    partial = " ▏▎▍▌▋▊▉".index(bar[full]) if full < width else 0
    assert full * 8 + partial == round(clamped / 100 * width * 8)


@pytest.mark.parametrize("value", ["#12345", "rgb(1,2)", "#123456 150%", "", "bluish"])
def test_parse_colour_rejects_non_colours(value: str) -> None:
    with pytest.raises(ValueError):
        parse_colour(value)


def test_parse_colour_accepts_alpha() -> None:
    assert parse_colour("#ff0000 25%").a == pytest.approx(0.25)
