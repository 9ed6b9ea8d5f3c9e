"""The app shell on the real payments sample: themes (registered, chosen from the user config, switched
at runtime and persisted), the keymap from the user config, the help screen, the command palette's
actions, the review session's lifecycle, and ledger errors stopping the CLI before the screen.

The helpers here (a warm analysis cache shared by the functional TUI tests, `build_app`, `settle`)
are imported by test_queue.py and test_change_screen.py.
"""

from __future__ import annotations

import io
import os
import re
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList

from app.analysis.analyzer import Analyzer
from app.config import UserConfig, load_user_config
from app.paths import ledger_path, resource_dir, user_config_path
from app.storage.cache import AnalysisCache
from app.storage.ledger import Ledger
from app.tui.app import ReviewApp, make_app, screen_actions
from app.tui.keys import ACTIONS
from app.tui.screens.help import HelpScreen
from app.tui.screens.queue import QueueScreen
from tests.cli import CLI
from tests.conftest import ALICE

NOW = 1_800_000_000.0
"""The wall clock pinned for ages (2027-01-15): snapshots and age cells never drift."""
REVIEWER = "reviewer@example.com"


def build_app(repo: Path, *, cache: AnalysisCache | None = None, user_config: UserConfig | None = None,
              ledger: Ledger | None = None, theme_dirs=None) -> ReviewApp:
    """The real app on `repo`, recording into a real ledger in this test's data dir."""
    config = user_config if user_config is not None else UserConfig(reviewer_email=REVIEWER)
    return make_app(Analyzer(repo, cache=cache), user_config=config,
                    ledger=ledger if ledger is not None else Ledger.open(ledger_path()), now=NOW,
                    theme_dirs=theme_dirs)


async def settle(pilot: Pilot, rounds: int = 3) -> None:
    """Wait for every worker, then for the messages they posted and the rebuilds those scheduled."""
    # the queue starts analysing after its first paint: wait for that before waiting for workers
    for _ in range(500):  # up to 5 s: a loaded machine paints late, and analysis starts after the paint
        queue = pilot.app.screen_stack[0] if pilot.app.screen_stack else None
        if not isinstance(queue, QueueScreen) or queue.painted_at is not None:
            break
        await pilot.pause(0.01)
    await pilot.app.workers.wait_for_complete()
    for _ in range(rounds):
        await pilot.pause()
    # then until the table shows the analysis's outcome: a rebuild can still be due (a refresh away, or a long
    # queue's throttle), and rows read before it moved under the keys a test pressed next (FIX70)
    for _ in range(500):
        queue = pilot.app.screen_stack[0] if pilot.app.screen_stack else None
        if not isinstance(queue, QueueScreen) or not (queue.analysing or queue.rebuild_pending):
            break
        await pilot.pause(0.01)


def queue_screen(app: ReviewApp) -> QueueScreen:
    screen = app.screen_stack[0]
    assert isinstance(screen, QueueScreen)
    return screen


# -- themes --------------------------------------------------------------------------------------
async def test_shipped_themes_are_registered_and_the_user_config_theme_is_used(payments_repo, warm_cache):
    app = build_app(payments_repo, cache=warm_cache,
                    user_config=UserConfig(theme="review-colorblind", reviewer_email=REVIEWER))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # only review themes are offered: Textual's own know nothing of the review palette
        assert set(app.available_themes) == {"review-dark", "review-light", "review-high-contrast",
                                             "review-colorblind"}
        assert app.theme == "review-colorblind"
        # the app's own variables reach the CSS: the colour-blind theme's band symbols
        assert app.theme_variables["band-symbol-critical"] == '"●"'


async def test_theme_picker_offers_only_review_themes_and_light_means_review_light(
        payments_repo, warm_cache, tmp_path):
    """ctrl+t offered Textual's 21 built-in themes too, and "light" + Enter saved ansi-light."""
    user_themes = tmp_path / "themes"
    user_themes.mkdir()
    mine = (resource_dir("themes") / "review-dark.toml").read_text().replace('"review-dark"', '"my-night"', 1)
    (user_themes / "my-night.toml").write_text(mine)
    app = build_app(payments_repo, cache=warm_cache, theme_dirs=[resource_dir("themes"), user_themes])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert sorted(app.available_themes) == ["my-night", "review-colorblind", "review-dark",
                                                "review-high-contrast", "review-light"]
        await pilot.press("ctrl+t")
        await pilot.pause(0.3)
        offered = [str(option.prompt) for option in app.screen.query_one(OptionList).options]
        assert sorted(offered) == sorted(app.available_themes)
        await pilot.press(*"light")
        await pilot.pause(0.3)  # the palette searches in a background task
        await pilot.press("enter")
        await settle(pilot)
        assert app.theme == "review-light"
    assert load_user_config().theme == "review-light"


async def test_unknown_theme_falls_back_with_a_notice(payments_repo, warm_cache):
    app = build_app(payments_repo, cache=warm_cache, user_config=UserConfig(theme="no-such-theme",
                                                                            reviewer_email=REVIEWER))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "review-dark"
        assert any("no-such-theme" in str(n.message) and "using review-dark" in str(n.message)
                   for n in app._notifications)


async def test_with_no_themes_folder_the_notice_names_the_theme_in_use(payments_repo, warm_cache, tmp_path):
    """QA61 F9: with no review theme to load the app fell back to Textual's dark theme while its notice said
    'using review-dark'."""
    app = build_app(payments_repo, cache=warm_cache, theme_dirs=[tmp_path / "no-themes"],
                    user_config=UserConfig(theme="review-light", reviewer_email=REVIEWER))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        notes = [str(n.message) for n in app._notifications]
        assert any("'review-light' not found" in n and "using textual-dark" in n for n in notes), notes


async def test_a_reviewer_without_an_identity_is_told_how_to_set_one(make_repo):
    """Without reviewer_email or git's user.email every decision on the machine would be one
    'unknown@localhost': the app says so on start, with where to set an identity."""
    import pygit2

    b = make_repo()
    b.commit("init", {"a.py": "x = 1\n"}, author=ALICE)
    b.checkout()
    pygit2.Repository(str(b.path)).config["user.email"] = ""  # over any global identity
    app = build_app(b.path, user_config=UserConfig())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.session.reviewer == "unknown@localhost"
        [note] = [str(n.message) for n in app._notifications if "reviewer identity" in str(n.message)]
        assert "user.email" in note and "reviewer_email" in note and str(user_config_path()) in note
    named = build_app(b.path)  # REVIEWER set: nothing to say
    async with named.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not [n for n in named._notifications if "reviewer identity" in str(n.message)]


async def test_broken_user_theme_is_reported_and_the_others_load(payments_repo, warm_cache, tmp_path):
    from app.paths import resource_dir

    user_themes = tmp_path / "themes"
    user_themes.mkdir()
    (user_themes / "broken.toml").write_text('name = "broken"\n[colors]\nprimary = "not-a-colour"\n')
    app = build_app(payments_repo, cache=warm_cache, theme_dirs=[resource_dir("themes"), user_themes])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "broken" not in app.available_themes and "review-light" in app.available_themes
        assert any("broken.toml" in str(n.message) for n in app._notifications)


async def test_theme_switch_from_the_command_palette_persists_to_the_user_config(payments_repo, warm_cache):
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"review-light")
        await pilot.pause(0.3)  # the palette searches in a background task
        await pilot.press("enter")
        await settle(pilot)
        assert app.theme == "review-light"
    assert user_config_path().exists()
    assert load_user_config().theme == "review-light"
    # and the next start uses it
    again = build_app(payments_repo, cache=warm_cache, user_config=load_user_config())
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert again.theme == "review-light"


async def test_theme_save_keeps_the_rest_of_the_user_config(payments_repo, warm_cache):
    path = user_config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('idle_seconds = 45\n\n[keys]\nsort = "o"\n')
    app = build_app(payments_repo, cache=warm_cache, user_config=load_user_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.theme = "review-high-contrast"
        await settle(pilot)
    config = load_user_config()
    assert (config.theme, config.idle_seconds, config.keys) == ("review-high-contrast", 45, {"sort": "o"})


# -- keys, help, palette ---------------------------------------------------------------------------
async def test_user_key_overrides_apply_and_bad_ones_are_reported(payments_repo, warm_cache):
    config = UserConfig(reviewer_email=REVIEWER, keys={"sort": "o", "no_such_action": "z"})
    app = build_app(payments_repo, cache=warm_cache, user_config=config)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        await pilot.press("o")
        await pilot.pause()
        assert queue.sort_key == "score"
        await pilot.press("s")  # the default key no longer sorts
        await pilot.pause()
        assert queue.sort_key == "score"
        assert any("no_such_action" in str(n.message) for n in app._notifications)


async def test_a_key_taken_from_another_action_is_reported_and_never_shown_as_f24(payments_repo, warm_cache):
    """`approve = "f"` moved Flag (default f) to F24 with no word: the footer read "f24 Flag"."""
    from tests.functional.test_change_screen import first_chunk_footer
    from tests.functional.test_reading_screens import _screen_text

    app = build_app(payments_repo, cache=warm_cache, user_config=UserConfig(reviewer_email=REVIEWER,
                                                                               keys={"approve": "f"}))
    async with app.run_test(size=(120, 40)) as pilot:
        footer = await first_chunk_footer(pilot, "refactor/rename-gateway-modules")
        assert "f Approve" in footer and "f24" not in footer and "Flag" not in footer, footer
        notes = [str(n.message) for n in app._notifications]
        assert ("keys: approve = 'f' takes flag's key on the chunk screen; flag is now reachable only from the "
                "command palette (ctrl+p) - give it another key in [keys]") in notes, notes
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Flag: request")
        for _ in range(150):  # the palette searches in a worker: under load its hits come late
            await pilot.pause(0.1)
            if "(no key)" in (palette := _screen_text(app)):
                break
        assert "(no key)" in palette and "f24" not in palette, palette


async def test_help_screen_lists_every_key_of_every_screen(payments_repo, warm_cache):
    app = build_app(payments_repo, cache=warm_cache,
                    user_config=UserConfig(reviewer_email=REVIEWER, keys={"search": "f3"}))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        from rich.console import Console

        console = Console(width=120, record=True, file=io.StringIO())
        for static in app.screen.query(".help-keys"):
            console.print(static.content)
        listed = console.export_text()
        for spec in ACTIONS:
            assert spec.description in listed, spec
        assert "F3" in listed or "f3" in listed  # the user's key, not the default "/"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_help_columns_line_up_across_every_section(payments_repo, warm_cache, size):
    """Keys, descriptions and action names start at the same column in every section (they were
    sized section by section: the names of "Everywhere" sat 25 cells left of the queue's). At 80 columns a name
    follows its description (a column of them left the descriptions 28 cells): the descriptions still line up."""
    from rich.console import Console

    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        description_at, name_at = set(), set()
        names = {spec.name for spec in ACTIONS}
        for static in app.screen.query(".help-keys"):
            console = Console(width=static.content_region.width, record=True, file=io.StringIO())
            console.print(static.content)
            for line in console.export_text().splitlines():
                row = re.match(r"(\S.*?)\s{2,}(\S.*?)\s{2,}(\w+)\s*$", line)  # keys, description, name
                if row is not None and row.group(3) in names:
                    description_at.add(row.start(2))
                    name_at.add(row.start(3))
        assert len(description_at) == 1 and (len(name_at) == 1) == (size[0] >= 120), (description_at, name_at)
        screen = "\n".join("".join(s.text for s in strip) for strip in app.screen._compositor.render_strips())
        assert "rebind keys in config.toml [keys]" in screen  # "[keys]" was read as markup and vanished


async def test_help_opens_on_the_keys_of_the_screen_it_was_asked_from(payments_repo, warm_cache):
    app = build_app(payments_repo, cache=warm_cache, user_config=UserConfig(reviewer_email=REVIEWER))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)

        async def first_sections() -> list[str]:
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            titles = [str(static.content) for static in app.screen.query(".help-section-title")]
            await pilot.press("escape")
            await pilot.pause()
            return [title for title in titles if not title.endswith(" marks")][:2]  # a legend follows its keys

        lists = "Lists: the queue, the review plan, commits (moving the cursor)"
        assert await first_sections() == ["Queue (pending changes)", lists]
        await pilot.press("enter")
        for _ in range(50):
            await pilot.pause(0.05)
            if type(app.screen).__name__ == "ChangeScreen":
                break
        assert await first_sections() == ["Change (why, commits, review plan)", lists]


async def test_command_palette_offers_every_action_of_the_screen_and_runs_it(payments_repo, warm_cache):
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        offered = {spec.name for spec in screen_actions(queue)}
        assert {spec.name for spec in ACTIONS if spec.screen in ("global", "queue")} <= offered
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"reverse")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert queue.sort_reverse is True


# -- the session and the ledger ----------------------------------------------------------------
async def test_quit_ends_the_review_session_in_the_ledger(payments_repo, warm_cache):
    ledger = Ledger.open(ledger_path())
    app = build_app(payments_repo, cache=warm_cache, ledger=ledger)
    session_id = app.session.session_id
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert ledger.session(session_id).ended_at is None
        assert ledger.session(session_id).reviewer == REVIEWER
        await pilot.press("q")
        await pilot.pause()
    record = ledger.session(session_id)
    assert record is not None and record.ended_at is not None
    # An app run in-process leaves the worker pool to the next one: only the CLI's run_tui, whose
    # process ends with the app, tells the workers to drop their tasks.
    from app.core.workers import released

    assert not app.owns_process and not released()
    # every analysed change was noted (the denominators of the review statistics)
    seen = ledger.db.execute("SELECT count(*) FROM changes_seen").fetchone()[0]
    assert seen == len(Analyzer(payments_repo, cache=warm_cache).discovery.changes)


async def test_a_first_run_paints_before_the_project_key_is_found(payments_repo, tmp_path, monkeypatch):
    """The project key (the root commit: a walk of the whole history, 0.5 s on a large project) is not
    cached at a new base. The queue paints without it; the review session is written once it is found,
    under that key and with the time the app started, and the rows get their review statuses."""
    import threading

    from app.core.git.repo import GitRepo

    painted = threading.Event()
    waited: list[bool] = []
    real_root = GitRepo.root_commit

    def slow_root(self: GitRepo, start: str) -> str:
        # the walk cannot finish before the screen has painted; a first paint that needs it never comes and this
        # gives up (30 s: a loaded CI machine took more than 10 s to paint a cold first run)
        waited.append(painted.wait(30))
        return real_root(self, start)

    monkeypatch.setattr(GitRepo, "root_commit", slow_root)
    ledger = Ledger.open(ledger_path())
    app = build_app(payments_repo, cache=AnalysisCache.open(tmp_path / "cold.db"), ledger=ledger)
    built_at = ledger.now()
    assert ledger.db.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0
    async with app.run_test(size=(100, 30)) as pilot:
        queue = queue_screen(app)
        deadline = time.monotonic() + 30
        while queue.painted_at is None and time.monotonic() < deadline:
            await pilot.pause(0.005)
        painted.set()
        await settle(pilot)
        statuses = set(queue.statuses.values())
        # the key found (the rows' statuses need it), the session is in the ledger while the app runs
        assert ledger.db.execute("SELECT count(*) FROM sessions WHERE ended_at IS NULL").fetchone()[0] == 1
        await pilot.press("q")
        await pilot.pause()
    assert waited and all(waited), "the first paint waited for the walk to the root commit"
    root = subprocess.run(["git", "-C", str(payments_repo), "rev-list", "--max-parents=0", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.split()
    sessions = ledger.db.execute("SELECT repo, started_at, ended_at FROM sessions").fetchall()
    assert len(sessions) == 1 and sessions[0][0] in root
    assert sessions[0][1] <= built_at and sessions[0][2] is not None
    assert statuses and "?" not in statuses


def test_reviewer_defaults_to_git_user_email(payments_repo, warm_cache, make_repo):
    repo = make_repo()
    repo.commit("init", {"a.txt": "a\n"}, author=ALICE)
    subprocess.run(["git", "-C", str(repo.path), "config", "user.email", "git-user@example.com"], check=True)
    app = make_app(Analyzer(repo.path), user_config=UserConfig(), ledger=Ledger.open(ledger_path()))
    assert app.session.reviewer == "git-user@example.com"
    app.end_session()


def _run_cli(repo: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "--repo", str(repo)], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL, env=os.environ.copy())


def test_ledger_from_a_newer_version_stops_the_cli_before_the_screen(payments_repo):
    Ledger.open(ledger_path()).close()
    with sqlite3.connect(ledger_path()) as conn:
        conn.execute("PRAGMA user_version = 999")
    result = _run_cli(payments_repo)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("review-tui: error:") and "999" in lines[0], result.stderr
    assert "\x1b[?1049h" not in result.stdout  # the alternate screen was never entered
    with sqlite3.connect(ledger_path()) as conn:  # nothing overwritten, no session started
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 999
        assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0


def test_locked_ledger_fails_in_the_factory_before_any_screen(payments_repo):
    """Another process holds the write lock: starting the review session (in make_app, before
    App.run) raises the LedgerError the CLI prints as one line; no app is built."""
    from app.errors import LedgerError

    Ledger.open(ledger_path()).close()
    holder = sqlite3.connect(ledger_path(), timeout=0.1)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(LedgerError, match="lock"):
            build_app(payments_repo, ledger=Ledger.open(ledger_path(), timeout=0.2))
    finally:
        holder.rollback()
        holder.close()


def test_a_shallow_clone_says_where_its_reviews_are_filed(make_repo, tmp_path) -> None:
    """QA44 #3: in a shallow clone the project key is the oldest fetched commit: approvals recorded there were not
    found again after `git fetch --deepen` or `--unshallow`, with no word of why. The TUI says so when it starts."""
    import subprocess

    b = make_repo("deep")
    for i in range(3):
        b.commit(f"c{i}", {"a.txt": f"{i}\n"}, author=ALICE)
    b.checkout()
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{b.path}", str(clone)], check=True)
    notes = [message for _, message in build_app(clone)._startup_notes]
    assert any(message.startswith("a shallow clone: reviews recorded here are filed under its oldest commit")
               for message in notes)
    assert not any("shallow" in message for _, message in build_app(b.path)._startup_notes)
