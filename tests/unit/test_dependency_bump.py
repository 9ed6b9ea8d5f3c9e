"""A dependency bump (FIX73): its manifests are parsed (go.mod, package.json, pyproject.toml ...), the `dependencies`
impact factor names what it adds, removes or moves (lazygit's pull/3065 scored 0 with "0 changed lines in source
files", its golang.org/x/net bump said nowhere); its plan reads the manifests first, skims the lock files, and
collapses each vendored dependency directory into one chunk (it was 21 chunks and an hour, 19 of them slices of
vendor/); history figures leave vendored paths out, as code size does; a node_modules/ is third-party by its name."""

from __future__ import annotations

import json

from app.analysis.analyzer import Analyzer
from app.core.calibration.factors import own_paths
from app.core.dependencies import DependencyChange, dependency_bump, kind_of, parse, units
from app.core.vendored import find_vendored
from app.report.tables import fit_chunk_title
from app.tui.chunk_lines import ChunkLines
from tests.conftest import ALICE, BOB
from tests.unit.test_vendored import CLIENT_AUTH, GO_MOD, LO, _go_module


def _factor(detail, name: str) -> dict:
    return next(f for f in detail.report.to_json()["factors"] if f["name"] == name)


def test_manifests_are_read_by_their_own_grammar() -> None:
    go_mod = ("module x\n\ngo 1.21\n\nrequire (\n\tgolang.org/x/net v0.7.0 // indirect\n"
              "\tgithub.com/a/b v1.2.3\n)\nrequire example.com/c v2.0.0+incompatible\n// require fake v9\n")
    assert parse("go.mod", go_mod.encode()) == {"golang.org/x/net": "v0.7.0", "github.com/a/b": "v1.2.3",
                                                 "example.com/c": "v2.0.0+incompatible"}
    package = {"name": "app", "dependencies": {"hono": "^4.0.0"}, "devDependencies": {"vitest": "^1.0.0"}}
    assert parse("web/package.json", json.dumps(package).encode()) == {"hono": "^4.0.0", "vitest": "^1.0.0"}
    pyproject = ('[project]\nname = "x"\ndependencies = ["httpx>=0.27", "Rich[jupyter] ==13.7 ; python_version>\'3\'"]'
                 '\n[project.optional-dependencies]\ncli = ["click>=8"]\n[dependency-groups]\ndev = ["pytest>=8"]\n')
    assert parse("pyproject.toml", pyproject.encode()) == {"httpx": ">=0.27", "rich": "==13.7", "click": ">=8",
                                                           "pytest": ">=8"}
    lock = {"lockfileVersion": 3, "packages": {"": {"name": "app"}, "node_modules/hono": {"version": "4.1.0"},
                                               "node_modules/a/node_modules/@s/b": {"version": "1.0.0"}}}
    assert parse("package-lock.json", json.dumps(lock).encode()) == {"hono": "4.1.0", "@s/b": "1.0.0"}
    uv_lock = 'version = 1\n[[package]]\nname = "Typing_Extensions"\nversion = "4.12.2"\n'
    assert parse("uv.lock", uv_lock.encode()) == {"typing-extensions": "4.12.2"}
    assert parse("requirements-dev.txt", b"-r base.txt\nflask==3.0.1  # web\n# no\nhttps://x/y.whl\n") == {
        "flask": "==3.0.1"}
    bun = ('{\n  "lockfileVersion": 1,\n  "packages": {\n    "hono": ["hono@4.6.1", "", {}, "sha512-x"],\n'
           '    "@s/b": ["@s/b@1.0.0", "", { "dependencies": { "x": "1" }, }, "sha512-y"],\n  },\n}\n')
    assert parse("bun.lock", bun.encode()) == {"hono": "4.6.1", "@s/b": "1.0.0"}  # Bun's JSON, trailing commas
    gopkg = ('[[constraint]]\n  name = "github.com/a/b"\n  version = "1.2.0"\n'
             '[[override]]\n  name = "x/y"\n  branch = "m"\n')
    assert parse("Gopkg.toml", gopkg.encode()) == {"github.com/a/b": "1.2.0", "x/y": "m"}  # lazygit's dep era
    assert parse("pyproject.toml", b"[project\n") is None and parse("README.md", b"x") is None


def test_a_version_move_is_major_when_semver_lets_it_break_callers() -> None:
    assert kind_of("v1.9.0", "v2.0.0") == "major" and kind_of("v0.7.0", "v0.17.0") == "major"  # 0.x minor
    assert kind_of("^1.2.0", "^1.3.0") == "update" and kind_of("v0.7.0", "v0.7.1") == "update"
    assert kind_of("2.0.0", "1.9.0") == "downgrade"
    assert kind_of("v0.0.0-20220722155217-630584e8d5aa", "v0.14.0") == "update"  # a pseudo-version: no order


def test_what_came_along_weighs_at_most_one_new_dependency() -> None:
    """hono's pull/5080: 5 dev dependencies moved, 292 locked packages with them."""
    one = [DependencyChange("np", "10.2.0", "11.0.0", "major", "package.json")]
    assert units(one, 0) == 1.0 and units(one, 4) == 1.2 and units(one, 292) == 2.0


def test_lock_entries_no_manifest_names_are_what_came_along() -> None:
    before = {"dependencies": {"hono": "^4.0.0"}}
    after = {"dependencies": {"hono": "^4.1.0", "zod": "^3.0.0"}}
    lock_before = {"packages": {"node_modules/hono": {"version": "4.0.0"}}}
    lock_after = {"packages": {"node_modules/hono": {"version": "4.1.0"}, "node_modules/zod": {"version": "3.2.0"},
                               "node_modules/tslib": {"version": "2.0.0"}}}
    bump = dependency_bump([("package.json", json.dumps(before).encode(), json.dumps(after).encode()),
                            ("package-lock.json", json.dumps(lock_before).encode(), json.dumps(lock_after).encode()),
                            ("src/index.ts", b"a", b"b")])
    assert [(c.kind, c.name) for c in bump.direct] == [("update", "hono"), ("added", "zod")]
    assert [(c.kind, c.name) for c in bump.locked] == [("added", "tslib")]


def test_a_go_bump_names_what_it_moves_as_an_impact_reason(make_repo) -> None:
    """The why panel says which dependencies moved, and the bump costs more than its manifest's tier alone."""
    b = _go_module(make_repo)
    detail = Analyzer(b.path).detail("bump")
    factor = _factor(detail, "dependencies")
    assert factor["kind"] == "impact" and factor["effect"] > 0, factor
    assert factor["explanation"].startswith("go.mod: bumps 1 dependency across a major version (or a 0.x minor"), factor
    assert "golang.org/x/crypto v0.1.0 -> v0.17.0" in factor["explanation"], factor
    assert factor["contribution"] > 0
    tier = _factor(detail, "tier")
    assert detail.risk.impact > tier["effect"]


def test_a_vendored_modules_own_manifest_is_its_dependencys_not_the_projects(make_repo) -> None:
    """lazygit's pull/1037 listed what vendor/github.com/imdario/mergo/go.mod requires as its own new dependencies."""
    inner = "vendor/github.com/samber/lo/go.mod"
    b = _go_module(make_repo, extra={inner: "module github.com/samber/lo\n\nrequire golang.org/x/exp v0.1.0\n"})
    b.commit("go mod vendor", {inner: "module github.com/samber/lo\n\nrequire golang.org/x/exp v0.2.0\n"},
             branch="bump", author=BOB)
    b.checkout()
    detail = Analyzer(b.path).detail("bump")
    why = _factor(detail, "dependencies")["explanation"]
    assert why.startswith("go.mod: ") and "golang.org/x/exp" not in why, why
    assert any(inner in c.files for c in detail.plan.chunks if c.role == "vendored")


def test_a_go_bump_plan_reads_the_manifest_first_and_skims_each_vendored_dependency(make_repo) -> None:
    b = _go_module(make_repo)
    plan = Analyzer(b.path).detail("bump").plan
    chunks = plan.chunks
    assert chunks[0].role == "manifests" and chunks[0].files == ["go.mod"] and chunks[0].kind == "code"
    assert any("golang.org/x/crypto v0.1.0 -> v0.17.0" in note for note in chunks[0].notes), chunks[0].notes
    assert chunks[1].role == "locks" and sorted(chunks[1].files) == ["go.sum", "vendor/modules.txt"]
    vendored = {c.title: c for c in chunks if c.role == "vendored"}
    assert set(vendored) == {"vendored: golang.org/x/crypto, 1 file, +28/-0",
                             "vendored: github.com/samber/lo, 2 files, +28/-6"}, list(vendored)
    for chunk in vendored.values():
        assert chunk.kind == "collapsed" and chunk.floor_seconds == 30 and chunk.tier == 3
        assert chunk.notes[0].startswith("review go.mod, go.sum instead: vendor/"), chunk.notes
        assert "/ was generated by the package tool (vendor/modules.txt: Go's `go mod vendor`)" in chunk.notes[0]
    assert vendored["vendored: golang.org/x/crypto, 1 file, +28/-0"].files == [CLIENT_AUTH]
    assert LO in vendored["vendored: github.com/samber/lo, 2 files, +28/-6"].files
    assert len(chunks) == 4  # each changed line in one chunk: the manifest, the locks, two dependencies
    detail = Analyzer(b.path).detail("bump")
    assert sum(c.changed_lines for c in chunks) == sum(fd.changed_lines for fd in detail.files)
    # the chunk screen says what to review instead before it lists the dependency's files
    rows = ChunkLines(detail).lines(next(c for c in detail.plan.chunks if c.role == "vendored"))
    assert [row.kind for row in rows[:3]] == ["note", "note", "file"], rows[:3]
    assert rows[1].text.startswith("review go.mod, go.sum instead"), rows[1]


def test_an_npm_bump_without_vendor_is_planned_and_named(make_repo) -> None:
    """hono's Dependabot bumps: package.json and its lock file, no vendored tree."""
    b = make_repo("web")
    package = {"name": "web", "dependencies": {"hono": "^3.12.0"}, "devDependencies": {"vitest": "^1.0.0"}}
    lock = {"lockfileVersion": 3, "packages": {"": {}, "node_modules/hono": {"version": "3.12.0"},
                                               "node_modules/vitest": {"version": "1.0.0"}}}
    b.commit("init", {"package.json": json.dumps(package, indent=2) + "\n",
                      "package-lock.json": json.dumps(lock, indent=2) + "\n",
                      "src/index.ts": "export const a = 1\n"}, author=ALICE)
    b.branch("bump")
    package["dependencies"] = {"hono": "^4.0.0", "zod": "^3.22.0"}
    lock["packages"] |= {"node_modules/hono": {"version": "4.0.0"}, "node_modules/zod": {"version": "3.22.4"}}
    b.commit("Bump hono to 4, add zod", {"package.json": json.dumps(package, indent=2) + "\n",
                                         "package-lock.json": json.dumps(lock, indent=2) + "\n",
                                         "src/index.ts": "export const a = 2\n"}, branch="bump", author=BOB)
    b.checkout()
    detail = Analyzer(b.path).detail("bump")
    why = _factor(detail, "dependencies")["explanation"]
    assert why == ("package.json: adds 1 dependency: zod ^3.22.0; bumps 1 dependency across a major version (or a "
                   "0.x minor: semver lets it break callers): hono ^3.12.0 -> ^4.0.0"), why
    roles = [(c.role, c.files) for c in detail.plan.chunks]
    assert roles[:2] == [("manifests", ["package.json"]), ("locks", ["package-lock.json"])], roles
    assert ("", ["src/index.ts"]) in roles


def test_a_benchmarks_own_manifest_does_not_come_before_the_code_the_change_is_about(make_repo) -> None:
    """hono pull/5112: a perf fix to src/context.ts (tier 2) with a new benchmarks/fetch/package.json (tier 3): the
    plan opened on the benchmark's manifest, ahead of the code the change is about."""
    b = make_repo("web")
    b.commit("init", {"package.json": '{"name": "web"}\n', "src/context.ts": "export const a = 1\n"}, author=ALICE)
    b.branch("perf")
    b.commit("perf: skip headers", {"benchmarks/fetch/package.json": '{"dependencies": {"mitata": "^1.0.34"}}\n',
                                    "benchmarks/fetch/bench.mts": "import 'mitata'\n",
                                    "src/context.ts": "export const a = 2\nexport const b = 3\n"},
             branch="perf", author=BOB)
    b.checkout()
    chunks = Analyzer(b.path).detail("perf").plan.chunks
    manifests = next(c for c in chunks if c.role == "manifests")
    order = [(c.role, c.files) for c in chunks]
    assert manifests.tier > chunks[0].tier and chunks[0].files == ["src/context.ts"], order


def test_a_vendored_chunk_title_keeps_the_dependency_name_when_narrow() -> None:
    """Read as paths, its "+391/-2,116" and module path became "vendored: golang.org/…/…81 files" in the plan."""
    title = "vendored: golang.org/x/sys, 81 files, +391/-2,116"
    assert fit_chunk_title(title, 60) == title
    assert fit_chunk_title(title, 45) == "vendored: golang.org/x/sys, 81 files"
    assert fit_chunk_title(title, 30) == "vendored: golang.org/x/sys"
    assert fit_chunk_title(title, 16) == "golang.org/x/sys"


def test_no_bump_no_reason(make_repo) -> None:
    b = make_repo("plain")
    b.commit("init", {"app.py": "x = 1\n"}, author=ALICE)
    b.branch("edit")
    b.commit("edit", {"app.py": "x = 2\n"}, branch="edit", author=BOB)
    b.checkout()
    detail = Analyzer(b.path).detail("edit")
    assert "dependencies" not in [f["name"] for f in detail.report.to_json()["factors"]]  # no noise row
    assert all(c.role == "" for c in detail.plan.chunks)


def test_history_leaves_vendored_paths_out(make_repo) -> None:
    """The vendored files' past (here Bob's three earlier syncs of samber/lo) is not the bump's history nor its
    author's experience: code size leaves them out, and so do history, authors and experience."""
    b = make_repo("tool")
    lo = "package lo\n\nfunc f() {}\n"
    b.commit("init", {"go.mod": GO_MOD, "go.sum": "x\n", "vendor/modules.txt": "# github.com/samber/lo v1.31.0\n",
                      LO: lo, "main.go": "package main\n"}, author=ALICE)
    for n in range(3):
        lo += f"func g{n}() {{}}\n"
        b.commit(f"sync lo {n}", {LO: lo, "go.sum": f"x{n}\n", "go.mod": GO_MOD + f"// {n}\n"}, author=BOB)
    b.branch("bump")
    b.commit("bump lo", {LO: lo + "func h() {}\n", "go.mod": GO_MOD.replace("v1.31.0", "v1.39.0"),
                         "go.sum": "y\n", "vendor/modules.txt": "# github.com/samber/lo v1.39.0\n"},
             branch="bump", author=BOB)
    b.checkout()
    history = Analyzer(b.path).detail("bump").report.assessment.history
    assert history is not None
    # go.mod and go.sum changed 4 times each (Bob 3 of them); LO 4 times, modules.txt once, all left out; so is
    # go.sum, a lock file (FIX121)
    assert history.author_prior_commits == 3, history  # was 9: go.mod 3 + go.sum 3 + vendored lo 3
    assert not (history.hottest_path or "").startswith("vendor/"), history


def test_calibration_leaves_the_same_vendored_paths_out_of_history() -> None:
    paths = ["go.mod", "go.sum", "vendor/modules.txt", "vendor/golang.org/x/net/http2/h2.go", "main.go",
             "app/vendor/sellers.go"]
    assert own_paths(paths) == ["go.mod", "go.sum", "main.go", "app/vendor/sellers.go"]
    by_hand = ["vendor/golang.org/x/net/http2/h2.go", "main.go"]  # no record touched: a hand patch, the project's
    assert own_paths(by_hand) == by_hand


def test_node_modules_is_third_party_by_its_name_alone() -> None:
    """The install directory of npm, yarn and pnpm: the tool's output, a record touched or not."""
    found = find_vendored(["web/node_modules/left-pad/index.js", "src/a.js"], lambda wanted: [])
    assert found("web/node_modules/left-pad/index.js") and not found("src/a.js")
    assert found.roots == {"web/node_modules": "node_modules/: a package manager's install directory"}
