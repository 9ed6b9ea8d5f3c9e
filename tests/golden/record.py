"""Record (or compare) `list --json`, `chunks --json` and `explain --json` on every sample change.

The refactor of issue 11 must not change a byte of these outputs. `python -m tests.golden.record`
writes the recording; tests/functional/test_golden_outputs.py compares a fresh run against it.
Volatile fields (the age of a change, which depends on the clock) are dropped.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

HERE = Path(__file__).resolve().parent
VOLATILE = ("age_seconds",)


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _run(args: list[str]) -> str:
    from app.cli import cli

    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def _normalise(text: str) -> str:
    """Drop volatile fields but keep the rest exactly as printed (json_text is deterministic)."""
    from app.core.text import json_text

    return json_text(_strip(json.loads(text)))


def outputs(sample_root: Path) -> dict[str, str]:
    """name -> output, for every command on every change of every sample, cold then warm cache."""
    found: dict[str, str] = {}
    for name in ("payments-service", "go-ledger"):
        repo = str(sample_root / name)
        for phase in ("cold", "warm"):
            listed = _run(["list", "--repo", repo, "--json"])
            found[f"{name}/{phase}/list"] = _normalise(listed)
            for item in json.loads(listed):
                cid = item["id"]
                for order in ("risk", "path"):
                    found[f"{name}/{phase}/chunks/{order}/{cid}"] = _run(
                        ["chunks", cid, "--repo", repo, "--order", order, "--json"])
                found[f"{name}/{phase}/explain/{cid}"] = _normalise(
                    _run(["explain", cid, "--repo", repo, "--json"]))
    return found


def fresh_outputs() -> dict[str, str]:
    """Build the samples and run every command in hermetic user dirs."""
    from app.samples import load

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name in ("DATA", "CONFIG", "CACHE"):
            os.environ[f"REVIEW_TUI_{name}_DIR"] = str(root / name.lower())
        os.environ.pop("REVIEW_TUI_NO_CACHE", None)
        load().build_all(root / "samples")
        return outputs(root / "samples")


def cold_and_warm_agree(found: dict[str, str]) -> dict[str, str]:
    """The warm run (served from the analysis cache) must print what the cold run printed; return
    the cold outputs keyed without the phase."""
    cold = {k.replace("/cold/", "/"): v for k, v in found.items() if "/cold/" in k}
    warm = {k.replace("/warm/", "/"): v for k, v in found.items() if "/warm/" in k}
    differing = sorted(k for k in cold if warm.get(k) != cold[k])
    assert not differing, f"cached outputs differ from cold ones: {differing[:5]}"
    return cold


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "outputs.json"
    recorded = cold_and_warm_agree(fresh_outputs())
    target.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"recorded {target}")
