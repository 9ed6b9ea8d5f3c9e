"""`list`, `chunks` and `explain --json` print the same bytes whether the analysis runs cold or is
read back from the analysis cache (Assessment.to_json / from_json, ReviewPlan.to_dict / from_dict),
on every change of both sample repositories and in both chunk orders.

Issue 11 compared these outputs against a recording made before its refactor; once the refactor had
landed that recording was deleted, since every later change to the risk model would rightly change
it. The cache round trip is the part of that check that cannot go stale."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from app.cli import cli

VOLATILE = ("age_seconds",)  # depends on the clock, not on the analysis


def _run(args: list[str]) -> str:
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def _steady(text: str) -> object:
    def strip(value: object) -> object:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in VOLATILE}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(json.loads(text))


def _outputs(repo: Path) -> dict[str, object]:
    found: dict[str, object] = {}
    listed = _run(["list", "--repo", str(repo), "--json"])
    found["list"] = _steady(listed)
    for item in json.loads(listed):
        change = item["id"]
        for order in ("risk", "path"):
            found[f"chunks {order} {change}"] = _run(["chunks", change, "--repo", str(repo), "--order", order,
                                                      "--json"])
        found[f"explain {change}"] = _steady(_run(["explain", change, "--repo", str(repo), "--json"]))
    return found


def test_json_outputs_are_the_same_cold_and_from_the_cache(sample_root: Path, monkeypatch) -> None:
    for name in ("payments-service", "go-ledger"):
        cold = _outputs(sample_root / name)  # the hermetic cache dir starts empty
        warm = _outputs(sample_root / name)
        assert len(cold) > 3
        differing = sorted(key for key in cold if warm.get(key) != cold[key])
        assert differing == [], f"{name}: cached outputs differ from cold ones: {differing[:5]}"
        # `list` caches each plan it builds and `chunks --json` prints it from there: the same bytes
        # as a plan built with no cache at all.
        with monkeypatch.context() as env:
            env.setenv("REVIEW_TUI_NO_CACHE", "1")
            for key, printed in cold.items():
                if key.startswith("chunks risk "):
                    change = key.removeprefix("chunks risk ")
                    built = _run(["chunks", change, "--repo", str(sample_root / name), "--json"])
                    assert built == printed, f"{name}: the cached plan of {change} differs from a built one"
