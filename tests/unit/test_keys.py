

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
