"""The change screen on the real payments sample: the why panel (factors summing to the score,
destructive operations, AI tools), the commits with their AI signals, the review plan with
statuses from the ledger, opening a chunk, approving the whole change (a rubber stamp when chunks
were never opened), the loading indicator, hostile repository text, and snapshots in two themes."""

from __future__ import annotations

import io
import sqlite3
import threading

import pytest
from rich.console import Console
from textual.widgets import DataTable, Static, TabbedContent

from app.analysis.analyzer import Analyzer
from app.config import UserConfig
from app.report.tables import fit_chunk_title, fit_plan_title, shared_first_directories
from app.tui.screens.change import ChangeScreen
from app.tui.screens.queue import QueueScreen
from app.tui.widgets.why_panel import factor_total
from tests.conftest import ALICE, SAMPLES
from tests.functional.test_app import REVIEWER, build_app, queue_screen, settle


def rendered(static: Static, width: int = 200) -> str:
    """What a Static shows, as plain text."""
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(static.content)
    return console.export_text()


async def open_change(pilot, change_id: str) -> ChangeScreen:
    """Move the queue's cursor to `change_id`, press enter, wait for the detail to load."""
    await settle(pilot)
    queue = queue_screen(pilot.app)
    position = [row.id for row in queue.rows].index(change_id)
    await pilot.press(*["down"] * position, "enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ChangeScreen) and screen.detail is not None
    return screen


async def first_chunk_footer(pilot, change_id: str) -> str:
    """Open the change's first chunk and return the screen's last line, its key footer."""
    from tests.functional.test_reading_screens import _screen_text

    await open_change(pilot, change_id)
    await pilot.press("enter")
    await settle(pilot)
    assert type(pilot.app.screen).__name__ == "ChunkReviewScreen"
    return _screen_text(pilot.app).splitlines()[-1]


def column(table: DataTable, key: str) -> list[str]:
    return [cell.plain for cell in table.get_column(key)]


async def test_why_panel_factors_sum_to_the_score_and_destructive_ops_are_listed(payments_repo, warm_cache):
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_change(pilot, "infra/recreate-staging-env")
        found = screen.detail.assessment
        assert factor_total(found.risk.factors) == found.risk.score
        await pilot.press("w")
        await pilot.pause()
        assert screen.query_one(TabbedContent).active == "tab-why"
        text = rendered(screen.query_one("#why-panel", Static))
        for factor in found.risk.factors:
            assert f"{factor.contribution:.1f}" in text
        assert "total" in text and f"= score {found.risk.score:.1f}, critical" in text
        ops = found.destructive_ops
        assert ops
        for op in ops:
            assert f"{op.path}:{op.line}" in text
        assert "Destructive operations: " + str(len(ops)) in text
        assert "Tier T0" in text
        header = rendered(screen.query_one("#change-header", Static))
        assert "infra/recreate-staging-env" in header and "critical" in header and "destructive" in header


async def test_claude_branch_shows_its_ai_tools_and_marks_its_commits(payments_repo, warm_cache):
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_change(pilot, "feature/retry-refactor-claude")
        why = rendered(screen.query_one("#why-panel", Static))
        assert "tools: Claude Code" in why
        # a column, named as one: "nesting depth" overstated a continuation line aligned under a bracket
        assert "indentation" in why and "is indented 16 columns" in why and "nesting" not in why
        await pilot.press("c")
        await pilot.pause()
        commits = screen.query_one("#commits-table", DataTable)
        signals = {info.short_id: sigs for info, sigs in screen.detail.commit_list()}
        ai_cells = dict(zip(column(commits, "id"), column(commits, "ai"), strict=True))
        assert set(ai_cells) == set(signals)
        for short_id, sigs in signals.items():
            if sigs:
                assert ai_cells[short_id].startswith("✦ Claude Code")
                assert "co-authored-by" in ai_cells[short_id].lower()  # the signal that fired
            else:
                assert ai_cells[short_id] == "-"
        assert any(signals.values()) and not all(signals.values())


async def test_plan_lists_chunks_with_status_and_time_and_enter_opens_the_chunk(payments_repo, warm_cache):
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_change(pilot, "refactor/rename-gateway-modules")
        chunks = screen.detail.plan.chunks
        table = screen.query_one("#chunks-table", DataTable)
        assert column(table, "index") == [str(c.index) for c in chunks]
        assert set(column(table, "status")) == {"new"}
        assert set(column(table, "spent")) == {"-"}
        await pilot.press("down", "enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ChunkReviewScreen"
        assert app.screen.index == 1
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        # the chunk was on screen: the ledger says opened, and the plan shows it on return
        assert column(table, "status")[1] == "opened"
        assert column(table, "status")[0] == "new"


async def test_approving_a_change_with_unopened_chunks_asks_and_records_a_rubber_stamp(
        payments_repo, warm_cache):
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_change(pilot, "docs/runbook-update")
        await pilot.press("A")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmDialog"
        assert len(screen.detail.plan.chunks) == 1  # said of one chunk as of one, not "1 of 1 chunks was"
        said = rendered(app.screen.query_one("#dialog-prompt", Static), 400)
        assert "The chunk was never opened." in said
        lines = screen.detail.plan.chunks[0].changed_lines
        # a chunk never opened: its lines never came on screen either (QA47 #9: they were not counted)
        assert f"{lines:,} of {lines:,} changed lines never came on screen." in said
        await pilot.press("n")  # no: nothing recorded
        await pilot.pause()
        assert app.screen is screen
        ledger, session = app.ledger, app.session
        assert ledger.decisions_for(session.repo_key, "docs/runbook-update") == []
        await pilot.press("A")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        decisions = ledger.decisions_for(session.repo_key, "docs/runbook-update")
        assert len(decisions) == 1
        decision = decisions[0]
        assert decision.is_change_level and decision.rubber_stamp
        assert decision.unopened_chunks == len(screen.detail.plan.chunks)
        assert any("rubber stamp" in str(n.message) for n in app._notifications)
        # the plan says what check counts: every chunk covered by the change's approval, a stamp
        table = screen.query_one("#chunks-table", DataTable)
        assert all(s.endswith("stamped") for s in column(table, "status")), column(table, "status")
        await pilot.press("escape")
        await settle(pilot)
        queue = queue_screen(app)
        assert isinstance(app.screen, QueueScreen)
        row = [r.id for r in queue.rows].index("docs/runbook-update")
        assert queue.rows[row].status == "rubber-stamped"


async def test_the_big_change_loads_in_a_worker_and_the_screen_stays_usable(payments_repo, warm_cache):
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        position = [r.id for r in queue.rows].index("ai/generated-sdk-client")
        screen = ChangeScreen(queue.rows[position].report)
        await app.push_screen(screen)  # mounted: the header is drawn, the detail is loading
        # (the cached plan may already be on show: the warm cache holds it)
        assert screen.detail is None
        assert screen.query_one(TabbedContent).loading or screen.outline is not None
        assert "ai/generated-sdk-client" in rendered(screen.query_one("#change-header", Static))
        await pilot.press("w")  # keys work while it loads
        assert screen.query_one(TabbedContent).active == "tab-why"
        await settle(pilot)
        assert screen.detail is not None and not screen.query_one(TabbedContent).loading
        assert screen.query_one("#chunks-table", DataTable).row_count == len(screen.detail.plan.chunks) > 20
        await pilot.press("escape")
        await pilot.pause()
        again = ChangeScreen(queue.rows[position].report)
        await app.push_screen(again)
        assert again.detail is not None  # kept by the app: re-opening is instant


class _SlowDiffAnalyzer(Analyzer):
    """A real Analyzer whose full detail waits until the test lets it go: the diff of a huge change
    still being read, so that what the screen shows before it can be checked."""

    def __init__(self, *args, gate: threading.Event, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.gate = gate

    def detail(self, change, **options):
        assert self.gate.wait(30)
        return super().detail(change, **options)


async def test_a_cached_plan_is_shown_before_the_diff_is_read(payments_repo, warm_cache):
    app = build_app(payments_repo, cache=warm_cache)
    gate = threading.Event()
    app.fresh_analyzer = lambda discovery_progress=None: _SlowDiffAnalyzer(  # type: ignore[method-assign]
        payments_repo, cache=warm_cache, gate=gate)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        position = [r.id for r in queue.rows].index("ai/generated-sdk-client")
        screen = ChangeScreen(queue.rows[position].report)
        await app.push_screen(screen)
        for _ in range(200):
            if screen.outline is not None:
                break
            await pilot.pause(0.01)
        await pilot.pause()
        # The plan, its statuses and the commits are on screen; the diff is not read yet.
        assert screen.detail is None and screen.outline is not None
        assert not screen.query_one(TabbedContent).loading
        plan = screen.outline.plan
        table = screen.query_one("#chunks-table", DataTable)
        assert table.row_count == len(plan.chunks) > 20
        assert column(table, "lines") == [str(c.changed_lines) for c in plan.chunks]
        # The commits are listed when their tab is shown (not drawn for a tab nobody looks at).
        await pilot.press("c")
        await pilot.pause()
        assert screen.query_one("#commits-table", DataTable).row_count == len(screen.report.change.commits)
        await pilot.press("p")
        await pilot.pause()
        # Enter on a chunk before the diff is read: it opens as soon as the diff is there.
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ChangeScreen)
        gate.set()
        await settle(pilot)
        from app.tui.screens.chunk import ChunkReviewScreen

        assert isinstance(app.screen, ChunkReviewScreen) and app.screen.index == 1
        assert screen.detail is not None and screen.detail.plan == plan


async def test_a_long_question_is_shown_whole(payments_repo, warm_cache):
    """QA48 #16: an author approving their own unread change was told "... Approving now is recorded as a rubber…":
    the question was cut at 300 characters, its end (what happens) lost."""
    from app.tui.screens.dialogs import ConfirmDialog

    question = "This is your own change: you authored it. " * 8 + "Approving now is recorded as a rubber stamp."
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.push_screen(ConfirmDialog("Approve?", question))
        await pilot.pause()
        said = " ".join(rendered(app.screen.query_one("#dialog-prompt", Static), 1_000).split())
        assert said.endswith("Approving now is recorded as a rubber stamp."), said


async def test_an_agent_branch_without_ai_commits_says_ai_in_its_header_as_the_queue_does(make_repo):
    """QA48 #15: the queue showed "AI?" for a codex/ branch whose commits carry no signal (Codex cloud writes
    none), and the change screen's header said nothing of it."""
    repo = make_repo("agent")
    repo.commit("init", {"a.py": "x = 1\n"}, author=ALICE)
    repo.branch("codex/wrap-hooks")
    repo.commit("Wrap hooks", {"a.py": "x = 2\n"}, branch="codex/wrap-hooks", author=ALICE)
    repo.checkout()
    app = build_app(repo.path)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_change(pilot, "codex/wrap-hooks")
        assert "AI? (see why)" in rendered(screen.query_one("#change-header", Static))


def _class_source(name: str, methods: list[str], body: int) -> str:
    lines = [f"class {name}:"]
    for method in methods:
        lines += [f"    def {method}(self, x):", *(f"        x = x + {k}" for k in range(body)), "        return x", ""]
    return "\n".join(lines) + "\n"


async def test_two_chunks_of_one_file_keep_their_function_names_apart_at_120_columns(make_repo):
    """QA49 #12: at 120 columns two chunks of one sandbox.py read "sandbox.py: ACAS…sed_port +20" and
    "sandbox.py: ACAS…t.create +10": the middle of the class and function names, what tells them apart, was cut."""
    repo = make_repo("sandbox")
    repo.commit("init", {"src/agents/aca/__init__.py": "\n"}, author=ALICE)
    repo.branch("feature/aca")
    session = _class_source("ACASandboxesSession", ["_resolve_exposed_port"] + [f"step_{k}" for k in range(20)], 12)
    client = _class_source("ACASandboxesClient", ["create"] + [f"call_{k}" for k in range(10)], 18)
    repo.commit("ACA sandboxes", {"src/agents/aca/sandbox.py": session + "\n\n" + client}, branch="feature/aca",
                author=ALICE)
    repo.checkout()
    app = build_app(repo.path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_change(pilot, "feature/aca")
        table = screen.query_one("#chunks-table", DataTable)
        titles = column(table, "title")
        full = [chunk.title for chunk in screen.detail.plan.chunks]
        assert any("ACASandboxesSession._resolve_exposed_port and 20 more" in title for title in full), full
        assert len(set(titles)) == len(titles) == 2, titles
        assert any("._resolve_exposed_port" in title for title in titles), titles  # the function's name whole
        assert any("Client.create" in title for title in titles), titles


async def test_a_copy_under_another_top_directory_never_reads_as_its_original_in_the_plan(make_repo):
    """QA51 #13: hono's deno_dist/middleware/basic-auth/index.ts (denoify's copy) showed as
    "middleware/basic-auth/index.ts" at 120 columns and "basic-auth/index.ts" at 80, like its src/ original: the top
    directory went silently. The first directory and the file's name stay, the cut is marked `…`, and at 120 columns
    the chunk column has the kind column's cells (a chunk that is not code says so among its marks)."""
    repo = make_repo("copies")
    auth = "export const basicAuth = (options) => {{\n  return check(options, {n})\n}}\n"
    repo.commit("init", {"deno_dist/middleware/basic-auth/index.ts": auth.format(n=1),
                         "src/middleware/basic-auth/index.ts": auth.format(n=1), "yarn.lock": "a\n"}, author=ALICE)
    repo.branch("feature/auth")
    repo.commit("auth", {"deno_dist/middleware/basic-auth/index.ts": auth.format(n=2),
                         "src/middleware/basic-auth/index.ts": auth.format(n=3), "yarn.lock": "b\n"},
                branch="feature/auth", author=ALICE)
    repo.checkout()
    whole = {"deno_dist/middleware/basic-auth/index.ts", "src/middleware/basic-auth/index.ts"}
    # at 80 columns too since the chunk column has the cells of the AI and spent columns while they are empty
    # (QA55 F13); at 70 the first directory and the file's name stay
    cut = {"deno_dist/…/index.ts", "src/…/basic-auth/index.ts"}
    for size, shown in (((120, 40), whole), ((80, 24), whole), ((70, 24), cut)):
        async with build_app(repo.path).run_test(size=size) as pilot:
            screen = await open_change(pilot, "feature/auth")
            table = screen.query_one("#chunks-table", DataTable)
            titles = column(table, "title")
            assert shown <= set(titles), titles
            assert "kind" not in [c.key.value for c in table.ordered_columns]
            if size[0] == 120:
                assert "collapsed" in column(table, "marks")[titles.index("Collapsed: yarn.lock")]
                widths = {str(c.key.value): c.width for c in table.columns.values()}
                assert widths["title"] >= len("deno_dist/middleware/basic-auth/index.ts"), widths


async def test_markup_and_control_characters_in_commits_show_literally(make_repo):
    repo = make_repo("hostile")
    repo.commit("init", {"a.py": "x = 1\n"}, author=ALICE)
    repo.branch("feature/x")
    repo.commit("[bold]big[/bold] \x1b[31mred\x1b[0m\x07", {"a.py": "x = 2\n"}, branch="feature/x",
                author=SAMPLES.Person("[i]Eve[/i]", "eve@example.com"))
    repo.checkout()
    app = build_app(repo.path)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_change(pilot, "feature/x")
        header = rendered(screen.query_one("#change-header", Static))
        assert "[bold]big[/bold] ␛[31mred␛[0m␇" in header and "[i]Eve[/i]" in header
        await pilot.press("c")
        await pilot.pause()
        commits = screen.query_one("#commits-table", DataTable)
        assert column(commits, "subject") == ["[bold]big[/bold] ␛[31mred␛[0m␇"]
        assert column(commits, "author") == ["[i]Eve[/i]"]


@pytest.mark.parametrize("size", [(60, 20), (30, 10)])
async def test_narrow_change_screen_does_not_crash(payments_repo, warm_cache, size):
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=size) as pilot:
        screen = await open_change(pilot, "feature/retry-refactor-claude")
        await pilot.press("w", "c", "p")
        await pilot.pause()
        await pilot.resize_terminal(200, 50)
        await pilot.pause()
        assert "kind" in [c.key.value for c in screen.query_one("#chunks-table", DataTable).ordered_columns]


# -- snapshots ------------------------------------------------------------------------------
async def _open_infra(pilot) -> None:
    await open_change(pilot, "infra/recreate-staging-env")


@pytest.mark.parametrize("theme", ["review-dark", "review-colorblind"])
def test_snapshot_change_80x24(snap_compare, payments_repo, warm_cache, theme):
    app = build_app(payments_repo, cache=warm_cache, user_config=UserConfig(theme=theme, reviewer_email=REVIEWER))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_open_infra)


def test_snapshot_change_why_80x24(snap_compare, payments_repo, warm_cache):
    async def open_why(pilot) -> None:
        await open_change(pilot, "infra/recreate-staging-env")
        await pilot.press("w")
        await pilot.pause()

    app = build_app(payments_repo, cache=warm_cache,
                    user_config=UserConfig(theme="review-light", reviewer_email=REVIEWER))
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_why)


def test_analyzer_detail_agrees_with_the_report_the_queue_showed(payments_repo, warm_cache):
    # The screen's header comes from the queue's report and is replaced by the detail's: same score.
    analyzer = Analyzer(payments_repo, cache=warm_cache)
    report = analyzer.analyze(analyzer.change("infra/recreate-staging-env"))
    assert analyzer.detail("infra/recreate-staging-env").report.score == report.score


async def test_commits_without_ai_signals_give_the_ai_column_to_the_subject(payments_repo, warm_cache):
    """A change none of whose commits carries an AI signal shows a dash, and its subjects get the room."""
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_change(pilot, "feature/multi-currency")
        await pilot.press("c")
        await pilot.pause()
        commits = screen.query_one("#commits-table", DataTable)
        assert not any(signals for _, signals in screen.detail.commit_list())
        assert set(column(commits, "ai")) == {"-"}
        widths = {str(c.key.value): c.width for c in commits.columns.values()}
        assert widths["ai"] == 3 and widths["subject"] >= 40


async def test_the_marks_column_is_as_wide_as_its_marks_and_the_title_gets_the_rest(payments_repo, warm_cache):
    """At 100 columns a destructive chunk's mark reads whole ("☠ destructive" was cut at 12 cells), and
    a plan without marks gives the room to its titles."""
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_change(pilot, "infra/recreate-staging-env")
        table = screen.query_one("#chunks-table", DataTable)
        assert "☠ destructive" in column(table, "marks")
        marked = {str(c.key.value): c.width for c in table.columns.values()}
        assert marked["marks"] == len("☠ destructive")
        await pilot.press("escape")
        screen = await open_change(pilot, "feature/multi-currency")
        table = screen.query_one("#chunks-table", DataTable)
        assert not any(column(table, "marks"))
        plain = {str(c.key.value): c.width for c in table.columns.values()}
        assert plain["marks"] == len("marks") and plain["title"] == marked["title"] + marked["marks"] - 5


async def test_wide_marks_on_a_few_chunks_never_cut_every_title_to_a_stub(payments_repo, warm_cache):
    """The generated SDK's 52 chunks: one carries a 22-cell mark. At 100 columns the marks column gives
    way before the titles do (they read "disc… 2 more" at 12 cells); at 160 both read whole."""
    from app.tui.screens.change import TITLE_MIN

    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_change(pilot, "ai/generated-sdk-client")
        table = screen.query_one("#chunks-table", DataTable)
        widths = {str(c.key.value): c.width for c in table.columns.values()}
        assert widths["title"] >= TITLE_MIN
        assert all("… " not in title or len(title.split("…")[0]) > 4 for title in column(table, "title"))
    async with build_app(payments_repo, cache=warm_cache).run_test(size=(160, 30)) as pilot:
        screen = await open_change(pilot, "ai/generated-sdk-client")
        table = screen.query_one("#chunks-table", DataTable)
        widest = max(len(mark) for mark in column(table, "marks"))
        assert {str(c.key.value): c.width for c in table.columns.values()}["marks"] == max(widest, len("marks"))


# terraform-aws-eks ee9f0c646a's plan: three modules and two examples, each a chunk or more
EKS_TITLES = ["modules/self-managed-node-group/: main.tf and README.md",
              "modules/eks-managed-node-group/: main.tf and README.md",
              "modules/fargate-profile/: variables.tf and versions.tf",
              "modules/eks-managed-node-group/: variables.tf and versions.tf",
              "modules/eks-managed-node-group/main.tf: aws_launch_template.this and 1 more",
              "modules/self-managed-node-group/main.tf: aws_launch_template.this and 1 more",
              ".github/workflows/: stale-actions.yaml and release.yml",
              ".github/images/: security_groups.svg and user_data.svg",
              "examples/complete/: main.tf and README.md", "templates/: kubeconfig.tpl, aws_auth_cm.tpl and 4 more",
              "variables.tf: var.cluster_encryption_config and 54 more"]


def test_titles_of_a_plan_keep_the_directory_that_tells_them_apart():
    """FIX95 F13: at 80 columns terraform-aws-eks ee9f0c646a's plan read "modules/…/: main.tf and README.md" for
    three modules: the first directory, shared by them all, was kept and the module's name cut. Where a plan's long
    titles share a first directory with different ones after it, the one after it is kept, the cut marked."""
    shared = shared_first_directories(EKS_TITLES, 33)
    assert shared == {"modules", ".github"}  # examples/complete/ is the only example: its title is left as it was
    fitted = [fit_plan_title(title, 33, shared) for title in EKS_TITLES]
    assert [fit_chunk_title(title, 33) for title in EKS_TITLES[:4]] == [
        "modules/…/: main.tf and README.md", "modules/…/: main.tf and README.md", "modules/…/: variables.tf +1 more",
        "modules/…/: variables.tf +1 more"]  # as each title alone fits: nothing tells the modules apart
    assert fitted[:4] == ["…/self-managed-node…/: main.tf +1", "…/eks-managed-node-…/: main.tf +1",
                          "…/fargate-prof…/: variables.tf +1", "…/eks-managed-…/: variables.tf +1"]
    assert all(len(title) <= 33 for title in fitted)
    # a definition's title keeps its own name when the module's would not fit beside it
    assert fitted[4] == fit_chunk_title(EKS_TITLES[4], 33) == "aws_launch_template.this +1"
    # the next directory is kept only where 8 characters of it are said: "…/workfl…/" told less than ".github/…/"
    assert fitted[6] == ".github/…/: stale-actions.yaml +1" and fitted[7] == "…/images/: security_groups.svg +1"
    assert fitted[8:] == [fit_chunk_title(title, 33) for title in EKS_TITLES[8:]]  # no shared first directory
    # titles that fit are left whole
    assert [fit_plan_title(title, 80, shared_first_directories(EKS_TITLES, 80)) for title in EKS_TITLES] == EKS_TITLES


def test_a_chunk_title_too_long_for_its_column_keeps_its_file_names():
    """The planner names chunks by their paths; in a narrow column the middle directories go first, the first
    directory and the file's name kept and the cut marked `…` (QA51 #13: dropping the top directories silently made
    deno_dist/middleware/basic-auth/index.ts read as its src/ copy), so the names of the files and functions stay
    readable (cut first, 21 cells showed "lib/ansi…d service.py")."""
    assert fit_chunk_title("lib/ansible/modules/service.py", 40) == "lib/ansible/modules/service.py"
    assert fit_chunk_title("lib/ansible/modules/service.py", 29) == "lib/…/modules/service.py"
    assert fit_chunk_title("infra/terraform/main.tf", 21) == "infra/…/main.tf"
    assert fit_chunk_title("lib/ansible/module_utils/facts/system/service_mgr.py and lib/ansible/modules/service.py",
                           45) == "lib/…/service_mgr.py and lib/…/service.py"
    listed = "lib/ansible/modules/: apt.py, yum.py and 5 more"
    # a directory says more than the second of a list of names
    assert fit_chunk_title(listed, 41) == "lib/ansible/modules/: apt.py and 6 more"
    assert fit_chunk_title(listed, 35) == "lib/…/modules/: apt.py and 6 more"
    assert fit_chunk_title("lib/ansible/executor/task_executor.py: TaskExecutor.run and 2 more",
                           45) == "lib/…/task_executor.py: TaskExecutor.run +2"
    assert fit_chunk_title("Collapsed: vendor/lib/generated/client.py", 30) == "Collapsed: vendor/…/client.py"
    assert len(fit_chunk_title("a/" * 50 + "very_long_module_name_that_does_not_fit.py", 21)) == 21
    # then fewer names, each whole, before any name is cut (at 80 columns the column has 21 cells)
    assert fit_chunk_title(listed, 25) == "lib/…/: apt.py and 6 more"
    assert fit_chunk_title("lib/ansible/module_utils/: basic.py and service.py", 21) == "lib/…/: basic.py +1"
    assert fit_chunk_title("lib/ansible/modules/: apt.py, debconf.py and 14 more", 21) == "lib/…/: apt.py +15"
    assert fit_chunk_title("lib/ansible/parsing/vault/: __init__.py, crypto.py and 3 more",
                           21) == "lib/…: __init__.py +4"
    # a name too long even alone is cut, never the count: "terminal…y and 1 more" said two files of three
    assert fit_chunk_title("sdk/models/terminal_reader.py, sdk/endpoints/terminal_reader.py and 1 more",
                           21) == "models…l_reader.py +2"
    assert fit_chunk_title("examples/sandbox/extensions/aca_sandboxes_runner.py, src/agents/aca/models.py and 3 more",
                           29) == "…/aca_sandboxes_runner.py +4"  # not "aca_sand…es_runner.py +4 more" (QA49 #12)
    # two files of one name keep the directory that tells them apart ("tax_rate.py, tax_rate.py and 1 more")
    assert fit_chunk_title("billing/tax/tax_rate.py, shop/pricing/tax_rate.py and 1 more",
                           52) == "billing/…/tax_rate.py, shop/…/tax_rate.py and 1 more"
    # a file and its function: the function's own name whole ("sandbox.py: ACAS…t.create +10" and
    # "sandbox.py: ACAS…sed_port +20" read alike, QA49 #12), the class giving way from its start, then the file's name
    assert fit_chunk_title("lib/ansible/cli/editor.py: VaultEditor.encrypt_file and 5 more",
                           33) == "…/editor.py: …Editor.encrypt_file"  # the count gives way first
    assert fit_chunk_title("lib/ansible/cli/editor.py: VaultEditor.encrypt_file and 5 more",
                           21) == "…itor.encrypt_file +5"
    assert fit_chunk_title("lib/ansible/module_utils/facts/system/caps.py: SystemCapabilitiesFactCollector.collect",
                           21) == "…actCollector.collect"  # "caps.py: …tor.collect" named no class
    assert fit_chunk_title("lib/ansible/executor/task_executor.py: TaskExecutor.run and 2 more",
                           21) == "TaskExecutor.run +2"
    sandbox = "src/agents/extensions/sandbox/aca/sandbox.py"
    assert fit_chunk_title(f"{sandbox}: ACASandboxesClient.create and 10 more", 31) == "src/…/sandbox.py: …lient.create"
    assert fit_chunk_title(f"{sandbox}: ACASandboxesSession._resolve_exposed_port and 20 more",
                           29) == "…ession._resolve_exposed_port"
    # a test's name too long even alone is cut in its middle, the file's name before it gone
    assert fit_chunk_title("tests/sandbox/test_aca.py: test_create_forwards_options_and_manifest_environment and 30 "
                           "more", 29) == "test_crea…est_environment +30"
    # a JS/TS test callback is named by its text, cut in its middle (a dot in the text is no class)
    assert fit_chunk_title('src/validator/validator.test.ts: it("Should be invalid - v.json()") and 27 more',
                           45) == 'src/…/validator.test.ts: it("Sh….json()") +27'
    # a Terraform address is cut in its middle: its type says what the name is (aws_db_instance)
    assert fit_chunk_title("infra/terraform/main.tf: aws_db_instance.payments and 2 more",
                           21) == "aws_db…ce.payments +2"
    # small edits packed together: where they are with the middle of its directories cut, the count whole
    assert fit_chunk_title("13 small edits in src/agents/ and tests/", 36) == "13 small edits in src/…/ and tests/"
    assert fit_chunk_title("13 small edits in src/agents/ and tests/", 29) == "13 small edits in src/…/ …"
    assert fit_chunk_title("9 small edits in src/agents/extensions/sandbox/", 40) == \
        "9 small edits in src/…/sandbox/"
    # hono pull/743: a deno_dist/ copy and its src/ original never read alike, and any cut is marked
    for width, copy, original in ((37, "deno_dist/…/basic-auth/index.ts", "src/middleware/basic-auth/index.ts"),
                                  (21, "deno_dist/…/index.ts", "src/…/index.ts")):
        assert fit_chunk_title("deno_dist/middleware/basic-auth/index.ts", width) == copy
        assert fit_chunk_title("src/middleware/basic-auth/index.ts", width) == original
    assert fit_chunk_title("deno_dist/: request.ts, context.ts and 1 more", 21) == "deno…/: request.ts +2"
    assert fit_chunk_title("Deleted: src/validator/: validator.ts, rule.ts and 6 more",
                           48) == "Deleted: src/validator/: validator.ts and 7 more"
    assert fit_chunk_title("Deleted: src/validator/: validator.ts, rule.ts and 6 more",
                           37) == "Deleted: src/…/: validator.ts +7 more"
    titles = ["deno_dist/middleware/basic-auth/index.ts", "deno_dist/: request.ts, context.ts and 1 more",
              "src/rpc/: mock-validator.ts and rpc.test.ts",
              "Deleted: src/validator/: validator.ts, rule.ts and 6 more",
              "deno_dist/middleware/cache/index.ts and src/middleware/cache/index.ts", "lib/ansible/modules/service.py"]
    for title in titles:
        for width in range(12, len(title)):
            short = fit_chunk_title(title, width)
            whole = short == title.replace(" and ", ", ")  # nothing left out
            assert len(short) <= width and ("…" in short or "+" in short or " more" in short or whole), \
                (title, width, short)


def _change_decisions(app, change_id: str) -> list[tuple[str, int, int]]:
    """(decision, fast, unopened_chunks) of the change's decisions, read from the ledger file itself."""
    with sqlite3.connect(app.ledger.path) as db:
        return db.execute("SELECT decision, fast, unopened_chunks FROM decisions WHERE change_id = ?"
                          " ORDER BY id", (change_id,)).fetchall()


async def _glance_at_every_chunk(pilot, screen: ChangeScreen) -> None:
    """Open each chunk of the plan and leave it at once (well under its floor time)."""
    for position in range(len(screen.detail.plan.chunks)):
        screen.query_one("#chunks-table", DataTable).move_cursor(row=position)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot)


async def test_approving_a_change_glanced_at_asks_first_and_escape_records_nothing(payments_repo, warm_cache):
    """`A` after each chunk was opened only briefly asks, as `a` does below a chunk's floor."""
    app = build_app(payments_repo, cache=warm_cache)
    change = "refactor/rename-gateway-modules"
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_change(pilot, change)
        total = len(screen.detail.plan.chunks)
        await _glance_at_every_chunk(pilot, screen)
        await pilot.press("A")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmDialog"
        said = rendered(app.screen.query_one("#dialog-prompt", Static), 400)
        assert total > 1 and f"{total} of {total} chunks were read for less than their floor time" in said
        assert "recorded as a rubber stamp" in said and "never opened" not in said
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert _change_decisions(app, change) == []
        await pilot.press("A")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert _change_decisions(app, change) == [("approve", 1, 0)]  # fast, every chunk opened


async def test_approving_a_change_over_a_flag_warns_and_n_records_nothing(payments_repo, warm_cache):
    app = build_app(payments_repo, cache=warm_cache)
    change = "docs/runbook-update"
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_change(pilot, change)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        await pilot.press(*"wrong pager", "enter")
        await settle(pilot)
        while app.screen is not screen:
            await pilot.press("escape")
            await settle(pilot)
        await pilot.press("A")
        await pilot.pause()
        said = rendered(app.screen.query_one("#dialog-prompt", Static), 400)
        assert "You flagged chunk #1: approving the change withdraws your flag." in said
        await pilot.press("n")
        await pilot.pause()
        assert _change_decisions(app, change) == [("flag", 0, 0)]
        await pilot.press("A")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert [d for d, _fast, _unopened in _change_decisions(app, change)] == ["flag", "approve"]


async def test_a_plan_note_is_cut_to_the_summary_line_not_left_out(make_repo):
    """QA49 #14d: a file that is 99% of a change, one literal collapsed as data, is what a reviewer of its plan needs
    to know first; a note longer than the room beside the plan's counts was left out of the summary line whole."""
    rows = "".join(f'    "key_{k:05d}": {{"name": "item {k}", "tags": ["a", "b"]}},\n' for k in range(2_100))
    repo = make_repo("literal")
    repo.commit("init", {"src/agents/schema.py": "x = 1\n"}, author=ALICE)
    repo.branch("feature/table")
    repo.commit("Lookup table", {"src/agents/table.py": f"TABLE = {{\n{rows}}}\n", "src/agents/schema.py": "x = 2\n"},
                branch="feature/table", author=ALICE)
    repo.checkout()
    app = build_app(repo.path)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_change(pilot, "feature/table")
        line = rendered(screen.query_one("#plan-summary", Static))
        assert "2 chunks, 2104 changed lines" in line
        assert "·  src/agents/table.py is >99% of this change: one literal" in line, line
        assert line.rstrip().endswith("…"), line


async def test_the_sign_off_verdict_shows_with_the_cached_plan_before_the_detail_loads(payments_repo, warm_cache):
    """QA: the change screen's sign-off verdict waited for the full detail, which waits for the worker pool while
    the queue analyses other changes (4-7 s on a queue of 120 still analysing). A change whose analysis is cached
    has its chunks, tier and AI share on screen at once: the verdict is judged from them then, as `check` judges
    it, and from the detail once that loads."""
    from app.analysis.report import ChangePlan
    from app.analysis.signoff import evaluate_change

    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        queue = queue_screen(app)
        row = next(r for r in queue.rows if r.id == "feature/retry-refactor-claude")
        screen = ChangeScreen(row.report)
        await app.push_screen(screen)
        seen = None
        for _ in range(500):  # the worker waits for the outline's paint before it reads the detail
            if isinstance(screen.outline, ChangePlan) and screen.detail is None:
                seen = (screen.outcome, rendered(screen.query_one("#signoff", Static)))
                break
            await pilot.pause(0.005)
        assert seen is not None, "the cached plan was never on screen alone"
        outcome, shown = seen
        assert outcome is not None and "sign-off (as check sees it): policy NOT met" in shown, shown
        await settle(pilot)
        assert screen.detail is not None and screen.outcome is not None
        check = evaluate_change(Analyzer(payments_repo, cache=warm_cache),
                                Analyzer(payments_repo, cache=warm_cache).detail(row.report.change))
        for verdict in (outcome, screen.outcome):  # the same verdict before and after the detail, and check's
            assert (verdict.result.ok, verdict.result.missing, verdict.tier, verdict.chunks) == (
                check.result.ok, check.result.missing, check.tier, check.chunks)
            assert verdict.ai_share == pytest.approx(check.ai_share, abs=0.00005)  # the report's is rounded


async def test_the_cc_column_keeps_its_unit_as_the_queue_does(make_repo):
    """QA52 #5: a chunk of CC +1,091 read "+1.1" in the change screen's 4-cell CC+ column (a little over one), where
    the queue says "+1.1k". The column says it as the queue does, widened by one when a figure needs it."""
    from tests.functional.test_reading_screens import _screen_text

    terms = " or ".join(f"x == {k}" for k in range(20))
    branchy = ("def route(x):\n" + "".join(f"    if {terms}:\n        return {k}\n" for k in range(55))
               + "    return 0\n")
    repo = make_repo("branchy")
    repo.commit("init", {"src/app/__init__.py": "\n", "src/app/small.py": "def f(x):\n    return x\n"}, author=ALICE)
    repo.branch("feature/route")
    repo.commit("route", {"src/app/route.py": branchy,
                          "src/app/small.py": "def f(x):\n    if x:\n        return 1\n    return x\n"},
                branch="feature/route", author=ALICE)
    repo.checkout()
    async with build_app(repo.path).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        [row] = [r for r in queue_screen(pilot.app).rows if r.id == "feature/route"]
        assert 1_000 <= row.complexity_added < 9_950, row.complexity_added
        screen = await open_change(pilot, "feature/route")
        table = screen.query_one("#chunks-table", DataTable)
        cells = column(table, "cc")
        # route() alone takes more than a sitting (its 1,100 points at 10 s): a chunk of its own, small.py's apart
        assert cells == ["+1.1k", "+1"], cells
        [route] = [c for c in screen.outline.plan.chunks if c.files == ["src/app/route.py"]]
        assert route.oversized and "capped at one sitting 1h 00m 00s: one unit that cannot be cut" in (
            route.floor_derivation), route.floor_derivation
        assert {str(c.key.value): c.width for c in table.columns.values()}["cc"] == 5
        shown = _screen_text(pilot.app)
        assert " +1.1k " in shown, shown


async def test_opening_a_change_reads_no_refs_the_queue_has_read(payments_repo, warm_cache, monkeypatch):
    """Issue 18: a change screen shows its cached report and plan with the discovery the queue made: its thread
    discovered every ref again (lazygit's 2,957) before the plan of a big change was on screen."""
    from app.analysis import analyzer as analyzer_module

    discovered: list[str] = []
    real_discover = analyzer_module.discover

    def counted(repo, *args, **kwargs):
        discovered.append(threading.current_thread().name)
        return real_discover(repo, *args, **kwargs)

    monkeypatch.setattr(analyzer_module, "discover", counted)
    app = build_app(payments_repo, cache=warm_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert len(discovered) == 1  # the queue's
        screen = await open_change(pilot, "ai/generated-sdk-client")
        assert screen.outline is not None and screen.detail is not None
        assert len(discovered) == 1
