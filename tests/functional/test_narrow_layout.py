"""What matters reads whole at 80x24, 100x30 and 120x40: the change screen's header keeps the review
status and drops the least important figures first, and the sign-off verdict wraps instead of being
cut ("needs 2 more approvals, 1 of the…")."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from tests.conftest import ALICE
from tests.functional.test_app import build_app, settle
from tests.functional.test_change_screen import column, open_change
from tests.functional.test_reading_screens import _screen_text

CHANGE = "feature/retry-refactor-claude"  # tier 0, 95% AI: the policy asks two approvals, one senior


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40)])
async def test_the_whole_signoff_verdict_and_the_review_status_are_on_screen(payments_repo, warm_cache, size):
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=size) as pilot:
        screen = await open_change(pilot, CHANGE)
        detail = screen.detail
        app.session.approve_change(detail)  # unopened: a rubber stamp, which adds a second missing item
        screen._recorded(detail)
        await pilot.pause()
        text = _screen_text(app)
        header = text.splitlines()[:4]
        assert any("[rubber-stamped]" in line for line in header), header
        # the figures and status lines are whole (the id and title line may end in "…": a title is cut to fit)
        assert not any(line.rstrip().endswith("…") for line in header[1:]), header
        assert "high" in header[2] and "T0" in header[2] and "floor 49m00s" in header[2]  # FIX64: 2 lines skimmed
        missing = screen.outcome.result.missing
        assert len(missing) == 2 and "needs 2 more approvals, 1 of them senior" in missing[0]
        shown = _words(text)
        assert "sign-off (as check sees it): policy NOT met" in shown
        for item in missing:
            assert _words(item) in shown, (item, text)
        # each item's wrapped lines go on under its text, not back at the screen's edge
        block = text[text.index("sign-off (as check sees it)"):].splitlines()[1:]
        items = [line for line in block if line.lstrip().startswith("- ")]
        assert len(items) == 2, block
        text_column = items[0].index("- ") + 2
        wrapped = block[block.index(items[0]) + 1]  # the first item is long enough to wrap at every size
        assert wrapped[:text_column].strip() == "" and wrapped[text_column] != " ", block


VERSIONS = ('terraform {{\n  required_providers {{\n    aws = {{\n      source  = "hashicorp/aws"\n'
            '      version = "{v}"\n    }}\n  }}\n}}\n')
# release_version and tags change in place: the edit is no replacement (ami_type or node_group_name would be one, and
# the chunk's "☠ destructive" mark would take the columns these titles are measured in)
MODULE = ('resource "aws_eks_node_group" "this" {{\n  node_group_name = "workers"\n  release_version = "{ami}"\n'
          '  tags = {{ Name = var.name }}\n}}\n')
VARIABLES = 'variable "name" {{\n  type    = string\n  default = "{d}"\n}}\n'


def _node_group_repo(make_repo):
    """terraform-aws-eks pr/3686 in small: one edit to two node-group modules (the second a copy of the first's),
    the same provider bump in tests/ and examples/ copies of each."""
    repo = make_repo("node-groups")
    groups = ("eks-managed-node-group", "self-managed-node-group")
    files: dict[str, str] = {}
    for group in groups:
        files |= {f"modules/{group}/main.tf": MODULE.format(ami="AL2"), f"modules/{group}/versions.tf":
                  VERSIONS.format(v=">= 5.0"), f"modules/{group}/variables.tf": VARIABLES.format(d="a")}
        files |= {f"{root}/{group}/versions.tf": VERSIONS.format(v=">= 5.0") for root in ("tests", "examples")}
        files[f"tests/{group}/README.md"] = "# test\n\nprovider 5\n"
    repo.commit("init", files, author=ALICE)
    repo.branch("feat/al2023")
    edit = {path: VERSIONS.format(v=">= 6.0") for path in files if path.endswith("versions.tf")}
    for group in groups:
        edit |= {f"modules/{group}/main.tf": MODULE.format(ami="AL2023"),
                 f"modules/{group}/variables.tf": VARIABLES.format(d="b")}
        edit[f"tests/{group}/README.md"] = "# test\n\nprovider 6\n"
    repo.commit("AL2023 and AWS provider 6", edit, branch="feat/al2023", author=ALICE)
    repo.checkout()
    return repo


async def test_chunk_titles_keep_what_tells_them_apart_at_80_columns(make_repo):
    """QA55 F13: at 80x24 the change screen cut two chunks of versions.tf edits, one in tests/ and one in
    examples/, to the same "eks-ma…versions.tf", and the module copies' chunk to "Same edi…p/ (3 files)", while the
    status column ("new") and the spent column ("-") kept 21 cells. The chunk column takes the empty columns'
    cells, and a cut title keeps its first directory and its file's name; the copies' chunk says what and where."""
    repo = _node_group_repo(make_repo)
    async with build_app(repo.path).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_change(pilot, "feat/al2023")
        table = screen.query_one("#chunks-table", DataTable)
        keys = [str(c.key.value) for c in table.columns.values()]
        assert "spent" not in keys and "ai" not in keys, keys  # nothing in them yet
        assert {str(c.key.value): c.width for c in table.columns.values()}["status"] == len("status")
        titles = column(table, "title")
        assert len(set(titles)) == len(titles), titles
        tests = [t for t in titles if t.startswith("tests/")]
        examples = [t for t in titles if t.startswith("examples/")]
        assert len(tests) == 1 and len(examples) == 1 and "versions.tf" in tests[0] + examples[0], titles
        [copies] = [t for t in titles if t.startswith("Same edits")]
        assert "self-managed-node-group/" in copies, titles
        # a chunk's time shows once there is some, the status column as wide as its widest state
        session = pilot.app.session
        chunk, change = screen.detail.plan.chunks[0], screen.detail.change
        view = session.ledger.open_chunk(session.session_id, session.repo_key, change.id, change.head,
                                         chunk.content_hash, chunk.index)
        session.ledger.add_active_time(view, chunk.floor_seconds + 5)
        session.approve(screen.detail, chunk)
        screen._recorded(screen.detail)
        await pilot.pause()
        keys = [str(c.key.value) for c in table.columns.values()]
        assert "spent" in keys and {str(c.key.value): c.width for c in table.columns.values()}["status"] == len(
            "✔ approved"), keys


async def test_chunk_titles_at_120_columns_are_whole_and_every_column_is_kept(make_repo):
    repo = _node_group_repo(make_repo)
    async with build_app(repo.path).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_change(pilot, "feat/al2023")
        table = screen.query_one("#chunks-table", DataTable)
        keys = [str(c.key.value) for c in table.columns.values()]
        assert "spent" in keys and "ai" in keys, keys
        titles = column(table, "title")
        assert len(set(titles)) == len(titles) and "Same edits: modules/self-managed-node-group/" in titles, titles
