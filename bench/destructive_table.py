"""The detection table of the destructive-operation corpus: today's regex detectors (before) against the
parsing detectors (after), per format and case. `python bench/destructive_table.py [--markdown]`.

A case passes when a destructive change is reported (with its expected word) or a benign look-alike
is not. Prints one row per case and a summary per family.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.git.repo import GitRepo
from app.core.impact.destructive.legacy import detect_destructive
from app.core.impact.destructive.scan import blob_reader, scan_change
from app.samples import load


def corpus():  # type: ignore[no-untyped-def]
    load()
    return importlib.import_module("review_tui_sample_repos.destructive_corpus")


def verdicts(root: Path) -> list[tuple[object, bool, bool, str]]:
    module = corpus()
    _, ids = module.build(root)
    repo = GitRepo(root)
    rows = []
    for case in module.CASES:
        base, head = ids[case.name]
        files = repo.diff(base, head)
        before = detect_destructive(files)
        def base_files(directory: str, suffixes: tuple[str, ...], base: str = base) -> list[tuple[str, str]]:
            return [(path, data.decode()) for path, data in repo.directory_files(base, directory, suffixes)]

        after = scan_change(files, blob_reader(repo.blob), base_files=base_files).findings
        ok_before = bool(before) == case.destructive
        words = " ".join(f.explanation.lower() for f in after)
        ok_after = (bool(after) and case.expect in words) if case.destructive else not after
        rows.append((case, ok_before, ok_after, "; ".join(f.summary() for f in after)[:160]))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument(
        "--failures", action="store_true", help="only the cases the parsing detectors get wrong"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = verdicts(Path(tmp) / "corpus")
    totals: Counter[tuple[str, str]] = Counter()
    for case, ok_before, ok_after, found in rows:
        kind = "destructive" if case.destructive else "benign"
        totals[(case.family, kind)] += 1
        totals[(case.family, kind + ":before")] += ok_before
        totals[(case.family, kind + ":after")] += ok_after
        if args.failures and ok_after:
            continue

        def mark(ok: bool, destructive: bool = case.destructive) -> str:
            return "ok" if ok else "MISS" if destructive else "FALSE ALARM"

        if args.markdown:
            print(f"| {case.family} | {case.name} | {kind} | {mark(ok_before)} | {mark(ok_after)} |")
        else:
            print(
                f"{case.family:15} {case.name:42} {kind:11} before={mark(ok_before):11} "
                f"after={mark(ok_after):11} "
                f"{found if not ok_after or args.failures else ''}"
            )
    print()
    for family in dict.fromkeys(c.family for c, *_ in rows):
        for kind in ("destructive", "benign"):
            n = totals[(family, kind)]
            if n:
                right_before, right_after = (
                    totals[(family, kind + ":before")],
                    totals[(family, kind + ":after")],
                )
                print(
                    f"{family:15} {kind:11} {n:3} cases: before {right_before:3} right, "
                    f"after {right_after:3} right"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
