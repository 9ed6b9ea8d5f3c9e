"""`review-tui demo`: build the bundled sample repositories and open the TUI on the payments service."""

from __future__ import annotations

from pathlib import Path

import click

from app import paths
from app.commands.common import open_tui


@click.command()
@click.option("--dest", type=click.Path(file_okay=False), default=None,
              help="Where to build the sample repos (default: the user data dir).")
@click.option("--no-tui", is_flag=True, help="Only build the sample repos and print where they are.")
@click.option("--force", is_flag=True, help="Rebuild even when the repos are up to date.")
def demo(dest: str | None, no_tui: bool, force: bool) -> None:
    """Build the bundled sample repositories and open the TUI on the payments service."""
    from app.errors import ReviewTuiError
    from app.samples import load

    target = Path(dest) if dest else paths.demo_dir()
    samples = load()
    try:
        built = samples.build_all(target, force=force)
    except samples.NotASample as exc:
        raise ReviewTuiError(str(exc)) from None
    except OSError as exc:
        where = exc.filename or target
        raise ReviewTuiError(f"cannot build the sample repositories in {target}: {where}: "
                             f"{exc.strerror or exc} (choose another --dest)") from None
    if no_tui:
        for name, where in built.items():
            click.echo(f"{name}: {where}")
        return
    main_repo = built.get("payments-service") or next(iter(built.values()))
    click.echo(f"sample repositories in {target}", err=True)
    _give_the_demo_a_reviewer(main_repo)
    open_tui(str(main_repo), None)


DEMO_REVIEWER = "you@demo.example"


def _give_the_demo_a_reviewer(repo_path: Path) -> None:
    """On a machine with neither git's user.email nor review-tui's reviewer_email, decisions are recorded
    as unknown@localhost, which never count: the demo's first approval read `anonymous`. The sample
    repository then gets a reviewer of its own (its local git config), so the demo shows a review that
    counts; a configured identity is left as it is."""
    from app.config import load_user_config
    from app.core.git.repo import GitRepo

    if load_user_config().reviewer_email:
        return
    repo = GitRepo(repo_path)
    if not (repo.config_value("user.email") or "").strip():
        repo.set_local_config("user.email", DEMO_REVIEWER)
        click.echo(f"no reviewer identity configured: the demo reviews as {DEMO_REVIEWER}", err=True)
