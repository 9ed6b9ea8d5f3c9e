"""Development and test dependencies weigh a quarter of production ones (QA57 F8: on rubygems.org a major bump of
rubocop-capybara, in the Gemfile's `group :development, :test`, weighed 3.1 units as "changes what code runs in
production", more than puma 6.6 -> 8.0, the production web server). The Gemfile is read as text for its groups,
never run; package.json's devDependencies and npm's lock entries marked `"dev": true` say it too."""

from __future__ import annotations

import json

from app.analysis.analyzer import Analyzer
from app.core.dependencies import dependency_bump, dev_names, units
from tests.conftest import ALICE, BOB

GEMFILE = '''source "https://rubygems.org"
gem "rails", "~> 7.0.0"
gem "puma", "~> {puma}"

group :development, :test do
  gem "rubocop-capybara", "~> {capybara}" # linters
  if ENV["DEBUG"]
    gem "debug"
  end
end
'''


def _gemfile_lock(puma: str, capybara: str, debug: str = "0") -> str:
    return f'''GEM
  remote: https://rubygems.org/
  specs:
    debug (1.9.{debug})
    puma ({puma}.0)
      nio4r (~> 2.0)
    rails (7.0.4)
    rubocop-capybara ({capybara}.0)

PLATFORMS
  x86_64-linux

DEPENDENCIES
  debug
  puma (~> {puma})
  rails (~> 7.0.0)
  rubocop-capybara (~> {capybara})

BUNDLED WITH
   2.5.0
'''


def _factor(detail, name: str = "dependencies") -> dict:
    return next(f for f in detail.report.to_json()["factors"] if f["name"] == name)


def _bundler_repo(make_repo):
    b = make_repo("shop")
    b.commit("init", {"Gemfile": GEMFILE.format(puma="6.6", capybara="2.22"),
                      "Gemfile.lock": _gemfile_lock("6.6", "2.22"), "app/models/order.rb": "class Order\nend\n"},
             author=ALICE)
    for branch, puma, capybara in (("puma-8", "8.0", "2.22"), ("capybara-3", "6.6", "3.0")):
        b.checkout()
        b.branch(branch)
        b.commit(f"Bump {branch}", {"Gemfile": GEMFILE.format(puma=puma, capybara=capybara),
                                    "Gemfile.lock": _gemfile_lock(puma, capybara)}, branch=branch, author=BOB)
    b.checkout()
    return b


def test_a_gemfile_dev_group_major_bump_weighs_less_than_a_production_gems(make_repo) -> None:
    b = _bundler_repo(make_repo)
    analyzer = Analyzer(b.path)
    production, dev = _factor(analyzer.detail("puma-8")), _factor(analyzer.detail("capybara-3"))
    assert "dev/test" not in production["explanation"], production
    assert dev["explanation"] == (
        "Gemfile: bumps 1 dependency across a major version (or a 0.x minor: semver lets it break callers): "
        "rubocop-capybara ~> 2.22 -> ~> 3.0; dev/test only: rubocop-capybara, weighed 25%: does not change what "
        "runs in production"), dev
    assert dev["contribution"] < production["contribution"] / 2, (dev, production)


def test_a_lock_only_update_of_a_gem_the_gemfile_declares_for_development_weighs_less() -> None:
    """Gemfile.lock's specs have no groups: a gem the Gemfile declares only in a development group is weighed so."""
    gemfile = GEMFILE.format(puma="6.6", capybara="2.22").encode()
    before = _gemfile_lock("6.6", "2.22").encode()
    bump = dependency_bump([("Gemfile", gemfile, gemfile),
                            ("Gemfile.lock", before, _gemfile_lock("6.6", "2.22", debug="1").encode())])
    assert [(c.name, c.dev) for c in bump.locked] == [("debug", True)], bump
    production = dependency_bump([("Gemfile.lock", before, before.replace(b"rails (7.0.4)", b"rails (7.0.5)"))])
    assert units((), 1, bump.locked_dev()) < units((), 1, production.locked_dev())


def test_the_gemfiles_groups_are_read_as_text_blocks_and_options() -> None:
    text = GEMFILE.format(puma="6.6", capybara="2.22") + (
        'gem "pry", group: :development\ngem "pg", groups: [:production, :test]\n'
        'platforms :jruby do\n  gem "jdbc"\nend\ngroup(:test) do\n  gem "minitest"\n  gem "rails"\nend\n')
    assert dev_names("Gemfile", text.encode()) == {"rubocop-capybara", "debug", "pry", "minitest"}


def _package_json(deps: dict[str, str], dev: dict[str, str]) -> str:
    return json.dumps({"name": "web", "version": "1.0.0", "dependencies": deps, "devDependencies": dev}, indent=2)


def test_a_package_json_dev_dependency_bump_weighs_less_than_a_dependencys(make_repo) -> None:
    b = make_repo("web")
    b.commit("init", {"package.json": _package_json({"express": "^4.18.2"}, {"eslint": "^8.57.0"}),
                      "src/index.js": "module.exports = 1;\n"}, author=ALICE)
    b.branch("express-5")
    b.commit("Bump express", {"package.json": _package_json({"express": "^5.0.0"}, {"eslint": "^8.57.0"})},
             branch="express-5", author=BOB)
    b.checkout()
    b.branch("eslint-9")
    b.commit("Bump eslint", {"package.json": _package_json({"express": "^4.18.2"}, {"eslint": "^9.0.0"})},
             branch="eslint-9", author=BOB)
    b.checkout()
    analyzer = Analyzer(b.path)
    production, dev = _factor(analyzer.detail("express-5")), _factor(analyzer.detail("eslint-9"))
    assert "dev/test only: eslint, weighed 25%" in dev["explanation"], dev
    assert "dev/test" not in production["explanation"], production
    assert dev["contribution"] < production["contribution"] / 2, (dev, production)


def _package_lock(versions: dict[str, tuple[str, bool]]) -> bytes:
    packages: dict[str, dict] = {"": {"name": "web", "version": "1.0.0"}}
    for name, (version, dev) in versions.items():
        packages[f"node_modules/{name}"] = {"version": version, **({"dev": True} if dev else {})}
    return json.dumps({"name": "web", "lockfileVersion": 3, "packages": packages}).encode()


def test_a_lock_only_change_of_a_dev_package_weighs_less_when_npms_lock_marks_it_dev() -> None:
    before = _package_lock({"chalk": ("4.1.2", True), "ms": ("2.1.2", False)})
    dev_bump = dependency_bump([("package-lock.json", before,
                                 _package_lock({"chalk": ("5.0.0", True), "ms": ("2.1.2", False)}))])
    prod_bump = dependency_bump([("package-lock.json", before,
                                  _package_lock({"chalk": ("4.1.2", True), "ms": ("3.0.0", False)}))])
    assert dev_bump.locked_dev() == 1 and prod_bump.locked_dev() == 0
    assert units(dev_bump.direct, len(dev_bump.locked), dev_bump.locked_dev()) < units(
        prod_bump.direct, len(prod_bump.locked), prod_bump.locked_dev())
    assert dev_bump.note() == ("1 locked package changed (lock file only): chalk 4.1.2 -> 5.0.0; dev/test only: "
                               "1 locked package, weighed 25%: does not change what runs in production")
    # a package that moves from devDependencies to dependencies now runs in production: weighed in full
    moved = dependency_bump([("package.json", _package_json({}, {"ms": "^2.1.2"}).encode(),
                              _package_json({"ms": "^3.0.0"}, {}).encode())])
    assert [c.dev for c in moved.direct] == [False]


def test_the_other_manifests_say_their_dev_dependencies() -> None:
    assert dev_names("pyproject.toml", b'[project]\ndependencies = ["httpx>=0.27"]\n'
                                       b'[project.optional-dependencies]\ntest = ["pytest"]\npostgres = ["psycopg"]\n'
                                       b'[dependency-groups]\nlint = ["Ruff>=0.5", "httpx"]\n'
                                       b'[tool.poetry.group.docs.dependencies]\nmkdocs = "^1"\n') == {
        "pytest", "ruff", "mkdocs"}
    assert dev_names("Cargo.toml", b'[dependencies]\nserde = "1"\n[dev-dependencies]\ninsta = "1"\nserde = "1"\n'
                                   b'[target.\'cfg(unix)\'.dev-dependencies]\nnix = "0.29"\n') == {"insta", "nix"}
    assert dev_names("Pipfile", b'[packages]\nrequests = "*"\n[dev-packages]\nPytest_Cov = "*"\n') == {"pytest-cov"}
    assert dev_names("composer.json", b'{"require": {"monolog/monolog": "^3"}, '
                                      b'"require-dev": {"PHPUnit/phpunit": "^10"}}') == {"phpunit/phpunit"}
    assert dev_names("yarn.lock", b"chalk@^4:\n  version \"4.1.2\"\n") == set()  # does not say: production's


def _composer_json(require: dict[str, str], dev: dict[str, str]) -> str:
    return json.dumps({"name": "bookstack/app", "require": {"php": "^7.2", **require}, "require-dev": dev}, indent=4)


def test_a_dependency_composer_moves_from_require_dev_to_require_runs_in_production_now(make_repo) -> None:
    """QA59: BookStack's fb5df49fd ("Updated laravel version and moved flare to non-dev") moved facade/ignition
    (Laravel's debug error page; in production, CVE-2021-3129's remote code execution) and nunomaduro/collision from
    require-dev to require at the same versions: the dependencies factor said only "updates 1 dependency:
    laravel/framework ^6.9 -> ^6.12"."""
    b = make_repo("bookstack")
    b.commit("init", {"composer.json": _composer_json({"laravel/framework": "^6.18"}, {"facade/ignition": "^1.4"}),
                      "app/App.php": "<?php\n"}, author=ALICE)
    b.branch("upyun")
    b.commit("Add upyun storage", {"composer.json": _composer_json(
        {"laravel/framework": "^6.18", "facade/ignition": "^1.4", "jellybool/flysystem-upyun": "^1.0"}, {})},
        branch="upyun", author=BOB)
    b.checkout()
    factor = _factor(Analyzer(b.path).detail("upyun"))
    assert factor["explanation"] == (
        "composer.json: adds 1 dependency: jellybool/flysystem-upyun ^1.0; moves 1 dependency from dev/test only to "
        "production (it runs there now): facade/ignition ^1.4"), factor
    files = [("composer.json", _composer_json({}, {"a/b": "^1.0", "c/d": "^2.0"}).encode(),
              _composer_json({"a/b": "^1.0"}, {"c/d": "^2.0"}).encode())]
    bump = dependency_bump(files)
    assert [(c.kind, c.name, c.dev) for c in bump.direct] == [("production", "a/b", False)]
    assert units(bump.direct, 0) == 1.0


def test_a_dev_only_bump_is_not_tier_1_and_a_lock_only_bump_reads_the_gemfile_at_its_tip(make_repo) -> None:
    """FIX98's leftovers: the dev-only bump still had the manifest's tier 1, 'changes what code runs in production'
    (the larger part of its impact), and a Gemfile.lock-only change read no Gemfile groups: the Gemfile is read at
    the change's tip. A dev-only file is tier 2 and says why; a production gem, or a dev bump beside another edit of
    the file (a Ruby version, a script), keeps tier 1."""
    b = _bundler_repo(make_repo)
    b.branch("debug-lock")
    b.commit("bundle update debug", {"Gemfile.lock": _gemfile_lock("6.6", "2.22", debug="1")},
             branch="debug-lock", author=BOB)
    b.checkout()
    b.branch("capybara-and-ruby")
    b.commit("Bump capybara, Ruby 3.4", {"Gemfile": 'ruby "3.4.1"\n' + GEMFILE.format(puma="6.6", capybara="3.0"),
                                         "Gemfile.lock": _gemfile_lock("6.6", "3.0")},
             branch="capybara-and-ruby", author=BOB)
    b.checkout()
    analyzer = Analyzer(b.path)
    tiers = {name: analyzer.detail(name).report.to_json() for name in
             ("puma-8", "capybara-3", "debug-lock", "capybara-and-ruby")}
    assert {name: data["tier"] for name, data in tiers.items()} == {
        "puma-8": 1, "capybara-3": 2, "debug-lock": 2, "capybara-and-ruby": 1}
    assert any("only dependencies that development and tests use changed" in reason
               for reason in tiers["capybara-3"]["tier_reasons"]), tiers["capybara-3"]["tier_reasons"]
    lock_only = _factor(analyzer.detail("debug-lock"))
    assert "dev/test only" in lock_only["explanation"], lock_only  # the tip's Gemfile says debug is a dev gem


def test_a_package_json_changing_only_its_dev_dependencies_is_not_tier_1() -> None:
    from app.core.dependencies import dev_only_files

    before = _package_json({"express": "^4.18.2"}, {"eslint": "^8.57.0"}).encode()
    dev = _package_json({"express": "^4.18.2"}, {"eslint": "^9.0.0"}).encode()
    scripts = json.dumps({**json.loads(dev), "scripts": {"start": "node server.js"}}).encode()
    assert dependency_bump([("package.json", before, dev)]).dev_only == ("package.json",)
    assert dependency_bump([("package.json", before, scripts)]).dev_only == ()  # a start script runs in production
    production = _package_json({"express": "^5.0.0"}, {"eslint": "^8.57.0"}).encode()
    assert dependency_bump([("package.json", before, production)]).dev_only == ()
    assert dev_only_files({}, []) == ()


def test_an_npm_lock_changing_only_dev_entries_is_not_tier_1() -> None:
    """FIX102's leftover: package-lock.json kept tier 1 when every entry it moved was one npm marks dev, even beside
    a package.json changing only its devDependencies."""
    before = _package_lock({"eslint": ("8.57.0", True), "chalk": ("4.1.2", True), "express": ("4.18.2", False)})
    dev = _package_lock({"eslint": ("9.0.0", True), "chalk": ("5.0.0", True), "express": ("4.18.2", False)})
    production = _package_lock({"eslint": ("8.57.0", True), "chalk": ("4.1.2", True), "express": ("4.19.0", False)})
    now_production = _package_lock({"eslint": ("8.57.0", True), "chalk": ("4.1.2", False),
                                     "express": ("4.18.2", False)})
    assert dependency_bump([("package-lock.json", before, dev)]).dev_only == ("package-lock.json",)
    assert dependency_bump([("package-lock.json", before, production)]).dev_only == ()
    assert dependency_bump([("package-lock.json", before, now_production)]).dev_only == ()  # runs in production now
    manifest = (_package_json({"express": "^4.18.2"}, {"eslint": "^8.57.0"}).encode(),
                _package_json({"express": "^4.18.2"}, {"eslint": "^9.0.0"}).encode())
    both = dependency_bump([("package.json", *manifest), ("package-lock.json", before, dev)])
    assert set(both.dev_only) == {"package.json", "package-lock.json"}, both.dev_only
