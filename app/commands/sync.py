"""`review-tui sync`: share review records through git notes.

Imports every record found under ``refs/notes/review-tui`` and fetched
``refs/notes/remotes/*/review-tui`` into the local ledger, then exports the ledger's local records
as notes on their head commits (app/storage/notes.py documents the format). Idempotent: a second
run imports and writes nothing.

Network: by default sync never talks to a remote; it prints the git commands that move the notes.
With ``--fetch REMOTE`` / ``--push REMOTE`` it runs exactly those commands with the `git` program.
This is the one documented exception to "no git subprocess" in review-tui: fetching and pushing
need the user's transports and credential helpers (ssh agents, https tokens), which git handles
and pygit2 does not. The notes merge uses git's own ``cat_sort_uniq`` strategy, so what sync runs is
what a user would type. Nothing from the repository is ever executed: the remote must be a remote
configured in the repository, named without option-like characters.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import click

from app.errors import RepoError

if TYPE_CHECKING:
    from app.core.git.repo import GitRepo

_REMOTE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def remote_notes_ref(remote: str) -> str:
    return f"refs/notes/remotes/{remote}/review-tui"


def fetch_commands(remote: str) -> list[list[str]]:
    """The git commands that fetch a remote's review notes and merge them into ours."""
    from app.storage.notes import NOTES_REF

    return [
        ["git", "fetch", remote, f"+{NOTES_REF}:{remote_notes_ref(remote)}"],
        ["git", "notes", "--ref=review-tui", "merge", "-s", "cat_sort_uniq", remote_notes_ref(remote)],
    ]


def push_command(remote: str) -> list[str]:
    from app.storage.notes import NOTES_REF

    return ["git", "push", remote, NOTES_REF]


def _check_remote(repo: GitRepo, remote: str) -> None:
    if not _REMOTE_NAME.match(remote) or remote.endswith(".lock") or ".." in remote:
        raise RepoError(f"{remote!r} is not a remote name (use the name of a remote, e.g. origin)")
    if repo.config_value(f"remote.{remote}.url") is None:
        raise RepoError(f"{repo.path}: no remote named {remote!r} (see `git remote -v`)")


def _run_git(workdir: Path, args: list[str]) -> None:
    """Run one git command in the repository, its output going straight to the user."""
    git = shutil.which("git")
    if git is None:
        raise RepoError("the git program is not installed; run the printed commands elsewhere")
    shown = " ".join(args)
    click.echo(f"$ {shown}", err=True)
    completed = subprocess.run([git, *args[1:]], cwd=workdir, check=False)
    if completed.returncode != 0:
        raise RepoError(f"`{shown}` failed (exit {completed.returncode}); see git's message above")


def _remote_has_notes(workdir: Path, remote: str) -> bool:
    from app.storage.notes import NOTES_REF

    git = shutil.which("git")
    if git is None:
        raise RepoError("the git program is not installed; run the printed commands elsewhere")
    completed = subprocess.run([git, "ls-remote", remote, NOTES_REF], cwd=workdir, check=False,
                               capture_output=True, text=True)
    if completed.returncode != 0:
        why = completed.stderr.strip() or f"exit {completed.returncode}"
        raise RepoError(f"`git ls-remote {remote}` failed: {why}")
    return bool(completed.stdout.strip())


def _default_remote(repo: GitRepo) -> str:
    if repo.config_value("remote.origin.url") is not None:
        return "origin"
    names = sorted({ref.name.split("/")[2] for ref in repo.refs()
                    if ref.name.startswith("refs/remotes/") and ref.name.count("/") >= 3})
    return names[0] if names else "origin"


@click.command("sync")
@click.option("--repo", type=click.Path(file_okay=False), default=None,
              help="Repository to sync (default: the current directory).")
@click.option("--base", default=None,
              help="Base branch or commit (default: origin's HEAD, else main, else master).")
@click.option("--fetch", "fetch_remote", metavar="REMOTE", default=None,
              help="First fetch REMOTE's review notes and merge them (runs git fetch and git notes merge).")
@click.option("--push", "push_remote", metavar="REMOTE", default=None,
              help="Afterwards push refs/notes/review-tui to REMOTE (runs git push).")
@click.pass_context
def sync_command(ctx: click.Context, repo: str | None, base: str | None, fetch_remote: str | None,
                 push_remote: str | None) -> None:
    """Import review records from git notes into the local ledger and export local ones as notes.

    Never fetches or pushes unless asked with --fetch / --push: it prints the git commands instead."""
    from app.commands.common import make_analyzer
    from app.storage import notes
    from app.storage.ledger import Ledger

    obj = ctx.obj or {}
    analyzer = make_analyzer(repo or obj.get("repo"), base or obj.get("base"))
    git_repo = analyzer.repo
    workdir = git_repo.workdir or git_repo.git_dir
    for remote in (fetch_remote, push_remote):
        if remote is not None:
            _check_remote(git_repo, remote)
    if fetch_remote is not None:
        if _remote_has_notes(workdir, fetch_remote):
            for command in fetch_commands(fetch_remote):
                _run_git(workdir, command)
            analyzer.refresh()  # the notes refs moved: read them through a fresh repository handle
            git_repo = analyzer.repo
        else:
            click.echo(f"{fetch_remote} has no review notes yet: nothing to fetch", err=True)

    repo_key = analyzer.repo_key
    with Ledger.open() as ledger:
        result = notes.sync(ledger, git_repo, repo_key)
    imported, exported = result.imported, result.exported
    sources = ", ".join(r.removeprefix("refs/notes/") for r in imported.refs) or "no notes refs yet"
    click.echo(f"imported {imported.decisions} decision(s) and {imported.comments} comment(s) from {sources}")
    if exported.records:
        click.echo(f"exported {exported.records} record(s) to {notes.NOTES_REF} "
                   f"on {exported.commits} commit(s)"
                   + (" (retried after another writer)" if exported.retried else ""))
    else:
        click.echo(f"nothing new to export: {notes.NOTES_REF} is up to date")
    for problem in result.problems:
        click.echo(f"review-tui: warning: {problem}", err=True)

    if push_remote is not None:
        if exported.tip is None:
            click.echo("no review notes to push yet", err=True)
        else:
            _run_git(workdir, push_command(push_remote))
    if fetch_remote is None or push_remote is None:
        remote = push_remote or fetch_remote or _default_remote(git_repo)
        click.echo("\nTo share review records with the team (review-tui never does this unasked):")
        if fetch_remote is None:
            for command in fetch_commands(remote):
                click.echo("  " + " ".join(command))
            click.echo("  review-tui sync")
        if push_remote is None:
            click.echo("  " + " ".join(push_command(remote)))
        click.echo(f"(or: review-tui sync --fetch {remote} --push {remote})")
