"""Build the real-code benchmark scenario from a mirror of a public repository (issue 18).

A bare repository is made next to nothing of the project: its object store borrows the mirror's
through `objects/info/alternates` (nothing is copied, nothing fetched is ever committed to this
project), and it holds only the refs review-tui should see:

- `main`: the base, a commit `--base-back` first-parent steps behind the mirror's tip;
- `refs/pull/<n>/head` (`--source pulls`, the default): the `--prs` largest real pull requests
  that were open when the base was the tip (head committed in the 120 days before the base, not
  merged into it, at most 30 commits of its own, touching Python, at most `--max-pr-lines`
  changed lines against their fork point), each on its own fork point as on GitHub;
- or `pr/<n>` (`--source replay`, for a mirror without pull refs): later squash-merged commits
  replayed on the base with a three-way tree merge (pygit2 `merge_trees(parent, base, commit)`),
  keeping the original author, committer and message, the largest that apply cleanly;
- `release/next`: the real first-parent commit `--release-back` steps behind the tip: a
  release-sized change (hundreds of commits, about 1,400 files and 40,000 changed lines when run
  on ansible/ansible with the defaults);
- a second repository `<dest>-one` with `main` and one of those pull requests (the fixed cost of a cold run).

The base's own history (every commit of the mirror below it, about 54,000 for ansible) is the
history the explain and range rows walk. Each choice depends only on the mirror's commits, so the
same mirror and arguments always give the same refs. A finished build writes `review-tui-real.json`
in the git dir with its arguments and the refs; it is reused when the arguments match.

    python bench/real_scenario.py MIRROR_GIT_DIR DEST [--prs 48] [--base-back 600] [--release-back 100]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pygit2

MANIFEST = "review-tui-real.json"
VERSION = 2
WINDOW_DAYS = 120  # how old an open pull request may be at the base
MAX_PR_COMMITS = 30  # more: a backport carrying a stable branch, not a pull request against main


@dataclass
class Scenario:
    """What a build made: paths, the base, the refs and the commit ranges the rows use."""

    mirror: str
    dest: str
    one_pr_dest: str
    tip: str  # the mirror's tip the offsets count from
    base: str
    release: str
    release_commits: int
    prs: dict[str, str] = field(default_factory=dict)  # branch name -> replayed commit id
    sources: dict[str, str] = field(default_factory=dict)  # branch name -> original commit id
    one_pr: str = ""  # the branch in the one-PR repository
    range_start: str = ""  # `list --range range_start..range_end`
    range_end: str = ""
    args: dict[str, int | str] = field(default_factory=dict)

    @classmethod
    def load(cls, dest: Path) -> Scenario | None:
        path = Path(dest) / MANIFEST
        if not path.exists():
            return None
        data = json.loads(path.read_text())
        if data.pop("version", None) != VERSION:
            return None
        return cls(**data)

    def save(self) -> None:
        (Path(self.dest) / MANIFEST).write_text(json.dumps({"version": VERSION, **asdict(self)}, indent=1))


def _first_parent_back(repo: pygit2.Repository, tip: pygit2.Commit, steps: int) -> pygit2.Commit:
    commit = tip
    for _ in range(steps):
        if not commit.parents:
            raise SystemExit(f"the mirror's first-parent history is shorter than {steps} commits")
        commit = commit.parents[0]
    return commit


def _changed_lines(repo: pygit2.Repository, commit: pygit2.Commit) -> tuple[int, bool]:
    """(added + deleted lines, touches a .py file) of a single-parent commit."""
    diff = repo.diff(commit.parents[0], commit)
    touches_python = any(
        d.new_file.path.endswith(".py") or d.old_file.path.endswith(".py") for d in diff.deltas
    )
    stats = diff.stats
    return stats.insertions + stats.deletions, touches_python


def _replay(repo: pygit2.Repository, base: pygit2.Commit, commit: pygit2.Commit) -> pygit2.Oid | None:
    """The commit's change applied on `base` as a new commit, or None when the merge conflicts."""
    index = repo.merge_trees(commit.parents[0].tree, base.tree, commit.tree)
    if index.conflicts is not None:
        return None
    tree = index.write_tree(repo)
    if tree == base.tree_id:
        return None  # already in the base (or empty once replayed)
    return repo.create_commit(None, commit.author, commit.committer, commit.message, tree, [base.id])


def _init(path: Path, mirror_objects: list[Path]) -> pygit2.Repository:
    if path.exists():
        shutil.rmtree(path)
    pygit2.init_repository(str(path), bare=True, initial_head="main")
    (path / "objects" / "info").mkdir(parents=True, exist_ok=True)
    (path / "objects" / "info" / "alternates").write_text("".join(f"{p}\n" for p in mirror_objects))
    return pygit2.Repository(str(path))  # reopened so the alternates are read


def _refname(name: str) -> str:
    """pull/N -> refs/pull/N/head (discovered as a pull request); pr/N -> refs/heads/pr/N."""
    return f"refs/{name}/head" if name.startswith("pull/") else f"refs/heads/{name}"


def _open_pulls(
    source: pygit2.Repository, base: pygit2.Commit, count: int, max_lines: int, log
) -> dict[str, tuple[str, str]]:
    """The real pull requests that were open when `base` was the tip: a `refs/pull/N/head` whose
    head is older than the base (committed within WINDOW_DAYS before it) and not merged into it,
    touching Python, at most `max_lines` changed lines against its fork point. The largest first."""
    newest, oldest = base.commit_time, base.commit_time - WINDOW_DAYS * 86_400
    sized: list[tuple[int, str, str]] = []
    for refname in source.references:
        if not (refname.startswith("refs/pull/") and refname.endswith("/head")):
            continue
        try:
            commit = source.references[refname].peel(pygit2.Commit)
        except (pygit2.GitError, KeyError, ValueError):
            continue
        if not oldest <= commit.commit_time <= newest:
            continue
        fork = source.merge_base(commit.id, base.id)
        if fork is None or fork == commit.id:
            continue  # unrelated, or merged into the base already
        if _commits_since(source, commit, fork) > MAX_PR_COMMITS:
            continue  # a backport: its branch carries a stable branch's history
        diff = source.diff(source[fork], commit)
        if not any(d.new_file.path.endswith(".py") or d.old_file.path.endswith(".py") for d in diff.deltas):
            continue
        lines = diff.stats.insertions + diff.stats.deletions
        if 0 < lines <= max_lines:
            name = refname.removeprefix("refs/").removesuffix("/head")
            sized.append((lines, name, str(commit.id)))
    sized.sort(key=lambda item: (-item[0], item[1]))
    log(
        f"{len(sized)} pull requests open at the base touch Python; "
        f"taking the {min(count, len(sized))} largest"
    )
    return {name: (commit_id, commit_id) for _lines, name, commit_id in sized[:count]}


def _commits_since(source: pygit2.Repository, head: pygit2.Commit, fork: pygit2.Oid) -> int:
    """Commits in fork..head, counting no further than MAX_PR_COMMITS + 1."""
    walker = source.walk(head.id, pygit2.enums.SortMode.NONE)
    walker.hide(fork)
    count = 0
    for _commit in walker:
        count += 1
        if count > MAX_PR_COMMITS:
            break
    return count


def _replayed(
    source: pygit2.Repository,
    repo: pygit2.Repository,
    head: pygit2.Commit,
    base: pygit2.Commit,
    count: int,
    max_lines: int,
    log,
) -> dict[str, tuple[str, str]]:
    """Later squash-merged commits touching Python replayed on the base, the largest that apply."""
    line: list[pygit2.Commit] = []
    commit = head
    while commit.id != base.id:
        line.append(commit)
        commit = commit.parents[0]
    sized = []
    for commit in line:
        if len(commit.parents) != 1:
            continue
        lines, python = _changed_lines(source, commit)
        if python and 0 < lines <= max_lines:
            sized.append((lines, str(commit.id), commit))
    sized.sort(key=lambda item: (-item[0], item[1]))
    chosen: dict[str, tuple[str, str]] = {}
    for _lines, commit_id, commit in sized:
        if len(chosen) >= count:
            break
        replayed = _replay(repo, repo[base.id], repo[commit.id])
        if replayed is not None:
            chosen[f"pr/{_pr_number(commit.message) or commit_id[:8]}"] = (str(replayed), commit_id)
    log(f"replayed {len(chosen)} of {len(sized)} later commits touching Python on the base")
    return chosen


def build(
    mirror: Path,
    dest: Path,
    *,
    prs: int = 48,
    base_back: int = 600,
    release_back: int = 100,
    range_commits: int = 519,
    max_pr_lines: int = 6_000,
    source_kind: str = "pulls",
    log=print,
) -> Scenario:
    """Build (or reuse) the scenario; see the module docstring."""
    mirror, dest = Path(mirror).resolve(), Path(dest).resolve()
    args: dict[str, int | str] = {
        "prs": prs,
        "base_back": base_back,
        "release_back": release_back,
        "range_commits": range_commits,
        "max_pr_lines": max_pr_lines,
        "source": source_kind,
    }
    found = Scenario.load(dest)
    if found is not None and found.args == args and found.mirror == str(mirror):
        return found
    if dest.exists() and found is None and any(dest.iterdir()):
        raise SystemExit(f"{dest} exists and was not built by this script: choose another DEST")

    source = pygit2.Repository(str(mirror))
    head = source.head.peel(pygit2.Commit)
    base = _first_parent_back(source, head, base_back)
    release = _first_parent_back(source, head, release_back)
    range_end = _first_parent_back(source, head, max(base_back - range_commits, 0))

    mirror_objects = [mirror / "objects"]
    repo = _init(dest, mirror_objects)
    scenario = Scenario(
        str(mirror),
        str(dest),
        str(dest.with_name(dest.name + "-one")),
        str(head.id),
        str(base.id),
        str(release.id),
        base_back - release_back,
        args=args,
    )
    repo.references.create("refs/heads/main", base.id)
    repo.references.create("refs/heads/release/next", release.id)
    if source_kind == "pulls":
        chosen = _open_pulls(source, base, prs, max_pr_lines, log)
    else:
        chosen = _replayed(source, repo, head, base, prs, max_pr_lines, log)
    for name, (commit_id, original) in chosen.items():
        repo.references.create(_refname(name), pygit2.Oid(hex=commit_id))
        scenario.prs[name] = commit_id
        scenario.sources[name] = original
    # The one-PR repository: the median-sized pull request.
    names = list(scenario.prs)
    scenario.one_pr = names[len(names) // 2]
    one = _init(Path(scenario.one_pr_dest), [*mirror_objects, dest / "objects"])
    one.references.create("refs/heads/main", base.id)
    one.references.create(_refname(scenario.one_pr), pygit2.Oid(hex=scenario.prs[scenario.one_pr]))
    scenario.range_start, scenario.range_end = str(base.id), str(range_end.id)
    scenario.save()
    return scenario


def _pr_number(message: str) -> str | None:
    """The pull request number of a squash-merge subject such as 'Fix x (#84143)'."""
    subject = message.split("\n", 1)[0].rstrip()
    if subject.endswith(")") and "(#" in subject:
        number = subject[subject.rfind("(#") + 2 : -1]
        if number.isdigit():
            return number
    return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "mirror", type=Path, help="git dir of the fetched mirror (e.g. /work/.mirror/OWNER+NAME/repo)"
    )
    parser.add_argument(
        "dest", type=Path, help="where to build the scenario's bare repository (outside the project)"
    )
    parser.add_argument("--prs", type=int, default=48)
    parser.add_argument("--base-back", type=int, default=600)
    parser.add_argument("--release-back", type=int, default=100)
    parser.add_argument("--range-commits", type=int, default=519)
    parser.add_argument("--max-pr-lines", type=int, default=6_000)
    parser.add_argument(
        "--source",
        choices=["pulls", "replay"],
        default="pulls",
        help="pulls: the real pull requests open at the base (refs/pull/N/head); "
        "replay: later squash-merged commits replayed on the base",
    )
    args = parser.parse_args(argv)
    scenario = build(
        args.mirror,
        args.dest,
        prs=args.prs,
        base_back=args.base_back,
        release_back=args.release_back,
        range_commits=args.range_commits,
        max_pr_lines=args.max_pr_lines,
        source_kind=args.source,
        log=lambda m: print(m, file=sys.stderr),
    )
    print(json.dumps(asdict(scenario), indent=1))


if __name__ == "__main__":
    main()
