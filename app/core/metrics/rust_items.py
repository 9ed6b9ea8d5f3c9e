"""lizard's Rust functions of a file read one top-level item at a time, each item's remembered by its text.

A Rust file's versions differ in a few of their top-level items, and lizard reads about 2 MB/s: on astral-sh/uv
calibrate's workers spent about 330 s of CPU reading 1.2 GB of Rust versions, mostly the same items again. Here a
file is cut after each line that is a lone `}` (the end of a top-level item, as rustfmt writes it; a large `impl`,
`mod` or `trait` also after each lone `}` indented four spaces: its methods), each piece is read by lizard alone,
starting from lizard's state after the piece before, and what it found is remembered by (that state, the piece's
text), its lines counted from the piece's first line: the next version reads only the pieces that changed.

The result is exactly lizard's on the whole file, or the whole file is read:
- a cut is made only where lizard's own tokenizer, run over the whole file, yields that `}` as a token of its own
  (not inside a comment, a string, a `#` line or anything lizard reads as one token), so each piece's tokens are
  the whole file's tokens there;
- lizard's state after a piece is written down as plain values (its state machines' states, the states they return
  to, their counters; `_signature`) and built again for the next piece (`_rebuild`); where it cannot be (a function
  open, a closure as callback) the rest of the file from that piece on (or the whole `impl`) is read as one piece.
  lizard's misreadings carry over exactly: a trait's bodiless `fn a(&self);` takes the next body as its own and
  leaves lizard a level deeper to the end of the file, and so it does here;
- a file with a comment that changes how lizard reads what follows ("GENERATED CODE", "#lizard forgive"), a piece
  lizard fails on or in which it closes its file-level pseudo function, is read whole.
"""

from __future__ import annotations

import hashlib
import re
import threading
from bisect import bisect_left
from collections import OrderedDict
from functools import cache
from itertools import accumulate, pairwise
from typing import Any

Found = tuple[str, int, int, int]  # (name, start line, end line, cyclomatic complexity), lines of the piece
State = tuple[Any, ...]  # lizard's state between two pieces, as `_signature` writes it down
_Piece = tuple[tuple[Found, ...], State | None]  # what lizard found in a piece, and its state after (None: unknown)
FILE_START: State = ("file start",)

_CUT = re.compile(r"^((?:    )?)(\})[ \t]*$", re.M)  # a lone `}`, at the start of a line or indented 4
_WHOLE_FILE_WORDS = ("GENERATED CODE", "lizard forgive")
_OWN = frozenset({"context", "_state", "saved_state", "callback", "last_token"})
MIN_BYTES = 4_000  # smaller files are read whole: cutting them saves nothing
CACHE_BYTES = 48 << 20  # text of the pieces remembered, per process (least recently used out first)


class _Memo:
    """The pieces read, by (state, text) digest; shared by the threads of a process (a lock around each step)."""

    def __init__(self) -> None:
        self.pieces: OrderedDict[bytes, tuple[_Piece, int]] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: bytes) -> _Piece | None:
        with self.lock:
            found = self.pieces.get(key)
            if found is None:
                return None
            self.pieces.move_to_end(key)
            return found[0]

    def put(self, key: bytes, piece: _Piece, length: int) -> None:
        with self.lock:
            if key in self.pieces:
                return
            self.pieces[key] = (piece, length)
            self.size += length
            while self.size > CACHE_BYTES and self.pieces:
                _key, (_piece, dropped) = self.pieces.popitem(last=False)
                self.size -= dropped


_MEMO = _Memo()


_LIFETIMES = r"|(?:'\w+\b)"  # what lizard's RustReader adds to its tokenizer's pattern
_PROBE = "fn f<'a>(x: &'a str) -> char { /* } */ let s = \"}\"; '}' }\n#[cfg(x)]\n}\n"


def _token_pattern(lizard: Any, path: str) -> Any:
    """The pattern lizard's Rust tokenizer finds tokens with, when its tokens are this pattern's matches (checked
    on a probe: a lizard that tokenizes otherwise gets no cuts)."""
    return _checked_pattern(lizard.get_reader_for(path))


@cache
def _checked_pattern(reader: Any) -> Any:
    from lizard_languages.token_pattern import compiled_token_pattern

    pattern = compiled_token_pattern(_LIFETIMES)
    return pattern if list(reader.generate_tokens(_PROBE)) == _joined(pattern.findall(_PROBE)) else None


def _joined(tokens: list[str]) -> list[str]:
    """lizard's tokens_in_span's macros: `#` and what follows it to the end of its line, one token."""
    out: list[str] = []
    macro = ""
    for token in tokens:
        if macro:
            if "\\\n" in token or "\n" not in token:
                macro += token
            else:
                out += [macro, token]
                macro = ""
        elif token == "#":
            macro = token
        else:
            out.append(token)
    return out + ([macro] if macro else [])


def cut_points(lizard: Any, path: str, text: str) -> list[tuple[int, int]]:
    """(offset just after the brace, depth) of each lone `}` line, at the start of a line (depth 0: a top-level
    item's end) or indented four spaces (depth 1: a method's end in an `impl`), where lizard's tokenizer, over the
    whole file, yields that `}` as a token of its own right after the line's start (no `#` line runs on into it)."""
    wanted = [(m.start(2), len(m.group(1))) for m in _CUT.finditer(text)]
    if not wanted:
        return []
    pattern = _token_pattern(lizard, path)
    if pattern is None:
        return []
    tokens = pattern.findall(text)
    ends = list(accumulate(map(len, tokens)))
    if not ends or ends[-1] != len(text):  # the tokens are not the text, cut to cut: no cut is sure
        return []
    cuts = []
    for at, indent in wanted:
        k = bisect_left(ends, at + 1)
        if not (0 < k < len(ends) and ends[k] == at + 1 < len(text) and tokens[k] == "}"):
            continue
        if (indent == 0 and tokens[k - 1] == "\n") or (k > 1 and tokens[k - 1] == " " * indent
                                                        and tokens[k - 2] == "\n"):
            cuts.append((at + 1, 1 if indent else 0))
    return cuts


def functions(lizard: Any, path: str, text: str) -> list[Found] | None:
    """lizard's functions of a Rust file as (name, start, end, complexity), read a piece at a time; None when the
    file is to be read whole (see the module docstring)."""
    if len(text) < MIN_BYTES or any(word in text for word in _WHOLE_FILE_WORDS):
        return None
    try:
        cuts = cut_points(lizard, path, text)
    except Exception:  # a lizard without these names: read whole, as complexity does
        return None
    top = [0, *(offset for offset, depth in cuts if depth == 0)]
    if len(top) < 2:
        return None
    inner = [offset for offset, depth in cuts if depth == 1]
    found: list[Found] = []
    state: State | None = FILE_START
    i = offset = counted = 0
    while i < len(top):
        start = top[i]
        end = top[i + 1] if i + 1 < len(top) else len(text)
        members = [at - start for at in inner[bisect_left(inner, start):bisect_left(inner, end)]]
        piece = _piece(lizard, path, text[start:end], state, members)
        if piece is not None and piece[1] is None and end < len(text):  # the next piece cannot start from it
            piece = _piece(lizard, path, text[start:], state, [])
            i = len(top)
        if piece is None:
            return None
        offset += text.count("\n", counted, start)
        counted = start
        found.extend((name, first + offset, last + offset, ccn) for name, first, last, ccn in piece[0])
        state = piece[1]
        i += 1
    return found


_CONTAINER = re.compile(r"^(?:pub(?:\([\w:]+\))? )?(?:unsafe )?(?:impl\b|mod |trait )", re.M)
SPLIT_BYTES = 6_000  # a larger `impl` (or `mod`, `trait`) item is read a member at a time


def _piece(lizard: Any, path: str, text: str, state: State | None, members: list[int]) -> _Piece | None:
    """What lizard finds in `text` read from `state`, and its state after: remembered, else read (a large `impl`
    a member at a time, its members remembered too, where lizard's state after each can be built again)."""
    if state is None:
        return None
    key = hashlib.blake2b(repr(state).encode() + b"\0" + text.encode("utf-8", "surrogatepass"),
                          digest_size=16).digest()
    piece = _MEMO.get(key)
    if piece is not None:
        return piece
    if len(members) > 1 and len(text) >= SPLIT_BYTES and _CONTAINER.search(text, 0, members[0]):
        piece = _members(lizard, path, text, [0, *members, len(text)], state)
    if piece is None:
        try:
            function_list, after = _read(lizard, path, text, state)
        except Exception:  # read whole, where the failure is said as the whole file's
            return None
        if any(f.name == "*global*" for f in function_list):
            return None
        from app.core.metrics.closures import qualified_name

        piece = (tuple((qualified_name(f), f.start_line, f.end_line, f.cyclomatic_complexity)
                       for f in function_list), after)
    _MEMO.put(key, piece, len(text))
    return piece


def _members(lizard: Any, path: str, text: str, bounds: list[int], state: State) -> _Piece | None:
    """`text` read a member at a time (`bounds`), or None where a member leaves lizard in a state that cannot be
    built again (the item is then read whole)."""
    found: list[Found] = []
    after: State | None = state
    offset = counted = 0
    for start, end in pairwise(bounds):
        piece = _piece(lizard, path, text[start:end], after, [])
        if piece is None or (piece[1] is None and end < len(text)):
            return None
        offset += text.count("\n", counted, start)
        counted = start
        found.extend((name, first + offset, last + offset, ccn) for name, first, last, ccn in piece[0])
        after = piece[1]
    return tuple(found), after


def _read(lizard: Any, path: str, text: str, state: State) -> tuple[list[Any], State | None]:
    """lizard's reading of `text` (complexity._lizard_functions') from `state`, and its state after."""
    context = lizard.FileInfoBuilder(path)
    reader = lizard.get_reader_for(path)(context)
    if state != FILE_START:
        if len(reader.parallel_states) != 1:
            raise ValueError("not one state machine")
        reader.parallel_states = [_rebuild(type(reader.parallel_states[0]), state, context)]
    tokens = reader.generate_tokens(text)
    for processor in lizard.analyze_file.processors:
        tokens = processor(tokens, reader)
    for _ in reader(tokens, reader):
        pass
    return list(context.fileinfo.function_list), _state_after(reader, context)


def _state_after(reader: Any, context: Any) -> State | None:
    """The reader's state written down, when the context holds nothing (no function open, nothing forgiven) and
    its one state machine's state can be built again (`_rebuild`): else None."""
    if (context.current_function is not context.global_pseudo_function or context.stacked_functions
            or context.forgive or context.forgive_global or context._nesting_stack.nesting_stack
            or len(reader.parallel_states) != 1):
        return None
    return _signature(reader.parallel_states[0])


def _method_name(machine: Any, method: Any) -> str | None:
    """The name `machine`'s class gives the bound `method` of `machine` (a decorated state too)."""
    if getattr(method, "__self__", None) is not machine:
        return None
    function = method.__func__
    for klass in type(machine).__mro__:
        for name, value in vars(klass).items():
            if value is function:
                return name
    return None


def _signature(machine: Any) -> State | None:
    """A state machine's state as plain values: its state (a method's name, or the machine it handed the tokens
    to, written down the same way), the state it returns to and the callback then (methods' names), and its other
    fields (numbers, flags, token lists). None when any of it is something else (a closure, an object)."""
    inner = machine._state
    if isinstance(inner, type(machine)):
        below = _signature(inner)
        if below is None:
            return None
        current: Any = ("machine", below)
    else:
        current = _method_name(machine, inner)
        if current is None:
            return None
    saved = _method_name(machine, machine.saved_state)
    callback = None if machine.callback is None else _method_name(machine, machine.callback)
    if saved is None or (machine.callback is not None and callback is None):
        return None
    fields = []
    for name, value in sorted(vars(machine).items()):
        if name in _OWN:
            continue
        if isinstance(value, list):
            value = ("list", *value)
            if not all(isinstance(v, (int, str)) for v in value):
                return None
        elif value is not None and not isinstance(value, (int, str)):  # bool is an int
            return None
        fields.append((name, value))
    return (current, saved, callback, tuple(fields))


def _rebuild(klass: Any, state: State, context: Any) -> Any:
    """A state machine of `klass` in the state `_signature` wrote down, having just read the `}` every piece
    after the first starts after."""
    current, saved, callback, fields = state
    machine = klass(context)
    for name, value in fields:
        setattr(machine, name, list(value[1:]) if isinstance(value, tuple) else value)
    machine._state = _rebuild(klass, current[1], context) if isinstance(current, tuple) else getattr(machine, current)
    machine.saved_state = getattr(machine, saved)
    machine.callback = None if callback is None else getattr(machine, callback)
    machine.last_token = "}"
    return machine
