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
what a user would type. Every git command is printed before it runs (``$ git ...`` on stderr),
the `ls-remote` that checks for notes included.

What git itself may run: fetch and push start the transport (ssh, or a remote helper for https) and
may ask a credential helper; push runs the repository's pre-push hook, and any ref update may run a
reference-transaction hook. The repository's own config (``.git/config``) could point each of
these at a program of its choosing, so sync runs git with ``-c`` overrides (``GIT_SAFE_CONFIG``)
that switch hooks, fsmonitor and the ext/fd transports off and take sshCommand, askPass and the
credential helpers from the user's global/system config only, and with ``--upload-pack`` /
``--receive-pack`` options naming git's own programs (remote.*.uploadpack is ignored).
The remote must be a remote configured in the repository, named without option-like characters.

Records are exported signed when a signing key is set (``signing_key`` in config.toml, else git's
``user.signingKey`` with ``gpg.format = ssh``); app/storage/trust.py says how `check` uses that.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import click

from app.commands.common import base_option
from app.errors import RepoError

if TYPE_CHECKING:
    from app.core.git.repo import GitRepo
    from app.storage.notes import SyncResult
    from app.storage.signing import Signer

# git reads remote.<name>.uploadpack/receivepack as lists and uses the first, so a -c override cannot
# replace a value from the repository's config; the command-line options do.
UPLOAD_PACK = "--upload-pack=git-upload-pack"
RECEIVE_PACK = "--receive-pack=git-receive-pack"
_REMOTE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def remote_notes_ref(remote: str) -> str:
    return f"refs/notes/remotes/{remote}/review-tui"


def fetch_commands(remote: str, *, hardened: bool = False) -> list[list[str]]:
    """The git commands that fetch a remote's review notes and merge them into ours."""
    from app.storage.notes import NOTES_REF

    return [
        ["git", "fetch", *([UPLOAD_PACK] if hardened else []), remote,
         f"+{NOTES_REF}:{remote_notes_ref(remote)}"],
        ["git", "notes", "--ref=review-tui", "merge", "-s", "cat_sort_uniq", remote_notes_ref(remote)],
    ]


def push_command(remote: str, *, hardened: bool = False) -> list[str]:
    from app.storage.notes import NOTES_REF

    return ["git", "push", *([RECEIVE_PACK] if hardened else []), remote, NOTES_REF]


def _check_remote(repo: GitRepo, remote: str) -> None:
    if not _REMOTE_NAME.match(remote) or remote.endswith(".lock") or ".." in remote:
        raise RepoError(f"{remote!r} is not a remote name (use the name of a remote, e.g. origin)")
    if repo.config_value(f"remote.{remote}.url") is None:
        raise RepoError(f"{repo.path}: no remote named {remote!r} (see `git remote -v`)")


# Settings whose value names a program git may run; the repository's own config must not choose them.
# (core.sshCommand and core.gitProxy are set through the environment, which wins over any config:
# `-c core.sshCommand=` made git run an empty program, so no SSH remote could be reached, and the
# repository's first core.gitProxy wins over a later -c one: see safe_env.)
_PROGRAM_KEYS = ("core.askPass",)


def safe_env(repo: GitRepo) -> dict[str, str]:
    """The environment for sync's git commands: the SSH program and the git:// proxy are the user's (their
    environment, else their own git config, else plain ssh and no proxy), never the repository's."""
    env = dict(os.environ)
    if "GIT_SSH_COMMAND" not in env and "GIT_SSH" not in env:
        env["GIT_SSH_COMMAND"] = repo.user_config_value("core.sshCommand") or "ssh"
    env.setdefault("GIT_PROXY_COMMAND", "")  # set, even empty, it wins over core.gitProxy: no proxy
    return env


def receive_pack(repo: GitRepo, remote: str) -> str:
    """The --receive-pack of a push: on a remote that is a path on this machine, git runs the receiving
    side here, with that repository's hooks; they are turned off there too. A server's own is kept (a
    hosting service accepts only the plain program)."""
    url = repo.config_value(f"remote.{remote}.url") or ""
    local = url.startswith("file://") or ("://" not in url and (
        url.startswith(("/", ".", "~")) or ":" not in url.split("/", 1)[0]))
    return "--receive-pack=git -c core.hooksPath=/dev/null receive-pack" if local else RECEIVE_PACK


def safe_config(repo: GitRepo, remote: str) -> list[str]:
    """``-c key=value`` arguments that neutralise what the repository's config could make git run."""
    overrides = {
        "core.hooksPath": "/dev/null", "core.fsmonitor": "false", "protocol.ext.allow": "never",
        "protocol.fd.allow": "never",
        "push.gpgSign": "false",  # with gpg.program, the repository chose a program a push would run
    }
    for key in _PROGRAM_KEYS:
        overrides[key] = repo.user_config_value(key) or ""
    args = [arg for key, value in overrides.items() for arg in ("-c", f"{key}={value}")]
    # credential.helper is a list: an empty value resets it (the repository's helpers included),
    # then the user's own helpers are added back.
    helpers = repo.user_config_values("credential.helper")
    own = [arg for helper in helpers for arg in ("-c", f"credential.helper={helper}")]
    return [*args, "-c", "credential.helper=", *own]


def _run_git(workdir: Path, args: list[str], safe: list[str], *, capture: bool = False,
             env: dict[str, str] | None = None) -> str:
    """Run one git command in the repository (printed first), its output going straight to the user."""
    git = shutil.which("git")
    if git is None:
        raise RepoError("the git program is not installed; run the printed commands elsewhere")
    shown = " ".join(args)
    click.echo(f"$ {shown}", err=True)
    completed = subprocess.run([git, *safe, *args[1:]], cwd=workdir, check=False, text=True,
                               capture_output=capture, env=env)
    if completed.returncode != 0:
        why = (completed.stderr or "").strip().splitlines()[-1:] if capture else []
        raise RepoError(f"`{shown}` failed (exit {completed.returncode})"
                        + (f": {why[0]}" if why else "; see git's message above"))
    return completed.stdout or ""


def ls_remote_command(remote: str) -> list[str]:
    from app.storage.notes import NOTES_REF

    return ["git", "ls-remote", UPLOAD_PACK, remote, NOTES_REF]


def _remote_has_notes(workdir: Path, remote: str, safe: list[str], env: dict[str, str]) -> bool:
    return bool(_run_git(workdir, ls_remote_command(remote), safe, capture=True, env=env).strip())


def _default_remote(repo: GitRepo) -> str:
    if repo.config_value("remote.origin.url") is not None:
        return "origin"
    names = sorted({ref.name.split("/")[2] for ref in repo.refs()
                    if ref.name.startswith("refs/remotes/") and ref.name.count("/") >= 3})
    return names[0] if names else "origin"


def _signer(repo: GitRepo) -> tuple[Signer | None, str]:
    """The reviewer's record signer (None: records are exported unsigned), and the line saying how
    exported records are signed (printed only when something is exported)."""
    from app.config import load_user_config
    from app.errors import ConfigError
    from app.storage.signing import SignatureError, load_signer, signing_key_setting

    path = signing_key_setting(load_user_config().signing_key, repo.config_value)
    if path is None:
        return None, ("records are exported unsigned: set signing_key in review-tui's config.toml (or git's "
                      "user.signingKey with gpg.format=ssh) to sign them")
    try:
        signer = load_signer(path)
    except SignatureError as exc:
        raise ConfigError(str(exc)) from None
    return signer, f"signing exported records with {signer.description}"


@click.command("sync")
@click.option("--repo", type=click.Path(file_okay=False), default=None,
              help="Repository to sync (default: the current directory).")
@base_option
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
    if fetch_remote is not None or push_remote is not None:
        _print_plan(git_repo, fetch_remote, push_remote)
    env = safe_env(git_repo)
    if fetch_remote is not None:
        safe = safe_config(git_repo, fetch_remote)
        if _remote_has_notes(workdir, fetch_remote, safe, env):
            for command in fetch_commands(fetch_remote, hardened=True):
                _run_git(workdir, command, safe, env=env)
            analyzer.refresh()  # the notes refs moved: read them through a fresh repository handle
            git_repo = analyzer.repo
        else:
            click.echo(f"{fetch_remote} has no review notes yet: nothing to fetch", err=True)

    repo_key = analyzer.repo_key
    signer, signing = _signer(git_repo)
    with Ledger.open() as ledger:
        result = notes.sync(ledger, git_repo, repo_key, signer)
    _print_result(result, signing)
    if push_remote is not None:
        if result.exported.tip is None:
            click.echo("no review notes to push yet", err=True)
        else:
            _push(git_repo, workdir, push_remote, env)
    if fetch_remote is None or push_remote is None:
        _print_what_is_left(push_remote or fetch_remote or _default_remote(git_repo), fetched=fetch_remote is not None,
                            pushed=push_remote is not None)


def _print_plan(git_repo: GitRepo, fetch_remote: str | None, push_remote: str | None) -> None:
    """The git commands sync is asked to run, as it will run them."""
    planned = ([ls_remote_command(fetch_remote), *fetch_commands(fetch_remote, hardened=True)]
               if fetch_remote else [])
    if push_remote:  # a remote on this machine receives with its hooks off
        planned.append([receive_pack(git_repo, push_remote) if arg == RECEIVE_PACK else arg
                        for arg in push_command(push_remote, hardened=True)])
    click.echo("git commands sync will run (with -c overrides that keep the repository's config from "
               "choosing programs: " + " ".join(safe_config(git_repo, "REMOTE")[1::2]) + "; your ssh and "
               "git:// proxy, never the repository's):", err=True)
    for command in planned:
        click.echo("  " + " ".join(command), err=True)


def _print_result(result: SyncResult, signing: str) -> None:
    """What sync imported and exported, and what it could not read."""
    from app.storage import notes

    imported, exported = result.imported, result.exported
    if exported.records:
        click.echo(signing, err=True)
    sources = ", ".join(r.removeprefix("refs/notes/") for r in imported.refs)
    acts = f", {imported.thread_states} thread resolution(s)" if imported.thread_states else ""
    if sources:
        click.echo(f"imported {imported.decisions} decision(s) and {imported.comments} comment(s){acts} "
                   f"from {sources}")
    else:
        click.echo("no review notes here yet: nothing to import")
    if exported.records:
        click.echo(f"exported {exported.records} record(s) to {notes.NOTES_REF} "
                   f"on {exported.commits} commit(s)"
                   + (" (retried after another writer)" if exported.retried else ""))
    else:
        click.echo(f"nothing new to export: {notes.NOTES_REF} is up to date")
    for problem in result.problems:
        click.echo(f"review-tui: warning: {problem}", err=True)


def _push(git_repo: GitRepo, workdir: Path, remote: str, env: dict[str, str]) -> None:
    push = [receive_pack(git_repo, remote) if arg == RECEIVE_PACK else arg
            for arg in push_command(remote, hardened=True)]
    try:
        _run_git(workdir, push, safe_config(git_repo, remote), env=env)
    except RepoError as exc:
        # git's own hint ("git pull") is wrong for notes: the remote has records this clone has not
        raise RepoError(f"{exc}; if {remote} has review records this clone has not merged yet (a teammate "
                        f"pushed first), run `review-tui sync --fetch {remote} --push {remote}`") from None


def _print_what_is_left(remote: str, *, fetched: bool, pushed: bool) -> None:
    """The git commands for what sync was not asked to do (never run unasked)."""
    if pushed:  # what is left is bringing the team's records in
        click.echo("\nTo import the team's records too (review-tui never fetches unasked):")
    elif fetched:
        click.echo("\nTo share your records with the team (review-tui never pushes unasked):")
    else:
        click.echo("\nTo share review records with the team (review-tui never does this unasked):")
    if not fetched:
        for command in fetch_commands(remote):
            click.echo("  " + " ".join(command))
        click.echo("  review-tui sync")
    if not pushed:
        click.echo("  " + " ".join(push_command(remote)))
    click.echo(f"(or: review-tui sync --fetch {remote} --push {remote})")
