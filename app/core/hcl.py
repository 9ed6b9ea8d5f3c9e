"""HCL (Terraform) read with python-hcl2's lark parser: once per file version in a process.

The destructive-operation detector (core/impact/destructive/terraform.py) and the review plan's definition
spans (core/metrics/spans.py) read the same `.tf` files; lark parses about 100-200 KB/s, and a cold `list`
of a Terraform repository spent most of its time parsing the same blobs again. Repository text is
untrusted: callers bound its size (MAX_HCL_BYTES) and catch what the parser raises.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

MAX_HCL_BYTES = 96_000  # python-hcl2 (lark) parses about 100-200 KB/s
HCL_SUFFIXES = (".tf", ".hcl")
_TREES_KEPT = 16  # lark trees are large: kept only while their file is read by both callers
_ANSWERS_KEPT = 4_096  # what callers make of a tree is small: a repository's .tf versions across all changes
_TREES: OrderedDict[bytes, Any] = OrderedDict()
_ANSWERS: OrderedDict[tuple[str, bytes], Any] = OrderedDict()
_LOCK = threading.Lock()


def digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=16).digest()


def _bounded_put(cache: OrderedDict[Any, Any], key: Any, value: Any, kept: int) -> None:
    with _LOCK:
        cache[key] = value
        while len(cache) > kept:
            cache.popitem(last=False)


def remembered(kind: str, text: str, compute: Any) -> Any:
    """`compute()`'s answer for this content, kept per process (`kind` names what is computed): a root
    module's base files were parsed again for each of the 22 branches that touch it."""
    key = (kind, digest(text))
    with _LOCK:
        if key in _ANSWERS:
            _ANSWERS.move_to_end(key)
            return _ANSWERS[key]
    answer = compute()
    _bounded_put(_ANSWERS, key, answer, _ANSWERS_KEPT)
    return answer


# The top-level items of a file, cut apart so each is parsed once (see `items`). What the scanner looks at in code,
# in a quoted string, and how a heredoc opens (the grammar's own HEREDOC_TEMPLATE pattern, both variants).
_CODE_STOP = re.compile(r'["#/{}\[\]()<\n\\]')
_STRING_STOP = re.compile(r'["\\$%]')
_ESCAPED_TEMPLATE = re.compile(r"(?:\$\$|%%)\{[^}]*\}")
_TEMPLATE_STRING = re.compile(r'\\"(?:[^"\\]|\\.)*\\"')
_HEREDOC = re.compile(r"<<-?([a-zA-Z][a-zA-Z0-9._-]*)\r?\n(?:(?:.|\n)*?\r?\n)??\s*\1\r?\n")
_ITEM_START = re.compile(r"[A-Za-z_]")
_OPEN = {"{": "}", "[": "]", "(": ")"}
_ENDS_ITEM = frozenset("}])\"_") | frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def items(text: str) -> list[tuple[int, str]]:
    """`text` cut before each top-level item that starts a line (a block, or a .tfvars attribute) as
    (lines before the piece, piece); [(0, text)] when nothing can be cut. A cut is made only outside
    brackets, strings, comments and heredocs, before a line whose first character starts a name, after code
    whose last character can end an item (not an operator, `?` or `:` an expression continues after).
    Parsing the pieces one by one gives the file's own items (positions counted from the piece): lark
    parses about 150 KB/s, and the versions of a file across pull requests share most of their blocks.
    Callers parse the whole file when any piece fails, so a file that does not parse fails as itself."""
    cuts = _cuts(text)
    if not cuts:
        return [(0, text)]
    pieces: list[tuple[int, str]] = []
    start, line = 0, 0
    for cut in cuts:
        pieces.append((line, text[start:cut]))
        line += text.count("\n", start, cut)
        start = cut
    pieces.append((line, text[start:]))
    return pieces


def _cuts(text: str) -> list[int]:
    scanner = _Scanner(text)
    try:
        return scanner.run()
    except _Unreadable:
        return []


class _Unreadable(Exception):
    """The text is not what the scanner reads as HCL: no cut is made (the whole file is parsed)."""


class _Scanner:
    """Reads `text` as the grammar's lexer would where it matters for a cut: brackets, quoted strings and
    their templates (`${...}` and `%{...}` hold code, and strings in it), comments and heredocs."""

    def __init__(self, text: str) -> None:
        self.text, self.position, self.last = text, 0, ""
        self.closers: list[str] = []  # open brackets; "$" marks a template's ${ or %{ inside a string
        self.in_string = False
        self.cuts: list[int] = []

    def run(self) -> list[int]:
        size = len(self.text)
        while self.position < size:
            if self.in_string:
                self._string()
                continue
            found = _CODE_STOP.search(self.text, self.position)
            if found is None:
                break
            run = self.text[self.position : found.start()].rstrip(" \t\r")
            if run:
                self.last = run[-1]
            self.position = found.start()
            self._code(found.group())
        if self.in_string or self.closers:
            raise _Unreadable
        return self.cuts

    def _string(self) -> None:
        text = self.text
        found = _STRING_STOP.search(text, self.position)
        if found is None:
            raise _Unreadable
        position, char = found.start(), found.group()
        if char == '"':
            self.in_string, self.last, self.position = False, '"', position + 1
        elif char == "\\":
            self.position = position + 2
        elif text.startswith(("$${", "%%{"), position):
            escaped = _ESCAPED_TEMPLATE.match(text, position)
            self.position = escaped.end() if escaped else position + 2
        elif text.startswith("{", position + 1):
            self.closers.append("$")
            self.in_string, self.position = False, position + 2
        else:
            self.position = position + 1

    def _line_start(self) -> None:
        """At the start of a line: a cut when an item can start here and the code before it ended one."""
        if not self.closers and self.last in _ENDS_ITEM and _ITEM_START.match(self.text, self.position):
            self.cuts.append(self.position)

    def _code(self, char: str) -> None:
        text, position = self.text, self.position
        if char == "\n":
            self.position = position + 1
            self._line_start()
        elif char == '"':
            self.in_string, self.position = True, position + 1
        elif char == "#" or text.startswith("//", position):
            end = text.find("\n", position)
            self.position = end if end >= 0 else len(text)  # the newline is read next: a cut may follow it
        elif text.startswith("/*", position):
            end = text.find("*/", position + 2)
            if end < 0:
                raise _Unreadable
            self.position = end + 2
        elif char in _OPEN:
            self.closers.append(_OPEN[char])
            self.last, self.position = char, position + 1
        elif char in "}])":
            self._close(char)
        elif char == "<":
            self._heredoc()
        elif char == "/":  # a division
            self.last, self.position = char, position + 1
        else:  # a backslash: an escaped string of a template directive, or nothing the grammar reads
            template = _TEMPLATE_STRING.match(text, position)
            if template is None:
                raise _Unreadable
            self.last, self.position = '"', template.end()

    def _close(self, char: str) -> None:
        if not self.closers:
            raise _Unreadable
        closer = self.closers.pop()
        if closer == "$" and char == "}":
            self.in_string, self.position = True, self.position + 1
        elif closer == char:
            self.last, self.position = char, self.position + 1
        else:
            raise _Unreadable

    def _heredoc(self) -> None:
        heredoc = _HEREDOC.match(self.text, self.position)
        if heredoc is None:
            self.last, self.position = "<", self.position + 1
            return
        self.last, self.position = "_", heredoc.end()  # the heredoc ends with its newline: an item ends there
        self._line_start()


def parse_tree(text: str) -> Any:
    """python-hcl2's parse tree of `text` (raises what the parser raises), cached by content."""
    import hcl2

    source = text if text.endswith("\n") else text + "\n"
    key = digest(source)
    with _LOCK:
        tree = _TREES.get(key)
        if tree is not None:
            _TREES.move_to_end(key)
            return tree
    try:
        tree = hcl2.parses_to_tree(source)
    except Exception as failure:
        joined = joined_interpolations(source)
        if joined is None:
            raise
        try:
            tree = hcl2.parses_to_tree(joined)
        except Exception as again:
            # where the mended copy stops is the file's real fault, said at the file's own line
            offset = getattr(again, "pos_in_stream", None)
            if not isinstance(offset, int) or offset < 0:
                raise failure from None
            again.line, again.column = _placer(source)(offset)  # type: ignore[attr-defined]
            raise again from None
        _renumber(tree, source)
    _bounded_put(_TREES, key, tree, _TREES_KEPT)
    # the plan's spans of this version, read now from the tree at hand: the destructive detector parses a
    # file first, and the tree is gone from the small cache by the time the plan asks (8 s, not 4.7 s, on eks)
    _bounded_put(_ANSWERS, ("blocks", digest(text)), _blocks_of(tree, text), _ANSWERS_KEPT)
    return tree


_HEREDOC = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)\r?\n")
_IN_STRING = -1  # on the stack of joined_interpolations: a quoted string; n > 0: an interpolation n braces deep


def joined_interpolations(text: str) -> str | None:
    """`text` with the line breaks inside a quoted string's `${ ... }` or `%{ ... }` turned into spaces, or None when
    there are none to mend (or a comment sits in such an interpolation: a space would let it run on). Terraform
    0.12+ reads an interpolation across lines (terraform-aws-eks pr/1309's aws_auth.tf: `"...:role/${` then a
    conditional over three lines, then `}"`); python-hcl2's grammar does not. Each character keeps its offset (a
    line break becomes a space), so the tree's positions are the text's own and `_renumber` gives back its lines.
    Linear: one pass, heredocs and comments skipped whole."""
    breaks: list[int] = []
    stack: list[int] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        top = stack[-1] if stack else 0
        if top == _IN_STRING:
            if char == "\\":
                i += 2
                continue
            if char in "$%" and text.startswith(char + "{", i + 1):
                i += 3  # `$${`: a literal `${`
                continue
            if char in "$%" and text.startswith("{", i + 1):
                stack.append(1)
                i += 2
                continue
            if char == '"':
                stack.pop()
            elif char == "\n":
                return None  # a quoted string does not span lines: not the case mended here
            i += 1
            continue
        skip = _skipped(text, i, inside=top > 0)
        if skip is None:
            return None
        if skip > i:
            i = skip
            continue
        if char == '"':
            stack.append(_IN_STRING)
        elif top > 0 and char == "{":
            stack[-1] += 1
        elif top > 0 and char == "}":
            stack[-1] -= 1
            if not stack[-1]:
                stack.pop()
        elif top > 0 and char in "\r\n":
            breaks.append(i)
        i += 1
    if not breaks:
        return None
    chars = list(text)
    for at in breaks:
        chars[at] = " "
    return "".join(chars)


def _skipped(text: str, i: int, *, inside: bool) -> int | None:
    """Where a comment or heredoc starting at `i` ends (`i` itself when none starts there); None for one inside an
    interpolation, which joining its lines would break."""
    if text.startswith(("#", "//"), i):
        end = text.find("\n", i)
        found = len(text) if end < 0 else end
    elif text.startswith("/*", i):
        end = text.find("*/", i + 2)
        found = len(text) if end < 0 else end + 2
    elif text.startswith("<<", i) and (heredoc := _HEREDOC.match(text, i)) is not None:
        close = re.compile(rf"^[ \t]*{re.escape(heredoc.group(1))}\r?$", re.MULTILINE).search(text, heredoc.end())
        found = len(text) if close is None else close.end()
    else:
        return i
    return None if inside else found


def _placer(text: str) -> Callable[[int], tuple[int, int]]:
    """(line, column) of an offset in `text`, both 1-based, as lark counts them."""
    starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def place(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    return place


def _renumber(tree: Any, text: str) -> None:
    """Set every node's and token's line and column from its offset in `text` (what `joined_interpolations` gave the
    parser has the same offsets, fewer lines)."""
    from lark import Token, Tree

    place = _placer(text)
    nodes = [tree]
    while nodes:
        node = nodes.pop()
        if isinstance(node, Tree):
            meta = node.meta
            if not meta.empty:
                meta.line, meta.column = place(meta.start_pos)
                meta.end_line, meta.end_column = place(meta.end_pos)
            nodes.extend(node.children)
        elif isinstance(node, Token) and node.start_pos is not None and node.end_pos is not None:
            node.line, node.column = place(node.start_pos)
            node.end_line, node.end_column = place(node.end_pos)


def label(node: object, text: str) -> str:
    """A block's type or label, or an attribute's name, as written (quotes stripped)."""
    meta = getattr(node, "meta", None)
    raw = text[meta.start_pos : meta.end_pos] if meta is not None and not meta.empty else str(node)
    return raw.strip().strip('"')


def body_of(tree: Any) -> Any:
    return next((c for c in getattr(tree, "children", []) if getattr(c, "data", None) == "body"), None)


def top_level_blocks(text: str) -> list[tuple[str, list[str], int, int]]:
    """(type, labels, first line, last line) of each top-level block: `resource "aws_db_instance" "main"`
    is ("resource", ["aws_db_instance", "main"], 12, 40). Raises what the parser raises."""
    found: list[tuple[str, list[str], int, int]] = remembered("blocks", text, lambda: _top_level_blocks(text))
    return found


def _top_level_blocks(text: str) -> list[tuple[str, list[str], int, int]]:
    pieces = items(text)
    found: list[tuple[str, list[str], int, int]] = []
    for line, piece in pieces if len(pieces) > 1 else ():
        try:
            blocks = remembered("blocks", piece, lambda piece=piece: _blocks_of(parse_tree(piece), piece))
        except Exception:  # the whole file is parsed below: it fails as itself
            break
        found += [(kind, labels, first + line, last + line) for kind, labels, first, last in blocks]
    else:
        if len(pieces) > 1:
            return found
    return _blocks_of(parse_tree(text), text)


def _blocks_of(tree: Any, text: str) -> list[tuple[str, list[str], int, int]]:
    body = body_of(tree)
    found: list[tuple[str, list[str], int, int]] = []
    for child in getattr(body, "children", []):
        if getattr(child, "data", None) != "block":
            continue
        parts = [label(c, text) for c in child.children if getattr(c, "data", None) in ("identifier", "string")]
        if parts:
            found.append((parts[0], parts[1:], child.meta.line, child.meta.end_line))
    return found


def block_name(kind: str, labels: list[str]) -> str:
    """How Terraform addresses a block: aws_db_instance.main, module.vpc, var.name, data.aws_ami.x."""
    prefix = {"resource": "", "module": "module.", "variable": "var.", "output": "output.", "data": "data.",
              "provider": "provider.", "check": "check."}.get(kind)
    if prefix is None or not labels:
        return kind if not labels else f"{kind}.{'.'.join(labels)}"
    return prefix + ".".join(labels)
