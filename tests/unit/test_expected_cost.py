"""The score as expected cost (app/core/risk/score.py): likelihood from a model's log-odds, impact
from tier, destructive operations, blast radius and seams; the points add up to the score."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.risk.score import (
    DEFAULT_WEIGHTS,
    LikelihoodView,
    RiskConfig,
    RiskInputs,
    compute,
    score_of,
)


def view(intercept: float = -1.5, **contributions: float) -> LikelihoodView:
    return LikelihoodView(intercept, dict(contributions), dict.fromkeys(contributions, 1.0),
                          dict.fromkeys(contributions, 1.0), "test model")


def test_score_is_the_expected_cost_on_0_to_100() -> None:
    result = compute(RiskInputs(tier=0, tier_reason="payments"), view(-1.0, size=1.0))
    assert result.likelihood == pytest.approx(0.5)
    assert result.impact == pytest.approx(4.0)
    assert result.expected_cost == pytest.approx(2.0)
    assert result.score == pytest.approx(score_of(2.0), abs=0.1)
    assert result.model == "test model"


def test_impact_points_are_the_score_at_the_average_likelihood() -> None:
    result = compute(RiskInputs(tier=1, destructive=["DROP TABLE users"]), view(-2.0, size=0.7, files=-0.3))
    impact = [f for f in result.factors if f.kind == "impact"]
    at_base = score_of(result.base_likelihood * result.impact)
    assert sum(f.contribution for f in impact) == pytest.approx(at_base, abs=0.1)
    by_name = {f.name: f for f in result.factors}
    assert by_name["destructive"].effect == 4.0 and by_name["tier"].effect == 2.0
    assert by_name["destructive"].contribution == pytest.approx(2 * by_name["tier"].contribution, abs=0.1)
    assert by_name["size"].contribution > 0 > by_name["files"].contribution
    assert result.band == "critical"  # destructive_is_critical


@pytest.mark.parametrize(("weights", "band"), [([1.0], "critical"), ([0.5], "critical"), ([0.25], "high"),
                                               ([0.25, 0.25], "high"), ([0.25, 1.0], "critical")])
def test_a_destructive_operation_raises_the_band_by_what_it_loses(weights: list[float], band: str) -> None:
    """A security group rule written again from the same code loses no stored data: such a change is high, not
    ranked above every change that destroys a database (QA66 F1); one that loses data is critical."""
    ops = [f"op {i}" for i in range(len(weights))]
    result = compute(RiskInputs(tier=3, destructive=ops, destructive_weights=weights), view(-4.0))
    assert result.score < 45
    assert result.band == band
    assert result.band_reason == ("raised to critical: destructive operation" if band == "critical"
                                  else "raised to high: destructive operation that loses no stored data")


def test_a_light_destructive_operation_keeps_a_higher_band() -> None:
    result = compute(RiskInputs(tier=0, destructive=["op"], destructive_weights=[0.25]), view(3.0, size=2.0))
    assert result.score >= 65 and result.band == "critical" and result.band_reason.startswith("score ")


@given(st.integers(0, 3), st.floats(-4, 1), st.lists(st.floats(-3, 3), max_size=6), st.integers(0, 3),
       st.integers(0, 30), st.integers(0, 4))
def test_points_add_up_to_the_score(tier: int, intercept: float, parts: list[float], destructive: int,
                                    modules: int, seams: int) -> None:
    inputs = RiskInputs(tier=tier, destructive=["rm -rf /"] * destructive, blast_known=True,
                        blast_symbols=1 if modules else 0, blast_direct=modules, blast_modules=modules,
                        seams=[f"s{i}" for i in range(seams)])
    result = compute(inputs, view(intercept, **{f"f{i}": x for i, x in enumerate(parts)}))
    assert result.score == round(sum(f.contribution for f in result.factors), 1)
    exact = score_of(result.likelihood * result.impact)
    assert result.score == pytest.approx(exact, abs=0.05 * len(result.factors) + 1e-9)
    assert 0 <= exact <= 100


def test_a_factor_summing_to_nothing_still_gets_a_bounded_share() -> None:
    result = compute(RiskInputs(tier=2), view(-1.0, a=2.0, b=-2.0))
    by_name = {f.name: f for f in result.factors}
    assert math.isfinite(by_name["a"].contribution)
    assert by_name["a"].contribution == -by_name["b"].contribution


def test_docs_stay_low_and_tier_zero_rises_with_likelihood() -> None:
    docs = compute(RiskInputs(tier=3), view(0.0, size=3.0))
    assert docs.band == "low"
    low, high = (compute(RiskInputs(tier=0), view(-2.5, size=x)) for x in (-1.0, 2.5))
    assert low.band in ("low", "medium") and high.band in ("high", "critical") and high.score > low.score


def test_older_weights_scale_a_factor_relative_to_their_default() -> None:
    inputs = RiskInputs(tier=0, destructive=["terraform destroy"])
    off = RiskConfig(weights={**DEFAULT_WEIGHTS, "destructive": 0.0, "size": 0.0})
    result = compute(inputs, view(-1.0, size=2.0), off)
    by_name = {f.name: f for f in result.factors}
    assert by_name["destructive"].effect == 0 and by_name["size"].contribution == 0
    assert result.impact == pytest.approx(4.0)
    double = compute(inputs, view(-1.0, size=1.0), RiskConfig(weights={**DEFAULT_WEIGHTS, "size": 16.0}))
    assert double.likelihood == pytest.approx(1 / (1 + math.exp(-1.0)))


def test_every_language_the_plan_reads_as_code_counts_as_source_code() -> None:
    """QA47 #4: a 2,673-line PowerShell module (100% AI) was "0 changed lines in source files", score 0 and rank
    451 of 530, while its plan was 7 code chunks and 4h12m. The score and the planner agree on what code is."""
    from app.core.planner.model import content_kind
    from app.core.risk.score import _CODE_SUFFIXES, is_code_path

    for path in ("RichPS7/Rich.psm1", "src/index.mjs", "web/App.vue", "lib/main.dart", "build.gradle.kts", "x.ps1"):
        assert is_code_path(path), path
    for path in ("config.yml", "package.json", "README.md", "data.csv", "pyproject.toml"):
        assert not is_code_path(path), path
    assert all(content_kind(f"src/module{suffix}") == "code" for suffix in _CODE_SUFFIXES)


def test_a_ci_pipeline_is_source_code_for_the_likelihood() -> None:
    """QA51 #22: hono's change to its release workflow (+135/-50 in 7 workflow files) had a 0.4% likelihood, "0
    changed lines in source files", level with a typo fix. Workflows and CI pipelines are programs."""
    from app.core.risk.score import is_code_path

    for path in (".github/workflows/release.yml", ".github/workflows/ci.yaml", ".gitlab-ci.yml",
                 ".github/actions/setup/action.yml", "sub/.github/workflows/x.yml"):
        assert is_code_path(path), path
    for path in (".github/dependabot.yml", ".github/workflows/README.md", "ci.yml", "docs/.gitlab-ci.md"):
        assert not is_code_path(path), path
    ci = compute(RiskInputs(tier=1, lines_added=135, lines_deleted=50,
                            paths=[".github/workflows/release.yml"], lines_per_file=[185]), view(code_size=0.3))
    [size] = [f for f in ci.factors if f.name == "code_size"]
    assert size.explanation.startswith("185 changed lines in source files")
    assert size.explanation.startswith("185 changed lines in source files (CI pipelines; tests excluded)")


def test_the_size_factor_names_the_kinds_of_source_it_counted() -> None:
    """QA65 F9: a Rails change of Ruby and ERB read "changed lines in source files (.py, .go, .ts, .sh, .tf, .sql, CI
    workflows ...)": a list of other languages, as if its Ruby were not counted. The kinds counted, most lines first."""
    rails = compute(RiskInputs(tier=2, lines_added=60, lines_deleted=4,
                               paths=["app/models/account.rb", "app/javascript/controllers/hotkey_controller.js",
                                      "test/models/account_test.rb", "README.md"],
                               lines_per_file=[40, 12, 30, 5]), view(code_size=0.3))
    [size] = [f for f in rails.factors if f.name == "code_size"]
    assert size.explanation.startswith("52 changed lines in source files (.rb, .js; tests excluded)"), size.explanation
    docs = compute(RiskInputs(tier=3, lines_added=5, paths=["README.md"], lines_per_file=[5]), view(code_size=0.3))
    [size] = [f for f in docs.factors if f.name == "code_size"]
    assert size.explanation.startswith("0 changed lines in source files (tests excluded)"), size.explanation


def test_a_score_that_rounds_to_zero_is_not_shown_negative() -> None:
    """QA47 #12b: flask commits read `score -0 low` and `"score": -0.0`."""
    result = compute(RiskInputs(tier=0), view(-5.0, size=-3.0, files=-0.5))  # points 2.6 - 2.2 - 0.4
    assert result.score == 0.0 and f"{result.score:.0f}" == "0" and str(result.score) == "0.0"


def test_experience_says_what_it_counts() -> None:
    """QA51 #15: "author has 231 earlier commits in these files", where git counted 180 commits: the figure is
    a sum over the files (a commit touching three counts three), and says so."""
    result = compute(RiskInputs(history_known=True, author_prior_commits=231), view(-1.0, experience=-0.2))
    [experience] = [f for f in result.factors if f.name == "experience"]
    assert experience.explanation.startswith("author changed these files 231 times before (each file counted)")


def test_an_author_new_to_the_files_is_said_plainly_with_why_it_lowers_the_odds() -> None:
    """QA55 F8: "author changed these files 0 times before (each file counted); lowers the odds" on nearly every
    change read as a contradiction. It says the author had not changed them, and why the fitted model, whose
    experience weight is positive, takes that to lower the odds (and the other way round for a negative weight)."""
    model = LikelihoodView(-1.5, {"experience": -0.08}, {"experience": 0.0}, {"experience": 0.074}, "test model")
    [new] = [f for f in compute(RiskInputs(history_known=True, author_prior_commits=0), model).factors
             if f.name == "experience"]
    assert new.explanation == (
        "the author had not changed these files before; fewer such changes than the average change's author; in the "
        "history the model was fitted on, changes by authors with fewer needed later fixes less often, so this "
        "lowers the odds")
    against = LikelihoodView(-1.5, {"experience": 0.2}, {"experience": 0.0}, {"experience": -0.2}, "test model")
    [other] = [f for f in compute(RiskInputs(history_known=True, author_prior_commits=0), against).factors
               if f.name == "experience"]
    assert other.explanation.endswith("changes by authors with fewer needed later fixes more often, so this raises "
                                      "the odds")


def _score_near(low: float, high: float) -> object:
    """A computed result whose score lies in [low, high), found by walking the model's intercept."""
    lo, hi = -6.0, 3.0
    for _ in range(80):
        middle = (lo + hi) / 2
        result = compute(RiskInputs(tier=0, tier_reason="payments"), view(middle, size=0.4))
        if low <= result.score < high:
            return result
        lo, hi = (middle, hi) if result.score < low else (lo, middle)
    raise AssertionError(f"no score in [{low}, {high})")


def test_a_score_just_below_a_band_edge_is_shown_in_its_own_band() -> None:
    """QA: 64.9 read "65 high" where critical starts at 65. The whole number shown is the score's floor, so the
    number and the band agree in `list`, `explain`, the queue and the change screen; the score stays exact."""
    from app.report.tables import band_text
    from app.tui.widgets.score_bar import score_cell

    result = _score_near(64.55, 65.0)  # 64.5 itself rounded (half to even) to 64
    assert result.band == "high" and 64.55 <= result.score < 65  # the band of the exact score
    assert band_text(result.score, result.band).plain == " 64 high"
    assert score_cell(result.score, result.band, None).plain.split()[1] == "64"
    assert result.band_reason == "score 64 >= 45"
    edge = _score_near(65.0, 65.5)
    assert edge.band == "critical" and band_text(edge.score, edge.band).plain == " 65 critical"


@given(st.integers(0, 1000), st.sampled_from([25, 45, 65]))
def test_the_number_shown_is_at_an_integer_edge_exactly_when_the_score_is(tenths: int, edge: int) -> None:
    from app.core.risk.score import shown_score

    score = round(tenths / 10, 1)
    assert (shown_score(score) >= edge) == (score >= edge)


def test_the_destructive_factor_weighs_what_the_heaviest_operation_loses() -> None:
    """QA55 F10: a policy attachment renamed (terraform recreates it from the code) weighed as much as a cluster or
    a key destroyed. The factor is DESTRUCTIVE_COST times the heaviest operation's weight, named first; an operation
    with no weight (a regex fallback's, a report stored before weights) weighs the whole."""
    light = ["main.tf:3: aws_iam_role_policy_attachment.a: removed", "main.tf:9: aws_iam_policy.a: removed"]
    inputs = RiskInputs(tier=0, destructive=light, destructive_weights=[0.25, 0.25])
    [factor] = [f for f in compute(inputs, view()).factors if f.name == "destructive"]
    assert (factor.raw, factor.normalised, factor.effect) == (2, 0.25, 1.0)
    assert factor.explanation.startswith("2 destructive operations, each weighed less than a drop (each says what it "
                                         "loses): main.tf:3:")
    heavy = ["main.tf:1: aws_security_group_rule.r: removed", "kms.tf:1: aws_kms_key.k: removed"]
    [factor] = [f for f in compute(RiskInputs(tier=0, destructive=heavy, destructive_weights=[0.25, 1.0]),
                                   view()).factors if f.name == "destructive"]
    assert (factor.normalised, factor.effect) == (1.0, 4.0)
    assert factor.explanation == ("2 destructive operations, 1 of them weighed less than a drop (each says what it "
                                  "loses): kms.tf:1: aws_kms_key.k: removed (+1 more)")
    unweighed = compute(RiskInputs(tier=0, destructive=light), view())
    assert [f.effect for f in unweighed.factors if f.name == "destructive"] == [4.0]
    lighter = compute(inputs, view())
    # still raised, a destroy is loud; to high, as it loses no stored data (QA66 F1)
    assert lighter.score < unweighed.score and lighter.band == "high" and unweighed.band == "critical"
    assert lighter.score == round(sum(f.contribution for f in lighter.factors), 1)
