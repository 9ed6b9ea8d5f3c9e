"""The `review-tui` script (and `python -m app`). A bare start that opens the TUI (`review-tui`, `review-tui --repo
PATH --base main`) goes straight to open_tui without click and the command modules (app.cli: about 55 ms of a
warm first paint's 0.35 s of CPU, issue 18); every other command line goes to the click group (app/cli.py),
which parses it as it always did.

The shortcut takes only what the group itself would take the same way: each of the group's own options at
most once, with a non-empty value that does not start with '-', a --repo that click's Path(file_okay=False)
accepts unchanged, and no shell completion asked for. Anything else, valid or not (--help, --version, a
command, a typo, a repeated option), is the group's to read, answer or refuse, so its help, its errors and
its exit codes stay click's. What the group would then run is run here the same way: open_tui inside the
group's error handling (run_guarded), stdout flushed, the workers let go at the end."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Mapping, Sequence
from typing import Any

TUI_VALUE_OPTIONS = {"--repo": "repo", "--base": "base", "--range": "commit_range"}
TUI_FLAGS = {"--merges": "merges", "--first-parent": "first_parent"}
COMPLETE_VAR = "_REVIEW_TUI_COMPLETE"
"""click's shell completion variable for prog_name "review-tui": set, the group answers the shell."""


def tui_options(args: Sequence[str], environ: Mapping[str, str]) -> dict[str, Any] | None:
    """The options of a bare TUI start as the click group would read them (repo, base, commit_range, merges,
    first_parent; the ones given), or None: the command line is the click group's to read."""
    if COMPLETE_VAR in environ:
        return None
    found: dict[str, Any] = {}
    rest = list(args)
    while rest:
        name, equals, value = rest.pop(0).partition("=")
        key: str | None = TUI_FLAGS.get(name) if not equals else None
        given: Any = True
        if key is None and name in TUI_VALUE_OPTIONS:
            if not equals:
                if not rest:
                    return None
                value = rest.pop(0)
            if not value or value.startswith("-"):
                return None
            key, given = TUI_VALUE_OPTIONS[name], value
        if key is None or key in found:
            return None
        found[key] = given
    if "repo" in found and not _taken_as_given(found["repo"]):
        return None
    return found


def _taken_as_given(path: str) -> bool:
    """Whether click's Path(file_okay=False) (the group's --repo) takes `path` as it is: a path that does not
    exist, or a readable directory. A file, or an unreadable directory, is refused there: its error is click's."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return True
    return stat.S_ISDIR(mode) and os.access(path, os.R_OK)


def _open_tui(options: dict[str, Any]) -> None:
    from app.commands.common import open_tui, range_kwargs

    open_tui(options.get("repo"), options.get("base"),
             **range_kwargs(options.get("commit_range"), options.get("merges"), options.get("first_parent")))


def main() -> None:
    """The process's entry point. Ctrl-C before a command's own handling is in place (run_guarded), while the
    interpreter imports click and the commands (0.2-0.35 s of a start on a loaded machine), ends as it does there:
    one line and exit 130. Uncaught, it printed a traceback of the import and the interpreter ended itself by the
    signal (exit -2 to a caller; about 1 Ctrl-C in 40 at random moments of a `list`, stop 51)."""
    from app import interrupts

    interrupts.install()
    try:
        _main()
    except KeyboardInterrupt:
        interrupts.say_interrupted()
        sys.exit(130)
    finally:
        interrupts.ending()


def _main() -> None:
    options = tui_options(sys.argv[1:], os.environ)
    if options is None:
        from app.cli import main as click_main

        click_main()
        return
    from app.commands.common import flush_stdout, release_workers_at_exit, run_guarded

    try:
        run_guarded(lambda: _open_tui(options))
        flush_stdout()
        sys.exit(0)
    finally:
        release_workers_at_exit()
