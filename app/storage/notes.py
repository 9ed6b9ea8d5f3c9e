"""Review records shared through git notes: the export / import behind `review-tui sync` and `check`.

Review records live in the local ledger for speed and are also written as git notes under
``refs/notes/review-tui``, one note per reviewed head commit, so a team shares them through its
ordinary git remote (SPEC.md "Where it grows past one machine").

Format (version 1)
------------------
A note is UTF-8 text, one record per line, lines sorted and unique. Every line is self-contained, so
two reviewers' notes on the same commit merge with git's own ``cat_sort_uniq`` strategy (concatenate,
sort, drop duplicate lines) without conflicts, and merging twice changes nothing::

    review-tui/1 decision <time> <record-id> <reviewer> <decision> <chunk-hash|-> key=value ...
    review-tui/1 comment <time> <record-id> <reviewer> <chunk-hash|-> key=value ...
    review-tui/1 thread <time> <record-id> <reviewer> <resolved|open> key=value ...

- Fields are separated by one space. The first four (``review-tui/<version>``, the record kind, the
  time, the record id) are fixed for every version, so a reader can name a record it cannot read.
- ``<time>``: UTC, fixed width, ``2026-02-03T10:11:12.123456Z`` (lines of a note sort by time).
- ``<record-id>``: unique id of the record (``[A-Za-z0-9._-]``, a uuid hex for records made by
  review-tui); importing a record id that is already known changes nothing.
- ``<reviewer>``: the reviewer's email (git's ``user.email``), percent-encoded.
- ``<decision>``: ``approve``, ``flag`` or ``later``. ``<chunk-hash>``: the content hash of the chunk
  decided on, or ``-`` for a decision on the whole change.
- ``key=value`` pairs: values are percent-encoded UTF-8 (RFC 3986; so no value holds a space, ``=``
  or a newline); a key whose value is unknown is left out. Decision keys: ``head`` (the reviewed commit;
  the commit the note is attached to when absent), ``change`` (the change id where it was reviewed,
  e.g. a branch name), ``index`` (the chunk's position in that plan), ``fast`` (0/1: approved faster
  than the floor time), ``unopened`` (chunks never opened, change level), ``opened`` (0/1: the chunk was
  on screen), ``active`` and ``floor`` (seconds), ``lines``, ``tier``, ``ai`` (AI share 0..1), ``cx``
  (complexity added), ``covers`` (change level: the chunk hashes covered, comma-separated), ``note``,
  ``carried`` and ``from`` (an approval carried over from another change making the same edit: the
  record id and the change id it was given on; the carried record itself is given on this change).
  Comment keys: ``head``, ``change``, ``path``, ``line``, ``side`` (``old``/``new``), ``body``, and
  ``reply`` (the record id of the thread's root comment, for a reply; a reader that does not know
  the key shows the reply as a comment of its own).
- A ``thread`` record resolves (``resolved``) or reopens (``open``) the comment thread whose root
  comment is ``thread=<record id>``; keys ``head``, ``change``, ``thread``. The newest act wins.
  (Readers before ledger schema 8 report the kind as unknown, skip the line and keep it.)
- ``sig``: the record's SSH signature (``app/storage/signing.py``: OpenSSH's SSHSIG, namespace
  ``review-tui``, base64 of the binary blob). When present it is the LAST pair, and it signs the
  line's UTF-8 bytes before `` sig=``: every other field, the record kind and version included. A
  copy of a record id whose signature verifies is preferred over one that does not. Decisions,
  comments and thread records are signed alike.
- Readers ignore keys they do not know, so version 1 may gain keys. A change that a version-1
  reader would misread bumps the version: lines of a newer version (``review-tui/2 ...``) are kept
  verbatim whenever review-tui rewrites a note (never destroyed) and reported, not imported.
  Malformed lines are reported, skipped, and also kept.

Reading is bounded: a note larger than ``MAX_NOTE_BYTES`` is not read (its size is known before),
a line longer than ``MAX_LINE_CHARS`` is skipped unread, at most ``MAX_RECORDS`` records are read in
all, and the warnings are summarised past ``MAX_WARNINGS``: whoever can push the notes ref cannot
make `check` or `sync` slow, hungry or flooded.

Writing is compare-and-swap on the notes ref (libgit2 refuses to commit when the ref moved since it
was read): a sync that loses a race with another re-reads the notes and retries once.

Change-level decisions bind to the chunk hashes they covered; the ledger keeps those in the
``decision_coverage`` table (schema 3), read and written by the helpers below.
"""

from __future__ import annotations

import base64
import binascii
import re
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from app.core.git.models import WORKTREE_ID
from app.core.policy.rules import ApprovalRecord
from app.errors import RepoError
from app.storage.db import write_transaction
from app.storage.ledger import DECISIONS, THREAD_STATES, Comment, Decision, Ledger, ThreadState
from app.storage.signing import SignatureError, verify

if TYPE_CHECKING:
    from app.core.git.repo import GitRepo

NOTES_REF = "refs/notes/review-tui"
REMOTE_NOTES_PATTERN = re.compile(r"^refs/notes/remotes/([^/]+)/review-tui$")
FORMAT_VERSION = 1
PREFIX = "review-tui/"

_RECORD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_HASH = re.compile(r"^[0-9A-Za-z._-]{1,128}$")
_OBJECT_ID = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_SAFE = "@._~+-"  # left as they are by percent-encoding: emails and hashes stay readable

MAX_NOTE_BYTES = 4 << 20
"""A larger note (about 10,000 records) is reported and not read: git notes hold one note per
reviewed commit, so a real one stays far smaller."""
MAX_LINE_CHARS = 16_384
"""A longer line is no record of ours (the longest real ones are a few hundred characters)."""
MAX_RECORDS = 200_000
"""Records read from all notes refs together; past that the rest is reported, not read."""
MAX_WARNINGS = 20
"""Warnings kept per read; the rest are counted in one summary line."""
_SIG_KEY = " sig="

Covered = tuple[str, ...] | None
NoteDecision = tuple[Decision, Covered]


# -- the line format -------------------------------------------------------------------------------


def _quote(value: str) -> str:
    return urllib.parse.quote(value, safe=_SAFE)


def _unquote(value: str) -> str:
    return urllib.parse.unquote(value, errors="strict")


def format_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime(_TIME_FORMAT)


def parse_time(text: str) -> float:
    return datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=UTC).timestamp()


def _number(value: float) -> str:
    return repr(round(float(value), 6))


def format_decision(decision: Decision, covers: Sequence[str] | None = None,
                    carried: tuple[str, str] | None = None) -> str:
    """The note line of one decision (version 1); `carried`: (record id, change id) of the approval
    on another change that this one carries over."""
    pairs: list[tuple[str, str | None]] = [
        ("head", decision.head),
        ("change", decision.change_id),
        ("index", None if decision.chunk_index is None else str(decision.chunk_index)),
        ("fast", "1" if decision.fast else "0"),
        ("unopened", str(int(decision.unopened_chunks))),
        ("opened", "1" if decision.opened else "0"),
        ("active", _number(decision.active_seconds_at_decision)),
        ("floor", None if decision.floor_seconds is None else _number(decision.floor_seconds)),
        ("lines", str(int(decision.changed_lines))),
        ("tier", None if decision.tier is None else str(decision.tier)),
        ("ai", None if decision.ai_share is None else _number(decision.ai_share)),
        ("cx", None if decision.complexity_added is None else _number(decision.complexity_added)),
        ("covers", None if covers is None or decision.chunk_hash is not None else ",".join(covers)),
        ("note", decision.note),
        ("carried", carried[0] if carried else None),
        ("from", carried[1] if carried else None),
    ]
    fields = [
        f"{PREFIX}{FORMAT_VERSION}", "decision", format_time(decision.created_at), decision.record_id,
        _quote(decision.reviewer), decision.decision, decision.chunk_hash or "-",
    ]
    fields += [f"{key}={_quote(value)}" for key, value in pairs if value is not None]
    return " ".join(fields)


def format_comment(comment: Comment) -> str:
    """The note line of one comment (version 1)."""
    pairs: list[tuple[str, str | None]] = [
        ("head", comment.head),
        ("change", comment.change_id),
        ("path", comment.path),
        ("line", None if comment.line is None else str(comment.line)),
        ("side", comment.side),
        ("body", comment.body),
        ("reply", comment.reply_to),
    ]
    fields = [f"{PREFIX}{FORMAT_VERSION}", "comment", format_time(comment.created_at), comment.record_id,
              _quote(comment.reviewer), comment.chunk_hash or "-"]
    fields += [f"{key}={_quote(value)}" for key, value in pairs if value is not None]
    return " ".join(fields)


def format_thread_state(state: ThreadState) -> str:
    """The note line of one resolve / reopen act (version 1)."""
    pairs = [("head", state.head), ("change", state.change_id), ("thread", state.thread_id)]
    fields = [f"{PREFIX}{FORMAT_VERSION}", "thread", format_time(state.created_at), state.record_id,
              _quote(state.reviewer), state.state]
    fields += [f"{key}={_quote(value)}" for key, value in pairs]
    return " ".join(fields)


class _Malformed(ValueError):
    """A line that claims to be a review-tui record but cannot be read."""


def line_record_id(line: str) -> str | None:
    """The record id of a review-tui line of any version (field 4), or None."""
    parts = line.split(" ")
    if len(parts) >= 4 and parts[0].startswith(PREFIX) and _RECORD_ID.match(parts[3]):
        return parts[3]
    return None


def _line_version(line: str) -> int:
    if not line.startswith(PREFIX):
        raise _Malformed("not a review-tui record")
    token = line.split(" ", 1)[0][len(PREFIX):]
    if not token.isdigit() or int(token) < 1:
        raise _Malformed(f"bad version {token!r}")
    return int(token)


def _pairs(tokens: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for token in tokens:
        key, sep, raw = token.partition("=")
        if not sep or not _KEY.match(key):
            raise _Malformed(f"expected key=value, got {token[:40]!r}")
        if key in values:
            raise _Malformed(f"key {key!r} given twice")
        try:
            values[key] = _unquote(raw)
        except UnicodeDecodeError:
            raise _Malformed(f"{key}: not UTF-8 after percent-decoding") from None
    return values


def _int(values: dict[str, str], key: str, default: int | None) -> int | None:
    if key not in values:
        return default
    try:
        return int(values[key])
    except ValueError:
        raise _Malformed(f"{key}: expected an integer, got {values[key][:20]!r}") from None


def _float(values: dict[str, str], key: str, default: float | None) -> float | None:
    if key not in values:
        return default
    try:
        number = float(values[key])
    except ValueError:
        raise _Malformed(f"{key}: expected a number, got {values[key][:20]!r}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise _Malformed(f"{key}: not a finite number")
    return number


def _flag(values: dict[str, str], key: str, default: bool) -> bool:
    if key not in values:
        return default
    if values[key] not in ("0", "1"):
        raise _Malformed(f"{key}: expected 0 or 1, got {values[key][:20]!r}")
    return values[key] == "1"


def _common(tokens: list[str]) -> tuple[float, str, str]:
    """(time, record id, reviewer) of a version-1 line's fixed fields."""
    try:
        created_at = parse_time(tokens[2])
    except ValueError:
        raise _Malformed(f"bad time {tokens[2][:40]!r}") from None
    record_id = tokens[3]
    if not _RECORD_ID.match(record_id):
        raise _Malformed(f"bad record id {record_id[:40]!r}")
    try:
        reviewer = _unquote(tokens[4]).strip()
    except UnicodeDecodeError:
        raise _Malformed("reviewer: not UTF-8") from None
    if not reviewer or any(c.isspace() for c in reviewer):
        raise _Malformed(f"bad reviewer {tokens[4][:60]!r}")
    return created_at, record_id, reviewer


def _head(values: dict[str, str], note_commit: str) -> str:
    head = values.get("head", note_commit).lower()
    if not _OBJECT_ID.match(head):
        raise _Malformed(f"head: not a commit id: {head[:50]!r}")
    return head


def _chunk(token: str) -> str | None:
    if token == "-":
        return None
    if not _HASH.match(token):
        raise _Malformed(f"bad chunk hash {token[:40]!r}")
    return token


def parse_decision_line(line: str, note_commit: str, repo: str) -> NoteDecision:
    tokens = line.split(" ")
    if len(tokens) < 7:
        raise _Malformed("too few fields for a decision")
    created_at, record_id, reviewer = _common(tokens)
    decision = tokens[5]
    if decision not in DECISIONS:
        raise _Malformed(f"unknown decision {decision[:20]!r}")
    chunk_hash = _chunk(tokens[6])
    values = _pairs(tokens[7:])
    if "change" not in values or not values["change"]:
        raise _Malformed("no change id (change=)")
    covers: Covered = None
    if chunk_hash is None and "covers" in values:
        covered = tuple(h for h in values["covers"].split(",") if h)
        if any(not _HASH.match(h) for h in covered):
            raise _Malformed("covers: bad chunk hash")
        covers = covered
    unopened = _int(values, "unopened", 0) or 0
    record = Decision(
        id=None,
        session_id=None,
        reviewer=reviewer,
        repo=repo,
        change_id=values["change"],
        head=_head(values, note_commit),
        chunk_hash=chunk_hash,
        chunk_index=_int(values, "index", None),
        decision=decision,
        note=values.get("note", ""),
        active_seconds_at_decision=_float(values, "active", 0.0) or 0.0,
        floor_seconds=_float(values, "floor", None),
        fast=_flag(values, "fast", False),
        unopened_chunks=max(unopened, 0),
        opened=_flag(values, "opened", chunk_hash is None and unopened == 0),
        changed_lines=_int(values, "lines", 0) or 0,
        tier=_int(values, "tier", None),
        ai_share=_float(values, "ai", None),
        complexity_added=_float(values, "cx", None),
        created_at=created_at,
        source="notes",
        record_id=record_id,
    )
    return record, covers


def parse_comment_line(line: str, note_commit: str, repo: str) -> Comment:
    tokens = line.split(" ")
    if len(tokens) < 6:
        raise _Malformed("too few fields for a comment")
    created_at, record_id, reviewer = _common(tokens)
    chunk_hash = _chunk(tokens[5])
    values = _pairs(tokens[6:])
    for key in ("change", "path"):
        if not values.get(key):
            raise _Malformed(f"no {key}= in a comment")
    side = values.get("side", "new")
    if side not in ("old", "new"):
        raise _Malformed(f"side: expected old or new, got {side[:10]!r}")
    reply_to = values.get("reply") or None
    if reply_to is not None and not _RECORD_ID.match(reply_to):
        raise _Malformed(f"reply: bad record id {reply_to[:40]!r}")
    return Comment(id=None, session_id=None, reviewer=reviewer, repo=repo, change_id=values["change"],
                   head=_head(values, note_commit), chunk_hash=chunk_hash, path=values["path"],
                   line=_int(values, "line", None), side=side, body=values.get("body", ""),
                   created_at=created_at, source="notes", record_id=record_id, reply_to=reply_to)


def parse_thread_line(line: str, note_commit: str, repo: str) -> ThreadState:
    tokens = line.split(" ")
    if len(tokens) < 6:
        raise _Malformed("too few fields for a thread record")
    created_at, record_id, reviewer = _common(tokens)
    state = tokens[5]
    if state not in THREAD_STATES:
        raise _Malformed(f"unknown thread state {state[:20]!r}")
    values = _pairs(tokens[6:])
    if not values.get("change"):
        raise _Malformed("no change= in a thread record")
    thread = values.get("thread", "")
    if not _RECORD_ID.match(thread):
        raise _Malformed(f"thread: bad record id {thread[:40]!r}")
    return ThreadState(id=None, session_id=None, reviewer=reviewer, repo=repo, change_id=values["change"],
                       head=_head(values, note_commit), thread_id=thread, state=state, created_at=created_at,
                       source="notes", record_id=record_id)


@dataclass
class ParsedNotes:
    """What the notes held: records to use, and what could not be used (reported, never destroyed)."""

    decisions: list[NoteDecision] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    thread_states: list[ThreadState] = field(default_factory=list)
    newer: list[str] = field(default_factory=list)
    """Where lines of a newer format version were found (kept, not imported)."""
    malformed: list[str] = field(default_factory=list)
    """Where unreadable lines, notes or refs were found, and why (kept, skipped); at most MAX_WARNINGS."""
    notes: int = 0
    """How many notes (annotated commits) were read."""
    signers: dict[str, bytes] = field(default_factory=dict)
    """{record id: public key blob} of every record whose signature verified (who signed is not yet
    who is trusted: `check` asks the base commit's allowed-signers file)."""
    unverified: dict[str, str] = field(default_factory=dict)
    """{record id: why} of records carrying a signature that did not verify."""
    carries: dict[str, tuple[str, str]] = field(default_factory=dict)
    """{record id: (record id, change id)} of carried-over approvals (keys ``carried`` and ``from``)."""
    dropped: int = 0
    """Warnings past MAX_WARNINGS, only counted."""

    @property
    def problems(self) -> list[str]:
        found = [*self.newer, *self.malformed]
        if self.dropped:
            found.append(f"... and {self.dropped} more problem(s) in the review notes (not listed)")
        return found

    @property
    def records(self) -> int:
        return len(self.decisions) + len(self.comments) + len(self.thread_states)

    def warn(self, message: str) -> None:
        if len(self.newer) + len(self.malformed) < MAX_WARNINGS:
            self.malformed.append(message)
        else:
            self.dropped += 1

    def _keep(self, record_id: str, signer: bytes | None, seen: dict[str, bool]) -> bool | None:
        """True: a new record; None: replaces the unsigned copy already kept; False: a duplicate."""
        if record_id not in seen:
            seen[record_id] = signer is not None
            return True
        if signer is not None and not seen[record_id]:
            seen[record_id] = True
            return None
        return False

    def add_decision(self, item: NoteDecision, signer: bytes | None, seen: dict[str, bool]) -> None:
        keep = self._keep(item[0].record_id, signer, seen)
        if keep is None:
            self.decisions = [d for d in self.decisions if d[0].record_id != item[0].record_id]
        if keep is not False:
            self.decisions.append(item)
            if signer is not None:
                self.signers[item[0].record_id] = signer

    def add_comment(self, comment: Comment, signer: bytes | None, seen: dict[str, bool]) -> None:
        keep = self._keep(comment.record_id, signer, seen)
        if keep is None:
            self.comments = [c for c in self.comments if c.record_id != comment.record_id]
        if keep is not False:
            self.comments.append(comment)
            if signer is not None:
                self.signers[comment.record_id] = signer

    def add_thread_state(self, act: ThreadState, signer: bytes | None, seen: dict[str, bool]) -> None:
        keep = self._keep(act.record_id, signer, seen)
        if keep is None:
            self.thread_states = [t for t in self.thread_states if t.record_id != act.record_id]
        if keep is not False:
            self.thread_states.append(act)
            if signer is not None:
                self.signers[act.record_id] = signer

    def seen(self) -> dict[str, bool]:
        """{record id: signed} of what is kept, for merging more notes in."""
        ids = [d.record_id for d, _ in self.decisions] + [c.record_id for c in self.comments]
        ids += [t.record_id for t in self.thread_states]
        return {record_id: record_id in self.signers for record_id in ids}

    def add(self, other: ParsedNotes) -> None:
        """Merge another note's or ref's records: the first copy of a record id wins, except that a
        copy whose signature verified replaces an unsigned one."""
        seen = self.seen()
        for item in other.decisions:
            self.add_decision(item, other.signers.get(item[0].record_id), seen)
        for comment in other.comments:
            self.add_comment(comment, other.signers.get(comment.record_id), seen)
        for act in other.thread_states:
            self.add_thread_state(act, other.signers.get(act.record_id), seen)
        self.unverified.update(other.unverified)
        for record_id, origin in other.carries.items():
            self.carries.setdefault(record_id, origin)
        for message in [*other.newer, *other.malformed]:
            self.warn(message)
        self.dropped += other.dropped
        self.notes += other.notes


def split_signature(line: str) -> tuple[str, bytes | None]:
    """(the signed part of a record line, the SSHSIG blob or None when unsigned)."""
    at = line.rfind(_SIG_KEY)
    if at < 0:
        return line, None
    token = line[at + len(_SIG_KEY):]
    if " " in token:
        raise _Malformed("sig= must be the last field")
    try:
        return line[:at], base64.b64decode(_unquote(token), validate=True)
    except (binascii.Error, ValueError):
        raise _Malformed("sig: not base64") from None


def sign_line(line: str, sign: Callable[[bytes], bytes]) -> str:
    """`line` with its signature appended (`sign` makes an SSHSIG blob, see app/storage/signing.py)."""
    return f"{line}{_SIG_KEY}{_quote(base64.b64encode(sign(line.encode('utf-8'))).decode('ascii'))}"


def _parse_line(line: str, note_commit: str, repo: str, out: ParsedNotes,
                seen: dict[str, bool]) -> str | None:
    """Add one record line to `out`; returns a warning when its signature did not verify (the
    record is then kept as an unsigned one)."""
    body, blob = split_signature(line)
    kind = body.split(" ", 2)[1] if " " in body else ""
    parse = _PARSERS.get(kind)
    if parse is None:
        raise _Malformed(f"unknown record kind {kind[:20]!r}")
    record = parse(body, note_commit, repo)
    record_id = record[0].record_id if isinstance(record, tuple) else record.record_id
    if isinstance(record, tuple):
        carried = _carried(body)
        if carried is not None:
            out.carries.setdefault(record_id, carried)
    signer: bytes | None = None
    problem: str | None = None
    if blob is not None:
        try:
            signer = verify(body.encode("utf-8"), blob)
        except SignatureError as exc:
            problem = out.unverified[record_id] = str(exc)
    _add(out, record, signer, seen)
    if problem is None:
        return None
    return f"record {record_id}: signature not valid ({problem}); read as unsigned"


def _carried(body: str) -> tuple[str, str] | None:
    """(record id, change id) of the ``carried``/``from`` keys of a decision line, when both are there."""
    values = _pairs(body.split(" ")[7:])
    record_id, change_id = values.get("carried", ""), values.get("from", "")
    if not record_id or not change_id:
        return None
    if not _RECORD_ID.match(record_id):
        raise _Malformed(f"carried: bad record id {record_id[:40]!r}")
    return record_id, change_id


NoteRecord = NoteDecision | Comment | ThreadState
_PARSERS: dict[str, Callable[[str, str, str], NoteRecord]] = {
    "decision": parse_decision_line, "comment": parse_comment_line, "thread": parse_thread_line,
}


def _add(out: ParsedNotes, record: NoteRecord, signer: bytes | None, seen: dict[str, bool]) -> None:
    if isinstance(record, tuple):
        out.add_decision(record, signer, seen)
    elif isinstance(record, Comment):
        out.add_comment(record, signer, seen)
    else:
        out.add_thread_state(record, signer, seen)


def parse_note(note_commit: str, text: str, repo: str, *, where: str = "",
               max_records: int = MAX_RECORDS) -> ParsedNotes:
    """Parse the note attached to `note_commit`; `repo` is the ledger's repo key for the records.

    At most `max_records` records are read; lines longer than MAX_LINE_CHARS are skipped unread."""
    out = ParsedNotes(notes=1)
    seen: dict[str, bool] = {}
    place = where or f"note on {note_commit[:10]}"
    for number, raw in enumerate(text.splitlines(), 1):
        if out.records >= max_records:
            out.warn(f"{place}: stopped at line {number}: more than {max_records:,} records; "
                     "the rest not read")
            break
        if len(raw) > MAX_LINE_CHARS:
            out.warn(f"{place}: line {number}: {len(raw):,} characters, too long for a record; skipped")
            continue
        line = raw.strip()
        if not line:
            continue
        try:
            version = _line_version(line)
            if version > FORMAT_VERSION:
                if len(out.newer) + len(out.malformed) < MAX_WARNINGS:
                    out.newer.append(f"{place}: line {number}: written by a newer review-tui "
                                     f"(format {version}); kept, not imported")
                else:
                    out.dropped += 1
                continue
            problem = _parse_line(line, note_commit, repo, out, seen)
            if problem:
                out.warn(f"{place}: line {number}: {problem}")
        except _Malformed as exc:
            out.warn(f"{place}: line {number}: {exc}; skipped")
    return out


def note_text(lines: Iterable[str]) -> str:
    """A note's content: sorted unique non-blank lines, newline-terminated (what cat_sort_uniq makes)."""
    unique = sorted({line.rstrip("\r\n") for line in lines if line.strip()})
    return "".join(line + "\n" for line in unique)


# -- reading the notes refs ------------------------------------------------------------------------


def notes_refs(repo: GitRepo) -> list[str]:
    """The notes refs holding review records: ours, then every fetched `refs/notes/remotes/*/review-tui`."""
    found = [NOTES_REF] if repo.reference_target(NOTES_REF) else []
    found += [name for name in repo.ref_names("refs/notes/remotes/") if REMOTE_NOTES_PATTERN.match(name)]
    return found


def read_notes(repo: GitRepo, repo_key: str, refs: Sequence[str] | None = None) -> ParsedNotes:
    """Every record of every note under the given refs (default: notes_refs), deduplicated by record id.

    Never raises for what is in the notes: an unreadable ref, note or line is a warning naming it.
    Notes larger than MAX_NOTE_BYTES are not read, and at most MAX_RECORDS records in all."""
    out = ParsedNotes()
    for ref in notes_refs(repo) if refs is None else refs:
        shown = ref.removeprefix("refs/notes/")
        try:
            tip = repo.reference_target(ref)
            if tip is None:
                continue
            found = repo.notes_at(tip, max_bytes=MAX_NOTE_BYTES)
        except RepoError as exc:
            out.warn(f"{shown}: cannot read the notes ({exc}); skipped")
            continue
        for problem in found.problems:
            out.warn(f"{shown}: {problem}")
        for commit_id, data in sorted(found.notes.items()):
            where = f"{shown} note on {commit_id[:10]}"
            budget = MAX_RECORDS - out.records
            if budget <= 0:
                out.warn(f"{shown}: more than {MAX_RECORDS:,} records; the notes from {where} on not read")
                break
            out.add(parse_note(commit_id, data.decode("utf-8", errors="replace"), repo_key, where=where,
                               max_records=budget))
    return out


# -- change-level coverage in the ledger (schema 3) ----------------------------------------------


def store_coverage(ledger: Ledger, coverage: dict[str, Sequence[str]]) -> int:
    """Remember which chunk hashes change-level decisions covered ({record id: hashes}); a record
    already known keeps its first coverage. Returns how many were new."""
    rows = [(record_id, " ".join(hashes)) for record_id, hashes in coverage.items()]
    if not rows:
        return 0
    db = ledger.db
    with write_transaction(db, ledger.path, "recording what change approvals covered", ledger.timeout):
        before = db.conn.total_changes
        db.conn.executemany(
            "INSERT OR IGNORE INTO decision_coverage (record_id, chunk_hashes) "
            "SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM decisions WHERE record_id = ?1)",
            rows,
        )
        return db.conn.total_changes - before


def coverage_of(ledger: Ledger) -> dict[str, tuple[str, ...]]:
    """{record id: covered chunk hashes} of every change-level decision whose coverage is known."""
    rows = ledger.db.execute("SELECT record_id, chunk_hashes FROM decision_coverage").fetchall()
    return {record_id: tuple(h for h in hashes.split(" ") if h) for record_id, hashes in rows}


# -- records signed when they were made (schema 7) ----------------------------------------------


def sign_record(ledger: Ledger, decision: Decision, covers: Sequence[str] | None, sign: Signer,
                carried: tuple[str, str] | None = None) -> str:
    """Sign a ledger decision's note line now and keep the signed line beside it (table
    ``record_signatures``): the ledger's copy then verifies like the notes' copy, and `sync` exports
    exactly this line. Returns the line."""
    line = sign_line(format_decision(decision, covers, carried), sign)
    with write_transaction(ledger.db, ledger.path, "keeping a record's signature", ledger.timeout):
        ledger.db.conn.execute("INSERT OR REPLACE INTO record_signatures (record_id, line) VALUES (?, ?)",
                               (decision.record_id, line))
    return line


def sign_decision(ledger: Ledger, decision: Decision, covers: Sequence[str] | None, sign: Signer,
                  carried: tuple[str, str] | None = None) -> str | None:
    """sign_record for a decision just made; returns why it stays unsigned (None: signed). A record
    on the working tree (no commit to attach a note to) is never exported, so it is not signed."""
    if not _OBJECT_ID.match(decision.head):
        return None
    try:
        sign_record(ledger, decision, covers, sign, carried)
    except SignatureError as exc:
        return f"record not signed ({exc}); `review-tui sync` signs it when the key can be used"
    return None


def signed_lines(ledger: Ledger, record_ids: Iterable[str] | None = None) -> dict[str, tuple[str, str]]:
    """{record id: (head, signed line)} of ledger records signed when they were made (all, or those given)."""
    import json

    sql = ("SELECT d.record_id, d.head, s.line FROM record_signatures s JOIN decisions d USING (record_id)")
    params: list[str] = []
    if record_ids is not None:
        sql += " WHERE s.record_id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(sorted(set(record_ids))))
    return {str(rid): (str(head), str(line)) for rid, head, line in ledger.db.execute(sql, params).fetchall()}


def signed_copies(ledger: Ledger, repo_key: str, record_ids: Iterable[str]) -> ParsedNotes:
    """The ledger's signed lines of the given records, parsed and verified as notes are (a line that
    does not verify reads as unsigned, with why)."""
    out = ParsedNotes()
    seen: dict[str, bool] = {}
    for record_id, (head, line) in signed_lines(ledger, record_ids).items():
        where = f"the ledger's signed copy of record {record_id}"
        try:
            problem = _parse_line(line, head, repo_key, out, seen)
        except _Malformed as exc:
            out.warn(f"{where}: {exc}; not used")
            continue
        if problem:
            out.warn(f"{where}: {problem}")
    out.decisions = [(replace(d, source="local"), covers) for d, covers in out.decisions]
    return out


def approval_record(decision: Decision, covers: Covered) -> ApprovalRecord:
    """The policy's view of a ledger decision."""
    return ApprovalRecord(
        reviewer=decision.reviewer, decision=decision.decision, chunk_hash=decision.chunk_hash,
        head=decision.head, fast=decision.fast, unopened_chunks=decision.unopened_chunks,
        opened=decision.opened, created_at=decision.created_at, record_id=decision.record_id,
        source=decision.source, covers=covers if decision.chunk_hash is None else None,
        active_seconds=decision.active_seconds_at_decision, floor_seconds=decision.floor_seconds,
        change_id=decision.change_id,
        note=decision.note,
    )


# -- import and export -----------------------------------------------------------------------------


@dataclass
class ImportResult:
    decisions: int = 0
    """Decisions new to the ledger."""
    comments: int = 0
    """Comments new to the ledger."""
    thread_states: int = 0
    """Resolve / reopen acts new to the ledger."""
    refs: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class ExportResult:
    records: int = 0
    """Lines added to notes."""
    commits: int = 0
    """Notes (head commits) written."""
    tip: str | None = None
    """The notes ref's target afterwards."""
    skipped_missing_head: int = 0
    """Local records whose head commit is not in this repository (deleted branch, gc'd force-push)."""
    retried: bool = False
    """Another writer moved the notes ref during the export; it was redone on top of theirs."""
    problems: list[str] = field(default_factory=list)


def import_notes(ledger: Ledger, repo: GitRepo, repo_key: str) -> ImportResult:
    """Import every record of every review-tui notes ref into the ledger (source 'notes'), idempotently."""
    refs = notes_refs(repo)
    parsed = read_notes(repo, repo_key, refs)
    result = ImportResult(refs=refs, problems=parsed.problems)
    decisions = [d for d, _ in parsed.decisions]
    if decisions:
        result.decisions = ledger.import_decisions(decisions, source="notes")
    if parsed.comments:
        result.comments = ledger.import_comments(parsed.comments, source="notes")
    if parsed.thread_states:
        result.thread_states = ledger.import_thread_states(parsed.thread_states, source="notes")
    store_coverage(ledger, {d.record_id: covers for d, covers in parsed.decisions
                            if covers is not None and d.chunk_hash is None})
    ledger.store_carries(parsed.carries)
    return result


Signer = Callable[[bytes], bytes]
"""Makes the SSHSIG blob of a record line (e.g. ``lambda data: signing.sign(data, key)``)."""


def _pending_lines(ledger: Ledger, repo: GitRepo, repo_key: str,
                   signer: Signer | None = None) -> tuple[dict[str, list[tuple[str, str]]], int]:
    """{head commit: [(record id, note line)]} of every local record of this repo, signed when a
    signer is given, and how many records have no commit here to attach to."""
    coverage = coverage_of(ledger)
    carries = ledger.carries()
    lines: dict[str, list[tuple[str, str]]] = {}
    missing = 0
    present: dict[str, bool] = {}

    def usable(head: str) -> bool:
        if head not in present:
            present[head] = head != WORKTREE_ID and bool(_OBJECT_ID.match(head)) and repo.has_commit(head)
        return present[head]

    signed = signed_lines(ledger)
    for decision in ledger.iter_decisions(repo=repo_key, source="local"):
        if not usable(decision.head):
            missing += 1 if decision.head != WORKTREE_ID else 0
            continue
        covers = coverage.get(decision.record_id)
        if decision.record_id in signed:  # signed when it was made: exported as it was signed
            line = signed[decision.record_id][1]
        else:
            line = format_decision(decision, covers, carries.get(decision.record_id))
            line = sign_line(line, signer) if signer else line
        lines.setdefault(decision.head, []).append((decision.record_id, line))
    for comment in ledger.iter_comments(repo=repo_key, source="local"):
        if not usable(comment.head):
            missing += 1 if comment.head != WORKTREE_ID else 0
            continue
        line = format_comment(comment)
        line = sign_line(line, signer) if signer else line
        lines.setdefault(comment.head, []).append((comment.record_id, line))
    for act in ledger.iter_thread_states(repo=repo_key, source="local"):
        if not usable(act.head):
            missing += 1 if act.head != WORKTREE_ID else 0
            continue
        line = format_thread_state(act)
        line = sign_line(line, signer) if signer else line
        lines.setdefault(act.head, []).append((act.record_id, line))
    return lines, missing


def export_notes(ledger: Ledger, repo: GitRepo, repo_key: str, signer: Signer | None = None) -> ExportResult:
    """Add every local record not yet in the note of its head commit to ``refs/notes/review-tui``.

    Existing lines (other reviewers', newer versions', malformed ones) are kept verbatim; a record
    is added only when no line of its note has its record id. One commit per export; a lost race
    with another writer is retried once on top of the other writer's notes.
    """
    pending, missing = _pending_lines(ledger, repo, repo_key, signer)
    result = ExportResult(skipped_missing_head=missing)
    if missing:
        result.problems.append(
            f"{missing} local record(s) were not exported: their head commit is not in this repository "
            "(branch deleted or force-pushed and garbage-collected)"
        )
    for attempt in range(2):
        tip = repo.reference_target(NOTES_REF)
        read = repo.notes_at(tip, max_bytes=MAX_NOTE_BYTES)
        existing = read.notes
        updates: dict[str, str] = {}
        added = 0
        for head, tagged in pending.items():
            if head in read.unread:
                if attempt == 0:
                    result.problems.append(f"the note on {head[:10]} could not be read; its "
                                           f"{len(tagged)} local record(s) were not exported there")
                continue
            current = existing.get(head, b"").decode("utf-8", errors="replace")
            old_lines = [line for line in current.splitlines() if line.strip()]
            known = {line_record_id(line) for line in old_lines}
            # A record exported before a signing key was set up gets its signed copy beside the old
            # line (readers prefer the copy whose signature verifies; the old line stays, as always).
            signed_known = {line_record_id(line) for line in old_lines if _SIG_KEY in line}
            new_lines = [line for record_id, line in tagged
                         if record_id not in known or (_SIG_KEY in line and record_id not in signed_known)]
            if new_lines:
                updates[head] = note_text([*old_lines, *new_lines])
                added += len(new_lines)
        if not updates:
            result.tip = tip
            return result
        written = repo.write_notes(NOTES_REF, updates, expected_tip=tip,
                                   message=f"review-tui: {added} review record(s)")
        if written is not None:
            result.records, result.commits, result.tip = added, len(updates), written
            return result
        result.retried = True
    raise RepoError(f"{NOTES_REF} kept moving while review-tui wrote to it (another sync running?); "
                    "nothing was lost: run `review-tui sync` again")


@dataclass
class SyncResult:
    imported: ImportResult
    exported: ExportResult

    @property
    def problems(self) -> list[str]:
        return [*self.imported.problems, *self.exported.problems]


def sync(ledger: Ledger, repo: GitRepo, repo_key: str, signer: Signer | None = None) -> SyncResult:
    """Import every notes ref into the ledger, then export local records to ``refs/notes/review-tui``
    (each line signed by `signer` when given)."""
    imported = import_notes(ledger, repo, repo_key)
    exported = export_notes(ledger, repo, repo_key, signer)
    return SyncResult(imported, exported)

