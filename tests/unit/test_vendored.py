"""Vendored third-party code (QA52 #2): a Go module's `vendor/` (go mod vendor) is other projects' code. In a
dependency bump its files' names decide no tier (a vendored SSH library's client_auth.go is not this project's
auth code), no detector reads them (a vendored library's .travis.yml never ran in this project's CI), they are no
seams and no code size, and the plan collapses them; the bump is ranked by its manifest (go.mod: tier 1).
A directory merely named vendor, with no package tool's records, is the project's own code, and a vendored file
edited by hand (no record touched) is a patch the project ships: its path's tiers apply."""

from __future__ import annotations

from app.analysis.analyzer import Analyzer
from app.core.impact.tiers import TierConfig, tier_of
from app.core.vendored import candidate_roots, find_vendored
from tests.conftest import ALICE, BOB

GO_MOD = ("module example.com/tool\n\ngo 1.21\n\nrequire golang.org/x/crypto v0.1.0\n"
          "require github.com/samber/lo v1.31.0\n")
MODULES_TXT = ("# golang.org/x/crypto v0.1.0\n## explicit; go 1.17\ngolang.org/x/crypto/ssh\n"
               "# github.com/samber/lo v1.31.0\n## explicit; go 1.18\ngithub.com/samber/lo\n")
AUTH = "".join(f"func auth{i}(k string) bool {{\n\tif k == \"\" {{\n\t\treturn false\n\t}}\n\treturn true\n}}\n\n"
               for i in range(4))
TRAVIS = 'language: go\nbefore_install:\n  - go mod download\ngo:\n  - "1.18"\nscript: make test\n'
CLIENT_AUTH = "vendor/golang.org/x/crypto/ssh/client_auth.go"
LO_TRAVIS = "vendor/github.com/samber/lo/.travis.yml"
LO = "vendor/github.com/samber/lo/slice.go"


def _go_module(make_repo, modules_txt: bool = True, extra: dict[str, str] | None = None, by_hand: bool = False):
    """main holds a Go module with a vendor/ tree (vendor/modules.txt unless not `modules_txt`, then no go.mod nor
    go.sum either); the branch bump updates both libraries as `go mod vendor` does: go.mod, go.sum, vendored files
    (`by_hand`: the vendored files alone)."""
    b = make_repo("tool")
    base = {"main.go": "package main\n\nimport \"golang.org/x/crypto/ssh\"\n\nfunc main() { ssh.Dial() }\n",
            CLIENT_AUTH: "package ssh\n\n" + AUTH, LO_TRAVIS: TRAVIS, LO: "package lo\n\n" + AUTH.replace("auth", "f")}
    if modules_txt:
        base |= {"go.mod": GO_MOD, "vendor/modules.txt": MODULES_TXT, "go.sum": "golang.org/x/crypto v0.1.0 h1:aaa=\n"}
    base |= extra or {}
    b.commit("init", base, author=ALICE)
    b.branch("bump")
    head: dict[str, str | None] = {
        CLIENT_AUTH: base[CLIENT_AUTH] + AUTH.replace("auth", "more"), LO_TRAVIS: None,
        LO: base[LO] + AUTH.replace("auth", "g")}
    if modules_txt and not by_hand:
        head |= {"go.mod": GO_MOD.replace("v0.1.0", "v0.17.0"), "go.sum": "golang.org/x/crypto v0.17.0 h1:bbb=\n",
                 "vendor/modules.txt": MODULES_TXT.replace("v0.1.0", "v0.17.0")}
    b.commit("Bump golang.org/x/crypto from 0.1.0 to 0.17.0", head, branch="bump", author=BOB)
    b.checkout()
    return b


def test_a_go_dependency_bump_is_ranked_by_its_manifest_not_by_the_vendored_files_names(make_repo) -> None:
    """QA52 #2: lazygit's Dependabot bumps were tier 0 by vendor/golang.org/x/crypto/ssh/client_auth.go
    ('*auth.*'), and pr/5485 had a `ci-protection-removed` for samber/lo's own .travis.yml."""
    b = _go_module(make_repo)
    detail = Analyzer(b.path).detail("bump")
    tiers = detail.tiers
    assert tiers.tier == 1, tiers.reasons
    assert tiers.reasons[0].startswith("go.mod matches 'go.mod' (built-in): tier 1"), tiers.reasons
    assert tiers.destructive == [], tiers.destructive
    assert tiers.file_tiers[CLIENT_AUTH] == 3 and tiers.file_tiers[LO] == 3
    data = detail.report.to_json()
    assert not any(seam.startswith("vendor/") for seam in data.get("seams", [])), data.get("seams")
    # no code size of other projects' code: the vendored lines are left out of the risk inputs
    code_size = next(f for f in data["factors"] if f["name"] == "code_size")
    assert code_size["raw"] == 0, code_size
    vendored = [c for c in detail.plan.chunks if any(f.startswith("vendor/") for f in c.files)]
    assert vendored and all(c.kind == "collapsed" for c in vendored), [(c.kind, c.files) for c in vendored]


def test_a_directory_only_named_vendor_keeps_its_tiers(make_repo) -> None:
    """No vendoring manifest and no licence: a project's own vendor/ (a shop's sellers) is its code, and
    vendor/.../client_auth.go stays tier 0 (the false positive the evidence rule keeps out)."""
    b = _go_module(make_repo, modules_txt=False)
    tiers = Analyzer(b.path).detail("bump").tiers
    assert tiers.tier == 0 and tiers.file_tiers[CLIENT_AUTH] == 0, tiers.reasons


def test_a_vendored_file_edited_by_hand_keeps_its_tiers(make_repo) -> None:
    """No go.mod, go.sum or modules.txt touched: a patch of a dependency the project ships (lazygit's pull requests
    that edit its vendored gocui by hand). Its path's tiers and the detectors apply."""
    b = _go_module(make_repo, by_hand=True)
    tiers = Analyzer(b.path).detail("bump").tiers
    assert tiers.tier == 0 and tiers.file_tiers[CLIENT_AUTH] == 0, tiers.reasons
    assert [op.kind for op in tiers.destructive] == ["ci-protection-removed"], tiers.destructive


def test_gitattributes_can_say_a_vendored_file_is_the_projects_own(make_repo) -> None:
    """`-linguist-vendored` (read by the existing .gitattributes predicate) undoes the evidence for its files."""
    b = _go_module(make_repo, extra={".gitattributes": "vendor/golang.org/** -linguist-vendored\n"})
    tiers = Analyzer(b.path).detail("bump").tiers
    assert tiers.file_tiers[CLIENT_AUTH] == 0 and tiers.file_tiers[LO] == 3, tiers.file_tiers


def test_a_repository_rule_still_decides_a_vendored_path(make_repo) -> None:
    """A team that reads its vendored tree says so in `[[tiers.rules]]`: its rule wins over the vendored tier."""
    b = _go_module(make_repo, extra={".review-tui.toml": '[[tiers.rules]]\nglob = "vendor/golang.org/**"\ntier = 0\n'})
    tiers = Analyzer(b.path).detail("bump").tiers
    assert tiers.file_tiers[CLIENT_AUTH] == 0 and tiers.file_tiers[LO] == 3, tiers.file_tiers


def test_what_counts_as_evidence() -> None:
    """A package tool's records in or beside the directory, present at the base or head and touched by the change;
    a package manager's install directory by its name alone; the outermost such directory."""
    paths = ["vendor/a/x.go", "vendor/modules.txt", "cobra/vendor/b/y.go", "cobra/Gopkg.lock", "app/vendor/sellers.py",
             "web/node_modules/left-pad/index.js", "web/package.json", "third_party/lib/z.c", "vendor/a/vendor/q.go",
             "js/node_modules/x/y.js", "php/vendor/c/d.php"]
    assert set(candidate_roots(paths)) == {"vendor", "cobra/vendor", "app/vendor", "web/node_modules",
                                           "js/node_modules", "php/vendor"}
    present = {"vendor/modules.txt", "cobra/Gopkg.lock", "php/composer.json", "web/package.json"}
    found = find_vendored(paths, lambda wanted: [p for p in wanted if p in present])
    assert set(found.roots) == {"vendor", "cobra/vendor", "web/node_modules", "js/node_modules"}  # php/: not touched
    assert "Go's `go mod vendor`" in found.roots["vendor"] and "dep" in found.roots["cobra/vendor"]
    assert not found("app/vendor/sellers.py") and found("vendor/a/vendor/q.go") and not found("main.go")
    assert not found("third_party/lib/z.c") and found("js/node_modules/x/y.js")  # an install directory by name
    own = find_vendored(paths, lambda wanted: [p for p in wanted if p in present],
                        own_code=lambda path: path.startswith("vendor/a/"))
    assert not own("vendor/a/x.go") and own("cobra/vendor/b/y.go")


def test_go_dependency_manifests_before_modules_are_manifests_too() -> None:
    """lazygit's pr/296 (2018) vendored its dependencies with dep: Gopkg.toml is the manifest a bump edits."""
    assert tier_of("Gopkg.toml", TierConfig())[0] == 1 and tier_of("glide.yaml", TierConfig())[0] == 1
    assert tier_of("Gopkg.lock", TierConfig())[0] == 1


UMD = ("(function (global, factory) {\n  typeof exports === 'object' ? factory(exports) : factory(global.lib = {});\n"
       "}(this, function (exports) {\n" + "".join(
           f"  function convert{i}(v) {{\n    if (v == null) {{ return v; }}\n"
           f"    if (Array.isArray(v)) {{ return v; }}\n    return String(v);\n  }}\n" for i in range(6)) + "}));\n")


def _rails_app(make_repo, application_rb: bool = True):
    """main: a Rails app (config/application.rb unless not `application_rb`); the branch webauthn copies a JavaScript
    library into vendor/assets/javascripts and adds the app's own script using it."""
    b = make_repo("gems")
    base = {"Gemfile": "source 'https://rubygems.org'\ngem 'rails'\n",
            "app/models/user.rb": "class User\n  def name\n    'x'\n  end\nend\n"}
    if application_rb:
        base["config/application.rb"] = "module Gemcutter\n  class Application < Rails::Application\n  end\nend\n"
    b.commit("app", base, author=ALICE)
    b.branch("webauthn")
    b.commit("Add WebAuthn support", {
        "vendor/assets/javascripts/webauthn-json.js": UMD,
        "app/assets/javascripts/webauthn.js": "function register(opts) {\n  if (!opts) { return; }\n"
                                              "  return webauthnJSON.create(opts);\n}\n"}, branch="webauthn",
             author=BOB)
    return b


def test_a_rails_apps_vendor_assets_are_other_projects_code(make_repo) -> None:
    """Rails' asset pipeline keeps other projects' JavaScript and CSS in vendor/assets (rubygems.org pr/2108 copied a
    UMD bundle of webauthn-json there; it was the change's worst function and most of its code size). In a Rails app
    (config/application.rb) they are vendored: no code size, no worst function, collapsed in the plan."""
    detail = Analyzer(_rails_app(make_repo).path).detail("webauthn")
    data = detail.report.to_json()
    factors = {f["name"]: f for f in data["factors"]}
    assert factors["code_size"]["explanation"].startswith("4 changed lines"), factors["code_size"]
    assert "convert" not in factors["complexity"]["explanation"], factors["complexity"]
    vendored = [c for c in detail.plan.chunks if any(f.startswith("vendor/") for f in c.files)]
    assert vendored and all(c.kind == "collapsed" for c in vendored), [(c.kind, c.files) for c in vendored]


def test_vendor_assets_outside_a_rails_app_are_the_projects_own(make_repo) -> None:
    """Without config/application.rb nothing says the framework's rule applies: the project's code, measured."""
    factors = {f["name"]: f for f in Analyzer(_rails_app(make_repo, application_rb=False).path)
               .detail("webauthn").report.to_json()["factors"]}
    assert factors["code_size"]["explanation"].startswith("38 changed lines"), factors["code_size"]
    assert "convert" in factors["complexity"]["explanation"], factors["complexity"]


GUARD = "<?php\nnamespace Illuminate\\Auth;\n\nclass SessionGuard\n{\n" + "".join(
    f"    public function user{i}()\n    {{\n        if ($this->loggedOut) {{\n            return null;\n        }}\n"
    f"        return $this->user;\n    }}\n" for i in range(4)) + "}\n"
FRAMEWORK = "vendor/laravel/framework"


def _composer_vendored(make_repo, licence_only: bool = False, by_hand: bool = False):
    """A Laravel application whose branch commits packages into vendor/ as Composer lays them out (each with its
    composer.json and licence, no composer.lock, vendor/autoload.php or installed.json touched), beside an edit of
    its own SSO code; `by_hand`: only a vendored source file edited (a patch the project ships)."""
    b = make_repo(f"bookstack{int(licence_only)}{int(by_hand)}")
    base = {"composer.json": '{"require": {"laravel/framework": "5.4.*"}}\n',
            "app/Services/SocialAuthService.php": "<?php\nclass SocialAuthService\n{\n}\n"}
    if licence_only:  # the package's manifest is there already: the change brings its licence and code
        base[f"{FRAMEWORK}/composer.json"] = '{"name": "laravel/framework"}\n'
    if by_hand:
        base |= {f"{FRAMEWORK}/composer.json": '{"name": "laravel/framework"}\n',
                 f"{FRAMEWORK}/src/Illuminate/Auth/SessionGuard.php": GUARD}
    b.commit("init", base, author=ALICE)
    b.branch("okta")
    head: dict[str, str | None] = {
        "app/Services/SocialAuthService.php": "<?php\nclass SocialAuthService\n{\n    public $okta = true;\n}\n",
        f"{FRAMEWORK}/src/Illuminate/Auth/SessionGuard.php": GUARD.replace("loggedOut", "loggedIn")}
    if not by_hand:
        head |= {f"{FRAMEWORK}/LICENSE.md": "The MIT License (MIT)\n",
                 "vendor/laravel/socialite/LICENSE.txt": "The MIT License (MIT)\n",
                 "vendor/laravel/socialite/composer.json": '{"name": "laravel/socialite"}\n',
                 "vendor/laravel/socialite/src/SocialiteManager.php": GUARD.replace("SessionGuard", "Manager"),
                 "vendor/.DS_Store": "x\n"}
        if not licence_only:
            head[f"{FRAMEWORK}/composer.json"] = '{"name": "laravel/framework"}\n'
    b.commit("adding OKTA SSO Support", head, branch="okta", author=BOB)
    b.checkout()
    return b


def test_a_composer_vendor_tree_committed_without_its_records_is_vendored(make_repo) -> None:
    """QA59 F8: BookStack pr/568 committed 849 files of vendor/laravel/* (each package with its composer.json and
    LICENSE, nothing else of Composer's): 220 chunks, a 47-hour floor and tier 0 by
    vendor/laravel/framework/src/Illuminate/Auth/. Composer's layout is the evidence: the packages are other
    projects' code, tier 3, one collapsed chunk each; the project's own SSO change is read."""
    for licence_only in (False, True):
        b = _composer_vendored(make_repo, licence_only=licence_only)
        detail = Analyzer(b.path).detail("okta")
        tiers = detail.tiers
        guard = f"{FRAMEWORK}/src/Illuminate/Auth/SessionGuard.php"
        assert tiers.file_tiers[guard] == 3, tiers.reasons
        # tier 0 still, by the project's own SSO code, no longer by Illuminate/Auth/
        assert tiers.tier == 0 and tiers.reasons[0].startswith("app/Services/SocialAuthService.php"), tiers.reasons
        by_file = {f: c for c in detail.plan.chunks for f in c.files}
        assert by_file[guard].kind == "collapsed" and by_file[guard].role == "vendored", by_file[guard]
        assert by_file["app/Services/SocialAuthService.php"].kind == "code"
        vendored = {c.title for c in detail.plan.chunks if c.role == "vendored"}
        assert len(vendored) == 2, vendored  # one per package: laravel/framework, laravel/socialite


def test_a_composer_package_edited_by_hand_keeps_its_tiers(make_repo) -> None:
    """A vendored Composer package's source edited with neither its composer.json nor its licence touched is a patch
    the project ships: read at its path's tier (tier 0 by Auth/), as Go's hand patches are."""
    b = _composer_vendored(make_repo, by_hand=True)
    tiers = Analyzer(b.path).detail("okta").tiers
    assert tiers.file_tiers[f"{FRAMEWORK}/src/Illuminate/Auth/SessionGuard.php"] == 0, tiers.reasons
