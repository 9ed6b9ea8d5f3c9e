"""git-ai notes (`refs/notes/ai`): which line ranges of a commit an AI tool wrote, per session.

A note is repository data: parsing is bounded (MAX_NOTE_CHARS, MAX_NOTE_RANGES) and raises only
NoteFormatError, which the caller reports and ignores.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from typing import Any

from app.core.provenance.commits import clip_text, tool_from_text

MAX_NOTE_CHARS = 5 * 1024 * 1024  # a git-ai note above 5 MB is reported and ignored
MAX_NOTE_RANGES = 200_000  # ... and so is one with more line ranges than this


class NoteFormatError(ValueError):
    """A git-ai note that cannot be read; the caller reports it and ignores the note."""


_GIT_AI_TOOLS = {
    "claude": "Claude Code", "claude-code": "Claude Code", "cursor": "Cursor", "codex": "OpenAI Codex",
    "github-copilot": "GitHub Copilot", "copilot": "GitHub Copilot", "gemini": "Gemini", "amp": "Amp",
    "opencode": "OpenCode", "aider": "Aider", "devin": "Devin", "jules": "Jules",
}
_RANGE = re.compile(r"^(\d{1,9})(?:-(\d{1,9}))?$")


@dataclass(frozen=True, slots=True)
class GitAiSession:
    tool: str  # canonical display name ("Cursor"); "git-ai" when the metadata names no tool
    model: str | None = None


@dataclass
class GitAiNote:
    """A parsed git-ai authorship note (`authorship/3.x`). Line numbers are those of each file as of
    the annotated commit."""

    files: dict[str, list[tuple[str, list[tuple[int, int]]]]]  # path -> [(key, [(start, end), ...])]
    sessions: dict[str, GitAiSession]  # session / prompt key (the part before "::") -> tool, model
    schema_version: str
    _starts: dict[str, list[list[int]]] = field(default_factory=dict, repr=False, compare=False)

    @staticmethod
    def is_ai_key(key: str) -> bool:
        """s_... sessions and legacy prompt hashes are AI; h_... keys are humans."""
        return not key.startswith("h_")

    def tool_for_key(self, key: str) -> str | None:
        if not self.is_ai_key(key):
            return None
        session = self.sessions.get(key.split("::", 1)[0]) or self.sessions.get(key)
        return session.tool if session else "git-ai"

    def tool_at(self, path: str, line: int) -> str | None:
        """The AI tool the note credits with `line` of `path`, or None (human or not attested).
        When ranges overlap the later entry wins, as in git-ai."""
        entries = self.files.get(path)
        if not entries:
            return None
        starts = self._starts.get(path)
        if starts is None:
            starts = self._starts[path] = [[r[0] for r in ranges] for _, ranges in entries]
        for index in range(len(entries) - 1, -1, -1):
            key, ranges = entries[index]
            pos = bisect.bisect_right(starts[index], line) - 1
            if pos >= 0 and ranges[pos][1] >= line:
                return self.tool_for_key(key)
        return None

    def ai_line_count(self) -> int:
        """Lines the note credits to AI (ranges are merged per entry, so no line counts twice within one)."""
        total = 0
        for entries in self.files.values():
            covered: list[tuple[int, int]] = []
            for key, ranges in entries:
                if self.is_ai_key(key):
                    covered.extend(ranges)
            total += sum(end - start + 1 for start, end in _merge_ranges(covered))
        return total

    def ai_tools(self) -> dict[str, int]:
        """AI lines per tool, most first."""
        counts: dict[str, int] = {}
        for entries in self.files.values():
            for key, ranges in entries:
                tool = self.tool_for_key(key)
                if tool:
                    counts[tool] = counts.get(tool, 0) + sum(e - s + 1 for s, e in ranges)
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _merge_ranges(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _git_ai_tool(raw: object) -> str:
    if not isinstance(raw, str) or not raw.strip():
        return "git-ai"
    raw = raw.strip()
    return _GIT_AI_TOOLS.get(raw.lower()) or tool_from_text(raw) or clip_text(raw, 40)


def parse_git_ai_note(text: str) -> GitAiNote:
    """Parse a git-ai note: per-file sections (path at column 0, quoted when it holds blanks; indented
    `<key> <ranges>` lines), a `---` line, then JSON metadata. Raises NoteFormatError."""
    if not isinstance(text, str):
        raise NoteFormatError("note is not text")
    if len(text) > MAX_NOTE_CHARS:
        raise NoteFormatError(f"note is {len(text) / 1_048_576:.1f} MB, over the "
                              f"{MAX_NOTE_CHARS // 1_048_576} MB limit")
    lines = text.replace("\r\n", "\n").split("\n")
    try:
        divider = next(i for i, line in enumerate(lines) if line.rstrip() == "---")
    except StopIteration:
        raise NoteFormatError("no '---' line between the attestations and the metadata") from None
    files = _attestations(lines[:divider])
    metadata = _metadata("\n".join(lines[divider + 1:]).strip())
    return GitAiNote(files, _sessions(metadata), str(metadata["schema_version"]))


def _attestations(lines: list[str]) -> dict[str, list[tuple[str, list[tuple[int, int]]]]]:
    """path -> [(session or prompt key, merged line ranges)], from the lines above `---`."""
    files: dict[str, list[tuple[str, list[tuple[int, int]]]]] = {}
    current: str | None = None
    range_count = 0
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if not line:
            continue
        if line[0] not in " \t":
            current = line[1:-1] if len(line) >= 2 and line[0] == line[-1] == '"' else line
            continue
        if current is None:
            raise NoteFormatError(f"line {number}: an entry before any file path")
        parts = line.split(None, 1)
        if len(parts) != 2:
            raise NoteFormatError(f"line {number}: entry {clip_text(line, 40)!r} has no line ranges")
        key, spec = parts
        ranges = _ranges(spec, number)
        range_count += len(ranges)
        if range_count > MAX_NOTE_RANGES:
            raise NoteFormatError(f"more than {MAX_NOTE_RANGES} line ranges")
        if not ranges:
            raise NoteFormatError(f"line {number}: entry {clip_text(key, 40)!r} has no line ranges")
        files.setdefault(current, []).append((key, _merge_ranges(ranges)))
    return files


def _ranges(spec: str, number: int) -> list[tuple[int, int]]:
    """"1-5,9,12-14" -> [(1, 5), (9, 9), (12, 14)] (1-based, inclusive); NoteFormatError on a bad one."""
    ranges: list[tuple[int, int]] = []
    for item in spec.replace(" ", "").split(","):
        if not item:
            continue
        match = _RANGE.match(item)
        if not match:
            raise NoteFormatError(f"line {number}: bad line range {clip_text(item, 30)!r}")
        start = int(match.group(1))
        end = int(match.group(2) or start)
        if start < 1 or end < start:
            raise NoteFormatError(f"line {number}: bad line range {item!r}")
        ranges.append((start, end))
    return ranges


def _metadata(body: str) -> dict[str, Any]:
    """The JSON object below `---`, of a schema this parser knows (authorship/3.x)."""
    try:
        metadata = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise NoteFormatError(f"metadata is not valid JSON ({clip_text(str(exc), 60)})") from None
    if not isinstance(metadata, dict):
        raise NoteFormatError("metadata is not a JSON object")
    schema = metadata.get("schema_version")
    if not isinstance(schema, str) or not schema.startswith("authorship/3."):
        raise NoteFormatError(f"unsupported schema_version {clip_text(str(schema), 40)!r}")
    return metadata


def _sessions(metadata: dict[str, Any]) -> dict[str, GitAiSession]:
    """Session (or legacy prompt) key -> the tool and model that wrote its lines."""
    sessions: dict[str, GitAiSession] = {}
    for table in ("prompts", "sessions"):  # legacy prompt hashes, then s_... sessions
        records = metadata.get(table)
        if not isinstance(records, dict):
            continue
        for key, record in records.items():
            agent = record.get("agent_id") if isinstance(record, dict) else None
            agent = agent if isinstance(agent, dict) else {}
            model = agent.get("model")
            sessions[str(key)] = GitAiSession(_git_ai_tool(agent.get("tool")),
                                              clip_text(model, 60) if isinstance(model, str) and model else None)
    return sessions
