"""ActiveTimer: active review time counts only while a chunk is shown, the terminal has focus and
the reviewer acted within the idle limit. Driven by an injected clock (a plain settable one)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.tui.timer import ActiveTimer, SeenLines


class ManualClock:
    """A clock the test sets by hand."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_idle_cut_off_is_exactly_the_limit() -> None:
    clock = ManualClock()
    timer = ActiveTimer[str](idle_seconds=60, clock=clock)
    timer.show("a")  # at 0: showing is the reviewer's own act
    clock.now = 59.5
    assert timer.tick() == 59.5
    assert timer.counting()
    clock.now = 60.0
    assert timer.tick() == 0.5  # up to the limit itself counts...
    assert not timer.counting()
    clock.now = 61.0
    assert timer.tick() == 0.0  # ...and nothing after it
    assert timer.take() == {"a": 60.0}


def test_time_after_an_absence_counts_only_up_to_the_limit() -> None:
    clock = ManualClock()
    timer = ActiveTimer[str](idle_seconds=60, clock=clock)
    timer.show("a")
    clock.now = 3_600  # an hour away from the keyboard, one settle at the end
    assert timer.tick() == 60.0
    clock.now = 3_610
    timer.activity()  # back: counting resumes from the event, the gap stays uncounted
    clock.now = 3_640
    assert timer.tick() == 30.0
    assert timer.pending("a") == 90.0


def test_activity_extends_the_window() -> None:
    clock = ManualClock()
    timer = ActiveTimer[str](idle_seconds=60, clock=clock)
    timer.show("a")
    for t in (50, 100, 150):
        clock.now = t
        timer.activity()
    clock.now = 500
    assert timer.tick() == 60.0  # the last event's window; each event settled what came before it
    assert timer.pending("a") == 210.0  # 150 between events, then 60 after the last one


def test_blur_stops_and_focus_resumes() -> None:
    clock = ManualClock()
    timer = ActiveTimer[str](idle_seconds=60, clock=clock)
    timer.show("a")
    clock.now = 10
    timer.focus(False)
    clock.now = 30
    timer.activity()  # an event while blurred (e.g. a mouse move over the window) does not count
    clock.now = 40
    assert timer.tick() == 0.0
    assert timer.pending("a") == 10.0
    timer.focus(True)  # at 40: switching back is the reviewer's act
    clock.now = 50
    assert timer.tick() == 10.0
    assert timer.take() == {"a": 20.0}


def test_a_terminal_that_never_reports_focus_is_assumed_focused() -> None:
    clock = ManualClock()
    timer = ActiveTimer[str](idle_seconds=60, clock=clock)
    assert timer.focused
    timer.show("a")
    clock.now = 5
    assert timer.tick() == 5.0


def test_hide_stops_and_show_resumes() -> None:
    clock = ManualClock()
    timer = ActiveTimer[str](idle_seconds=60, clock=clock)
    timer.show("a")
    clock.now = 5
    assert timer.hide() == 5.0
    clock.now = 20
    timer.activity()
    clock.now = 25
    assert timer.tick() == 0.0  # nothing on screen
    timer.show("a")
    clock.now = 27
    timer.tick()
    assert timer.take() == {"a": 7.0}
    assert timer.take() == {}  # drained


def test_switching_chunks_splits_the_time() -> None:
    clock = ManualClock()
    timer = ActiveTimer[str](idle_seconds=60, clock=clock)
    timer.show("a")
    clock.now = 10
    timer.show("b")
    clock.now = 15
    timer.tick()
    assert timer.take() == {"a": 10.0, "b": 5.0}


def test_explicit_timestamps_and_a_clock_that_goes_backwards() -> None:
    timer = ActiveTimer[str](idle_seconds=30, clock=ManualClock(100))
    timer.show("a", now=100)
    assert timer.tick(now=110) == 10.0
    assert timer.tick(now=105) == 0.0  # a stale timestamp adds nothing and does not rewind
    assert timer.tick(now=112) == 2.0


def test_idle_limit_must_be_positive() -> None:
    with pytest.raises(ValueError):
        ActiveTimer(idle_seconds=0)


# -- property: exact accrual against a per-second simulation ---------------------------------------
EVENTS = st.lists(
    st.tuples(st.integers(1, 40), st.sampled_from(["show-a", "show-b", "hide", "activity", "blur", "focus",
                                                   "tick"])),
    max_size=30,
)


@given(events=EVENTS, idle=st.integers(1, 25))
def test_accrual_matches_a_second_by_second_simulation(events: list[tuple[int, str]], idle: int) -> None:
    """Integer times and limit make a per-second reference exact: second [t, t+1) counts for the
    shown chunk when focused and the last activity a satisfies a <= t and t + 1 <= a + idle."""
    clock = ManualClock()
    timer = ActiveTimer[str](idle_seconds=idle, clock=clock)
    state: dict[str, Any] = {"shown": None, "focused": True, "last": None}
    expected: dict[str, float] = {}
    now = 0
    schedule = []
    for gap, name in events:
        now += gap
        schedule.append((now, name))
    end = now + idle + 5
    cursor = 0
    for t in range(end):
        while cursor < len(schedule) and schedule[cursor][0] == t:
            _, name = schedule[cursor]
            clock.now = t
            if name.startswith("show"):
                timer.show(name[-1])
                state["shown"], state["last"] = name[-1], t
            elif name == "hide":
                timer.hide()
                state["shown"] = None
            elif name == "activity":
                timer.activity()
                state["last"] = t
            elif name == "blur":
                timer.focus(False)
                state["focused"] = False
            elif name == "focus":
                timer.focus(True)
                state["focused"], state["last"] = True, t
            else:
                timer.tick()
            cursor += 1
        last = state["last"]
        if state["shown"] and state["focused"] and last is not None and last <= t and t + 1 <= last + idle:
            expected[state["shown"]] = expected.get(state["shown"], 0.0) + 1
    clock.now = end
    timer.tick()
    got = timer.take()
    assert got == pytest.approx(expected)
    assert sum(got.values()) <= end


# -- evidence of reading ---------------------------------------------------------------------------
def test_a_chunk_window_caps_the_idle_limit_and_resets_on_the_next_chunk() -> None:
    clock = ManualClock()
    timer = ActiveTimer[str](idle_seconds=30, clock=clock)
    timer.show("small", window=7.5)  # half of a 15 s floor
    assert timer.window == 7.5
    clock.now = 600
    assert timer.tick() == 7.5  # walked away: one window, never the floor
    timer.show("big", window=600)  # a window above the idle limit is the idle limit
    assert timer.window == 30
    clock.now = 1_200
    timer.tick()
    assert timer.take() == {"small": 7.5, "big": 30.0}


@given(floor=st.floats(1, 36_000), idle=st.floats(5, 60), away=st.floats(0, 86_400))
def test_opening_a_chunk_and_walking_away_never_meets_its_floor(floor: float, idle: float, away: float) -> None:
    clock = ManualClock()
    timer = ActiveTimer[str](idle_seconds=idle, clock=clock)
    timer.show("a", window=floor / 2)  # what the review session passes
    clock.now = away
    timer.tick()
    assert timer.pending("a") <= min(idle, floor / 2) < floor


def test_seen_lines_count_only_required_lines() -> None:
    seen = SeenLines([("a.py", "add", 1), ("a.py", "add", 2), ("a.py", "del", 2)])
    assert (seen.required, seen.unseen, seen.fraction) == (3, 3, 0.0)
    seen.see([("a.py", "add", 1), ("b.py", "add", 1), ("a.py", "add", 1)])
    assert seen.unseen == 2
    seen.see([("a.py", "add", 2), ("a.py", "del", 2)])
    assert (seen.unseen, seen.fraction) == (0, 1.0)
    assert SeenLines().fraction == 1.0  # nothing to scroll through (a binary chunk)
