"""Line attribution: how much of a change's added code AI tools wrote, line by line.

An added line of the change is AI-written when the commit in base..head that introduced it (blame
restricted to the range) is an AI commit, or when a git-ai note on that commit marks the line.
Where blame cannot run (working tree, failures), the share falls back to commit level.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.core.git.diff import FileDiff
from app.core.git.models import WORKTREE_ID, CommitInfo
from app.core.provenance.commits import (
    DEFAULT,
    MAX_COMMIT_LEVEL_DIFFS,
    NOTE_POINTS,
    AISignal,
    ProvenanceConfig,
    branch_signals,
    clip_text,
    commit_confidence,
    commit_signals,
    credited_tools,
    merged_branch,
    primary_tool,
    squash_hint,
    unknown_bot,
    unknown_bot_co_authors,
    updated_branch,
)
from app.core.provenance.gitai import GitAiNote, NoteFormatError, parse_git_ai_note
from app.core.text import visible_path
from app.errors import RepoError

if TYPE_CHECKING:  # only for annotations: the analysis receives an open GitRepo
    from app.core.git.repo import GitRepo


@dataclass(slots=True)
class ChangeProvenance:
    """How much of a change's added code AI tools wrote, and the evidence."""

    ai_share: float = 0.0  # 0..1, ai_added / added
    ai_added: int = 0
    added: int = 0
    tools: list[str] = field(default_factory=list)  # sorted
    signals: list[AISignal] = field(default_factory=list)  # every detection, including sub-threshold ones
    ai_commits: list[str] = field(default_factory=list)  # at/above the threshold, or with AI note lines
    ai_lines: dict[str, dict[int, str]] = field(default_factory=dict)  # path -> new line number -> tool
    errors: list[str] = field(default_factory=list)
    squash_warning: str | None = None
    method: str = "line"  # "line" (blame) or "commit" (fallback)
    evidence: list[str] = field(default_factory=list)  # signals weighed that counted no commit by themselves

    @property
    def human_added(self) -> int:
        return self.added - self.ai_added

    def to_dict(self) -> dict[str, Any]:
        return {
            "ai_share": self.ai_share, "ai_added": self.ai_added, "added": self.added,
            "tools": list(self.tools), "signals": [s.to_dict() for s in self.signals],
            "ai_commits": list(self.ai_commits),
            "ai_lines": {path: {str(n): tool for n, tool in lines.items()}
                         for path, lines in self.ai_lines.items()},
            "errors": list(self.errors), "squash_warning": self.squash_warning, "method": self.method,
            "evidence": list(self.evidence),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChangeProvenance:
        return cls(
            ai_share=float(data["ai_share"]), ai_added=int(data["ai_added"]), added=int(data["added"]),
            tools=[str(t) for t in data.get("tools", [])],
            signals=[AISignal.from_dict(s) for s in data.get("signals", [])],
            ai_commits=[str(c) for c in data.get("ai_commits", [])],
            ai_lines={str(path): {int(n): str(tool) for n, tool in lines.items()}
                      for path, lines in data.get("ai_lines", {}).items()},
            errors=[str(e) for e in data.get("errors", [])],
            squash_warning=data.get("squash_warning"), method=str(data.get("method", "line")),
            evidence=[str(e) for e in data.get("evidence", [])],
        )


@dataclass(slots=True)
class _Assessment:
    commit: CommitInfo
    signals: list[AISignal]  # message / identity / team signals (branch signals kept apart)
    confidence: int  # with the branch's points
    is_ai: bool  # every line the commit introduced counts as AI
    tool: str | None
    note: GitAiNote | None = None


class _Analyzer:
    """Assesses commits once each (lazily for commits blame finds outside the given list)."""

    def __init__(self, repo: GitRepo, config: ProvenanceConfig, branch: list[AISignal],
                 merged_in: dict[str, MergedBranch] | None = None) -> None:
        self.repo = repo
        self.config = config
        self.branch = branch
        self.merged_in = merged_in or {}  # commit id -> the agent branch a merge of the change brought it in from
        self.assessed: dict[str, _Assessment | None] = {}
        self.errors: list[str] = []

    def assess(self, commit: CommitInfo) -> _Assessment:
        known = self.assessed.get(commit.id)
        if known is not None:
            return known
        signals = commit_signals(commit, self.config)
        merged = self.merged_in.get(commit.id)
        # a codex/ branch merged into a codex/ branch is one hint, not two
        extra = [s for s in (merged.signals if merged else ())
                 if all((s.tool, s.signal) != (b.tool, b.signal) for b in self.branch)]
        confidence = commit_confidence([*signals, *self.branch, *extra])
        is_ai = bool(signals) and confidence >= self.config.min_confidence
        tool = primary_tool(signals) if is_ai else None
        result = _Assessment(commit, signals, confidence, is_ai, tool, self._note(commit.id))
        self.assessed[commit.id] = result
        return result

    def assess_id(self, commit_id: str) -> _Assessment | None:
        if commit_id in self.assessed:
            return self.assessed[commit_id]
        try:
            info = self.repo.commit_info(commit_id)
        except (KeyError, ValueError, RepoError):
            self.assessed[commit_id] = None
            return None
        return self.assess(info)

    def _note(self, commit_id: str) -> GitAiNote | None:
        text = self.repo.note(commit_id, self.config.notes_ref)
        if text is None:
            return None
        try:
            return parse_git_ai_note(text)
        except NoteFormatError as exc:
            self.errors.append(f"note on {commit_id[:10]} ({self.config.notes_ref}): malformed ({exc}): "
                               "ignored")
            return None


def analyze_provenance(repo: GitRepo, commits: list[CommitInfo], files: list[FileDiff], *, base: str | None,
                       head: str, ref: str | None, config: ProvenanceConfig = DEFAULT,
                       older_evidence: Callable[[], bool] | None = None,
                       alias_refs: Sequence[str] = ()) -> ChangeProvenance:
    """The AI share of a change (base...head), line by line where blame allows, else by commit.

    `commits` must be the whole of base..head. `older_evidence()`, when given, says whether any commit
    reachable from `base` could make a line AI-written (see ancestors_have_ai_evidence): when none can
    and no commit of the change can, blame is skipped even for a range with merges. Branch-name
    evidence comes from `ref` and every alias (a PR ref's twin branch names the agent)."""
    branch: list[AISignal] = []
    named = [(name, "") for name in (ref, *alias_refs)]
    named += [(name, f" ({clip_text(name, 80)}, as a merge's subject names this change's branch)")
              for name in _own_branch_names(commits, head)]
    for name, source in named:
        for signal in branch_signals(name, config):
            if all((s.tool, s.signal.split(" (", 1)[0]) != (signal.tool, signal.signal) for s in branch):
                signal.signal += source
                branch.append(signal)
    merged_in = _merged_agent_branches(commits, config)
    analyzer = _Analyzer(repo, config, branch, merged_in)
    for commit in commits:
        analyzer.assess(commit)
    # A committed venv's lines (counted_only) are other projects' code: nobody here wrote them, AI or not.
    result = ChangeProvenance(added=sum(f.additions for f in files if _authored(f)))
    result.signals.extend(branch)

    line_level = _line_level(repo, analyzer, files, commits, base=base, head=head, result=result,
                             older_evidence=older_evidence)
    if not line_level:
        result.method = "commit"
        result.ai_lines = {}
        result.ai_added = _commit_level_ai_added(repo, analyzer, commits, result)

    # Evidence, in commit order (the given list first, then commits blame reached beyond it).
    warnings: list[str] = []
    tools: set[str] = {tool for lines in result.ai_lines.values() for tool in lines.values()}
    for assessment in analyzer.assessed.values():
        if assessment is None:
            continue
        cid = assessment.commit.id
        result.signals.extend(assessment.signals)
        note_tools = assessment.note.ai_tools() if assessment.note else {}
        if note_tools:
            lines = sum(note_tools.values())
            result.signals.append(AISignal(next(iter(note_tools)), f"git-ai note: {lines} AI line(s) "
                                           f"({', '.join(note_tools)})", "note", NOTE_POINTS, cid))
        if assessment.is_ai or note_tools:
            result.ai_commits.append(cid)
            if assessment.tool:
                tools.add(assessment.tool)
                tools.update(credited_tools(assessment.signals, analyzer.config.min_confidence))
            if not line_level:
                tools.update(note_tools)
        if assessment.is_ai:
            hint = squash_hint(assessment.commit)
            if hint:
                warnings.append(f"{assessment.commit.short_id} has {hint}")
    if warnings:
        more = f" (and {len(warnings) - 1} more)" if len(warnings) > 1 else ""
        result.squash_warning = (f"commit-level share is an upper bound: {warnings[0]}{more}; its AI "
                                 "trailers may speak for lines people wrote")
    result.tools = sorted(tools)
    result.evidence = [*_weighed_evidence(analyzer, branch), *_merged_evidence(merged_in),
                       *_unknown_bots(analyzer, commits)]
    result.errors = analyzer.errors + result.errors
    result.ai_added = min(result.ai_added, result.added)
    result.ai_share = result.ai_added / result.added if result.added else 0.0
    return result


@dataclass(frozen=True, slots=True)
class MergedBranch:
    """An agent's branch (codex/..., claude/...) that a merge commit of the change brought in."""

    name: str
    merge: str  # the merge commit's id
    signals: tuple[AISignal, ...]


def _own_branch_names(commits: list[CommitInfo], head: str) -> list[str]:
    """The names the change's own branch had, from its merges that brought it up to date ("Merge branch 'master'
    into codex/prompt-x", on the head's first-parent line): a pull request ref keeps no branch name, and lazygit's
    pull/5733 from a Codex agent's `codex/` branch read no AI evidence at all (QA52 #6)."""
    inside = {c.id: c for c in commits}
    names: list[str] = []
    commit = inside.get(head)
    while commit is not None:
        name = updated_branch(commit)
        if name and name not in names:
            names.append(name)
        commit = inside.get(commit.parents[0]) if commit.parents else None
    return names


def _merged_agent_branches(commits: list[CommitInfo], config: ProvenanceConfig) -> dict[str, MergedBranch]:
    """The change's commits that a merge brought in from a branch named as an agent's: commit id -> the branch.

    Cloud agents (Codex, Copilot's, Claude's) commit as the person who asked, with no trailer; the merge of
    their pull request ("Merge pull request #6 from owner/codex/start-x") is the only record left (QA49 #9b).
    Those commits get the branch's 30 points, as the change's own branch name gives every commit."""
    inside = {c.id: c for c in commits}
    found: dict[str, MergedBranch] = {}
    for commit in commits:
        name = merged_branch(commit)
        signals = tuple(branch_signals(name, config)) if name else ()
        if not signals:
            continue
        mainline = _ancestors_within(inside, commit.parents[0])
        for cid in _ancestors_within(inside, commit.parents[1]) - mainline:
            found.setdefault(cid, MergedBranch(name or "", commit.id, signals))
    return found


def _ancestors_within(inside: dict[str, CommitInfo], start: str) -> set[str]:
    """`start` and its ancestors among the change's own commits."""
    seen: set[str] = set()
    stack = [start]
    while stack:
        cid = stack.pop()
        if cid in seen or cid not in inside:
            continue
        seen.add(cid)
        stack.extend(inside[cid].parents)
    return seen


def _merged_evidence(merged_in: dict[str, MergedBranch]) -> list[str]:
    """One line per agent named by the branches merged into the change, for the why panel (the queue's "AI?")."""
    by_signal: dict[tuple[str, str], list[MergedBranch]] = {}
    for merged in merged_in.values():
        by_signal.setdefault((merged.signals[0].tool, merged.signals[0].signal), []).append(merged)
    out = []
    for items in by_signal.values():
        signal = items[0].signals[0]
        branches = list(dict.fromkeys((m.name, m.merge) for m in items))
        name, merge = branches[0]
        more = f" and {len(branches) - 1} more" if len(branches) > 1 else ""
        count = len(items)
        out.append(f"{count} commit{'s' if count != 1 else ''} merged in from {len(branches)} "
                   f"branch{'es' if len(branches) != 1 else ''} with the {signal.signal} ({clip_text(name, 80)} "
                   f"by {merge[:10]}{more}; {signal.tool}, {signal.confidence} points each: added to each of those "
                   "commits' own signals)")
    return out


def _weighed_evidence(analyzer: _Analyzer, branch: list[AISignal]) -> list[str]:
    """What was weighed without counting a commit as AI on its own, for the why panel: branch-name
    signals always (30 points, never enough alone), and commits whose signals stayed below the threshold."""
    threshold = analyzer.config.min_confidence
    out = [f"{s.signal} ({s.tool}, {s.confidence} points: below the {threshold}-point threshold on its own; "
           "added to each commit's own signals)" for s in branch]
    weak = [a for a in analyzer.assessed.values() if a is not None and a.signals and not a.is_ai]
    for assessment in weak[:5]:
        names = "; ".join(s.signal for s in assessment.signals[:3])
        out.append(f"{assessment.commit.short_id}: {names} ({assessment.confidence} points, below the "
                   f"{threshold}-point threshold)")
    if len(weak) > 5:
        out.append(f"and {len(weak) - 5} more commits with signals below the threshold")
    return out


def _unknown_bots(analyzer: _Analyzer, commits: list[CommitInfo]) -> list[str]:
    """The change's own commits authored or co-authored by a GitHub App that is neither a known AI tool nor plain
    automation, none of them counted as AI: named as evidence (the queue's "AI?") with the way to count them."""
    by_login: dict[tuple[str, str], int] = {}
    for commit in commits:
        assessment = analyzer.assessed.get(commit.id)
        if assessment is not None and assessment.is_ai:
            continue
        author = unknown_bot(commit.author_name, commit.author_email)
        for role, login in [("authored", author), *(("co-authored", co) for co in unknown_bot_co_authors(
                commit.message) if co != author)]:
            if login is not None:
                by_login[role, login] = by_login.get((role, login), 0) + 1
    return [f"{count} commit{'s' if count != 1 else ''} {role} by {clip_text(login, 60)}, an automation "
            "review-tui does not know: if it is an AI agent, a [[ai.patterns]] entry in .review-tui.toml counts "
            "its lines" for (role, login), count in by_login.items()]


def _authored(file: FileDiff) -> bool:
    """Whether a file's added lines were written by someone: not a committed venv's (counted only), nor a
    submodule's "Subproject commit" line, which moves a pointer and has no history here to blame (QA49: one
    vendored submodule put openai-agents-python's pull/669 at commit level)."""
    return file.text_read and not file.is_submodule


def _line_level(repo: GitRepo, analyzer: _Analyzer, files: list[FileDiff], commits: list[CommitInfo], *,
                base: str | None, head: str, result: ChangeProvenance,
                older_evidence: Callable[[], bool] | None = None) -> bool:
    """Attribute each added line through blame. False (and the reason in result.errors) when blame
    cannot serve the change: the caller then falls back to commit level."""
    if head == WORKTREE_ID:
        return False  # uncommitted lines have no recorded provenance
    targets = [f for f in files if _authored(f) and f.additions and f.new_path is not None]
    if (tool := _sole_ai_tool(analyzer, commits)) is not None and is_whole_chain(commits, base=base, head=head):
        # The mirror of the all-human case below: blame could only name these commits, every one an AI
        # commit of one tool, so every added line is that tool's, without blame's cost. A 21,670-line
        # agent branch was past max_blame_lines: a commit-level 100% whose chunks all read "AI 0%".
        _every_added_line(targets, tool, result)
        return True
    if len(targets) > analyzer.config.max_blame_files:
        result.errors.append(f"{len(targets)} files with added lines exceed max_blame_files "
                             f"({analyzer.config.max_blame_files}): commit-level share used")
        return False
    if not _any_ai_evidence(analyzer) and (is_whole_chain(commits, base=base, head=head)
                                           or (older_evidence is not None and not older_evidence())):
        # Blame could only name commits of this list (or, through merges, commits older than the base
        # that carry no evidence either), and none of them makes a line AI-written: every line is
        # human, as blame would find, without its cost (a minute a file on a long merged history).
        return True
    added = sum(f.additions for f in targets)
    if added > analyzer.config.max_blame_lines:
        result.errors.append(f"{added:,} added lines exceed max_blame_lines ({analyzer.config.max_blame_lines:,}): "
                             "commit-level share used")
        return False
    for fd in targets:
        path = fd.new_path or ""
        spans = repo.blame_origins(path, head, base)
        if spans is None:
            result.errors.append(f"{visible_path(path)}: cannot blame at {head[:10]}: commit-level share used")
            return False
        starts = [span[0] for span in spans]
        for line in fd.added_lines():
            number = line.new_lineno
            if number is None:
                continue
            pos = bisect.bisect_right(starts, number) - 1
            if pos < 0 or number >= spans[pos][0] + spans[pos][1]:
                result.errors.append(f"{visible_path(path)}: blame does not cover line {number}: "
                                     "commit-level share used")
                return False
            _, _, owner, orig_path, orig_start = spans[pos]
            if owner is None:
                continue  # older than the range: not this change's writing
            assessment = analyzer.assess_id(owner)
            if assessment is None:
                continue
            tool = assessment.tool if assessment.is_ai else None
            if tool is None and assessment.note is not None:
                tool = assessment.note.tool_at(orig_path, orig_start + (number - spans[pos][0]))
            if tool:
                result.ai_lines.setdefault(path, {})[number] = tool
                result.ai_added += 1
    return True


def ancestors_have_ai_evidence(repo: GitRepo, start: str, config: ProvenanceConfig = DEFAULT, *,
                               limit: int = 250_000, clean: str | None = None) -> bool:
    """Whether any commit reachable from `start` could make a line AI-written: one with an AI signal
    of its own (whatever its confidence), or any git-ai note in the repository. True as well when the
    history is longer than `limit` commits (not read whole: no promise can be made). One walk of the
    history; callers keep the answer per start commit. `clean`: a commit of that history already known
    to have no such ancestor (an earlier tip of the branch): only the commits it does not have are read."""
    if next(iter(repo.notes(config.notes_ref)), None) is not None:
        return True
    for count, commit in enumerate(repo.iter_commits(start, hide=clean)):
        if count >= limit or commit_signals(commit, config):
            return True
    return False


def _every_added_line(files: list[FileDiff], tool: str, result: ChangeProvenance) -> None:
    """Attribute every added line of `files` to `tool`."""
    for fd in files:
        lines = result.ai_lines.setdefault(fd.new_path or "", {})
        for number in fd.added_line_numbers():  # from the origins: a shed file's lines are not read again
            lines[number] = tool
            result.ai_added += 1


def _sole_ai_tool(analyzer: _Analyzer, commits: list[CommitInfo]) -> str | None:
    """The one tool every commit of `commits` is an AI commit of, else None."""
    tools = set()
    for commit in commits:
        assessment = analyzer.assessed.get(commit.id)
        if assessment is None or not assessment.is_ai or not assessment.tool:
            return None
        tools.add(assessment.tool)
    return tools.pop() if len(tools) == 1 else None


def _any_ai_evidence(analyzer: _Analyzer) -> bool:
    """Whether a commit assessed so far is an AI commit or carries a git-ai note (either can make a
    line it introduced AI-written)."""
    return any(a is not None and (a.is_ai or a.note is not None) for a in analyzer.assessed.values())


def is_whole_chain(commits: list[CommitInfo], *, base: str | None, head: str) -> bool:
    """Whether `commits` (newest first) is the whole of base..head and that range is one line of
    single-parent commits from head down to a child of base. Blame restricted to such a range names
    only these commits (or the boundary); with merges it can walk past the base into older commits."""
    if not commits or base is None or commits[0].id != head:
        return False
    for newer, older in zip(commits, [*commits[1:], None], strict=True):
        if len(newer.parents) != 1:
            return False
        if newer.parents[0] != (older.id if older is not None else base):
            return False
    return True


def _commit_level_ai_added(repo: GitRepo, analyzer: _Analyzer, commits: list[CommitInfo],
                           result: ChangeProvenance) -> int:
    """ai_added from each commit's own diff: share = lines added by AI commits (or inside their note
    ranges) / lines added by all commits, applied to the change's added lines. Merge commits are left
    out (their first-parent diff repeats the merged branch's work). No commit with AI evidence: 0,
    without diffing any."""
    if not _any_ai_evidence(analyzer):
        return 0
    counted = ai = 0
    for commit in [c for c in commits if not c.is_merge][:MAX_COMMIT_LEVEL_DIFFS]:
        if not commit.parents:
            continue  # a root commit has no parent to diff against
        try:
            added = sum(f.additions for f in repo.diff(commit.parents[0], commit.id, context_lines=0)
                        if not f.counted_only)
        except RepoError as exc:
            result.errors.append(f"{commit.short_id}: {exc}")
            continue
        assessment = analyzer.assess(commit)
        counted += added
        if assessment.is_ai:
            ai += added
        elif assessment.note is not None:
            ai += min(added, assessment.note.ai_line_count())
    if not counted:
        return 0
    return round(result.added * ai / counted)
