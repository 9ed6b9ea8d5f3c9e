"""ReviewApp: the review TUI's shell. Themes, keys, help, the command palette, and the services
(analyzer, ledger, review session) handed to the screens.

`make_app` is the one factory the CLI and the tests share; `run_tui` is what the CLI calls. Errors a
user can hit before the screen takes over (a bad user config, a locked ledger or one from a newer
review-tui) are raised by `run_tui` before `App.run`, so the CLI prints them as one line and exits
non-zero instead of drawing a broken screen.

The fast start (issue 18): the CLI may hand `make_app` an AnalyzerSpec instead of an Analyzer, when
the filesystem shows a usable repository. The queue then paints before pygit2, the analysis and the
ledger are imported; `finish_start`, right after the first paint, builds the analyzer and its checks,
opens the ledger and starts the review session. What they refuse (a locked ledger too: `start_error`)
ends the app, and run_tui raises it once the screen is gone: the CLI's one line and non-zero exit, as
before the screen.

Threads: an Analyzer owns a pygit2 repository, which must not be shared between threads. The
analyzer handed in is used on the UI thread only (for the repo key and the base, which the CLI's
fail-fast checks resolved; it never discovers: the queue's worker does, after the first paint);
every worker builds its own with `fresh_analyzer()`,
sharing the analysis cache (which is thread-safe) so nothing is measured twice.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen
from textual.theme import BUILTIN_THEMES, Theme
from textual.worker import WorkerState

from app.analysis.spec import AnalyzerSpec
from app.config import UserConfig, load_user_config, save_user_setting
from app.core.git.diff import DiffLines
from app.core.heap import give_back_heap
from app.errors import ReviewTuiError
from app.tui.keys import (
    ACTIONS,
    ACTIVE_TOGETHER,
    ActionSpec,
    bindings_for,
    display_keys,
    footer_bindings,
    keymap_for,
    override_warnings,
    resolve_keys,
)
from app.tui.screens import STYLES
from app.tui.themes import default_theme_dirs, load_themes, theme_variable_defaults
from app.tui.typeahead import TypeAhead

if TYPE_CHECKING:
    from app.analysis.analyzer import Analyzer
    from app.analysis.report import ChangeDetail, ChangeReport
    from app.storage.ledger import Ledger
    from app.tui.host import ReviewHost
    from app.tui.review_session import ReviewSession

DEFAULT_THEME = "review-dark"
DETAIL_CACHE_SIZE = 4  # full analyses kept in memory; the 21,670-line change is tens of MB
# Diff lines the closed changes' details may hold between them (DetailCache): lazygit's pr/296 (3.2 million
# vendored lines) held 146 MB of lines alone, and an open change (its screen holds its detail) is never counted.
DETAIL_CACHE_LINES = 200_000

# Screens whose class does not say which registry screen it is (T2's chunk screen is matched by name).
_SCREEN_NAMES = {"QueueScreen": "queue", "ChangeScreen": "change", "ChunkReviewScreen": "chunk",
                 "HelpScreen": "help"}


def registry_screen(screen: Screen[Any]) -> str:
    """Which screen of the action registry (app.tui.keys) `screen` is; "global" when unknown."""
    return getattr(screen, "ACTION_SCREEN", None) or _SCREEN_NAMES.get(type(screen).__name__, "global")


def screen_actions(screen: Screen[Any]) -> list[ActionSpec]:
    """Every action usable on `screen`: the registry's (global included) plus the screen's own
    EXTRA_ACTIONS (actions a screen offers that the registry does not list yet). One per action."""
    name = registry_screen(screen)
    groups = ACTIVE_TOGETHER.get(name, ("global", name) if name != "global" else ("global",))
    specs = [spec for spec in ACTIONS if spec.screen in groups]
    specs += list(getattr(screen, "EXTRA_ACTIONS", ()))
    seen: set[str] = set()
    unique = []
    for spec in specs:
        if spec.textual_action not in seen:
            seen.add(spec.textual_action)
            unique.append(spec)
    return unique


DUPLICATED_SYSTEM_COMMANDS = frozenset({"Quit", "Theme"})
"""Textual's system commands that ActionsProvider offers too (as "Quit" and "Choose a theme")."""


class ActionsProvider(Provider):
    """The command palette's list of every action of the current screen, with its keys, and every
    theme ("Theme: review-light"), so anything a key can do can also be found by name."""

    def _commands(self) -> list[tuple[str, Callable[[], Any], str]]:
        app = self.app
        overrides = getattr(app, "user_config", UserConfig()).keys
        resolution = resolve_keys(overrides)
        commands: list[tuple[str, Callable[[], Any], str]] = []
        for spec in screen_actions(self.screen):
            if spec.name == "command_palette":
                continue  # already open
            target = self._target(spec)
            if target is None:
                continue
            keys = resolution.keys.get((spec.screen, spec.name), ())
            commands.append((spec.description, target, f"{display_keys(keys)}  ·  {spec.name}"))
        for theme_name in sorted(app.available_themes):
            commands.append((f"Theme: {theme_name}", partial(setattr, app, "theme", theme_name),
                             "switch theme (saved in your config)"))
        return commands

    def _target(self, spec: ActionSpec) -> Callable[[], Any] | None:
        """A callable running the action where it lives: the app, the screen or its focused widget."""
        action = spec.textual_action
        if action.startswith("app."):
            return partial(self.app.run_action, action.removeprefix("app."))
        if action.startswith("screen."):
            action = action.removeprefix("screen.")
        method = action.split("(", 1)[0]
        for node in (self.screen, self.screen.focused):
            if node is not None and callable(getattr(node, f"action_{method}", None)):
                return partial(node.run_action, action)
        return None

    async def discover(self) -> Hits:
        for title, callback, help_text in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback, help_text in self._commands():
            score = max(matcher.match(title), matcher.match(help_text) * 0.8)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, text=title, help=help_text)


class ReviewApp(App[None]):
    """The review TUI. Build it with `make_app`; the queue is its start screen."""

    TITLE = "review-tui"
    CSS_PATH: ClassVar[list[str | PurePath]] = [STYLES / "app.tcss", STYLES / "queue.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = footer_bindings(bindings_for("global"))
    COMMANDS = App.COMMANDS | {ActionsProvider}
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        analyzer: Analyzer | AnalyzerSpec,
        *,
        user_config: UserConfig,
        ledger: Ledger | None,
        session: ReviewSession | None,
        now: Callable[[], float] | None = None,
        theme_dirs: Iterable[Path] | None = None,
        analyzer_factory: Callable[[], Analyzer] | None = None,
        owns_ledger: bool = False,
    ) -> None:
        super().__init__()
        # An AnalyzerSpec until finish_start builds the analyzer (and the session) after the first paint.
        self._analyzer: Analyzer | None = None if isinstance(analyzer, AnalyzerSpec) else analyzer
        self._spec: AnalyzerSpec | None = analyzer if isinstance(analyzer, AnalyzerSpec) else None
        self._starting = threading.Lock()
        self.start_error: ReviewTuiError | None = None  # what finish_start refused: run_tui raises it
        self.user_config = user_config
        self._ledger = ledger  # None: a fast start's first run, whose new ledger is created by finish_start
        self._session = session
        self.now: Callable[[], float] = now or time.time
        """Wall clock for ages in the queue (tests pin it so snapshots do not drift)."""
        self._analyzer_factory = analyzer_factory
        self._owns_ledger = owns_ledger
        # Set by run_tui, whose process ends with the app. At quit the worker pool's queued tasks are
        # dropped (workers.release_workers), or the exit waits for them (and for the analysis waiting on
        # them); a closed terminal (SIGHUP) or a SIGTERM quits as `q` does, ending the review session.
        # Not for an app run in-process (tests): its pool serves the next one, its signals are the runner's.
        self.owns_process = False
        self.interrupted = False  # SIGINT (`kill -INT`, a Ctrl-C sent as a signal) quit it: run_tui says so
        self._session_ended = False
        self.quitting = False  # set by exit(): background work stops at its next step
        self._startup_notes: list[tuple[str, str]] = []  # (severity, message) shown once mounted
        # Full analyses of recently opened changes (re-opening is instant) and the chunk hashes of
        # every change opened this run (the queue needs them for exact review statuses).
        self._details = DetailCache(DETAIL_CACHE_SIZE, DETAIL_CACHE_LINES)
        self._chunk_hashes: dict[tuple[str, str], list[str]] = {}
        self._give_back_heap = False  # a change's screen closed: its freed heap goes back when the app is idle
        # Register themes before the first paint so the screen is never drawn in Textual's default.
        themes, errors = load_themes(list(theme_dirs) if theme_dirs is not None else default_theme_dirs())
        for review_theme in themes.values():
            self.register_theme(review_theme.to_textual())
        if themes:
            # Only review themes are offered (ctrl+t, the palette): Textual's own know nothing of the review
            # palette (bands, AI gutter, stale and flag colours), and typing "light" picked ansi-light.
            for builtin in set(BUILTIN_THEMES) - set(themes):
                self.unregister_theme(builtin)
        self._startup_notes += [("warning", f"theme skipped: {error}") for error in errors]
        wanted = user_config.theme or DEFAULT_THEME
        if wanted not in self.available_themes:
            where = f" (set in {user_config.source})" if user_config.source else ""
            # the theme in use is named: with no themes folder it is Textual's, not review-dark (QA61 F9)
            fallback = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"
            self._startup_notes.append(("warning", f"theme {wanted!r} not found{where}; using {fallback}"))
            wanted = fallback
        self.theme = wanted
        self._saved_theme = wanted
        self._startup_notes += [("warning", f"config: {w}") for w in user_config.warnings]
        self._startup_notes += [("warning", w) for w in override_warnings(user_config.keys)]
        if self._analyzer is not None:
            self._startup_notes += _analyzer_notes(self._analyzer)
        # Keys typed ahead go where the keys before them led (app/tui/typeahead.py).
        self.typeahead = TypeAhead(self, partial(App.on_event, self))
        self._active_clock: Callable[[], float] | None = None  # make_app's, for a session started later

    def add_startup_note(self, severity: str, message: str) -> None:
        """A notification shown once the app is mounted (a config problem found while starting)."""
        self._startup_notes.append((severity, message))

    # -- the fast start: the analyzer and the session after the first paint ---------------------
    @property
    def analyzer(self) -> Analyzer:
        """The app's analyzer (UI thread); on a fast start built at the first use if the first paint has
        not built it yet (a ReviewTuiError then: what the CLI would have refused)."""
        if self._analyzer is None:
            self._start_on_ui_thread()
        assert self._analyzer is not None
        return self._analyzer

    @analyzer.setter
    def analyzer(self, analyzer: Analyzer) -> None:
        self._analyzer = analyzer

    @property
    def session(self) -> ReviewSession:
        if self._session is None:
            self._start_on_ui_thread()
        assert self._session is not None
        return self._session

    @session.setter
    def session(self, session: ReviewSession) -> None:
        self._session = session

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            self._start_on_ui_thread()
        assert self._ledger is not None
        return self._ledger

    @ledger.setter
    def ledger(self, ledger: Ledger) -> None:
        self._ledger = ledger

    @property
    def started(self) -> bool:
        """The analyzer and the review session exist (always, unless a fast start is still painting)."""
        return self._analyzer is not None and self._session is not None

    @property
    def repo_path(self) -> Path:
        return self._analyzer.repo_path if self._analyzer is not None else self._spec_or_fail().repo_path

    @property
    def commit_range(self) -> str | None:
        return self._analyzer.commit_range if self._analyzer is not None else self._spec_or_fail().commit_range

    def _spec_or_fail(self) -> AnalyzerSpec:
        assert self._spec is not None
        return self._spec

    def after_first_paint(self) -> None:
        """The queue has painted (UI thread): on a fast start's first run ever, start discovering in a process
        now, before the analysis is imported (AnalyzerSpec.start_discovery); started before the paint, on a
        loaded machine it took the paint back to where it was."""
        from app.core.heap import resume_collection

        resume_collection()  # held off since the CLI's tui_target: the start's objects are made
        if self._analyzer is None and self._spec is not None:
            self._spec.start_discovery()

    @staticmethod
    def import_for_start() -> None:
        """Import what finish_start needs (pygit2, the analysis, the session), for a thread that runs
        before it: the UI thread then only builds."""
        import importlib

        for module in ("app.analysis.analyzer", "app.analysis.signoff", "app.tui.review_session"):
            importlib.import_module(module)

    def finish_start(self) -> bool:
        """After the first paint of a fast start (UI thread): build the analyzer and its checks, start
        the review session and say the startup notes. False when a check refused: the app is exiting
        and run_tui raises `start_error`. Also starts what the queue's review statuses need."""
        try:
            self._ensure_started()
        except ReviewTuiError:
            return False
        if self._analyzer is not None:
            self._analyzer.prefetch_repo_key()  # for the review statuses, which the rows need
        return True

    def _start_on_ui_thread(self) -> None:
        """_ensure_started where it must run (a first discovery's process is started from the main thread),
        for a worker that asks before the first paint's start has finished."""
        if self.is_running and threading.get_ident() != getattr(self, "_thread_id", None):
            self.call_from_thread(self._ensure_started)
        else:
            self._ensure_started()

    def _ensure_started(self) -> None:
        with self._starting:
            if self.start_error is not None:
                raise self.start_error
            if self._analyzer is not None and self._session is not None:
                return
            try:
                if self._analyzer is None:
                    spec = self._spec_or_fail()
                    analyzer = spec.build()
                    prefetch = spec.take_prefetch()
                    if prefetch is not None:  # started by the CLI on a first run, before the screen's imports
                        analyzer.adopt_prefetched_discovery(*prefetch)
                    else:
                        analyzer.prefetch_discovery()  # a first run at this base: in a process of its own
                    self._analyzer = analyzer
                    notes = _analyzer_notes(self._analyzer) + _config_notes(self._analyzer)
                else:
                    notes = []
                if self._ledger is None:  # a fast start: opening (or creating) it waited for the first paint
                    from app.storage.ledger import Ledger

                    self._ledger = Ledger.open()
                if self._session is None:
                    self._session, more = start_session(self._analyzer, self._ledger, self.user_config,
                                                        self._active_clock)
                    notes += more
            except ReviewTuiError as exc:
                self.start_error = exc
                self._exit_soon()
                raise
        for severity, message in notes:
            self._notify_later(severity, message)

    def _exit_soon(self) -> None:
        if threading.get_ident() == getattr(self, "_thread_id", None):
            self.exit()
        else:
            try:
                self.call_from_thread(self.exit)
            except RuntimeError:
                pass  # the app is already gone

    def _notify_later(self, severity: str, message: str) -> None:
        if not self.is_running:
            self._startup_notes.append((severity, message))  # said by on_mount
            return
        say = partial(self.notify, message, severity=severity, timeout=8, markup=False)  # type: ignore[arg-type]
        if threading.get_ident() == getattr(self, "_thread_id", None):
            say()
        else:
            try:
                self.call_from_thread(say)
            except RuntimeError:
                pass  # the app is already gone

    # -- services for the screens -----------------------------------------------------------
    def fresh_analyzer(self, discovery_progress: Callable[[str], None] | None = None) -> Analyzer:
        """A new Analyzer for the calling thread (pygit2 objects must not cross threads); `discovery_progress`
        hears how far its discovery got, in this thread or in the first run's process."""
        if self._analyzer_factory is not None:
            made = self._analyzer_factory()
            if discovery_progress is not None:
                made.discovery_progress = discovery_progress
            return made
        fresh = self.analyzer.sibling()
        fresh.discovery_progress = discovery_progress
        # The CLI's, for the first analysis; while its process works, this thread gets ready to score.
        prefetched = self.analyzer.take_prefetched_discovery(meanwhile=fresh.prepare_to_score,
                                                             progress=discovery_progress)
        if prefetched is not None:
            fresh.adopt_discovery(prefetched)
        return fresh

    def forget_base(self) -> None:
        """A re-scan (`r`): the base may have moved with a new `.review-tui.toml`. The sign-off verdict
        read the old policy from the app's analyzer (it contradicted `check`), and a detail kept for a
        change's head holds a plan cut by the old chunk sizes."""
        self.analyzer.forget_base()
        self._details = DetailCache(DETAIL_CACHE_SIZE, DETAIL_CACHE_LINES)
        self._chunk_hashes.clear()

    def remember_detail(self, detail: ChangeDetail) -> None:
        key = (detail.change.id, detail.change.head)
        self._details.set(key, detail)
        self._chunk_hashes[key] = [chunk.content_hash for chunk in detail.plan.chunks]

    def cached_detail(self, report: ChangeReport) -> ChangeDetail | None:
        """The full analysis of `report`'s change at its head, if it was loaded recently."""
        return self._details.get((report.id, report.change.head))

    def opened_report(self, report: ChangeReport) -> ChangeReport | None:
        """The report of `report`'s change at its head as its detail found it, if it was opened this run."""
        return self._details.reports.get((report.id, report.change.head))

    def detail_closed(self, detail: ChangeDetail) -> None:
        """A change's screen closed: its detail is kept only within the cache's line budget (DetailCache)."""
        self._details.close((detail.change.id, detail.change.head))
        self._give_back_heap = True  # once the screen has let go of it too (_retire_idle_workers)

    def chunk_hashes_for(self, report: ChangeReport) -> list[str] | None:
        """The content hashes of a change's chunks when known (None: the ledger judges by decisions)."""
        known = self._chunk_hashes.get((report.id, report.change.head))
        if known is not None:
            return known
        return list(report.assessment.plan.chunk_hashes) if report.assessment is not None else None

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own palette entries, less those the actions provider already lists with
        review-tui's keys (quit, theme): each command appears once."""
        for command in super().get_system_commands(screen):
            if command.title not in DUPLICATED_SYSTEM_COMMANDS:
                yield command

    def get_theme_variable_defaults(self) -> dict[str, str]:
        # review-tui's own variables ($risk-critical, $diff-added, ...) must exist under ANY theme,
        # Textual's built-in ones included, or the stylesheets fail to parse.
        return theme_variable_defaults()

    def get_default_screen(self) -> Screen[Any]:
        from app.tui.screens.queue import QueueScreen

        return QueueScreen()

    def on_mount(self) -> None:
        if self.owns_process:
            import asyncio
            import signal

            for name in ("SIGHUP", "SIGTERM", "SIGINT"):
                try:
                    number = getattr(signal, name)
                    asyncio.get_running_loop().add_signal_handler(number, self._stop_on_signal, number)
                except (AttributeError, NotImplementedError, RuntimeError):
                    pass  # a platform without the signal or loop signal handlers: the default action stays
            import threading

            threading.Thread(target=self._watch_the_terminal, name="review-tui-terminal", daemon=True).start()
        self.set_keymap(keymap_for(self.user_config.keys))
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        # immediate: the time a screen changed is taken as it changes, not once the app's queue got
        # to it (keys read in between would count as typed before the screen appeared)
        self.screen_change_signal.subscribe(self, self.typeahead.screen_changed, immediate=True)
        for severity, message in self._startup_notes:
            self.notify(message, severity=severity, timeout=8, markup=False)  # type: ignore[arg-type]
        self.set_interval(IDLE_CHECK_SECONDS, self._retire_idle_workers)

    def _retire_idle_workers(self) -> None:
        """While the app only waits for the reviewer (no analysis, no detail loading), the worker processes
        that measured the first run go (workers.retire_idle_pools, after its IDLE_SECONDS): the next task
        forks new ones from the forkserver."""
        if self.quitting or any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in self.workers):
            return
        if self._give_back_heap:  # a change was closed: the heap its diff took goes back to the system
            self._give_back_heap = False
            give_back_heap()
        found = sys.modules.get("app.core.workers")  # no pool was ever started where it was never imported
        if found is not None:
            found.retire_idle_pools()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded and self.typeahead.take(event):
            return  # held back until the app has settled from the key before it
        await super().on_event(event)

    def _theme_changed(self, theme: Theme) -> None:
        """Persist a theme chosen at runtime (command palette, ctrl+t) to the user config."""
        if theme.name == self._saved_theme:
            return
        try:
            save_user_setting("theme", theme.name, Path(self.user_config.source) if self.user_config.source else None)
        except (OSError, ReviewTuiError) as exc:  # a read-only or meanwhile broken config file
            self.notify(f"could not save the theme: {getattr(exc, 'strerror', None) or exc}", severity="warning")
            return
        self._saved_theme = theme.name

    # -- actions ----------------------------------------------------------------------------
    def action_help(self) -> None:
        """Show every key (the user's overrides applied)."""
        from app.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.user_config.keys, registry_screen(self.screen)))

    async def action_quit(self) -> None:
        """End the review session (flushing active time) before leaving."""
        self.end_session()
        self.exit()

    def end_session(self) -> None:
        """End the ledger session once; later calls do nothing."""
        if self._session_ended:
            return
        self._session_ended = True
        try:
            if self._session is not None:  # a fast start that failed its checks started none
                self._session.end()
        except ReviewTuiError as exc:
            # Leaving must always work; say why the last seconds may not be recorded.
            self.log.error(f"ending the review session failed: {exc}")
        if self._owns_ledger and self._ledger is not None:
            self._ledger.close()

    def exit(self, *args: Any, **kwargs: Any) -> None:
        self.quitting = True  # the analysis thread stops at its next step instead of starting one
        self._release_workers()  # first: the analysis threads hold the GIL while the app shuts down
        if self._analyzer is not None:
            self._analyzer.abandon_prefetched_discovery()  # the exit joins the thread waiting for it
        elif self._spec is not None:
            self._spec.drop_prefetch(wait=False)  # quit (or refused) before the analyzer adopted it
        super().exit(*args, **kwargs)

    def _stop_on_signal(self, signum: int) -> None:
        """SIGHUP (the terminal is gone), SIGTERM or SIGINT: quit as `q` does (SIGINT: run_tui then ends the process
        as a Ctrl-C ends any command, one line and exit 130, once the terminal is back; it quit with exit 0 and
        said nothing, QA56 F12. Ctrl-C pressed in the app is a key: Textual's "Press q to quit"). Textual's
        shutdown then writes to the dead terminal and can wait for good (its output queue full): a closed window
        left the process running, holding the ledger and a worker, deaf to SIGTERM. So the process ends anyway after
        HANGUP_GRACE_SECONDS, its review session written first."""
        import signal
        import threading

        self.interrupted = self.interrupted or signum == signal.SIGINT
        threading.Thread(target=self._end_process_after_grace, args=(128 + signum,), name="review-tui-deadline",
                         daemon=True).start()
        self.exit()

    def _end_process_after_grace(self, code: int) -> None:
        import os

        time.sleep(HANGUP_GRACE_SECONDS)
        try:
            self.end_session()
        finally:
            self._release_workers()
            os._exit(code)

    def _watch_the_terminal(self) -> None:
        """A thread: when the terminal is gone (its ioctl fails: the window closed, the ssh link dropped), leave
        as on SIGHUP, which does not always reach this process (a shell that ran it may take it)."""
        import os
        import threading

        try:
            fd = sys.__stdin__.fileno() if sys.__stdin__ is not None else -1
            os.tcgetpgrp(fd)
        except (OSError, ValueError):
            return  # no terminal to watch (a pipe, a test)
        while not self.quitting:
            time.sleep(1.0)
            try:
                os.tcgetpgrp(fd)
            except OSError:
                threading.Thread(target=self._exit_from_thread, daemon=True).start()  # it may never return
                self._end_process_after_grace(128 + 1)
                return

    def _exit_from_thread(self) -> None:
        try:
            self.call_from_thread(self.exit)
        except RuntimeError:
            pass  # the app is already gone

    def on_unmount(self) -> None:
        self._release_workers()
        self.end_session()

    def _release_workers(self) -> None:
        if self.owns_process and (workers := sys.modules.get("app.core.workers")) is not None:
            workers.release_workers()


class DetailCache:
    """The details of recently opened changes (re-opening one is instant): the most recent `size` of them, and
    of those closed only as many diff lines as `lines` allows. A detail holds its whole diff, and a
    release-sized change's stayed in memory for the session. The newest (the change on screen: the queue opens
    one at a time) is kept whatever its size; once its screen closes (`close`), a detail alone over the budget
    goes, then the oldest until the rest fit. The report of every detail stays (the
    queue's row of a merged change opened takes it)."""

    def __init__(self, size: int, lines: int) -> None:
        self.size = size
        self.lines = lines
        self._kept: OrderedDict[tuple[str, str], tuple[ChangeDetail, int]] = OrderedDict()
        self.reports: dict[tuple[str, str], ChangeReport] = {}

    def get(self, key: tuple[str, str]) -> ChangeDetail | None:
        found = self._kept.get(key)
        if found is None:
            return None
        self._kept.move_to_end(key)
        return found[0]

    def set(self, key: tuple[str, str], detail: ChangeDetail) -> None:
        self._kept[key] = (detail, held_lines(detail))
        self._kept.move_to_end(key)
        self.reports[key] = detail.report
        self._trim(keep_newest=True)

    def close(self, key: tuple[str, str]) -> None:
        """The change `key`'s screen closed: the budget counts its detail now."""
        if key in self._kept:
            self._trim(keep_newest=False)

    def keys(self) -> list[tuple[str, str]]:
        return list(self._kept)

    def _trim(self, *, keep_newest: bool) -> None:
        closed = list(self._kept)[:-1] if keep_newest else list(self._kept)  # oldest first
        for key in [key for key in closed if self._kept[key][1] > self.lines]:  # alone over the budget
            closed.remove(key)
            del self._kept[key]
        held = sum(self._kept[key][1] for key in closed)
        while closed and (len(self._kept) > self.size or held > self.lines):
            held -= self._kept.pop(closed.pop(0))[1]


def held_lines(detail: ChangeDetail) -> int:
    """The diff lines a detail holds (a file counted, not read, holds none; a shed line, read again when looked at,
    holds its origin alone: a 40th of a line, app/core/git/shed.py)."""
    return sum(len(lines) if not isinstance(lines, DiffLines) or lines.held else len(lines) // SHED_SHARE
               for fd in detail.files for lines in (hunk.lines for hunk in fd.hunks))


SHED_SHARE = 40
"""A held line takes about 41 bytes (DiffLines), a shed one its origin's byte."""


IDLE_CHECK_SECONDS = 5.0
"""How often the app looks for worker processes to stop while it is idle (_retire_idle_workers)."""

HANGUP_GRACE_SECONDS = 3.0
"""After SIGHUP or SIGTERM, how long the app gets to leave cleanly before the process ends anyway."""


def make_app(
    analyzer: Analyzer | AnalyzerSpec,
    *,
    user_config: UserConfig | None = None,
    ledger: Ledger | None = None,
    now: Callable[[], float] | float | None = None,
    theme_dirs: Iterable[Path] | None = None,
    active_clock: Callable[[], float] | None = None,
) -> ReviewApp:
    """The review app on `analyzer`'s repository, recording into `ledger` (default: the user's).

    `active_clock` is the monotonic clock behind active review time (default time.monotonic); tests
    inject one to drive the real timer and screens without sleeping.

    Starts the review session now, so a locked or too-new ledger fails here, before any screen. The
    session is written when the queue's first review status asks for the project key, after the first
    paint: that write imports sqlite_utils (40 ms), and on a first run at this base the key needs a walk
    to the root commit, which the queue starts once it has painted.
    Given an AnalyzerSpec (the CLI's fast start) and no ledger, opens none: the ledger (its import and
    schema check, 20-40 ms of a warm first paint), the analyzer and the session are made by
    ReviewApp.finish_start after the first paint, and what they refuse (a locked ledger, one from a
    newer review-tui) ends the app with the CLI's one line, as the analyzer's checks do.
    `now` pins the wall clock used for ages (a number or a callable), for deterministic tests.
    """
    user_config = user_config if user_config is not None else load_user_config()
    owns_ledger = ledger is None
    if ledger is None and not isinstance(analyzer, AnalyzerSpec):
        from app.storage.ledger import Ledger

        ledger = Ledger.open()
    session: ReviewSession | None = None
    notes: list[tuple[str, str]] = []
    try:
        if ledger is None:
            pass  # a fast start: finish_start opens (or creates) the ledger after the first paint
        elif isinstance(analyzer, AnalyzerSpec):
            ledger.check_writable("starting a review session")  # a locked ledger fails before any screen
        else:
            session, notes = start_session(analyzer, ledger, user_config, active_clock)
    except BaseException:
        if owns_ledger and ledger is not None:
            ledger.close()
        raise
    clock: Callable[[], float] | None
    if now is None or callable(now):
        clock = now
    else:
        pinned = float(now)
        clock = lambda: pinned  # noqa: E731
    app = ReviewApp(analyzer, user_config=user_config, ledger=ledger, session=session, now=clock,
                    theme_dirs=theme_dirs, owns_ledger=owns_ledger)
    app._active_clock = active_clock
    for severity, message in notes:
        app.add_startup_note(severity, message)
    return app


def start_session(analyzer: Analyzer, ledger: Ledger, user_config: UserConfig,
                  active_clock: Callable[[], float] | None = None) -> tuple[ReviewSession, list[tuple[str, str]]]:
    """The review session (its ledger checked now, written once the project key is known), its signer and
    sign-off, and the notes to show about them (an unusable signing key, no reviewer identity)."""
    from app.analysis.signoff import UNKNOWN_REVIEWER, SignOff, decision_signer, reviewer_identity
    from app.tui.review_session import ReviewSession

    known_key = analyzer.known_repo_key
    repo_key: Callable[[], str] = (lambda: analyzer.repo_key) if known_key is None else partial(str, known_key)
    session = ReviewSession.start(
        ledger, repo_key=repo_key,
        reviewer=reviewer_identity(user_config, analyzer),
        idle_seconds=user_config.idle_seconds, persist_seconds=user_config.persist_seconds,
        **({"clock": active_clock} if active_clock is not None else {}),
    )
    session.signoff = SignOff(analyzer, ledger)
    session.signer, unusable = decision_signer(user_config, analyzer)
    notes: list[tuple[str, str]] = []
    if unusable:
        notes.append(("warning", unusable))
    if session.reviewer == UNKNOWN_REVIEWER:  # decisions of everyone on this machine would be one person's
        from app.paths import user_config_path

        notes.append(("warning", f"No reviewer identity: decisions are recorded as {UNKNOWN_REVIEWER} and no "
                                 "approval of yours counts. Set git's user.email, or reviewer_email in "
                                 f"{user_config.source or user_config_path()}"))
    return session, notes


def _analyzer_notes(analyzer: Analyzer) -> list[tuple[str, str]]:
    if not analyzer.repo.is_shallow:
        return []
    # the project key is the root commit, which this clone has not got
    return [("warning", "a shallow clone: reviews recorded here are filed under its oldest commit, not the project's "
                        "root, and are not found again once it is deepened (git fetch --unshallow first, or review in "
                        "a full clone); shared notes (sync) are not affected")]


def _config_notes(analyzer: Analyzer) -> list[tuple[str, str]]:
    """What run_tui says of the team's config: an edit of it not in use, and its warnings."""
    notes: list[tuple[str, str]] = []
    config_note = analyzer.uncommitted_config_note()
    if config_note:
        notes.append(("information", config_note))
    for warning in _team_config_warnings(analyzer):  # a typo in [policy] enforces a weaker policy: say so
        notes.append(("warning", warning))
    return notes


if TYPE_CHECKING:
    def _serves_its_screens(app: ReviewApp) -> ReviewHost:
        return app  # mypy checks here that ReviewApp offers what the screens use


def _team_config_warnings(analyzer: Analyzer) -> tuple[str, ...]:
    """The team config's warnings (unknown keys); none when it cannot be read: the analysis says why."""
    try:
        return analyzer.config.warnings
    except ReviewTuiError:
        return ()


def run_tui(analyzer: Analyzer | AnalyzerSpec) -> None:
    """Open the TUI (the CLI's default command). Config and ledger errors raise before the screen
    takes over: they are ReviewTuiErrors, printed by the CLI as one line with a non-zero exit. On a fast
    start (an AnalyzerSpec) what the analyzer's checks refuse after the first paint ends the app and is
    raised here, once the terminal is given back."""
    user_config = load_user_config()
    ledger: Ledger | None = None
    if not isinstance(analyzer, AnalyzerSpec):
        from app.storage.ledger import Ledger

        ledger = Ledger.open()
    try:
        # a fast start's app opens the ledger itself (a new one after the first paint) and closes it at the end
        app = make_app(analyzer, user_config=user_config, ledger=ledger)
        app.owns_process = True
        if not isinstance(analyzer, AnalyzerSpec):
            for severity, message in _config_notes(analyzer):
                app.add_startup_note(severity, message)
        try:
            app.run()
        finally:
            app.end_session()
            if isinstance(analyzer, AnalyzerSpec):
                analyzer.drop_prefetch(wait=True)  # never adopted: the screen failed to start
                if app._analyzer is not None:
                    app._analyzer.drop_prefetched_discovery()  # taken by the queue, unless it never started
        if app.start_error is not None:
            raise app.start_error
        if app.interrupted:
            raise KeyboardInterrupt  # the CLI's one line and exit 130 (commands/common.py run_guarded)
    finally:
        if ledger is not None:
            ledger.close()
