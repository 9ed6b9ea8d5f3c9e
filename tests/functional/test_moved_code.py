"""Code moved within a change is not new code (QA58 F3, QA57 F11): a function moved to another class or file, or
renamed, adds no complexity but what it grew by (apache/fineract pr/4121, "Extract Merchant issued refund and Payout
refund handling", read CC+ 81 while its files' total went 2,059 -> 2,081); and lines moved whole are checked for
having moved intact, skimmed, not read again."""

from __future__ import annotations

import json

from click.testing import CliRunner

from app.cli import cli
from tests.conftest import ALICE

_SERVICE = "src/main/java/org/bank/loan/LoanService.java"
_DOMAIN = "src/main/java/org/bank/loan/LoanDomainService.java"
_CHECKS = """    private void updatePostDatedChecks(Loan loan, Tx loanTransaction) {
        if (loan.isIndividual()) {
            for (Mapping mapping : loanTransaction.mappings()) {
                Installment installment = mapping.installment();
                if (installment != null && installment.isNotFullyPaid()) {
                    PostDatedCheck check = checks.pendingFor(installment);
                    if (check != null) {
                        check.setStatus(CheckStatus.PAID);
                        checks.saveAndFlush(check);
                    } else {
                        break;
                    }
                }
            }
        }
    }
"""
_LATEST = """    boolean isLatestRepaymentOrWaiver(Tx tx, List<Tx> all) {
        boolean isLatestRepaymentOrWaiver = true;
        for (Tx other : all) {
            if (other.date().isAfter(tx.date()) || other.isReversed()) {
                isLatestRepaymentOrWaiver = false;
            }
        }
        return isLatestRepaymentOrWaiver;
    }
"""
_DISBURSE = """    void disburse(Loan loan) {
        if (loan.isActive()) {
            post(loan);
        }
    }
"""


def _class(name: str, *members: str) -> str:
    return f"package org.bank.loan;\n\nclass {name} {{\n" + "\n".join(members) + "}\n"


def _explained(path, change: str) -> dict:
    result = CliRunner().invoke(cli, ["explain", change, "--repo", str(path), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _repo(make_repo):
    repo = make_repo()
    repo.commit("init", {"README.md": "bank\n", _SERVICE: _class("LoanService", _DISBURSE, _CHECKS, _LATEST),
                         _DOMAIN: _class("LoanDomainService", _DISBURSE.replace("disburse", "approve"))}, author=ALICE)
    repo.branch("extract", "main")
    # pr/4121's shape: a method moved to the domain service (made public, a parameter renamed), another renamed
    moved = _CHECKS.replace("private void", "public void").replace("loanTransaction", "transaction")
    renamed = _LATEST.replace("boolean isLatestRepaymentOrWaiver(", "boolean isLatestTransaction(")
    repo.commit("Extract post-dated check handling", {
        _SERVICE: _class("LoanService", _DISBURSE.replace("post(loan);", "post(loan);\n            domain"
                                                          ".updatePostDatedChecks(loan, null);"), renamed),
        _DOMAIN: _class("LoanDomainService", _DISBURSE.replace("disburse", "approve"), moved)},
        branch="extract", author=ALICE)
    return repo


def test_a_method_moved_to_another_class_or_renamed_adds_no_complexity(make_repo) -> None:
    explained = _explained(_repo(make_repo).path, "extract")
    assert explained["complexity_added"] == 0, explained  # was +10: 6 for the moved method, 4 for the renamed one
    assert explained["complexity_credited"] == 10
    [factor] = [f for f in explained["factors"] if f["name"] == "complexity"]
    assert factor["explanation"].startswith(
        "+0 cyclomatic complexity (net +0: 10 more in functions moved or renamed, not counted: updatePostDatedChecks "
        "from LoanService.java (6), isLatestRepaymentOrWaiver -> isLatestTransaction (4))"), factor["explanation"]


def test_lines_moved_whole_are_skimmed_and_the_chunk_says_so(make_repo) -> None:
    repo = _repo(make_repo)
    result = CliRunner().invoke(cli, ["chunks", "extract", "--repo", str(repo.path), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    [chunk] = plan["chunks"]
    # the moved method's 13 lines below its renamed parameter, deleted here and added there; its signature and the
    # lines naming the parameter are read, as are the call and the renamed method's signature
    assert (chunk["moved_lines"], chunk["changed_lines"]) == (26, 37), chunk
    assert chunk["floor_derivation"] == (
        "11 code lines T1 at 500/h x1.25 = 1m 38s; 26 moved lines (a block deleted in one place of the change and "
        "added in another: checked moved intact, skimmed) at 4000/h = 23s -> 2m 02s")  # was 7m 38s
    result = CliRunner().invoke(cli, ["chunks", "extract", "--repo", str(repo.path), "--width", "200"],
                                catch_exceptions=False)
    assert "26 of 37 lines only moved" in result.output, result.output


def test_the_chunk_view_mutes_moved_lines_and_says_what_they_are(make_repo) -> None:
    from app.analysis.analyzer import Analyzer
    from app.tui.chunk_lines import ChunkLines
    from app.tui.widgets.diff_view import MOVED_MARK, DiffView

    detail = Analyzer(_repo(make_repo).path).detail("extract")
    rows = ChunkLines(detail).lines(detail.plan.chunks[0])
    moved = [row for row in rows if row.moved]
    assert len(moved) == detail.plan.chunks[0].moved_lines == 26
    assert {row.kind for row in moved} == {"add", "del"} and not any(row.reindented for row in moved)
    assert any("Installment installment = mapping.installment();" in row.text for row in moved)
    assert not any("loanTransaction" in row.text or "transaction.mappings()" in row.text for row in moved)  # edited
    view = DiffView(rows)
    assert "moved: a block deleted in one place of the change and added in another; check it moved intact" in \
        view._annotation(moved[0])
    assert MOVED_MARK == "⇄"


def test_java_overloads_are_named_by_their_parameter_types(make_repo) -> None:
    """QA58 F4: fineract's worst function read `LoanWritePlatformServiceJpaRepositoryImpl::disburseLoan#2`: which
    one?"""
    repo = make_repo()
    overloads = ("    void disburse(Loan loan) {\n        disburse(loan, false);\n    }\n",
                 "    void disburse(final Loan loan, @Nullable Boolean isAccountTransfer) {\n"
                 "        post(loan);\n    }\n")
    repo.commit("init", {"README.md": "bank\n", _SERVICE: _class("LoanService", *overloads)}, author=ALICE)
    repo.branch("overload", "main")
    grown = overloads[1].replace("        post(loan);\n", "        if (isAccountTransfer && loan.isActive()) {\n"
                                 "            post(loan);\n        }\n")
    repo.commit("Post transfers only", {_SERVICE: _class("LoanService", overloads[0], grown)}, branch="overload",
                author=ALICE)
    explained = _explained(repo.path, "overload")
    assert explained["worst_function"]["name"] == "LoanService::disburse(Loan, Boolean)", explained["worst_function"]
    assert explained["complexity_added"] == 2 and explained["complexity_credited"] == 0
    from app.core.metrics.spans import definition_spans

    # the chunker's spans (chunk titles, where a function's complexity goes) are named alike
    spans = definition_spans(_SERVICE, _class("LoanService", overloads[0], grown)).spans
    assert [s.qualname for s in spans] == ["LoanService::disburse(Loan)", "LoanService::disburse(Loan, Boolean)"]


def test_the_why_panel_says_what_was_not_counted(make_repo) -> None:
    from app.analysis.analyzer import Analyzer
    from app.tui.widgets.why_panel import complexity_section

    detail = Analyzer(_repo(make_repo).path).detail("extract")
    shown = complexity_section(detail.report.assessment)
    text = getattr(shown, "plain", None) or shown.text.plain  # type: ignore[attr-defined]
    assert text.startswith("Complexity: +0 cyclomatic (10 more in functions moved or renamed, not counted: the "
                           "complexity factor names them)"), text
