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
import itertools
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from app.core.hcl import HCL_SUFFIXES, MAX_HCL_BYTES, block_name, top_level_blocks
from app.core.metrics import csharp, ruby, typescript
from app.core.metrics.closures import closure_names, overload_names, qualified_name
from app.core.pyparse import parse_python

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
    qualname: str  # "RetryPolicy.backoff"; repeated names numbered "f#2" like app.core.metrics.complexity
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
    method: str = ""  # "ast", "lizard", "tree-sitter" or "indent" (the quick Python scanner); "" when none ran


def is_python(path: str) -> bool:
    return path.lower().endswith(_PYTHON_SUFFIXES)


def _lizard_reader(path: str) -> type | None:
    """lizard's reader class for the file's language, or None (lizard itself would guess C)."""
    try:
        from lizard_languages import get_reader_for
    except ImportError:  # pragma: no cover - lizard is a dependency; degrade to hunk edges
        return None
    reader = get_reader_for(posixpath.basename(ruby.lizard_path(path)))
    return reader  # type: ignore[no-any-return]


def language_of(path: str) -> str | None:
    """The language whose spans `definition_spans` can read for `path`, or None."""
    if is_python(path):
        return "python"
    if path.lower().endswith(HCL_SUFFIXES):
        return "hcl"
    if (read_by_tree_sitter := typescript.language_of(path)) is not None:
        return read_by_tree_sitter
    reader = _lizard_reader(path)
    if reader is None:
        return None
    names = getattr(reader, "language_names", None) or [reader.__name__.removesuffix("Reader").lower()]
    return str(names[0])


def _too_big(text: str, max_chars: int, max_line_chars: int) -> str | None:
    if len(text) > max_chars:
        return f"{len(text):,} characters (over {max_chars:,}): definitions not read"
    # Splitting is linear; a regex like [^\n]{N} would go quadratic on long lines.
    if len(text) > max_line_chars and _may_have_long_line(text, max_line_chars):
        longest = max(map(len, text.splitlines()), default=0)
        if longest > max_line_chars:
            return f"a line of {longest:,} characters (minified or data): definitions not read"
    return None


def _may_have_long_line(text: str, max_line_chars: int) -> bool:
    """Whether some newline-separated line of `text` is longer than `max_line_chars`.

    A window of max_line_chars + 1 characters without a newline holds part of such a line; one
    with a newline ends every line that starts in it, so the next window starts after its last
    newline. Ordinary code is cleared in a few jumps, without splitting it into line strings.
    (`splitlines` also cuts at other separators, so its lines are never longer than these.)
    """
    size = len(text)
    start = 0
    while size - start > max_line_chars:
        last_newline = text.rfind("\n", start, start + max_line_chars + 1)
        if last_newline < 0:
            return True
        start = last_newline + 1
    return False


def definition_spans(path: str, text: str, *, exact: bool = True, max_chars: int = MAX_SPAN_CHARS,
                     max_line_chars: int = MAX_LINE_CHARS) -> SpanResult:
    """The class and function spans of `text` (the content of `path`). Never raises.

    `exact=True` reads Python with `ast` and other languages with lizard. `exact=False` is the
    quick mode for naming: Python is read by an indentation scanner (about 20x faster than
    `ast.parse`, exact on ordinary code, but blind to syntax errors) and other languages are not
    read at all (lizard's tokenizer is slower still).
    """
    language = language_of(path)
    if language is None or not text or (not exact and language not in ("python", "hcl")):
        return SpanResult(language=language)
    refused = _too_big(text, max_chars, max_line_chars)
    if refused is not None:
        return SpanResult(error=refused, language=language)
    if language == "python":
        return _python_spans(text) if exact else indent_spans(text)
    if language == "hcl":
        return _hcl_spans(text)
    if language in (typescript.TYPESCRIPT, typescript.JAVASCRIPT):
        return _typescript_spans(path, text, language)
    return _lizard_spans(path, text, language)


def _typescript_spans(path: str, text: str, language: str) -> SpanResult:
    """TypeScript's and JavaScript's classes and functions read by tree-sitter, named as complexity names them:
    lizard made one function of an interface's call signature to the end of the file, and a function is never
    cut (QA51 #1)."""
    try:
        reading = typescript.read(path, text)
    except ImportError:  # tree-sitter not installed: lizard's spans
        return _lizard_spans(path, text, language)
    except Exception as exc:
        return SpanResult(error=f"not read by tree-sitter ({type(exc).__name__}: {exc})"[:200], language=language,
                          method="tree-sitter")
    found = [Span(KIND_CLASS if d.kind == typescript.KIND_CLASS else KIND_FUNCTION, d.name, d.start_line,
                  max(d.end_line, d.start_line)) for d in reading.definitions]
    return SpanResult(spans=_numbered(found), language=language, method="tree-sitter")


def _hcl_spans(text: str) -> SpanResult:
    """Terraform's top-level blocks (resource, module, variable, output, locals ...) as definitions: a
    357-line resource was cut in two at hunk edges and its halves reviewed out of order, and chunks were
    titled by line numbers. Named as Terraform addresses them (aws_db_instance.main, module.vpc, var.x)."""
    if len(text.encode("utf-8", "replace")) > MAX_HCL_BYTES:
        return SpanResult(error=f"{len(text):,} characters is over the HCL parse bound", language="hcl")
    try:
        blocks = top_level_blocks(text)
    except RecursionError:
        return SpanResult(error="HCL nests too deeply to read", language="hcl")
    except Exception as exc:
        return SpanResult(error=f"HCL does not parse: {exc.__class__.__name__}", language="hcl")
    spans = [Span(KIND_FUNCTION, block_name(kind, labels), start, max(start, end))
             for kind, labels, start, end in blocks]
    return SpanResult(spans=_numbered(spans), language="hcl", method="hcl2")


def _python_spans(text: str) -> SpanResult:
    try:
        tree = parse_python(text)
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

        readable = csharp.for_lizard(path, ruby.for_lizard(path, text))
        function_list = csharp.real_functions(
            lizard.analyze_file.analyze_source_code(ruby.lizard_path(path), readable).function_list)
        names = overload_names(path, function_list, [qualified_name(f) for f in function_list])
        bounds = [(name, int(f.start_line), int(max(f.end_line, f.start_line)))
                  for name, f in zip(names, function_list, strict=True)]
        # a test callback is `it("rejects an empty body")`, as complexity names it, not `(anonymous)#30`
        found = [Span(KIND_FUNCTION, name, start, end)
                 for name, (_, start, end) in zip(closure_names(bounds, text), bounds, strict=True)]
        # a Ruby test file's describe/context blocks hold its tests, its it/should/test blocks are tests; lizard reads
        # a block with parameters (`it "x" do |example|`) as a function named '"x"': the block's own name replaces it
        if blocks := ruby.test_blocks(path, text):
            starts = {start for _, _, start, _ in blocks}
            found = [span for span in found if span.start not in starts]
            found += [Span(KIND_CLASS if container else KIND_FUNCTION, name, start, end)
                      for container, name, start, end in blocks]
    except Exception as exc:  # a bug in lizard's reader (its TSX reader's IndexError): said in words (QA51 #3)
        return SpanResult(error=f"definitions not read (lizard's {language} reader failed on it: {type(exc).__name__})",
                          language=language, method="lizard")
    return SpanResult(spans=_numbered(found), language=language, method="lizard")


# -- the quick Python scanner -------------------------------------------------------------------
# A definition keyword and name; the scanner then checks that only indentation (or "async")
# precedes it on its line. Searching for the keyword is several times faster than a ^-anchored
# multi-line pattern, which the regex engine must try at every position.
_HEADER = re.compile(r"(def|class)[ \t]+([A-Za-z_][A-Za-z0-9_]*)")
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
        # (At width 0 without the empty repeat, which the regex engine would still try per line.)
        indent = rf"[ \t]{{0,{width}}}" if width else ""
        pattern = _dedent_patterns[width] = re.compile(rf"\n{indent}[^ \t\r\n#]")
    return pattern


def _bracket_depth(line: str) -> int:
    return len(line.translate(_CLOSERS)) - len(line.translate(_OPENERS))


def _multiline_strings(text: str) -> list[tuple[int, int]]:
    """(start, end) of each triple-quoted string that spans lines, in text order.

    Their lines may sit at any indentation and must not end a definition. A string runs from a
    triple quote to the next same triple quote; strings are taken leftmost first and do not
    overlap, as a lazy regex over both quote kinds would find them. `str.find` jumps from quote to
    quote, about 3x faster than the regex engine, which tries the pattern at every position.
    """
    if "'''" not in text:
        return _double_quoted_strings(text)
    out: list[tuple[int, int]] = []
    find = text.find
    double = find('"""')
    single = find("'''")
    while double >= 0 or single >= 0:
        if double >= 0 and (single < 0 or double < single):
            start, quote = double, '"""'
        else:
            start, quote = single, "'''"
        close = find(quote, start + 3)
        if close < 0:
            # Unclosed: no later string of this quote can close either (its closer would close this one).
            if quote == '"""':
                double = -1
            else:
                single = -1
            continue
        end = close + 3
        if find("\n", start, end) >= 0:
            out.append((start, end))
        if 0 <= double < end:
            double = find('"""', end)
        if 0 <= single < end:
            single = find("'''", end)
    return out


def _double_quoted_strings(text: str) -> list[tuple[int, int]]:
    """`_multiline_strings` of a text without triple single quotes: the pieces between successive
    triple double quotes alternate outside, inside, outside..., so one `split` finds every string
    (an unclosed last one is none)."""
    pieces = text.split('"""')
    # Piece k (odd, and followed by a closing quote) is inside a string. Only multi-line ones count.
    inside = [k for k in range(1, len(pieces) - 1, 2) if "\n" in pieces[k]]
    if not inside:
        return []
    ends = list(itertools.accumulate(map(len, pieces)))  # ends[k]: length of pieces 0..k, quotes left out
    return [(ends[k - 1] + 3 * (k - 1), ends[k] + 3 * (k + 1)) for k in inside]


def _headers(text: str) -> Iterator[re.Match[str]]:
    """The matches of `_HEADER.finditer(text)`, found by jumping with `str.find` to each "def" and
    "class" and matching only there: twice as fast as the regex engine's own search, which tries
    the pattern at every position of the text."""
    find = text.find
    match = _HEADER.match
    next_def, next_class = find("def"), find("class")
    end = 0  # matches do not overlap: the next one starts at or after the last one's end
    while next_def >= 0 or next_class >= 0:
        if next_def >= 0 and (next_class < 0 or next_def < next_class):
            pos, next_def = next_def, find("def", next_def + 1)
        else:
            pos, next_class = next_class, find("class", next_class + 1)
        if pos < end:
            continue
        found = match(text, pos)
        if found is None:
            continue
        yield found
        end = found.end()
        if 0 <= next_def < end:
            next_def = find("def", end)
        if 0 <= next_class < end:
            next_class = find("class", end)


def indent_spans(text: str) -> SpanResult:
    """Python definitions found by indentation, without parsing (the quick mode of definition_spans).

    A definition runs from its header (decorators included) to the last code line before the
    next code line indented no deeper than the header. Multi-line headers are followed to their
    closing bracket and triple-quoted strings are skipped, which covers formatted code (checked
    against `ast` on thousands of real files); what it gets wrong (a backslash continuation at
    column 0, say) changes names and cut points only, never the partition of a diff.
    """
    return SpanResult(spans=_spans_of(_indent_scan(text)), language="python", method="indent")


def _indent_scan(text: str) -> list[tuple[int, int, str, int, bool]]:
    """The definitions of `indent_spans` as sortable tuples (start, -end, qualname, seq, is_class).

    Tuples, not Spans, until the end: this loop runs once per definition of every Python file a
    plan names, so it keeps to locals and string methods (see bench/bench_chunks.py).
    """
    strings = _multiline_strings(text)
    string_starts = [start for start, _ in strings]
    found: list[tuple[int, int, str, int, bool]] = []
    open_defs: list[tuple[int, int, str]] = []  # (indent width, end position, qualname) of enclosing definitions
    line = 1  # the line number of `last_pos`, the start of the last header's line
    last_pos = 0
    known_pos, known_line = 0, 1  # a later position whose line is known: the last definition's end
    count = text.count
    for match in _headers(text):
        keyword_pos = match.start()
        if keyword_pos and text[keyword_pos - 1] != "\n":  # not the usual top-level definition
            placed = _header_line(text, keyword_pos)
            if placed is None:
                continue  # "undef x", "x.def_y"
            pos, width = placed
        else:
            pos, width = keyword_pos, 0
        if strings and _inside_string(strings, string_starts, keyword_pos):
            continue  # text inside a docstring
        # Newlines are counted from the last position whose line is known: the previous header's
        # line or, when it lies between that and this one, the previous definition's end.
        if last_pos <= known_pos <= pos:
            line = known_line + count("\n", known_pos, pos)
        else:
            line += count("\n", last_pos, pos)
        last_pos = pos
        while open_defs and (open_defs[-1][1] <= pos or open_defs[-1][0] >= width):
            open_defs.pop()
        qualname = open_defs[-1][2] + "." + match.group(2) if open_defs else match.group(2)
        body, stop = _definition_bounds(text, keyword_pos, width, strings, string_starts)
        end_pos = _last_code_line(text, body, stop)
        end = line + count("\n", pos, end_pos)
        known_pos, known_line = end_pos, end
        start = line
        if pos > 1 and text[pos - 2] != "\n":  # the line above is not empty
            above = text[text.rfind("\n", 0, pos - 1) + 1:pos].strip()
            # Only a line starting with "@" or ending a bracket can belong to a decorator.
            if above and (above[0] == "@" or above[-1] in ")]}"):
                start = line - _decorator_lines(text, pos, width)
        found.append((start, -(end if end > line else line), qualname, len(found), text[keyword_pos] == "c"))
        open_defs.append((width, stop, qualname))
    return found


def _header_line(text: str, keyword_pos: int) -> tuple[int, int] | None:
    """(start of the header's line, its indent width) for a keyword found at `keyword_pos`; None
    when something other than indentation (or "async") precedes it on its line."""
    if not keyword_pos or text[keyword_pos - 1] == "\n":
        return keyword_pos, 0  # usually the keyword itself starts the line: a top-level definition
    pos = text.rfind("\n", 0, keyword_pos) + 1
    if pos == keyword_pos:
        return pos, 0
    before = text[pos:keyword_pos]
    if not before.isspace() and before.split() != ["async"]:
        return None
    return pos, len(before) - len(before.lstrip(" \t"))


def _inside_string(strings: list[tuple[int, int]], string_starts: list[int], position: int) -> bool:
    i = bisect.bisect_right(string_starts, position) - 1
    return i >= 0 and strings[i][0] < position < strings[i][1]


def _definition_bounds(text: str, keyword_pos: int, width: int, strings: list[tuple[int, int]],
                       string_starts: list[int]) -> tuple[int, int]:
    """(where the body starts: the end of the header, where the definition stops: the start of the
    first code line indented no deeper than the header, or the end of the text)."""
    size = len(text)
    # Follow a multi-line header ("def f(\n    a,\n) -> int:") to its closing bracket.
    body = text.find("\n", keyword_pos)
    if body < 0:
        body = size
    # Nearly every header is one line ending with ":"; only others need their brackets counted.
    if text[body - 1] != ":":
        header = text[keyword_pos:body]
        if not header.rstrip().endswith(":"):
            body = _header_end(text, body, _bracket_depth(header))
    dedent = (_dedent_patterns.get(width) or _dedent_pattern(width)).search(text, body)
    while strings and dedent is not None:
        i = bisect.bisect_right(string_starts, dedent.start() + 1) - 1
        if i < 0 or not strings[i][0] < dedent.start() + 1 < strings[i][1]:
            break
        # A string line at any indentation: look again after the string.
        dedent = _dedent_patterns[width].search(text, strings[i][1])
    return body, size if dedent is None else dedent.start() + 1


def _last_code_line(text: str, body: int, stop: int) -> int:
    """The start of the definition's last line: the last code line before `stop` (trailing blank
    and comment lines belong to what follows, as in the ast's end_lineno). Usually only blank lines
    follow: a short tail window stripped at once finds it (else the slow walk)."""
    window_start = body if stop - 256 < body else stop - 256
    tail = text[window_start:stop].rstrip()
    if tail:
        line_start = tail.rfind("\n") + 1
        last_line = tail[line_start:].lstrip()
        if last_line and last_line[0] != "#":
            return window_start + line_start
    return _last_code_line_end(text, body, stop)


def _header_end(text: str, body: int, depth: int) -> int:
    """The end of a multi-line header ("def f(\n    a,\n) -> int:") whose first line ends at `body`
    with `depth` brackets open: the end of the line that closes them (within _MAX_HEADER_LINES)."""
    size = len(text)
    header_lines = 1
    while depth > 0 and body < size and header_lines < _MAX_HEADER_LINES:
        header_lines += 1
        nxt = text.find("\n", body + 1)
        nxt = size if nxt < 0 else nxt
        depth += _bracket_depth(text[body:nxt])
        body = nxt
    return body


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
        elif body and (depth > width or (depth == width and body[0] in ")]}")):
            pending += 1
        else:
            break
        end = start
    return count


def _spans_of(found: list[tuple[int, int, str, int, bool]]) -> tuple[Span, ...]:
    """Spans from `_indent_scan` tuples, sorted and numbered exactly as `_numbered` does: the
    tuples sort by (start, -end, qualname) and then by discovery order, like its stable sort."""
    found.sort()
    seen: dict[str, int] = {}
    out: list[Span] = []
    for start, negative_end, qualname, _, is_class in found:
        number = seen.get(qualname, 0) + 1
        seen[qualname] = number
        span = _new_object(Span)
        _SET_KIND(span, KIND_CLASS if is_class else KIND_FUNCTION)
        _SET_QUALNAME(span, qualname if number == 1 else f"{qualname}#{number}")
        _SET_START(span, start)
        _SET_END(span, -negative_end)
        out.append(span)
    return tuple(out)


# Span(...) without its frozen __init__, which sets each field through object.__setattr__ at about
# twice the cost of the slots' own setters (the quick scanner makes a Span per definition of
# every file a plan names): the same object, field for field.
_new_object = object.__new__
_SET_KIND = Span.__dict__["kind"].__set__
_SET_QUALNAME = Span.__dict__["qualname"].__set__
_SET_START = Span.__dict__["start"].__set__
_SET_END = Span.__dict__["end"].__set__


def _numbered(spans: list[Span]) -> tuple[Span, ...]:
    """Sort outer-first and number repeated qualnames ("f", "f#2") as app.core.metrics.complexity does."""
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
    # theirs; a function's own nested definitions must not repaint it, so those are skipped. So
    # at most one function is open at a time: the last one painted, until a span starts after it.
    function_end: int | None = None
    for index, span in enumerate(spans):
        start = span.start
        if function_end is not None and function_end >= start:
            continue  # inside a function: belongs to that function's unit
        end = span.end
        first = start if start > 1 else 1
        last = end if end < line_count else line_count
        if first <= last:
            owner[first:last + 1] = [index] * (last - first + 1)
        function_end = end if span.kind == KIND_FUNCTION else None
    return owner


# -- tests inside a source file ------------------------------------------------------------------
# Rust keeps its unit tests in the file they test: `#[cfg(test)] mod tests { ... }`, and `#[test]` or
# `#[tokio::test]` functions. Their lines are test lines (read at the test rate, their complexity left
# out of the code's), though the path says code (QA50 #3: uv's link.rs floored 347 test lines as code).
_TEST_ATTRIBUTE = re.compile(
    r"^[ \t]*#\[\s*(?:cfg\s*\(\s*(?:all\s*\(\s*)?test\b|(?:\w+::)*test\s*[\](])", re.MULTILINE)
# What can hide a brace from the counting: comments, strings (raw too), character literals.
_RUST_TOKENS = re.compile(r"//[^\n]*|/\*.*?\*/|r(#*)\".*?\"\1|b?\"(?:\\.|[^\"\\])*\"|b?'(?:\\.|[^\\'\n])'|[{};]",
                          re.DOTALL)
TEST_REGION_SUFFIXES = (".rs",)


def test_regions(path: str, text: str) -> tuple[tuple[int, int], ...]:
    """The line ranges (1-based, inclusive, from the attribute) of the tests a source file holds
    inside it: Rust's `#[cfg(test)]` items and `#[test]` functions; () for any other file. Never raises."""
    if not path.lower().endswith(TEST_REGION_SUFFIXES) or "test" not in text or len(text) > MAX_SPAN_CHARS:
        return ()
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    regions: list[tuple[int, int]] = []
    covered = -1
    for found in _TEST_ATTRIBUTE.finditer(text):
        if found.start() < covered:
            continue  # a #[test] inside a #[cfg(test)] module
        end = _item_end(text, found.end())
        regions.append((bisect.bisect_right(starts, found.start()), bisect.bisect_right(starts, max(end - 1, 0))))
        covered = end
    return tuple(regions)


def _item_end(text: str, position: int) -> int:
    """The offset just past the item that starts at `position`: its `;`, or its body's closing brace."""
    depth = 0
    for token in _RUST_TOKENS.finditer(text, position):
        kind = token.group()
        if kind == "{":
            depth += 1
        elif kind == "}":
            depth -= 1
            if depth <= 0:
                return token.end()
        elif kind == ";" and depth == 0:
            return token.end()
    return len(text)


Regions = tuple[tuple[int, int], ...]


class InFileTests:
    """The tests inside each version of a source file (test_regions), each blob read once through `read_blob`:
    the analysis reads a change's files with it, calibration each commit's, so both count the same lines as tests."""

    LIMIT = 4096  # blobs remembered

    def __init__(self, read_blob: Callable[[str], bytes | None]) -> None:
        self.read_blob = read_blob
        self.memo: dict[str, Regions] = {}

    def regions(self, path: str, blob: str | None, size: int | None = None) -> Regions:
        """The tests version `blob` of `path` holds (() for most files, an absent version, one too large)."""
        if not blob or not path.lower().endswith(TEST_REGION_SUFFIXES) or (size or 0) > 4 * MAX_SPAN_CHARS:
            return ()
        found = self.memo.get(blob)
        if found is None:
            if len(self.memo) >= self.LIMIT:
                self.memo.clear()
            data = self.read_blob(blob) or b""
            found = self.memo[blob] = test_regions(path, data.decode("utf-8", errors="replace"))
        return found


def in_regions(line: int, regions: tuple[tuple[int, int], ...]) -> bool:
    """Whether `line` lies in one of `regions` (test_regions: sorted, apart)."""
    at = bisect.bisect_right(regions, (line, 1 << 62)) - 1
    return at >= 0 and regions[at][0] <= line <= regions[at][1]


def test_line_count(lines: Iterable[tuple[str, int | None, int | None]], old_regions: tuple[tuple[int, int], ...],
                    new_regions: tuple[tuple[int, int], ...]) -> int:
    """How many of a file's diff lines, each (origin, old line number, new line number), lie in the tests of their
    own side (is_test_line): the analysis counts a change's from its hunks, calibration a commit's from its blobs."""
    if not old_regions and not new_regions:
        return 0
    return sum(1 for origin, old, new in lines if is_test_line(origin, old, new, old_regions, new_regions))


def is_test_line(origin: str, old_lineno: int | None, new_lineno: int | None,
                 old_regions: tuple[tuple[int, int], ...], new_regions: tuple[tuple[int, int], ...]) -> bool:
    """Whether a diff line lies in a test region of its own side (an added line: the new version's)."""
    if origin == "+":
        return new_lineno is not None and in_regions(new_lineno, new_regions)
    return origin == "-" and old_lineno is not None and in_regions(old_lineno, old_regions)
