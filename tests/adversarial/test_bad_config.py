"""Bad `.review-tui.toml` files: every key with a wrong type, unknown keys, a huge file, a non-UTF-8
file, a glob that matches nothing. A fatal problem is one line on stderr naming the file and the key,
exit 2; a warning is one `review-tui: warning:` line per problem and the listing still runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from app.cli import cli
from app.core.risk.score import DEFAULT_BANDS, DEFAULT_WEIGHTS

from .hostile import run_cli

CONFIG = ".review-tui.toml"

# (section, key, a valid value, a value of the wrong type). "rules[0]" keys live in an array of tables.
KEYS: list[tuple[str, str, Any, Any]] = [
    ("tiers", "use_defaults", True, "yes"),
    ("tiers", "default_tier", 2, "two"),
    ("tiers", "skip_destructive", ["scripts/**"], "scripts/**"),
    ("tiers", "rules", [{"glob": "src/**", "tier": 1}], {"glob": "src/**"}),
    ("tiers.rules[0]", "glob", "src/**", 7),
    ("tiers.rules[0]", "tier", 1, "critical"),
    ("tiers.rules[0]", "reason", "core", ["core"]),
    ("ai", "min_confidence", 40, 40.5),
    ("ai", "notes_ref", "refs/notes/ai", 1),
    ("ai", "max_blame_files", 10, "ten"),
    ("ai", "max_blame_lines", 1000, "many"),
    ("ai", "patterns", [{"tool": "bot", "field": "message", "regex": "bot"}], "bot"),
    ("ai.patterns[0]", "tool", "bot", 1),
    ("ai.patterns[0]", "field", "message", False),
    ("ai.patterns[0]", "regex", "bot", ["bot"]),
    ("ai.patterns[0]", "confidence", 50, "high"),
    *[("risk.weights", name, 1.0, "heavy") for name in DEFAULT_WEIGHTS],
    *[("risk.bands", name, DEFAULT_BANDS[name], "hot") for name in DEFAULT_BANDS],
    ("risk", "weights", {}, 3),
    ("risk", "bands", {}, [1]),
    ("risk", "destructive_is_critical", True, 1),
    ("chunks", "target_lines", 400, 400.5),
    ("chunks", "lines_per_hour", 500, "fast"),
    ("chunks", "min_seconds", 60, "1m"),
    ("chunks", "seconds_per_complexity_point", 30, True),
    ("chunks", "default_tier", 2, "2"),
    ("chunks", "tier_multipliers", [1.5, 1.25, 1.0, 0.8], "1.5"),
    ("chunks", "collapsed_globs", ["*.lock"], "*.lock"),
    ("chunks", "extra_collapsed_globs", ["gen/**"], [1]),
    ("chunks", "data_globs", ["*.csv"], {"a": 1}),
    ("chunks", "data_min_lines", 10, "ten"),
    ("chunks", "generated_markers", ["@generated"], "@generated"),
    ("chunks", "collapsed_seconds", 30, "30s"),
    ("chunks", "binary_seconds", 15, [15]),
    ("chunks", "rename_seconds", 10, {"s": 10}),
    ("chunks", "pair_tests", True, "true"),
    ("chunks", "group_uses", True, 0),
    ("chunks", "pack_small_edits", False, "no"),
    ("policy", "seniors", ["a@example.com"], "a@example.com"),
    ("policy", "reviewers", ["b@example.com"], [1]),
    ("policy", "use_default_rules", True, "no"),
    ("policy", "rules", [{"tiers": [0], "approvals": 2}], {"tiers": [0]}),
    ("policy.rules[0]", "tiers", [0], 0),
    ("policy.rules[0]", "ai_share_above", 0.5, "half"),
    ("policy.rules[0]", "approvals", 2, "two"),
    ("policy.rules[0]", "senior_approvals", 1, 1.0),
    ("policy.rules[0]", "name", "tier 0", 0),
    ("policy", "require_all_chunks_opened", True, "yes"),
    ("policy", "count_fast_approvals", False, 0),
    ("policy", "allow_self_approval", False, "no"),
    ("policy", "flags_block", True, 1),
    ("complexity", "workers", 2, "2"),
    ("complexity", "max_file_bytes", 100_000, 1e5),
    *[(section, "", {}, "not a table")
      for section in ("tiers", "ai", "risk", "chunks", "policy", "complexity")],
]


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"


def config_text(section: str, key: str, value: Any) -> str:
    """A document setting section.key (or the section itself when key is "") to value."""
    if not key:
        return f"{section} = {toml_value(value)}\n"
    if section.endswith("[0]"):  # a key of the first table of an array of tables
        table = section[:-3]
        base = next(v for s, k, v, _ in KEYS if f"{s}.{k}" == table)[0]
        return f"[[{table}]]\n" + "".join(f"{k} = {toml_value(v if k != key else value)}\n"
                                         for k, v in {**base, key: value}.items())
    return f"[{section}]\n{key} = {toml_value(value)}\n"


@pytest.fixture
def configured(make_repo, samples):
    """configured(config_bytes) -> path of a repo whose base commit carries that config, with one
    pending branch."""
    alice = samples.Person("Alice Example", "alice@example.com")

    def build(config: bytes) -> Path:
        b = make_repo()
        b.commit("base", {CONFIG: config, "src/app.py": "def f():\n    return 1\n"}, author=alice)
        b.branch("feature")
        b.commit("change", {"src/app.py": "def f():\n    return 2\n"}, branch="feature", author=alice)
        return b.path

    return build


def invoke(repo: Path, *extra: str):
    return CliRunner().invoke(cli, ["list", "--json", "--repo", str(repo), *extra])


@pytest.mark.parametrize(("section", "key", "valid", "wrong"), KEYS,
                         ids=[f"{s}.{k}" if k else s for s, k, _v, _w in KEYS])
def test_every_key_with_a_wrong_type_is_one_clear_line(configured, section, key, valid, wrong) -> None:
    repo = configured(config_text(section, key, wrong).encode())
    result = invoke(repo)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    dotted = f"{section}.{key}" if key else section
    assert lines[0].startswith(f"review-tui: error: {CONFIG}: {dotted}"), lines[0]


def test_every_listed_key_is_a_real_key(configured) -> None:
    """All the valid values together: no unknown-key warning, so KEYS covers real keys only (and a
    key added to a reader without a line here would not be caught - see the unknown-key test)."""
    sections: dict[str, list[str]] = {}
    for section, key, valid, _wrong in KEYS:
        tables = ("rules", "patterns", "weights", "bands")
        if key and not section.endswith("[0]") and "." not in section and key not in tables:
            sections.setdefault(section, []).append(f"{key} = {toml_value(valid)}")
    text = "".join(f"[{s}]\n" + "\n".join(lines) + "\n" for s, lines in sections.items())
    text += "[risk.weights]\n" + "".join(f"{n} = 1.0\n" for n in DEFAULT_WEIGHTS)
    text += "[[tiers.rules]]\nglob = \"src/**\"\ntier = 1\nreason = \"core\"\n"
    text += ("[[policy.rules]]\ntiers = [0]\nai_share_above = 0.5\napprovals = 2\nsenior_approvals = 1\n"
             "name = \"x\"\n")
    text += "[[ai.patterns]]\ntool = \"bot\"\nfield = \"message\"\nregex = \"bot\"\nconfidence = 50\n"
    result = invoke(configured(text.encode()))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "", result.stderr
    assert json.loads(result.stdout)


def test_unknown_keys_are_warnings_naming_file_and_key(configured) -> None:
    text = (b"colour = 1\n[tiers]\ndefualt_tier = 1\n[chunks]\ntarget_line = 10\n"
            b"[[tiers.rules]]\nglob = \"src/**\"\ntier = 1\nreasn = \"x\"\n")
    result = invoke(configured(text))
    assert result.exit_code == 0, result.stderr
    warnings = result.stderr.splitlines()
    assert all(w.startswith("review-tui: warning: .review-tui.toml: ") for w in warnings), warnings
    for key in ("colour", "tiers.defualt_tier", "chunks.target_line", "tiers.rules[0].reasn"):
        assert sum(f": {key}: unknown key" in w for w in warnings) == 1, (key, warnings)
    assert len(warnings) == 4
    assert json.loads(result.stdout)  # the listing still runs


def test_a_glob_that_matches_nothing_is_a_warning(configured) -> None:
    text = b"[[tiers.rules]]\nglob = \"srcc/**\"\ntier = 0\n[[tiers.rules]]\nglob = \"src/**\"\ntier = 1\n"
    result = invoke(configured(text))
    assert result.exit_code == 0, result.stderr
    (warning,) = result.stderr.splitlines()
    assert warning.startswith(
        "review-tui: warning: .review-tui.toml: tiers.rules[0].glob: 'srcc/**' matches no file of the base "
        "commit or of any pending change")
    # a glob that is not a glob at all is an error: ignoring it would lower the tier of what it meant
    result = invoke(configured(b"[[tiers.rules]]\nglob = \"src/[\"\ntier = 0\n"))
    assert result.exit_code == 2
    assert "tiers.rules[0].glob: invalid glob" in result.stderr and result.stderr.count("\n") == 1


def test_ten_megabyte_config_is_refused_in_one_line(configured) -> None:
    text = b"# padding\n" + b"x = 1 # " + b"y" * (10 * 1024 * 1024) + b"\n"
    repo = configured(text)
    result = run_cli("list", "--json", "--repo", str(repo))
    assert result.returncode == 2
    err = result.stderr.decode()
    assert err.count("\n") == 1 and CONFIG in err and "too large" in err, err[:300]


def test_config_that_is_not_utf8_is_refused_in_one_line(configured) -> None:
    repo = configured(b"[tiers]\ndefault_tier = 1\n# caf\xe9 in Latin-1\n")
    result = run_cli("list", "--json", "--repo", str(repo))
    assert result.returncode == 2
    err = result.stderr.decode()
    assert err.count("\n") == 1 and CONFIG in err and "line 3" in err and "UTF-8" in err, err


@pytest.mark.parametrize(("text", "where"), [
    (b"[chunks]\nlines_per_hour = nan\n", "chunks.lines_per_hour"),
    (b"[chunks]\nmin_seconds = nan\n", "chunks.min_seconds"),
    (b"[chunks]\ntier_multipliers = [nan, 1, 1, 1]\n", "chunks.tier_multipliers"),
    (b"[risk]\nhalf_cost = nan\n", "risk.half_cost"),
    (b"[risk.weights]\ntier = nan\n", "risk.weights"),
])
def test_nan_in_the_team_config_is_one_clear_line(configured, text: bytes, where: str) -> None:
    """TOML has `nan`, which every range check let through: an internal error (exit 70) in the CI gate,
    or a floor below the minimum (QA42 #8)."""
    repo = configured(text)
    for command in (["list", "--json"], ["check", "feature"]):
        result = CliRunner().invoke(cli, [*command, "--repo", str(repo)])
        assert result.exit_code == 2, (command, result.stdout, result.stderr)
        [line] = result.stderr.splitlines()
        assert where in line and "nan is not a number" in line, line


def test_a_team_pattern_that_can_backtrack_forever_is_refused(configured) -> None:
    """QA42 13i: `^(a+)+$` against a commit subject of 34 a's and a '!' hung every command (and a CI gate)."""
    repo = configured(b'[[ai.patterns]]\ntool = "x"\nfield = "message"\nregex = "^(a+)+$"\n')
    result = CliRunner().invoke(cli, ["check", "feature", "--repo", str(repo)])
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert "ai.patterns[0].regex" in line and "repeats a repetition" in line, line


@pytest.mark.parametrize("text", [b"x = " + b"[" * 3000 + b"]" * 3000 + b"\n",
                                  b"x = " + b"{a=" * 3000 + b"1" + b"}" * 3000 + b"\n"])
def test_a_config_nested_too_deeply_is_one_line_not_an_internal_error(configured, text: bytes) -> None:
    """tomllib recurses once per level: 500 nested arrays were "internal error: RecursionError", exit 70."""
    result = run_cli("list", "--json", "--repo", str(configured(text)))
    assert result.returncode == 2
    err = result.stderr.decode()
    assert err.count("\n") == 1 and CONFIG in err and "nested too deeply" in err, err


@pytest.mark.parametrize("text", [b"[tiers\n", b"a = \n", b"\x00\x01", b"[tiers]\n[tiers]\n",
                                  b"a = \"\x1b]0;title\x07\"\n", b"x = 1\nx = 2\n"])
def test_malformed_toml_is_one_line_without_control_bytes(configured, text: bytes) -> None:
    result = invoke(configured(text))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and CONFIG in result.stderr, result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr and "\x00" not in result.stderr
    # `list` (which reads the queue scope first) names the copy it read, as explain and chunks do (QA42 13f)
    assert "the base branch's copy at" in result.stderr, result.stderr


def test_a_glob_for_paths_a_pending_change_adds_is_not_warned_about(make_repo, samples) -> None:
    """A rule written ahead of the code it classifies (the branch adds payments/) is not a typo."""
    alice = samples.Person("Alice Example", "alice@example.com")
    b = make_repo()
    b.commit("base", {CONFIG: "[[tiers.rules]]\nglob = \"payments/**\"\ntier = 0\n", "a.py": "x = 1\n"},
             author=alice)
    b.branch("feature")
    b.commit("add payments", {"payments/charge.py": "def charge():\n    return 1\n"}, branch="feature",
             author=alice)
    result = invoke(b.path)
    assert result.exit_code == 0 and result.stderr == "", result.stderr


def test_a_config_edited_in_the_working_tree_is_said_not_to_be_used_yet(make_repo) -> None:
    """The team's rules are read from the base commit: an edit in the working tree changed nothing, silently."""
    from tests.conftest import ALICE

    repo = make_repo("edited")
    repo.commit("base", {CONFIG: "[tiers]\ndefault_tier = 2\n", "app.py": "x = 1\n"}, author=ALICE)
    repo.branch("feature")
    repo.commit("feature", {"app.py": "x = 2\n"}, branch="feature", author=ALICE)
    quiet = run_cli("list", "--repo", str(repo.path))
    assert quiet.returncode == 0 and b"working tree" not in quiet.stderr
    (repo.path / CONFIG).write_text("[tiers]\ndefault_tier = 0\n")
    said = run_cli("list", "--repo", str(repo.path))
    assert said.returncode == 0
    note = [line for line in said.stderr.decode().splitlines() if "in the working tree differs" in line]
    assert note == [], said.stderr
    assert [line for line in said.stderr.decode().splitlines() if "edited in the working tree" in line] == [
        f"review-tui: note: {CONFIG} edited in the working tree is not used: the team's rules are read from main's "
        "copy, so an edit counts once it is committed and merged there"], said.stderr
    # a branch checked out from before the base's latest policy holds the older file: no one's edit, no note
    repo.commit("stricter", {CONFIG: "[tiers]\ndefault_tier = 1\n"}, author=ALICE)
    repo.checkout("feature")
    quiet = run_cli("list", "--repo", str(repo.path))
    assert b"edited in the working tree" not in quiet.stderr, quiet.stderr
    assert b"not used yet" not in quiet.stderr, quiet.stderr
    # a policy committed on the checked-out branch but not on the base (the local master, unpushed) is said too
    repo.commit("my policy", {CONFIG: "[tiers]\ndefault_tier = 0\n"}, branch="feature", author=ALICE)
    repo.checkout("feature")
    said = run_cli("list", "--repo", str(repo.path))
    assert (f"review-tui: note: {CONFIG} as committed on feature is not used yet: the team's rules are read from "
            "main's copy, so it counts once feature's change reaches main") in said.stderr.decode(), said.stderr


@pytest.mark.parametrize("command", [["list"], ["check", "feature"], ["explain", "feature"], ["chunks", "feature"],
                                     ["stats"], ["sync"]])
def test_every_command_judges_the_user_config_alike(configured, command: list[str]) -> None:
    """`theme = 5` in the user's config.toml was an error for the TUI and sync, and ignored by list and
    check: a CI gate passed where the same machine's sync refused. Now every command refuses it in
    the same line, and every command warns of an unknown key."""
    from app.paths import user_config_path

    repo = configured(b"")
    path = user_config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("theme = 5\n")
    result = CliRunner().invoke(cli, [*command, "--repo", str(repo)])
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr.splitlines() == [f"review-tui: error: {path}: theme: expected a string, got 5"]
    path.write_text('colour = "blue"\n')
    result = CliRunner().invoke(cli, [*command, "--repo", str(repo)])
    assert f"review-tui: warning: config: {path}: colour: unknown key (ignored)" in result.stderr.splitlines()


def test_a_typo_in_the_policy_is_said_by_check_explain_and_chunks(configured) -> None:
    """`senior = [...]` for `seniors` was a warning from `list` only: `check` (the CI gate) enforced the
    weaker policy without a word, and its JSON said `warnings: []`."""
    repo = configured(b'[policy]\nsenior = ["lead@example.com"]\n')
    expected = ".review-tui.toml: policy.senior: unknown key (ignored)"
    for command in (["check", "feature"], ["explain", "feature"], ["chunks", "feature"]):
        result = CliRunner().invoke(cli, [*command, "--repo", str(repo)])
        assert f"review-tui: warning: {expected}" in result.stderr.splitlines(), (command, result.stderr)
    result = CliRunner().invoke(cli, ["check", "feature", "--repo", str(repo), "--json"])
    assert expected in json.loads(result.stdout)["warnings"]
