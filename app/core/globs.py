"""Path globs in the style of .gitignore and CODEOWNERS, compiled once to regular expressions.

Used for tier rules and anywhere else a user names paths (generated files, skipped paths).

Semantics (paths are repository-relative, "/"-separated, case-sensitive as git is):
- `*` matches any run of characters except "/"; `?` one character except "/"; `[abc]`, `[a-z]`,
  `[!abc]` / `[^abc]` a character class (never "/"); a backslash escapes the next character.
- `**` as a whole segment matches any number of directories, including none: `**/x`, `a/**/b`, `a/**`.
  Inside a segment (`a**b`) it is an ordinary `*`.
- A pattern without a slash (other than a trailing one) matches at any depth: `*.tf` matches
  `infra/x/main.tf`. A slash at the start or in the middle anchors it at the root: `/Makefile`, `db/*.sql`.
- A pattern matches a path when it matches the whole path or one of its parent directories, as in
  .gitignore: `terraform` covers `infra/terraform/main.tf`, `docs/*` covers `docs/a/b.md`.
- A trailing "/" matches directories only, so `docs/` covers everything under any `docs` directory but not
  a file named `docs`.
- `!` negation is not supported (a tier rule list already has last-match-wins); `\\!` is a literal "!".

Matching cannot be driven into catastrophic backtracking by a hostile pattern (repository config is
untrusted): the text between stars is matched leftmost inside atomic groups, the classic linear-time
wildcard strategy that Python's fnmatch also uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from app.errors import ReviewTuiError

MAX_PATTERN_LENGTH = 1_000  # longer patterns are surely a mistake, and cost compile time


class GlobError(ReviewTuiError):
    """An invalid glob. `str(error)` reads "invalid glob '<pattern>' (<problem>)"."""

    def __init__(self, pattern: str, problem: str) -> None:
        self.pattern = pattern
        self.problem = problem
        super().__init__(f"invalid glob {pattern!r} ({problem})")


@dataclass(frozen=True)
class Glob:
    """A compiled glob. `regex` fullmatches exactly the paths the pattern covers."""

    pattern: str
    source: str = field(repr=False, compare=False)  # the regex, compiled at its first use: most globs
    # are matched by their shape (a name, a suffix, a prefix) or inside a GlobSet's combined regex, and
    # compiling the ~200 default tier globs one by one cost every command 35 ms
    shape: tuple[str, str, bool] | None = field(default=None, repr=False, compare=False)
    literal_segments: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    @cached_property
    def regex(self) -> re.Pattern[str]:
        try:
            return re.compile(self.source, re.DOTALL)
        except (re.error, RecursionError, OverflowError) as exc:  # pragma: no cover - translation bug guard
            raise GlobError(self.pattern, f"cannot compile: {exc}") from None

    def match(self, path: str) -> bool:
        return self.regex.fullmatch(_normalise_path(path)) is not None


def _normalise_path(path: str) -> str:
    # Git never produces these, but a user-typed path may start with "./" or "/".
    if path.startswith("./"):
        path = path[2:]
    return path.lstrip("/")


def _class_regex(pattern: str, content: str, negate: bool) -> str:
    """The regex of a bracket expression's content (without the brackets)."""
    out: list[str] = []
    i = 0
    while i < len(content):
        char = content[i]
        if char == "\\" and i + 1 < len(content):
            out.append(re.escape(content[i + 1]))
            i += 2
            continue
        # "-" keeps its range meaning; everything regex-special inside a class is escaped.
        out.append(char if char == "-" else re.escape(char))
        i += 1
    body = "".join(out)
    regex = f"[^/{body}]" if negate else f"[{body}]"
    try:
        re.compile(regex)
    except re.error as exc:
        raise GlobError(pattern, f"bad character class [{content}]: {exc.msg}") from None
    return regex


def _segment_pieces(pattern: str, segment: str) -> list[str]:
    """Split one segment at its (unescaped) star runs, translating every piece to regex."""
    pieces: list[str] = []
    current: list[str] = []
    i = 0
    n = len(segment)
    while i < n:
        char = segment[i]
        if char == "\\":
            if i + 1 >= n:
                raise GlobError(pattern, "trailing backslash")
            current.append(re.escape(segment[i + 1]))
            i += 2
        elif char == "*":
            while i < n and segment[i] == "*":
                i += 1
            pieces.append("".join(current))
            current = []
        elif char == "?":
            current.append("[^/]")
            i += 1
        elif char == "[":
            j = i + 1
            negate = j < n and segment[j] in "!^"
            if negate:
                j += 1
            start = j
            if j < n and segment[j] == "]":  # "]" first in a class is a literal
                j += 1
            while j < n and segment[j] != "]":
                j += 2 if segment[j] == "\\" else 1
            if j >= n:
                raise GlobError(pattern, "unbalanced '['")
            current.append(_class_regex(pattern, segment[start:j], negate))
            i = j + 1
        else:
            current.append(re.escape(char))
            i += 1
    pieces.append("".join(current))
    return pieces


def _segment_regex(pattern: str, segment: str) -> str:
    pieces = _segment_pieces(pattern, segment)
    if len(pieces) == 1:
        return pieces[0]
    # P0 *C1 *C2 ... *Pm: each middle chunk is matched leftmost and committed (atomic group); only the
    # tail may backtrack, which keeps matching linear in the segment length.
    middle = "".join(f"(?>[^/]*?{chunk})" for chunk in pieces[1:-1])
    return f"{pieces[0]}{middle}[^/]*{pieces[-1]}"


@dataclass(frozen=True)
class _Parsed:
    """A pattern split into path segments, `**` segments as None; unanchored patterns start with None."""

    tokens: tuple[str | None, ...]
    directory_only: bool


def _parse(pattern: str) -> _Parsed:
    text = pattern.strip()
    if not text:
        raise GlobError(pattern, "empty pattern")
    if len(text) > MAX_PATTERN_LENGTH:
        raise GlobError(pattern[:40] + "...", f"longer than {MAX_PATTERN_LENGTH} characters")
    if text.startswith("!"):
        raise GlobError(pattern, "negation '!' is not supported; write '\\!' for a literal '!'")
    anchored = text.startswith("/")
    body = text[1:] if anchored else text
    directory_only = body.endswith("/") and not body.endswith("\\/")
    if directory_only:
        body = body[:-1]
    if not body:
        raise GlobError(pattern, "matches no path")
    segments = body.split("/")
    if any(not segment for segment in segments):
        raise GlobError(pattern, "empty path segment ('//')")
    if len(segments) > 1:
        anchored = True  # a slash in the middle anchors, as in .gitignore
    tokens: list[str | None] = [] if anchored else [None]
    for segment in segments:
        token = None if segment == "**" else segment
        if token is None and tokens and tokens[-1] is None:
            continue  # "**/**" is "**"
        tokens.append(token)
    return _Parsed(tuple(tokens), directory_only)


def _regex(pattern: str, parsed: _Parsed) -> str:
    tokens = parsed.tokens
    leading = tokens[0] is None
    trailing = tokens[-1] is None
    groups: list[list[str]] = []  # runs of plain segments between `**` tokens
    run: list[str] = []
    for token in tokens:
        if token is None:
            if run:
                groups.append(run)
            run = []
        else:
            run.append(token)
    if run:
        groups.append(run)

    regex = ""
    for index, group in enumerate(groups):
        group_regex = "/".join(_segment_regex(pattern, segment) for segment in group)
        after_double_star = index > 0 or leading
        if index == len(groups) - 1 and not trailing:
            regex += ("(?:.*/)?" if after_double_star else "") + group_regex
        elif after_double_star:
            # Leftmost occurrence, committed: a later occurrence could only leave less path for the rest.
            regex += f"(?>(?:.*?/)??{group_regex}/)"
        else:
            regex += f"{group_regex}/"
    if trailing:
        regex += ".*"
    if parsed.directory_only:
        regex += "/.*"
    elif not trailing:
        regex += "(?:/.*)?"  # a matched directory covers everything under it
    return regex


_WILDCARD_CHARS = frozenset("*?[\\")


def _is_literal(segment: str | None) -> bool:
    return segment is not None and not (_WILDCARD_CHARS & set(segment))


def _shape(pattern: str, parsed: _Parsed) -> tuple[str, str, bool] | None:
    """The cheap matching strategy for common pattern shapes, or None (use the regex).

    ("name", literal, dir_only): some path component equals literal (`Dockerfile`, `auth/`, `**/auth/**`).
    ("suffix", literal, False): some component ends with literal (`*.tf`, `*_test.go`).
    ("name-glob", segment regex, dir_only): some component matches one segment pattern (`test_*.py`,
    `**/payment*/**`).
    ("prefix", literal, needs_more): the path is literal or starts with literal + "/" (`/Makefile`,
    `docs/**`, `.github/workflows/`); needs_more when only what is under it matches.
    """
    tokens, dir_only = parsed.tokens, parsed.directory_only
    if tokens[0] is None and len(tokens) in (2, 3):
        name = tokens[1]
        trailing = len(tokens) == 3
        if trailing and tokens[2] is not None:
            return None
        if _is_literal(name) and not (trailing and dir_only):
            return ("name", name, dir_only or trailing)  # type: ignore[return-value]
        if (not trailing and not dir_only and name is not None and name.startswith("*")
                and _is_literal(name.lstrip("*")) and "." in name):
            return ("suffix", name.lstrip("*"), False)
        if name is not None and not (trailing and dir_only):
            return ("name-glob", _segment_regex(pattern, name), dir_only or trailing)
        return None
    literal = [t for t in tokens if t is not None]
    trailing = tokens[-1] is None
    if tokens[0] is not None and all(_is_literal(t) for t in literal) and (
        len(literal) == len(tokens) or (trailing and len(literal) == len(tokens) - 1)
    ):
        if trailing and dir_only:
            return None
        return ("prefix", "/".join(literal), trailing or dir_only)
    return None


@lru_cache(maxsize=4096)
def _compile_cached(pattern: str) -> Glob:
    parsed = _parse(pattern)
    literals = frozenset(t for t in parsed.tokens if t is not None and _is_literal(t))
    return Glob(pattern, _regex(pattern, parsed), _shape(pattern, parsed), literals)


def compile_glob(pattern: str) -> Glob:
    """Compile `pattern` (cached); raises GlobError when it is invalid."""
    if not isinstance(pattern, str):
        raise GlobError(repr(pattern), "not a string")
    return _compile_cached(pattern)


class GlobSet:
    """Several globs matched together, fast.

    `last_match` answers "which is the last pattern that matches" (the last-match-wins rule of tier
    lists and .gitignore). Common shapes are answered per path component: dictionary look-ups for exact
    names, suffixes such as `*.tf` and literal directory prefixes (the way ripgrep's globset does), one
    combined regex per component for one-segment patterns such as `test_*.py`. The remaining patterns
    share one combined regex, run only when the path holds every literal segment of one of them.
    """

    def __init__(self, patterns: Iterable[str]) -> None:
        self.globs: tuple[Glob, ...] = tuple(compile_glob(p) for p in patterns)
        self._names: dict[str, list[tuple[int, bool]]] = {}  # component -> (index, only if not last)
        self._suffixes: dict[str, list[tuple[str, int]]] = {}  # final ".ext" -> (suffix, index)
        self._prefixes: dict[str, list[tuple[int, bool]]] = {}  # literal path -> (index, needs more)
        name_globs: dict[bool, list[tuple[int, str]]] = {False: [], True: []}  # only-directories -> ...
        hints: list[str] = []
        rest: list[tuple[int, Glob]] = []
        for index, glob in enumerate(self.globs):
            shape = glob.shape
            if shape is None:
                rest.append((index, glob))
                continue
            kind, value, flag = shape
            if kind == "name":
                self._names.setdefault(value, []).append((index, flag))
            elif kind == "suffix":
                self._suffixes.setdefault(value[value.rfind("."):], []).append((value, index))
            elif kind == "prefix":
                self._prefixes.setdefault(value, []).append((index, flag))
            else:
                name_globs[flag].append((index, value))
                hints.append(_required_literal(glob.pattern))
        self._component_any = _Alternation(name_globs[False])
        self._component_dirs = _Alternation(name_globs[True])
        # One-segment patterns are tried per component only when the path contains one of their literal
        # parts (a single C-level search), which most paths do not.
        self._component_hint: re.Pattern[str] | None = None
        if hints and all(hints):
            self._component_hint = re.compile("|".join(re.escape(h) for h in sorted(set(hints))))
        self._rest = _Alternation([(index, glob.source) for index, glob in rest])
        # The rest regex can only match a path that has all the literal segments of some rest pattern.
        self._rest_needs: list[frozenset[str]] | None = [glob.literal_segments for _, glob in rest]
        if any(not needs for needs in self._rest_needs):
            self._rest_needs = None  # some pattern has no literal segment: always run the regex
        self._rest_any_need = frozenset().union(*self._rest_needs) if self._rest_needs else frozenset()

    @property
    def patterns(self) -> list[str]:
        return [glob.pattern for glob in self.globs]

    def last_match(self, path: str) -> int | None:
        """Index (in the original order) of the last pattern that matches `path`, or None."""
        path = _normalise_path(path)
        parts = path.split("/")
        best = self._component_match(path, parts, self._literal_match(parts))
        if self._rest.highest > best:
            needs = self._rest_needs
            if needs is None or (not self._rest_any_need.isdisjoint(parts)
                                 and any(need.issubset(parts) for need in needs)):
                best = max(best, self._rest.last_match(path))
        return best if best >= 0 else None

    def _literal_match(self, parts: list[str]) -> int:
        """The best index among exact names, "*.ext" suffixes and anchored prefixes: dict lookups per
        path segment (-1: none)."""
        best = -1
        last = len(parts) - 1
        names, suffixes, prefixes = self._names, self._suffixes, self._prefixes
        prefix = ""
        for position, part in enumerate(parts):
            if names:
                for index, only_directories in names.get(part, ()):
                    if index > best and (position < last or not only_directories):
                        best = index
            if suffixes:
                dot = part.rfind(".")
                if dot >= 0:
                    for suffix, index in suffixes.get(part[dot:], ()):
                        if index > best and part.endswith(suffix):
                            best = index
            if prefixes:
                prefix = f"{prefix}/{part}" if position else part
                for index, needs_more in prefixes.get(prefix, ()):
                    if index > best and (position < last or not needs_more):
                        best = index
        return best

    def _component_match(self, path: str, parts: list[str], best: int) -> int:
        """`best` raised by the one-segment wildcard patterns that match some segment of the path."""
        component_any, component_dirs = self._component_any, self._component_dirs
        if component_any.highest < 0 and component_dirs.highest < 0:
            return best
        if self._component_hint is not None and self._component_hint.search(path) is None:
            return best
        last = len(parts) - 1
        for position, part in enumerate(parts):
            if component_any.highest > best:
                best = max(best, component_any.last_match(part))
            if position < last and component_dirs.highest > best:
                best = max(best, component_dirs.last_match(part))
        return best

    def matches(self, path: str) -> bool:
        """True when any pattern matches `path`."""
        return self.last_match(path) is not None

    def __len__(self) -> int:
        return len(self.globs)


_WILDCARD_PIECE = re.compile(r"\*+|\?|\[(?:[!^]?\]?[^\]]*)\]")


def _required_literal(pattern: str) -> str:
    """The longest wildcard-free piece of a one-segment pattern, which every match contains; "" when
    the pattern has escapes (the piece would not be the literal text)."""
    segment = next((s for s in pattern.strip().split("/") if s and s != "**"), "")
    if "\\" in segment:
        return ""
    return max(_WILDCARD_PIECE.split(segment), key=len)


class _Alternation:
    """Regexes (with their pattern indexes) in one alternation that reports the highest matching index."""

    def __init__(self, members: list[tuple[int, str]]) -> None:
        ordered = sorted(members, reverse=True)
        # The engine reports the first alternative that fullmatches: list them highest index first.
        self._indexes = [index for index, _ in ordered]
        self.highest = ordered[0][0] if ordered else -1
        alternatives = "|".join(f"({regex})" for _, regex in ordered)
        self._regex = re.compile(alternatives, re.DOTALL) if ordered else None

    def last_match(self, text: str) -> int:
        """The highest index whose regex fullmatches `text`, or -1."""
        if self._regex is None:
            return -1
        found = self._regex.fullmatch(text)
        if found is None or found.lastindex is None:
            return -1
        return self._indexes[found.lastindex - 1]
