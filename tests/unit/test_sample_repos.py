"""The sample repositories: deterministic, complete, and true to the numbers they advertise.

The git CLI is the independent baseline here (numstat, blame, merge-base): the app itself reads
repositories through pygit2 only, so these tests check the samples against a second implementation.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from app.samples import load

samples = load()
payments = samples.payments
goapp = samples.goapp

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="the git CLI is the baseline")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, encoding="utf-8"
    ).stdout


def refs(repo: Path) -> dict[str, str]:
    """Every ref -> object id (symbolic refs resolved), notes included."""
    lines = git(repo, "for-each-ref", "--format=%(refname) %(objectname)").splitlines()
    return dict(line.split(" ", 1) for line in lines)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    started = time.perf_counter()
    paths = samples.build_all(tmp_path_factory.mktemp("samples"))
    elapsed = time.perf_counter() - started
    # A generous ceiling: the demo builds these on first run, so they must stay quick.
    assert elapsed < 30, f"building the samples took {elapsed:.1f} s"
    return paths


# -- AI signals as the spec lists them (SPEC.md, "AI provenance signals") --------------------------
AI_TRAILER = re.compile(
    r"^(co-authored-by|assisted-by|generated-by):.*(anthropic\.com|aider|openai\.com|codex|cursor)",
    re.IGNORECASE | re.MULTILINE,
)


def is_ai_commit(repo: Path, commit: str) -> bool:
    author, email, message = git(repo, "show", "-s", "--format=%an%x00%ae%x00%B", commit).split("\0", 2)
    if author.endswith("(aider)") or email == "cursoragent@cursor.com":
        return True
    if email.endswith("+Copilot@users.noreply.github.com"):
        return True
    return bool(AI_TRAILER.search(message))


def added_lines(repo: Path, commit: str) -> int:
    """Added text lines of a non-merge commit against its parent (binary files count nothing)."""
    total = 0
    for line in git(repo, "show", "--numstat", "--format=", "--no-renames", commit).splitlines():
        added, _deleted, _path = line.split("\t", 2)
        if added != "-":
            total += int(added)
    return total


def branch_numstat(repo: Path, ref: str) -> tuple[int, int, list[str]]:
    """(added, deleted, binary paths) of base...ref with base = merge-base(main, ref)."""
    added = deleted = 0
    binary = []
    for line in git(repo, "diff", "--numstat", "--no-renames", f"main...{ref}").splitlines():
        a, d, path = line.split("\t", 2)
        if a == "-":
            binary.append(path)
            continue
        added += int(a)
        deleted += int(d)
    return added, deleted, binary


def gitai_ranges(note: str) -> dict[str, int]:
    """Lines per file marked by AI sessions (keys s_...) in a git-ai authorship note."""
    counts: dict[str, int] = {}
    path = None
    for line in note.split("\n---\n", 1)[0].splitlines():
        if not line.startswith(" "):
            path = line.strip()
            continue
        key, spans = line.split()
        if key.startswith("s_") and path:
            for span in spans.split(","):
                start, _, end = span.partition("-")
                counts[path] = counts.get(path, 0) + int(end or start) - int(start) + 1
    return counts


def provenance_counts(repo: Path, ref: str) -> dict[str, int]:
    """Added lines of a pending change split into AI and human, commit by commit."""
    ai = human = 0
    for commit in git(repo, "rev-list", "--no-merges", f"main..{ref}").split():
        added = added_lines(repo, commit)
        try:
            note = git(repo, "notes", "--ref=ai", "show", commit)
        except subprocess.CalledProcessError:
            note = ""
        if note:
            marked = sum(gitai_ranges(note).values())
            ai += marked
            human += added - marked
        elif is_ai_commit(repo, commit):
            ai += added
        else:
            human += added
    return {"ai_added": ai, "human_added": human}


# -- determinism and reuse --------------------------------------------------------------------------
def test_two_builds_give_identical_commit_ids(built: dict[str, Path], tmp_path: Path) -> None:
    # A second process with another hash seed: nothing may depend on set order or process state.
    script = "import sys, pathlib, app.samples; app.samples.load().build_all(pathlib.Path(sys.argv[1]))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], check=True, env=env, cwd=Path(__file__).parents[2]
    )
    for name, path in built.items():
        assert refs(path) == refs(tmp_path / name), name


def test_build_all_reuses_a_current_build_and_force_rebuilds(built: dict[str, Path]) -> None:
    dest = built["go-ledger"].parent
    before = {name: refs(path) for name, path in built.items()}
    stamps = [path / ".git" / "touched-by-test" for path in built.values()]
    for stamp in stamps:
        stamp.write_text("x")
    assert samples.build_all(dest) == built
    assert all(stamp.exists() for stamp in stamps), "a current build must be left as it is"
    assert samples.build_all(dest, force=True) == built
    assert not any(stamp.exists() for stamp in stamps), "force must rebuild from scratch"
    assert {name: refs(path) for name, path in built.items()} == before
    assert all((path / ".git" / "review-tui-sample").exists() for path in built.values())


def test_stale_or_foreign_folder_is_replaced(tmp_path: Path) -> None:
    stale = tmp_path / "go-ledger"
    (stale / ".git").mkdir(parents=True)
    (stale / ".git" / "review-tui-sample").write_text("0-old\n")
    (stale / "leftover.txt").write_text("from an older build")
    path = samples.build.build_one("go-ledger", tmp_path)
    assert path == stale
    assert not (path / "leftover.txt").exists()
    assert git(path, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "scratch folders must be cleaned up"


# -- shape of the payments repository ---------------------------------------------------------------
def test_every_expected_ref_exists(built: dict[str, Path]) -> None:
    names = set(refs(built["payments-service"]))
    wanted = {f"refs/heads/{b}" for b in payments.PENDING_BRANCHES + payments.MERGED_BRANCHES}
    wanted |= set(payments.PULL_REFS) | set(payments.REMOTE_PENDING)
    wanted |= {"refs/heads/main", "refs/remotes/origin/main", "refs/remotes/origin/HEAD", "refs/notes/ai"}
    assert wanted <= names, wanted - names
    assert set(payments.EXPECTED) == set(payments.PENDING_BRANCHES) | set(payments.PULL_REFS) | set(
        payments.REMOTE_PENDING
    )


@pytest.mark.parametrize("name", ["payments-service", "go-ledger"])
def test_looks_like_a_fresh_clone(built: dict[str, Path], name: str) -> None:
    repo = built[name]
    assert git(repo, "symbolic-ref", "HEAD").strip() == "refs/heads/main"
    assert git(repo, "symbolic-ref", "refs/remotes/origin/HEAD").strip() == "refs/remotes/origin/main"
    assert git(repo, "rev-parse", "origin/main") == git(repo, "rev-parse", "main")
    assert git(repo, "status", "--porcelain") == "", "the working tree must match main"


def test_main_history_is_a_few_months_of_human_work(built: dict[str, Path]) -> None:
    repo = built["payments-service"]
    commits = git(repo, "log", "--first-parent", "--format=%ae %at", "main").splitlines()
    assert 15 <= len(commits) <= 25
    authors = {line.split()[0] for line in commits}
    assert 3 <= len(authors) <= 4
    times = [int(line.split()[1]) for line in commits]
    assert (max(times) - min(times)) / 86400 >= 40


def test_merged_branch_is_an_ancestor_of_main(built: dict[str, Path]) -> None:
    repo = built["payments-service"]
    for branch in payments.MERGED_BRANCHES:
        subprocess.run(["git", "-C", str(repo), "merge-base", "--is-ancestor", branch, "main"], check=True)
    for ref in payments.PENDING_BRANCHES + payments.PULL_REFS + payments.REMOTE_PENDING:
        assert git(repo, "rev-list", "--count", f"main..{ref}").strip() != "0", ref


def test_some_branches_fork_before_the_tip_of_main(built: dict[str, Path]) -> None:
    repo = built["payments-service"]
    tip = git(repo, "rev-parse", "main").strip()
    bases = {ref: git(repo, "merge-base", "main", ref).strip() for ref in payments.PENDING_BRANCHES}
    assert sum(base != tip for base in bases.values()) >= 5


def test_huge_generated_branch_is_over_twenty_thousand_lines(built: dict[str, Path]) -> None:
    added, deleted, _ = branch_numstat(built["payments-service"], "ai/generated-sdk-client")
    assert 20_000 <= added + deleted <= 25_000


def test_expected_line_counts_hold(built: dict[str, Path]) -> None:
    repo = built["payments-service"]
    for ref, expected in payments.EXPECTED.items():
        counts = provenance_counts(repo, ref)
        assert counts == {"ai_added": expected["ai_added"], "human_added": expected["human_added"]}, ref
        # No commit rewrites a line added earlier on the branch, so the branch diff agrees.
        assert branch_numstat(repo, ref)[0] == counts["ai_added"] + counts["human_added"], ref
    repo = built["go-ledger"]
    for ref, expected in goapp.EXPECTED.items():
        counts = provenance_counts(repo, ref)
        assert counts == {"ai_added": expected["ai_added"], "human_added": expected["human_added"]}, ref


# Where each tool named in EXPECTED["tools"] shows up in a branch's commits (author, committer, message).
TOOL_SIGNALS = {
    "claude": r"(?i)^co-authored-by: claude.*<noreply@anthropic\.com>$",
    "aider": r"(?m)^Dana Lee \(aider\) <|aider@aider\.chat",
    "copilot": r"(?m)^Copilot <198982749\+Copilot@users\.noreply\.github\.com>$",
    "cursor": r"(?m)^Cursor Agent <cursoragent@cursor\.com>$",
    "codex": r"(?m)^(Co-authored-by: Codex <noreply@openai\.com>|Assisted-by: Codex:gpt-5-codex)$",
}


@pytest.mark.parametrize("name", ["payments-service", "go-ledger"])
def test_expected_tools_match_the_signals(built: dict[str, Path], name: str) -> None:
    repo = built[name]
    module = payments if name == "payments-service" else goapp
    for ref, expected in module.EXPECTED.items():
        log = git(repo, "log", "--format=%an <%ae>%n%cn <%ce>%n%B", f"main..{ref}")
        tools = expected["tools"]
        assert isinstance(tools, tuple)
        for tool, pattern in TOOL_SIGNALS.items():
            found = re.search(pattern, log, re.MULTILINE) is not None
            assert found == (tool in tools), (ref, tool)
        has_note = "git-ai:cursor" in tools
        assert (expected["ai_added"] != 0) == bool(tools), ref
        if has_note:
            head = git(repo, "rev-parse", ref).strip()
            assert git(repo, "notes", "--ref=ai", "list", head).strip()


def test_mixed_claude_branch_blames_to_the_same_split(built: dict[str, Path]) -> None:
    """Line-level attribution (blame restricted to base..head) matches the commit-level counts."""
    repo = built["payments-service"]
    ref = "feature/retry-refactor-claude"
    base = git(repo, "merge-base", "main", ref).strip()
    ai = human = 0
    for path in git(repo, "diff", "--name-only", f"{base}..{ref}").split():
        porcelain = git(repo, "blame", "--line-porcelain", f"{base}..{ref}", "--", path)
        for block in re.split(r"(?m)^(?=[0-9a-f]{40} \d+ \d+)", porcelain):
            if not block or "\nboundary\n" in block:
                continue  # the line predates the branch
            if is_ai_commit(repo, block[:40]):
                ai += 1
            else:
                human += 1
    expected = payments.EXPECTED[ref]
    assert (ai, human) == (expected["ai_added"], expected["human_added"])
    assert human == 12


def test_claude_branch_carries_every_trailer_variant(built: dict[str, Path]) -> None:
    log = git(built["payments-service"], "log", "--format=%B", "main..feature/retry-refactor-claude")
    assert "Co-Authored-By: Claude <noreply@anthropic.com>" in log
    assert "co-authored-by: Claude Opus 4.6 (1M context) <noreply@anthropic.com>" in log
    assert "Generated with [Claude Code](https://claude.com/claude-code)" in log


def test_aider_committer_only_commit_is_human(built: dict[str, Path]) -> None:
    repo = built["payments-service"]
    rows = git(repo, "log", "--format=%an|%cn|%s", "main..aider/add-refund-webhooks").splitlines()
    assert "Dana Lee|Dana Lee (aider)|Dispatch refund.created from RefundService" in rows
    assert sum(row.startswith("Dana Lee (aider)|") and "|aider: " in row for row in rows) == 2


def test_copilot_commits_are_by_the_agent_through_github(built: dict[str, Path]) -> None:
    repo = built["payments-service"]
    log = git(repo, "log", "--format=%an <%ae>|%cn <%ce>", "main..copilot/fix-currency-rounding")
    rows = set(log.splitlines())
    assert rows == {"Copilot <198982749+Copilot@users.noreply.github.com>|GitHub <noreply@github.com>"}


def test_destructive_changes_are_present(built: dict[str, Path]) -> None:
    repo = built["payments-service"]
    infra = git(repo, "diff", "main...infra/recreate-staging-env")
    for needle in (
        "-    prevent_destroy = true",
        "+  force_destroy = true",
        '-resource "aws_sqs_queue" "webhooks_dlq" {',
        "+terraform apply -auto-approve -replace=aws_db_instance.payments",
        "+rm -rf ./state-backup",
    ):
        assert needle in infra, needle
    sql = git(repo, "diff", "main...migration/drop-legacy-tables")
    assert "+DROP TABLE legacy_payments;" in sql and "+DELETE FROM refunds;" in sql


def test_rename_branch_is_detected_as_renames(built: dict[str, Path]) -> None:
    repo = built["payments-service"]
    status = git(repo, "diff", "--name-status", "-M", "main...refactor/rename-gateway-modules")
    renames = {tuple(line.split("\t")[1:]) for line in status.splitlines() if line.startswith("R")}
    assert ("payments/gateway/stripe_client.py", "payments/providers/stripe.py") in renames
    assert ("payments/gateway/errors.py", "payments/providers/errors.py") in renames
    assert len(renames) == 3


def test_receipt_branch_has_binary_files(built: dict[str, Path]) -> None:
    _, _, binary = branch_numstat(built["payments-service"], "feature/receipt-pdf")
    assert sorted(binary) == [
        "assets/receipts/fonts/ReceiptSans-Regular.ttf",
        "assets/receipts/logo.png",
        "assets/receipts/template.pdf",
    ]


def test_multi_currency_branch_has_merges_and_a_moved_base(built: dict[str, Path]) -> None:
    repo = built["payments-service"]
    merges = git(repo, "rev-list", "--merges", "main..feature/multi-currency").split()
    assert len(merges) == 2
    merged_main = git(repo, "merge-base", "main", "feature/multi-currency").strip()
    assert merged_main != git(repo, "rev-parse", "main").strip(), "main moved on after the merge"
    # The merge of main kept the branch's own edit of models.py.
    assert 'CHF = "CHF"' in git(repo, "show", "feature/multi-currency:payments/models.py")


def test_gitai_note_follows_the_authorship_format(built: dict[str, Path]) -> None:
    repo = built["payments-service"]
    note = git(repo, "notes", "--ref=ai", "show", "feature/fraud-rules-gitai")
    attestation, metadata = note.split("\n---\n", 1)
    assert re.fullmatch(r"payments/fraud/rules\.py\n  s_[0-9a-f]{14}::t_[0-9a-f]{14} [0-9,-]+", attestation)
    meta = json.loads(metadata)
    assert meta["schema_version"] == "authorship/3.0.0"
    [session] = meta["sessions"].values()
    assert session["agent_id"]["tool"] == "cursor"


def test_docs_and_tests_branches_touch_only_their_kind(built: dict[str, Path]) -> None:
    repo = built["payments-service"]
    docs = git(repo, "diff", "--name-only", "main...docs/runbook-update").split()
    tests = git(repo, "diff", "--name-only", "main...test/refund-coverage").split()
    assert docs and all(p.startswith("docs/") and p.endswith(".md") for p in docs)
    assert tests and all(p.startswith("tests/") and p.endswith(".py") for p in tests)


def test_every_python_file_on_every_ref_parses(built: dict[str, Path]) -> None:
    """Complexity tools parse these files; a syntax error would silently skew every metric."""
    repo = built["payments-service"]
    seen: set[str] = set()
    for ref in ("main", *payments.PENDING_BRANCHES, *payments.PULL_REFS, *payments.REMOTE_PENDING):
        for line in git(repo, "ls-tree", "-r", ref).splitlines():
            meta, path = line.split("\t", 1)
            blob = meta.split()[2]
            if path.endswith(".py") and blob not in seen:
                seen.add(blob)
                ast.parse(git(repo, "cat-file", "blob", blob), filename=f"{ref}:{path}")
    assert len(seen) > 150


def test_go_repository_shape(built: dict[str, Path]) -> None:
    repo = built["go-ledger"]
    assert len(git(repo, "rev-list", "main").split()) == 6
    names = set(refs(repo))
    assert {f"refs/heads/{b}" for b in goapp.PENDING_BRANCHES} <= names
    files = set(git(repo, "ls-tree", "-r", "--name-only", "main").split())
    assert {"go.mod", "cmd/server/main.go", "Dockerfile", ".github/workflows/ci.yml"} <= files
    assert any(f.startswith("internal/ledger/") and f.endswith("_test.go") for f in files)


def test_review_config_is_valid_toml_with_tiers_and_seniors(built: dict[str, Path]) -> None:
    for name, module in (("payments-service", payments), ("go-ledger", goapp)):
        config = tomllib.loads((built[name] / ".review-tui.toml").read_text())
        rules = config["tiers"]["rules"]
        assert all(set(rule) == {"glob", "tier", "reason"} and 0 <= rule["tier"] <= 3 for rule in rules)
        assert tuple(config["policy"]["seniors"]) == module.SENIORS


def test_the_demo_reviews_as_someone_on_a_machine_without_an_identity(make_repo, tmp_path: Path) -> None:
    """With neither git's user.email nor reviewer_email, decisions are recorded as unknown@localhost and
    never count: the demo's first honest approval read `anonymous`. The demo's repository then gets a
    reviewer of its own; an identity the machine has is left as it is."""
    from tests.conftest import ALICE

    bare, known = make_repo(), make_repo()
    for repo in (bare, known):
        repo.commit("base", {"a.py": "x = 1\n"}, author=ALICE)
    subprocess.run(["git", "-C", str(known.path), "config", "user.email", "me@example.com"], check=True)
    code = ("import sys; from pathlib import Path; from app.commands.demo import _give_the_demo_a_reviewer; "
            "_give_the_demo_a_reviewer(Path(sys.argv[1]))")
    env = {**os.environ, "HOME": str(tmp_path / "home"), "GIT_CONFIG_GLOBAL": os.devnull}
    for repo in (bare, known):
        subprocess.run([sys.executable, "-c", code, str(repo.path)], check=True, env=env, capture_output=True)
    email = [subprocess.run(["git", "-C", str(r.path), "config", "user.email"], capture_output=True, text=True,
                            env=env).stdout.strip() for r in (bare, known)]
    assert email == ["you@demo.example", "me@example.com"]
