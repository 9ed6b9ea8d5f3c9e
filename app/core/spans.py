"""Definition spans: where each class and function of a source file starts and ends.

The chunker cuts review chunks at these edges. Python is read with `ast` (classes, functions,
methods and nested definitions, decorators included); other languages with lizard's function
spans; anything else has no spans and the chunker falls back to hunk edges. Repository text is
untrusted: nothing here raises, and huge or minified input is refused with a note instead of
being parsed.
"""

from __future__ import annotations

import ast
import bisect
import posixpath
import re
from dataclasses import dataclass

# Above this many characters a file is not parsed: the chunker cuts it at hunk edges instead.
MAX_SPAN_CHARS = 2_000_000
# A line this long means minified code or data: its "definitions" would not help a reader.
MAX_LINE_CHARS = 5_000

KIND_CLASS = "class"
KIND_FUNCTION = "function"

_PYTHON_SUFFIXES = (".py", ".pyi", ".pyw")
# Statement fields that hold nested statement lists (if/for/while/try/with/match bodies) where a
# definition can hide, e.g. `if TYPE_CHECKING:` or `try: ... except ImportError: def f(): ...`.
_BODY_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")


@dataclass(frozen=True, slots=True)
class Span:
    """One definition. Lines are 1-based and inclusive; `start` includes decorators."""

    kind: str  # "class" | "function"
    qualname: str  # "RetryPolicy.backoff"; repeated names numbered "f#2" like app.core.complexity
    start: int
    end: int

    def contains(self, line: int) -> bool:
        return self.start <= line <= self.end


@dataclass(frozen=True, slots=True)
class SpanResult:
    """The definitions of one file, sorted by (start, -end) so outer definitions come first.

    `error` says why there are no spans when the file could not be read (does not parse, too
    large, minified); a language without a reader simply has no spans and no error.
    """

    spans: tuple[Span, ...] = ()
    error: str | None = None
    language: str | None = None  # "python", a lizard language name, or None when unsupported
    method: str = ""  # "ast", "lizard" or "indent" (the quick Python scanner); "" when none ran


def is_python(path: str) -> bool:
    return path.lower().endswith(_PYTHON_SUFFIXES)


def _lizard_reader(path: str) -> type | None:
    """lizard's reader class for the file's language, or None (lizard itself would guess C)."""
    try:
        from lizard_languages import get_reader_for
    except ImportError:  # pragma: no cover - lizard is a dependency; degrade to hunk edges
        return None
    reader = get_reader_for(posixpath.basename(path))
    return reader  # type: ignore[no-any-return]


def language_of(path: str) -> str | None:
    """The language whose spans `definition_spans` can read for `path`, or None."""
    if is_python(path):
        return "python"
    reader = _lizard_reader(path)
    if reader is None:
        return None
    names = getattr(reader, "language_names", None) or [reader.__name__.removesuffix("Reader").lower()]
    return str(names[0])


def _too_big(text: str, max_chars: int, max_line_chars: int) -> str | None:
    if len(text) > max_chars:
        return f"{len(text):,} characters (over {max_chars:,}): definitions not read"
    # Splitting is linear; a regex like [^\n]{N} would go quadratic on long lines.
    if len(text) > max_line_chars:
        longest = max(map(len, text.splitlines()), default=0)
        if longest > max_line_chars:
            return f"a line of {longest:,} characters (minified or data): definitions not read"
    return None


def definition_spans(path: str, text: str, *, exact: bool = True, max_chars: int = MAX_SPAN_CHARS,
                     max_line_chars: int = MAX_LINE_CHARS) -> SpanResult:
    """The class and function spans of `text` (the content of `path`). Never raises.

    `exact=True` reads Python with `ast` and other languages with lizard. `exact=False` is the
    quick mode for naming: Python is read by an indentation scanner (about 20x faster than
    `ast.parse`, exact on ordinary code, but blind to syntax errors) and other languages are not
    read at all (lizard's tokenizer is slower still).
    """
    language = language_of(path)
    if language is None or not text or not exact and language != "python":
        return SpanResult(language=language)
    refused = _too_big(text, max_chars, max_line_chars)
    if refused is not None:
        return SpanResult(error=refused, language=language)
    if language == "python":
        return _python_spans(text) if exact else indent_spans(text)
    return _lizard_spans(path, text, language)


def _python_spans(text: str) -> SpanResult:
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        where = f" line {exc.lineno}" if exc.lineno else ""
        return SpanResult(error=f"does not parse (SyntaxError{where}: {exc.msg})", language="python",
                          method="ast")
    except (ValueError, RecursionError, MemoryError) as exc:  # NUL bytes, absurd nesting
        return SpanResult(error=f"does not parse ({type(exc).__name__}: {exc})"[:200], language="python",
                          method="ast")
    spans: list[Span] = []
    # Iterative walk over statement lists only: expressions never hold a def/class statement
    # (lambdas are not reviewed as units), so skipping them keeps the walk cheap.
    stack: list[tuple[list[ast.stmt], str]] = [(tree.body, "")]
    while stack:
        body, prefix = stack.pop()
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                qualname = prefix + node.name
                start = min([node.lineno] + [d.lineno for d in node.decorator_list])
                end = node.end_lineno or node.lineno
                kind = KIND_CLASS if isinstance(node, ast.ClassDef) else KIND_FUNCTION
                spans.append(Span(kind, qualname, start, end))
                stack.append((node.body, qualname + "."))
                continue
            for name in _BODY_FIELDS:
                nested = getattr(node, name, None)
                if not nested:
                    continue
                for item in nested:
                    # except-handlers and match-cases are not statements but carry a body.
                    if isinstance(item, ast.stmt):
                        stack.append(([item], prefix))
                    else:
                        stack.append((getattr(item, "body", []), prefix))
    return SpanResult(spans=_numbered(spans), language="python", method="ast")


def _lizard_spans(path: str, text: str, language: str) -> SpanResult:
    try:
        import lizard

        info = lizard.analyze_file.analyze_source_code(path, text)
        found = [Span(KIND_FUNCTION, str(f.name), int(f.start_line), int(max(f.end_line, f.start_line)))
                 for f in info.function_list]
    except Exception as exc:  # noqa: BLE001 - lizard's readers are not hardened against odd input
        return SpanResult(error=f"not analysed by lizard ({type(exc).__name__}: {exc})"[:200], language=language,
                          method="lizard")
    return SpanResult(spans=_numbered(found), language=language, method="lizard")


# -- the quick Python scanner -------------------------------------------------------------------
# A definition keyword and name; the scanner then checks that only indentation (or "async")
# precedes it on its line. Searching for the keyword is several times faster than a ^-anchored
# multi-line pattern, which the regex engine must try at every position.
_HEADER = re.compile(r"(def|class)[ \t]+([A-Za-z_][A-Za-z0-9_]*)")
# Triple-quoted strings: their lines may sit at any indentation and must not end a definition.
_TRIPLE = re.compile(r"\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''")
_OPENERS = str.maketrans("", "", "([{")
_CLOSERS = str.maketrans("", "", ")]}")
_dedent_patterns: dict[int, re.Pattern[str]] = {}
# A header still unbalanced after this many lines is a string with a bracket in it, not a signature.
_MAX_HEADER_LINES = 60
# How far above a header a multi-line decorator ("@retry(\n    tries=3,\n)") is looked for.
_MAX_DECORATOR_LINES = 40


def _dedent_pattern(width: int) -> re.Pattern[str]:
    """A newline then a code line (not blank, not a comment) indented at most `width` characters."""
    pattern = _dedent_patterns.get(width)
    if pattern is None:
        pattern = _dedent_patterns[width] = re.compile(rf"\n[ \t]{{0,{width}}}[^ \t\r\n#]")
    return pattern


def _bracket_depth(line: str) -> int:
    return len(line.translate(_CLOSERS)) - len(line.translate(_OPENERS))


def indent_spans(text: str) -> SpanResult:
    """Python definitions found by indentation, without parsing (the quick mode of definition_spans).

    A definition runs from its header (decorators included) to the last code line before the
    next code line indented no deeper than the header. Multi-line headers are followed to their
    closing bracket and triple-quoted strings are skipped, which covers formatted code (checked
    against `ast` on thousands of real files); what it gets wrong (a backslash continuation at
    column 0, say) changes names and cut points only, never the partition of a diff.
    """
    strings = [(m.start(), m.end()) for m in _TRIPLE.finditer(text) if text.find("\n", m.start(), m.end()) >= 0]
    string_starts = [start for start, _ in strings]

    def inside_string(pos: int) -> int:
        """The end of the multi-line string holding `pos`, or -1."""
        i = bisect.bisect_right(string_starts, pos) - 1
        return strings[i][1] if i >= 0 and strings[i][0] < pos < strings[i][1] else -1

    spans: list[Span] = []
    open_defs: list[tuple[int, int, str]] = []  # (indent width, end position, qualname) of enclosing definitions
    line = 1
    last_pos = 0
    size = len(text)
    for match in _HEADER.finditer(text):
        keyword_pos = match.start()
        pos = text.rfind("\n", 0, keyword_pos) + 1  # start of the header's line
        before = text[pos:keyword_pos]
        words = before.split()
        if words and words != ["async"] or inside_string(keyword_pos) >= 0:
            continue  # "undef x", "x.def_y", or text inside a docstring
        width = len(before) - len(before.lstrip(" \t"))
        line += text.count("\n", last_pos, pos)
        last_pos = pos
        while open_defs and (open_defs[-1][1] <= pos or open_defs[-1][0] >= width):
            open_defs.pop()
        qualname = (open_defs[-1][2] + "." if open_defs else "") + match.group(2)
        # Follow a multi-line header ("def f(\n    a,\n) -> int:") to its closing bracket.
        body = text.find("\n", keyword_pos)
        body = size if body < 0 else body
        header = text[keyword_pos:body]
        # Nearly every header is one line ending with ":"; only others need their brackets counted.
        depth = 0 if header.rstrip().endswith(":") else _bracket_depth(header)
        header_lines = 1
        while depth > 0 and body < size and header_lines < _MAX_HEADER_LINES:
            header_lines += 1
            nxt = text.find("\n", body + 1)
            nxt = size if nxt < 0 else nxt
            depth += _bracket_depth(text[body:nxt])
            body = nxt
        # The first code line indented no deeper than the header ends the definition.
        pattern = _dedent_pattern(width)
        search_from = body
        while True:
            found = pattern.search(text, search_from)
            if found is None:
                stop = size
                break
            string_end = inside_string(found.start() + 1)
            if string_end < 0:
                stop = found.start() + 1
                break
            search_from = string_end
        # The definition's last line is the last code line before `stop`: trailing blank and
        # comment lines belong to what follows, as in the ast's end_lineno.
        end_pos = _last_code_line_end(text, body, stop)
        end = line + text.count("\n", pos, end_pos)
        above = text[text.rfind("\n", 0, pos - 1) + 1:pos].strip() if pos else ""
        # Only a line starting with "@" or ending a bracket can belong to a decorator (usually it is blank).
        decorated = above[:1] == "@" or above[-1:] in (")", "]", "}")
        start = line - _decorator_lines(text, pos, width) if decorated else line
        kind = KIND_CLASS if match.group(1) == "class" else KIND_FUNCTION
        spans.append(Span(kind, qualname, start, max(end, line)))
        open_defs.append((width, stop, qualname))
    return SpanResult(spans=_numbered(spans), language="python", method="indent")


def _last_code_line_end(text: str, body: int, stop: int) -> int:
    """A position on the last code line in text[body:stop] (`body` when there is none)."""
    # Usually the definition is followed by blank lines only: strip a short tail window at once.
    window_start = max(body, stop - 256)
    tail = text[window_start:stop].rstrip()
    if tail:
        last_line = tail[tail.rfind("\n") + 1:].lstrip()
        if last_line and not last_line.startswith("#"):
            return window_start + tail.rfind("\n") + 1
    end = stop
    while end > body:
        line_start = text.rfind("\n", 0, end - 1) + 1
        stripped = text[line_start:end].strip()
        if stripped and not stripped.startswith("#"):
            return line_start
        end = line_start
    return body


def _decorator_lines(text: str, pos: int, width: int) -> int:
    """How many lines of decorators sit directly above the header whose line starts at `pos`.

    A decorator starts with "@" at the header's indentation; the lines of a multi-line decorator
    between it and the header are deeper or start with a closing bracket.
    """
    count = pending = 0
    end = pos
    while end > 0 and pending < _MAX_DECORATOR_LINES:
        start = text.rfind("\n", 0, end - 1) + 1
        candidate = text[start:end].rstrip("\r\n")
        body = candidate.lstrip(" \t")
        depth = len(candidate) - len(body)
        if depth == width and body.startswith("@"):
            count += pending + 1
            pending = 0
        elif body and (depth > width or depth == width and body[0] in ")]}"):
            pending += 1
        else:
            break
        end = start
    return count


def _numbered(spans: list[Span]) -> tuple[Span, ...]:
    """Sort outer-first and number repeated qualnames ("f", "f#2") as app.core.complexity does."""
    ordered = sorted(spans, key=lambda s: (s.start, -s.end, s.qualname))
    seen: dict[str, int] = {}
    out: list[Span] = []
    for span in ordered:
        count = seen.get(span.qualname, 0) + 1
        seen[span.qualname] = count
        out.append(span if count == 1 else Span(span.kind, f"{span.qualname}#{count}", span.start, span.end))
    return tuple(out)


def unit_index(spans: tuple[Span, ...], line_count: int) -> list[int]:
    """For each line 1..line_count, the index in `spans` of the unit that owns it, or -1.

    The unit of a line is its outermost enclosing function (a closure stays with its function:
    a function is never cut), or, outside functions, its innermost enclosing class (class-level
    statements). Index 0 of the result is unused so that line numbers index it directly.
    """
    owner = [-1] * (line_count + 2)
    # Spans are sorted outer-first: classes paint their range, then nested definitions repaint
    # theirs; a function's own nested definitions must not repaint it, so those are skipped.
    function_ends: list[int] = []  # end lines of the function spans currently open
    for index, span in enumerate(spans):
        while function_ends and function_ends[-1] < span.start:
            function_ends.pop()
        if function_ends:  # inside a function: belongs to that function's unit
            continue
        start, end = max(span.start, 1), min(span.end, line_count)
        if start <= end:
            owner[start:end + 1] = [index] * (end - start + 1)
        if span.kind == KIND_FUNCTION:
            function_ends.append(span.end)
    return owner
