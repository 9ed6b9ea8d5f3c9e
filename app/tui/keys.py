"""The action registry: every action of the TUI, its default keys and description, in one list.

Screens take their BINDINGS from `bindings_for(screen)`, the help screen lists ACTIONS, and the
user's `[keys]` table (UserConfig.keys: action name -> "key,key") is checked and applied here, so
keys, help and config can never drift apart.

Overrides reach Textual in either of two ways, both validated the same way:
- `bindings_for(screen, overrides)` when bindings are built at runtime;
- `keymap_for(overrides)` -> `App.set_keymap(...)`, which also re-keys class-level BINDINGS (they
  carry ids "<screen>.<name>"), e.g. the DiffView's scrolling keys.
An override naming an unknown action or an invalid key, or two overrides sharing a key on one screen,
is reported as a warning and the defaults are kept. An override may take a key another action has by
default (that action keeps its other keys); one left with no key at all is named in a warning.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from textual.binding import Binding, BindingType
from textual.keys import Keys, _character_to_key, format_key, key_to_character


@dataclass(frozen=True)
class ActionSpec:
    """One action: its config name, default keys, help text and the screen it belongs to."""

    name: str
    """Name used in the user config's [keys] table, e.g. "approve"."""
    default_keys: str
    """Comma-separated Textual key names, e.g. "j,down"."""
    description: str
    """One line shown in the help screen, footer and command palette."""
    screen: str
    """Where it is active: global, queue, change, chunk, diff (the diff view) or help."""
    action: str = ""
    """The Textual action string; defaults to `name`."""
    show: bool = False
    """Show in the footer."""

    @property
    def textual_action(self) -> str:
        return self.action or self.name

    @property
    def binding_id(self) -> str:
        """The Binding id (what App.set_keymap matches)."""
        return f"{self.screen}.{self.name}"


SCREEN_TITLES: dict[str, str] = {
    "global": "Everywhere",
    "queue": "Queue (pending changes)",
    "list": "Lists: the queue, the review plan, commits (moving the cursor)",
    "change": "Change (why, commits, review plan)",
    "chunk": "Chunk review",
    "commit": "Commit (one commit's own diff)",
    "reader": "Reading a diff (chunk and commit screens)",
    "diff": "Diff (chunk and commit screens)",
    "help": "Help",
}
"""Screens in the order the help screen lists them."""

# Which registry screens are active at the same time; a key may be used once per group.
# The help modal shadows everything beneath it, so it is a group of its own.
ACTIVE_TOGETHER: dict[str, tuple[str, ...]] = {
    "queue": ("global", "queue", "list"),
    "change": ("global", "change", "list"),
    "chunk": ("global", "chunk", "reader", "diff"),
    "commit": ("global", "commit", "reader", "diff"),
    "help": ("help",),
}

ACTIONS: tuple[ActionSpec, ...] = (
    # everywhere
    ActionSpec("help", "question_mark,f1", "Show every key", "global", show=True),
    ActionSpec("quit", "ctrl+q", "Quit", "global", action="app.quit"),
    ActionSpec("command_palette", "ctrl+p", "Command palette (every action)", "global",
               action="app.command_palette"),
    ActionSpec("theme", "ctrl+t", "Choose a theme (persisted)", "global", action="app.change_theme"),
    # queue
    ActionSpec("open", "enter", "Open the selected change", "queue", show=True),
    ActionSpec("sort", "s", "Sort by the next column", "queue", show=True),
    ActionSpec("reverse_sort", "R", "Reverse the sort order", "queue"),
    ActionSpec("sort_per_minute", "p", "Sort by risk per review minute", "queue"),
    ActionSpec("filter_tier", "t", "Filter by tier (cycle)", "queue"),
    ActionSpec("filter_band", "b", "Filter by risk band (cycle)", "queue"),
    ActionSpec("filter_ai", "i", "Show AI-signalled changes only", "queue"),
    ActionSpec("filter_unreviewed", "u", "Show unreviewed changes only", "queue"),
    ActionSpec("filter_old", "o", "Hide or show old changes", "queue"),
    ActionSpec("filter_author", "w", "Filter by author", "queue"),
    ActionSpec("clear_filters", "x", "Clear all filters", "queue"),
    ActionSpec("toggle_merged", "m", "Show or hide changes already merged upstream", "queue"),
    ActionSpec("toggle_similar", "e", "Show or hide the similar heads folded into the row", "queue"),
    ActionSpec("search", "slash", "Search changes by text", "queue", show=True),
    ActionSpec("refresh", "r,f5", "Re-scan the repository", "queue", show=True),
    ActionSpec("stats", "S", "Review statistics", "queue"),
    ActionSpec("quit", "q", "Quit", "queue", action="app.quit", show=True),
    # a list (widgets/list_table.py: the queue, the review plan, the commits; arrows and page keys are the table's own)
    ActionSpec("row_down", "j", "Cursor down a row", "list"),
    ActionSpec("row_up", "k", "Cursor up a row", "list"),
    ActionSpec("row_first", "g,home", "First row", "list"),
    ActionSpec("row_last", "G,end", "Last row", "list"),
    # change
    ActionSpec("open_chunk", "enter", "Review the selected chunk", "change", show=True),
    ActionSpec("next_unreviewed", "u", "Review the next unreviewed chunk", "change", show=True),
    ActionSpec("back", "escape,backspace", "Back", "change", show=True),
    # chunk review
    ActionSpec("approve_change", "A", "Approve the whole change", "change", show=True),
    ActionSpec("carry_over", "O", "Carry over your approvals of this same edit from another change",
               "change"),
    ActionSpec("show_plan", "p", "Show the review plan", "change"),
    ActionSpec("show_why", "w", "Show why it scored so (factors, tiers, AI)", "change"),
    ActionSpec("show_commits", "c", "Show the commits (enter on one shows its diff)", "change"),
    ActionSpec("files", "F", "Files of the change: review the chunk holding one", "change"),
    ActionSpec("threads", "C", "Comment threads of this change (read, reply, resolve)", "change"),
    # n / N belong to search (as in less, vim, delta, tig); chunks page with tab and p
    ActionSpec("next_chunk", "tab", "Next chunk", "chunk", show=True),
    ActionSpec("previous_chunk", "p", "Previous chunk", "chunk", show=True),
    ActionSpec("approve", "a", "Approve this chunk", "chunk", show=True),
    ActionSpec("flag", "f", "Flag: request changes, with a note", "chunk", show=True),
    ActionSpec("comment", "c", "Comment on the cursor line (or open its thread)", "chunk", show=True),
    ActionSpec("threads", "C", "Comment threads of this change (read, reply, resolve)", "chunk"),
    ActionSpec("later", "l", "Come back to this chunk later", "chunk", show=True),
    ActionSpec("next_unreviewed", "u", "Jump to the next unreviewed chunk", "chunk"),
    ActionSpec("mark_viewed", "v", "Mark the file at the cursor viewed (again: not viewed)", "chunk"),
    ActionSpec("jump_back", "backspace", "Back to the previous chunk and position", "chunk"),
    ActionSpec("back", "escape", "Back to the change", "chunk", show=True),
    # one commit's diff (Enter on the change screen's Commits tab)
    ActionSpec("next_commit", "tab", "Next commit", "commit", show=True),
    ActionSpec("previous_commit", "p", "Previous commit", "commit", show=True),
    ActionSpec("back", "escape", "Back to the change", "commit", show=True),
    # reading a diff (the chunk and commit screens)
    ActionSpec("search", "slash", "Search the diff (then n / N: next / previous match)", "reader", show=True),
    ActionSpec("files", "F", "Files of the change: jump to one", "reader"),
    ActionSpec("expand", "e", "More context around the hunk (a collapsed chunk: its lines)", "reader", show=True),
    ActionSpec("expand_file", "E", "The whole file around the hunk", "reader"),
    ActionSpec("open_editor", "o", "Open the file at the cursor line in $EDITOR", "reader"),
    ActionSpec("copy_location", "y", "Copy path:line of the cursor line", "reader"),
    # the diff view (a widget on the chunk and commit screens)
    ActionSpec("line_down", "j,down", "Cursor down a line", "diff"),
    ActionSpec("line_up", "k,up", "Cursor up a line", "diff"),
    ActionSpec("page_down", "pagedown,space", "Page down", "diff", action="cursor_page_down"),
    ActionSpec("page_up", "pageup", "Page up", "diff", action="cursor_page_up"),
    ActionSpec("next_hunk", "right_square_bracket", "Next hunk", "diff"),
    ActionSpec("prev_hunk", "left_square_bracket", "Previous hunk", "diff"),
    ActionSpec("top", "g,home", "First line", "diff"),
    ActionSpec("bottom", "G,end", "Last line", "diff"),
    ActionSpec("scroll_left", "left", "Scroll left", "diff"),
    ActionSpec("scroll_right", "right", "Scroll right", "diff"),
    # not in the footer: the chunk screen's review keys need its width; help and the palette list them
    ActionSpec("toggle_split", "s", "Side by side / unified (auto: side by side from 160 columns)", "diff"),
    ActionSpec("toggle_wrap", "w", "Wrap long lines / scroll them", "diff"),
    ActionSpec("search_next", "n", "Next search match", "diff"),
    ActionSpec("search_previous", "N", "Previous search match", "diff"),
    # help
    ActionSpec("close", "escape,q,question_mark", "Close help", "help", action="dismiss"),
)

Entry = tuple[str, str]
"""(screen, action name): one row of the registry."""

_SPECS: dict[Entry, ActionSpec] = {(spec.screen, spec.name): spec for spec in ACTIONS}
# Textual's key names: the Keys enum plus the names of printable ASCII ("slash", "G", "question_mark").
_KEY_NAMES = frozenset(key.value for key in Keys) | frozenset(
    _character_to_key(chr(code)) for code in range(33, 127)
)
_MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})


def normalize_key(key: str) -> str | None:
    """A key as Textual names it ("?" -> "question_mark"), or None if Textual has no such key."""
    key = key.strip()
    if not key:
        return None
    if len(key) == 1:
        return _character_to_key(key) if key.isprintable() and key != " " else None
    *modifiers, base = key.split("+")
    if any(m not in _MODIFIERS for m in modifiers) or not base:
        return None
    if len(base) == 1:
        base = _character_to_key(base)
    elif base not in _KEY_NAMES and key_to_character(base) is None:
        return None
    return "+".join([*modifiers, base])


def parse_keys(value: object) -> list[str] | None:
    """"n, right" -> ["n", "right"]; None if empty or any key is unknown."""
    if not isinstance(value, str):
        return None
    keys = [normalize_key(part) for part in value.split(",")]
    if not keys or any(key is None for key in keys):
        return None
    return list(dict.fromkeys(k for k in keys if k))  # drop duplicates, keep order


def _default_keys(spec: ActionSpec) -> tuple[str, ...]:
    return tuple(parse_keys(spec.default_keys) or ())


@dataclass(frozen=True)
class KeyResolution:
    """Effective keys for every action after the user's overrides, and what was refused."""

    keys: dict[Entry, tuple[str, ...]]
    """(screen, action name) -> keys."""
    overridden: frozenset[Entry]
    """The actions whose keys come from the user config."""
    warnings: tuple[str, ...]


def _targets(name: str) -> list[Entry]:
    """Registry entries an override name addresses: "approve" (every screen) or "chunk.approve"."""
    if "." in name:
        screen, _, action = name.partition(".")
        return [(screen, action)] if (screen, action) in _SPECS else []
    return [key for key in _SPECS if key[1] == name]


def _conflicts(keys: Mapping[Entry, tuple[str, ...]]) -> list[tuple[Entry, Entry, str]]:
    """Pairs of different actions sharing a key while active together."""
    found = []
    for group in ACTIVE_TOGETHER.values():
        owner: dict[str, Entry] = {}
        for entry, entry_keys in keys.items():
            if entry[0] not in group:
                continue
            for key in entry_keys:
                other = owner.get(key)
                if other is not None and other[1] != entry[1]:
                    found.append((other, entry, key))
                else:
                    owner[key] = entry
    return found


def resolve_keys(overrides: Mapping[str, str] | None = None) -> KeyResolution:
    """Apply `overrides` (action name -> keys) to the defaults; refuse unknown names, bad keys and
    conflicts with a warning each (the refused action keeps its default keys)."""
    keys = {entry: _default_keys(spec) for entry, spec in _SPECS.items()}
    overridden: set[Entry] = set()
    warnings: list[str] = []
    for name, value in sorted((overrides or {}).items()):
        targets = _targets(name)
        if not targets:
            warnings.append(f"keys: unknown action {name!r} (see the help screen for action names)")
            continue
        parsed = parse_keys(value)
        if parsed is None:
            warnings.append(f"keys: {name} = {value!r}: not a valid key list (e.g. 'n' or 'ctrl+n,right')")
            continue
        for target in targets:
            keys[target] = tuple(parsed)
            overridden.add(target)
    # A key the user gave an action is theirs: another action active beside it that has the key only
    # by default gives it up (it keeps its other keys). Two of the user's own choices sharing a key
    # are a real conflict: the second one reverts to its defaults, with a warning. So the README's
    # `next_chunk = "n,right"` works: "right" stops scrolling the diff sideways, "n" stops searching.
    while conflicts := _conflicts(keys):
        first, second, key = conflicts[0]
        first_mine, second_mine = first in overridden, second in overridden
        if first_mine != second_mine:
            loser = second if first_mine else first
            keys[loser] = tuple(k for k in keys[loser] if k != key)
            continue
        if not (first_mine and second_mine):  # a conflict among defaults is a bug in ACTIONS (a test guards it)
            raise AssertionError(f"default key conflict: {conflicts[0]}")
        overridden.discard(second)
        keys[second] = _default_keys(_SPECS[second])
        warnings.append(
            f"keys: {second[1]} = {format_key(key)!r} conflicts with {first[1]} on the "
            f"{second[0]} screen; keeping the default {_SPECS[second].default_keys!r}"
        )
    # An action whose every default key the user gave away keeps no key at all; say so, or the action
    # silently disappears from the keyboard (QA: `approve = "f"` left Flag on F24 with no word).
    for (screen, name), entry_keys in keys.items():
        if not entry_keys and (screen, name) not in overridden:
            taker = _takers(keys, (screen, name))[0]
            warnings.append(
                f"keys: {taker[1]} = {','.join(format_key(k) for k in keys[taker])!r} takes {name}'s key on the "
                f"{screen} screen; {name} is now reachable only from the command palette (ctrl+p) - "
                f"give it another key in [keys]"
            )
    return KeyResolution(keys, frozenset(overridden), tuple(warnings))


def _takers(keys: Mapping[Entry, tuple[str, ...]], entry: Entry) -> list[Entry]:
    """The other actions, active beside `entry`, that hold one of its default keys."""
    groups = [group for group in ACTIVE_TOGETHER.values() if entry[0] in group]
    return [other for key in _default_keys(_SPECS[entry]) for other, other_keys in keys.items()
            if other != entry and key in other_keys and any(other[0] in group for group in groups)]


def override_warnings(overrides: Mapping[str, str] | None) -> list[str]:
    """What is wrong with the user's [keys] table, one line each (empty when all is well)."""
    return list(resolve_keys(overrides).warnings)


def bindings_for(screen: str, overrides: Mapping[str, str] | None = None) -> list[Binding]:
    """Textual Bindings for one registry screen, with valid overrides applied."""
    if screen not in SCREEN_TITLES:
        raise ValueError(f"unknown screen {screen!r}")
    resolution = resolve_keys(overrides)
    return [
        Binding(",".join(resolution.keys[(spec.screen, spec.name)]) or UNBOUND_KEY, spec.textual_action,
                spec.description,
                show=spec.show, id=spec.binding_id)
        for spec in ACTIONS
        if spec.screen == screen
    ]


UNBOUND_KEY = "f24"
"""What an action whose every default key the user gave to another action is bound to: Textual's
keymap cannot unbind, and no keyboard in use sends F24."""


def keymap_for(overrides: Mapping[str, str] | None) -> dict[str, str]:
    """{binding id: keys} of every action whose keys differ from its defaults (the valid overrides,
    and defaults that gave a key up to one), for App.set_keymap()."""
    resolution = resolve_keys(overrides)
    return {f"{screen}.{name}": ",".join(keys) or UNBOUND_KEY
            for (screen, name), keys in sorted(resolution.keys.items())
            if keys != _default_keys(_SPECS[(screen, name)])}


def display_keys(keys: tuple[str, ...] | list[str]) -> str:
    """Keys as a person reads them: "question_mark" -> "?", joined with " / "."""
    return " / ".join(format_key(key) for key in keys) or "(no key)"


def help_sections(overrides: Mapping[str, str] | None = None,
                  current: str | None = None) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """[(screen title, [(keys, action name, description)])] for the help screen: the sections of the
    `current` screen first (its own keys, then the global ones), then the rest in SCREEN_TITLES order."""
    resolution = resolve_keys(overrides)
    own = [name for name in ACTIVE_TOGETHER.get(current or "", ()) if name != "global"]
    order = [*own, "global", *(name for name in SCREEN_TITLES if name not in own and name != "global")]
    sections = []
    for screen in order:
        title = SCREEN_TITLES[screen]
        rows = [(display_keys(resolution.keys[(spec.screen, spec.name)]), spec.name, spec.description)
                for spec in ACTIONS if spec.screen == screen]
        if rows:
            sections.append((title, rows))
    return sections


# Footer labels: the registry's descriptions are sentences (right for help and the palette) but
# too long for an 80-column footer; the footer shows these short forms instead.
FOOTER_LABELS: dict[str, str] = {
    "global.help": "Keys",
    "global.command_palette": "Palette",
    "queue.open": "Open",
    "queue.sort": "Sort",
    "queue.search": "Search",
    "queue.refresh": "Refresh",
    "queue.quit": "Quit",
    "change.open_chunk": "Review chunk",
    "change.next_unreviewed": "Next unreviewed",
    "change.back": "Back",
    "change.approve_change": "Approve change",
    "chunk.next_chunk": "Next",
    "chunk.previous_chunk": "Prev",
    "chunk.approve": "Approve",
    "chunk.flag": "Flag",
    "chunk.comment": "Comment",
    "chunk.later": "Later",
    "reader.expand": "Expand",
    "reader.search": "Search",
    "reader.files": "Files",
    "commit.next_commit": "Next",
    "commit.previous_commit": "Prev",
    "commit.back": "Back",
    "chunk.back": "Back",
}


def footer_bindings(bindings: Iterable[BindingType]) -> list[BindingType]:
    """`bindings` with short footer labels (FOOTER_LABELS by binding id); keys and ids unchanged."""
    out: list[BindingType] = []
    for binding in bindings:
        if isinstance(binding, Binding) and binding.id in FOOTER_LABELS:
            binding = dataclasses.replace(binding, description=FOOTER_LABELS[binding.id])
        out.append(binding)
    return out
