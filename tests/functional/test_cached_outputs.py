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


def test_a_second_process_reads_every_report_from_the_cache(sample_root: Path, tmp_path: Path) -> None:
    """The report cache key must be the same in every process: a warm `list` in a new process adds no
    report (a key holding, say, an object's address would make every run cold, and print the same)."""
    import os
    import subprocess
    import sys

    from app.storage.cache import AnalysisCache

    env = {**os.environ, "REVIEW_TUI_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("REVIEW_TUI_NO_CACHE", None)
    repo = sample_root / "payments-service"
    runs = []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-P", "-m", "app", "list", "--repo", str(repo), "--json"],
                              capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        runs.append(_steady(done.stdout))
        cache = AnalysisCache.open(tmp_path / "cache" / "analysis.db")
        runs.append(cache.count("report"))
        cache.close()
    first, stored, second, stored_again = runs
    assert stored > 5 and stored_again == stored  # nothing measured again, nothing stored again
    assert second == first


def test_an_assessment_read_back_prints_what_a_fresh_one_prints(sample_root: Path, tmp_path: Path) -> None:
    """A cached assessment gives the JSON it was read from (a warm `list` does not encode it again):
    the same object its fields encode to."""
    import dataclasses

    from app.analysis.analyzer import Analyzer
    from app.storage.cache import AnalysisCache

    for name in ("payments-service", "go-ledger"):
        cache = AnalysisCache.open(tmp_path / f"{name}.db")
        Analyzer(sample_root / name, cache=cache).analyze_all()
        again = Analyzer(sample_root / name, cache=cache).analyze_all()
        assessments = [r.assessment for r in again if r.assessment is not None]
        assert len(assessments) >= 3
        for assessment in assessments:
            assert "_stored_json" in assessment.__dict__  # read back, not analysed again
            assert assessment.to_json() == dataclasses.replace(assessment).to_json()


def test_a_warm_explain_reads_no_diff_and_prints_what_a_cold_one_printed(sample_root: Path, monkeypatch) -> None:
    """Issue 18: `explain` of a change explained before under the same rules prints from the cache (its report,
    the maintainability index of its files) without diffing it again: lazygit's pr/296 (+3.2M lines) was read
    whole on every warm explain, 34 s."""
    from app.core.git.repo import GitRepo

    diffs: list[str] = []
    real_diff = GitRepo.diff

    def counted(self: GitRepo, *args: object, **kwargs: object) -> object:
        diffs.append(str(args[:2]))
        return real_diff(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(GitRepo, "diff", counted)
    repo = str(sample_root / "payments-service")
    changes = [item["id"] for item in json.loads(_run(["list", "--repo", repo, "--json"]))]
    assert len(changes) > 3
    cold = {c: (_steady(_run(["explain", c, "--repo", repo, "--json"])), _run(["explain", c, "--repo", repo]))
            for c in changes}
    assert diffs, "the cold explains read the diffs"
    diffs.clear()
    warm = {c: (_steady(_run(["explain", c, "--repo", repo, "--json"])), _run(["explain", c, "--repo", repo]))
            for c in changes}
    assert diffs == []
    assert warm == cold
    assert any(mi for printed, _text in cold.values() for mi in [printed["maintainability"]])  # shown, and kept
