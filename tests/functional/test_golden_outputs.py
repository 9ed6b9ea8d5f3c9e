"""Issue 11 refactor guard: `list`, `chunks` and `explain --json` print exactly what they printed
before the layout moved (recorded by tests/golden/record.py on the pre-refactor code), cold and
served from the analysis cache."""

from __future__ import annotations

import json

from tests.golden.record import HERE, cold_and_warm_agree, fresh_outputs


def test_json_outputs_are_byte_identical_to_the_recording():
    recorded = json.loads((HERE / "outputs.json").read_text(encoding="utf-8"))
    now = cold_and_warm_agree(fresh_outputs())
    assert sorted(now) == sorted(recorded)
    changed = [name for name in recorded if now[name] != recorded[name]]
    assert not changed, f"outputs changed: {changed}"
