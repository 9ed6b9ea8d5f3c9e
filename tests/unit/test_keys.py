

def test_the_readme_keys_table_names_every_action_with_its_default_key() -> None:
    """README's key table is written by hand: it lacked `C` (comment threads) and `O` (carry over)."""
    import re
    from pathlib import Path

    from app.tui.keys import ACTIONS

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| ([a-z (),]+) \| (.+) \|$", readme, re.M)}
    row_of = {"global": "everywhere", "list": "everywhere", "reader": "reading (chunk, commit)"}
    shown = {"escape": "esc", "question_mark": "?", "slash": "/", "left_square_bracket": "[",
             "right_square_bracket": "]", "pagedown": "pgdn", "pageup": "pgup", "left": "←", "right": "→"}
    missing = []
    for action in ACTIONS:
        if action.screen == "help":
            continue
        row = rows[row_of.get(action.screen, action.screen)]
        codes = re.findall(r"`([^`]+)`", row)
        named = {*codes, *(part for code in codes for part in re.split(r"[/ ]", code))}
        if not any(shown.get(key, key) in named for key in action.default_keys.split(",")):
            missing.append(f"{action.screen}: {action.default_keys} ({action.name})")
    assert missing == []


def test_help_names_each_action_after_its_description_when_narrow() -> None:
    """At 80 columns a column of action names left the descriptions 28 cells ("Show or hide changes already" /
    "merged upstream"); there each name follows its description, dimmed. Wide, the names keep their column."""
    import io

    from rich.console import Console

    from app.tui.screens.help import _KeysTable

    rows = [("m", "toggle_merged", "Show or hide changes already merged upstream"), ("s", "sort", "Sort")]

    def shown(width: int) -> list[str]:
        console = Console(width=width, file=io.StringIO(), color_system=None, record=True)
        console.print(_KeysTable(rows, key_width=14, name_width=20))
        return [line.rstrip() for line in console.export_text().splitlines()]

    narrow = shown(66)
    assert narrow[:2] == ["m               Show or hide changes already merged upstream",
                          "                toggle_merged"]
    assert narrow[-1].split() == ["s", "Sort", "sort"] and len(narrow) == 3
    wide = shown(96)
    assert len(wide) == 2 and wide[0].startswith("m               Show or hide changes already merged upstream ")
    assert wide[0].endswith("toggle_merged") and wide[0].index("toggle_merged") == 96 - 20
