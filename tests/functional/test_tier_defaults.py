"""Tier defaults on a real repository (issue 12): examples and tests under a critical path are not the critical
code, `crypto/` algorithms are not tier 0, globs ignore case, and the repository's own rules still win."""

from __future__ import annotations

import json

from click.testing import CliRunner

from app.analysis.analyzer import Analyzer
from app.cli import cli
from app.core.git.repo import GitRepo
from app.core.planner.model import KIND_COLLAPSED
from app.tui.chunk_lines import chunk_display_lines
from tests.conftest import ALICE


def _listed(path) -> dict[str, dict]:
    result = CliRunner().invoke(cli, ["list", "--repo", str(path), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return {item["id"]: item for item in json.loads(result.stdout)}


def _repo(make_repo, policy: str | None):
    repo = make_repo()
    files = {"README.md": "demo\n", "src/app.py": "x = 1\n"}
    if policy is not None:
        files[".review-tui.toml"] = policy
    repo.commit("init", files, author=ALICE)
    for branch, path in [("feature/auth-example", "examples/auth/login.py"),
                         ("feature/auth-tests", "src/auth/tests/test_login.py"),
                         ("feature/crypto-maths", "src/crypto/modular.py"),
                         ("feature/auth-mixed-case", "src/Auth/Login.py")]:
        repo.branch(branch, "main")
        repo.commit(f"add {path}", {path: "def f(a, b):\n    return a + b\n"}, branch=branch, author=ALICE)
    return repo


def test_default_tiers_of_examples_tests_crypto_and_mixed_case_paths(make_repo) -> None:
    listed = _listed(_repo(make_repo, None).path)
    assert listed["feature/auth-example"]["tier"] == 3
    assert listed["feature/auth-tests"]["tier"] == 3
    assert listed["feature/crypto-maths"]["tier"] == 1
    assert listed["feature/auth-mixed-case"]["tier"] == 0
    reasons = " ".join(listed["feature/auth-example"]["tier_reasons"])
    assert "a test, doc or example of tier-0 code ('**/auth/**')" in reasons


def test_the_repositorys_own_rules_still_decide_and_ignore_case(make_repo) -> None:
    policy = ('[[tiers.rules]]\nglob = "Examples/**"\ntier = 0\nreason = "the demo runs in production"\n'
              '[[tiers.rules]]\nglob = "**/crypto/**"\ntier = 0\nreason = "key management"\n')
    listed = _listed(_repo(make_repo, policy).path)
    assert listed["feature/auth-example"]["tier"] == 0
    assert listed["feature/crypto-maths"]["tier"] == 0
    assert "the demo runs in production" in " ".join(listed["feature/auth-example"]["tier_reasons"])
    assert "a test, doc or example" not in " ".join(listed["feature/auth-example"]["tier_reasons"])


def test_a_committed_virtual_environment_is_collapsed_low_tier_and_not_scanned(make_repo) -> None:
    """QA46 (DRF pull/9737): a pull request committing its venv/ was 5,885 chunks and a 2,831-hour floor,
    tier 0 from Django's own contrib/auth and critical for two of Django's own DROP statements. Other
    projects' installed packages are collapsed, tier 3, and never scanned for destructive operations;
    the repository's own code beside them is read as before."""
    repo = make_repo()
    repo.commit("init", {"README.md": "demo\n", "src/app.py": "x = 1\n"}, author=ALICE)
    repo.branch("feature/venv", "main")
    site = "venv/lib/python3.11/site-packages"
    drop = "def flush(cursor):\n    cursor.execute('DROP TABLE django_session')\n"
    repo.commit("oops, my venv", {
        "venv/pyvenv.cfg": "home = /usr/bin\n",
        f"{site}/django/contrib/auth/models.py": "".join(f"def f{i}(x):\n    if x:\n        return {i}\n"
                                                         f"    return 0\n\n\n" for i in range(60)) + drop,
        f"{site}/django/db/backends/flush.py": drop,
        f"{site}/_cffi_backend.so": "\x00\x01ELF binary\x00",
        "src/app.py": "x = 2\n",
    }, author=ALICE, branch="feature/venv")
    item = _listed(repo.path)["feature/venv"]
    assert item["tier"] == 2 and item["destructive_ops"] == [] and item["complexity_added"] == 0, item
    plan = CliRunner().invoke(cli, ["chunks", "feature/venv", "--repo", str(repo.path), "--json"],
                              catch_exceptions=False)
    chunks = json.loads(plan.stdout)["chunks"]
    # the whole environment is one chunk, one skim: its binary too (6,765 files were 4,499 chunks, 49 hours)
    [venv] = [c for c in chunks if any(f.startswith("venv/") for f in c["files"])]
    assert venv["kind"] == "collapsed" and len(venv["files"]) == 4 and venv["floor_seconds"] == 30
    assert venv["title"] == "Virtual environment: venv/ (4 files)"
    assert [c["files"] for c in chunks if c["kind"] == "code"] == [["src/app.py"]]


def test_a_committed_virtual_environment_is_counted_not_read(make_repo) -> None:
    """DRF pull/9737 committed 6,765 venv files, 1.3 million lines: `list` held 240 MB of line objects for
    them (peak 732 MB), `explain` took 28 s, and every .py file of Django and pip was measured and blamed.
    The environment's lines are now counted, never read: the figures and the chunk say how many there are,
    complexity, blame and the AI share leave them out, the author's own file beside them is read as before,
    and the chunk's approval is bound to the files' blob ids."""
    repo = make_repo()
    repo.commit("init", {"README.md": "demo\n", "src/app.py": "x = 1\n"}, author=ALICE)
    repo.branch("feature/venv", "main")
    site = ".venv/lib/python3.12/site-packages"
    package = "".join(f"def f{i}(x):\n    if x > {i}:\n        return {i}\n    return 0\n" for i in range(50))
    repo.commit("add my venv", {
        ".venv/pyvenv.cfg": "home = /usr/bin\nversion = 3.12\n",
        f"{site}/pkg/core.py": package,
        f"{site}/pkg/crlf.py": "a = 1\r\nb = 2",  # CRLF, no newline at the end
        "src/app.py": "def g(y):\n    if y:\n        return 1\n    return 2\n",
    }, author=ALICE, branch="feature/venv")
    venv_lines = 2 + 200 + 2
    item = _listed(repo.path)["feature/venv"]
    assert item["lines_added"] == venv_lines + 4 and item["lines_deleted"] == 1
    assert item["complexity_pending"] is False and item["complexity_added"] == 2
    assert item["ai_method"] == "line" and item["ai_notes"] == []

    analyzer = Analyzer(repo.path)
    detail = analyzer.detail("feature/venv")
    venv_files = [fd for fd in detail.files if fd.path.startswith(".venv/")]
    assert len(venv_files) == 3 and all(fd.counted_only and not fd.hunks for fd in venv_files)
    assert set(detail.complexity) == {"src/app.py"}  # pkg/core.py's 50 functions were never parsed
    assert sum(fd.additions for fd in venv_files) == venv_lines
    [own] = [fd for fd in detail.files if fd.path == "src/app.py"]
    assert not own.counted_only and own.hunks and (own.additions, own.deletions) == (4, 1)
    [chunk] = [c for c in detail.plan.chunks if c.kind == KIND_COLLAPSED]
    assert (chunk.additions, chunk.deletions, chunk.changed_lines) == (venv_lines, 0, venv_lines)
    assert sum(c.changed_lines for c in detail.plan.chunks) == venv_lines + 5  # the plan still covers every line

    # On screen: the files with their counts, and how to see the lines; `e` cannot load what was not read.
    for expand in (False, True):
        rows = chunk_display_lines(detail, chunk, expand=expand)
        assert not [row for row in rows if row.kind in ("add", "del")]
        headers = [row.text for row in rows if row.kind == "file"]
        assert f"{site}/pkg/core.py  (added, +200 −0)" in headers and len(headers) == 3, headers
        change = detail.change
        notes = [row.text for row in rows if row.kind == "note"]
        assert "Its 204 changed lines are counted, not loaded (installed packages: other projects' code)." in notes
        assert f"To see them: git diff {change.base[:10]} {change.head[:10]} -- .venv" in notes

    # The approval follows the content: another version of a venv file is another chunk to look at.
    repo.commit("bump pkg", {f"{site}/pkg/core.py": package + "def h():\n    return 3\n"}, author=ALICE,
                branch="feature/venv")
    again = Analyzer(repo.path).detail("feature/venv")
    [moved] = [c for c in again.plan.chunks if c.kind == KIND_COLLAPSED]
    assert moved.content_hash != chunk.content_hash and moved.additions == venv_lines + 2


def test_counting_without_reading_gives_the_counts_reading_gives(make_repo) -> None:
    """GitRepo.count_only takes libgit2's line stats instead of the lines: the same numbers for added,
    modified, deleted and renamed files, CRLF endings and a last line without a newline."""
    repo = make_repo()
    repo.commit("init", {"a.py": "one\ntwo\nthree\n", "b.txt": "x\r\ny\r\nz", "c.md": "gone\n" * 7,
                         "d.py": "".join(f"line {i}\n" for i in range(40))}, author=ALICE)
    repo.branch("topic", "main")
    repo.commit("edit", {"a.py": "one\n2\nthree\nfour", "b.txt": "x\r\nY\r\nz\r\n", "c.md": None,
                         "d.py": None, "e.py": "new\n", "moved/d.py": "".join(f"line {i}\n" for i in range(41))},
                author=ALICE, branch="topic")
    git = GitRepo(repo.path)
    base, head = git.resolve_commit("main"), git.resolve_commit("topic")
    read = {fd.path: (fd.status, fd.additions, fd.deletions) for fd in git.diff(base, head)}
    git.count_only = lambda path: True
    counted = git.diff(base, head)
    assert all(fd.counted_only and not fd.hunks for fd in counted)
    assert {fd.path: (fd.status, fd.additions, fd.deletions) for fd in counted} == read
    assert read["a.py"] == ("modified", 2, 1) and read["moved/d.py"][0] == "renamed"


def test_instructions_to_ai_agents_that_forbid_commands_are_not_destructive(make_repo) -> None:
    """QA47 #3 (flask pull/5996): a rules file telling agents "Never run `rm -rf /`" was a tier 0 destructive
    operation, the PR critical and first in the queue. Agent instruction files are prose: tier 3, not scanned;
    the same line in a shell script still is."""
    repo = make_repo()
    repo.commit("init", {"README.md": "demo\n", "src/app.py": "x = 1\n"}, author=ALICE)
    rule = "- Never run destructive system commands (`rm -rf /`, `DROP TABLE`, force-push to main).\n"
    repo.branch("feature/agent-rules", "main")
    repo.commit("add agent rules", {".rules": rule, ".clinerules": rule, ".cursor/rules/safety.mdc": rule,
                                    ".windsurfrules": rule, "AGENTS.md": rule},
                author=ALICE, branch="feature/agent-rules")
    repo.branch("feature/cleanup", "main")
    repo.commit("add cleanup", {"scripts/cleanup.sh": "#!/bin/sh\nrm -rf /\n"}, author=ALICE, branch="feature/cleanup")
    listed = _listed(repo.path)
    rules = listed["feature/agent-rules"]
    assert rules["destructive_ops"] == [] and rules["tier"] == 3, rules["tier_reasons"]
    assert "instructions to AI coding agents: prose" in " ".join(rules["tier_reasons"])
    assert listed["feature/cleanup"]["tier"] == 0 and listed["feature/cleanup"]["destructive_ops"]


def test_a_web_frameworks_token_csrf_and_header_code_and_its_manifests_have_their_tiers(make_repo) -> None:
    """QA51 #4 and #5 (hono): a key-caching change in JWS signature verification sorted "low" among docs
    fixes at tier 2, as did the basic-auth header parser (a file, not an `*-auth/` directory), CSRF and
    secure headers; jsr.json and bun.lockb were tier 2 beside a tier-1 package.json. Tests of the token
    code stay tier 3 and say what they test; a release's version bump of jsr.json stays neutral; a sandbox
    "session" is no login session (a sandbox is tier 1: the isolation untrusted commands run in, FIX115)."""
    repo = make_repo()
    manifest = '{\n  "name": "@hono/hono",\n  "version": "4.0.0",\n  "exports": {".": "./src/index.ts"}\n}\n'
    repo.commit("init", {"README.md": "demo\n", "src/index.ts": "export const x = 1\n", "jsr.json": manifest,
                         "package.json": manifest, "bun.lockb": "\x00\x01lock\x00"}, author=ALICE)
    body = "export const f = (a: string) => a\n"
    for branch, files in [
        ("perf/jws-key-cache", {"src/utils/jwt/jws.ts": body}),
        ("fix/basic-auth-parser", {"src/utils/basic-auth.ts": body}),
        ("feat/csrf", {"src/middleware/csrf/index.ts": body}),
        ("feat/secure-headers", {"src/middleware/secure-headers/secure-headers.ts": body}),
        ("fix/cors", {"src/middleware/cors/index.ts": body}),
        ("test/jwt", {"src/middleware/jwt/index.test.ts": body}),
        ("chore/bump-4.0.1", {"jsr.json": manifest.replace("4.0.0", "4.0.1"),
                           "package.json": manifest.replace("4.0.0", "4.0.1")}),
        ("build/jsr-exports", {"jsr.json": manifest.replace('"./src/index.ts"', '"./src/mod.ts"')}),
        ("build/bun-lock", {"bun.lockb": "\x00\x02lock\x00"}),
        ("feat/sandbox-session", {"src/sandbox/session/manager.py": "def open_session():\n    return 1\n"}),
    ]:
        repo.branch(branch, "main")
        repo.commit(f"change {branch}", files, author=ALICE, branch=branch)
    listed = _listed(repo.path)
    tiers = {branch: item["tier"] for branch, item in listed.items()}
    assert tiers == {"perf/jws-key-cache": 0, "fix/basic-auth-parser": 0, "feat/csrf": 0, "feat/secure-headers": 0,
                     "fix/cors": 1, "test/jwt": 3, "chore/bump-4.0.1": 3, "build/jsr-exports": 1, "build/bun-lock": 1,
                     "feat/sandbox-session": 1}, tiers
    [basic_auth] = listed["fix/basic-auth-parser"]["tier_reasons"]
    assert "'*auth.*' (built-in): tier 0 — security-sensitive code" in basic_auth
    assert listed["test/jwt"]["tier_reasons"][0].endswith("; a test, doc or example of tier-0 code ('*jwt*')")
    assert "jsr.json: only the package's own version changed" in " ".join(listed["chore/bump-4.0.1"]["tier_reasons"])


def _translations(count: int, word: str) -> str:
    lines = "".join(f"    'key_{i}' => '{word} {i}',\n" for i in range(count))
    return f"<?php\n\nreturn [\n{lines}];\n"


def test_laravel_translation_files_are_prose_of_tier_3_not_tier_0_code(make_repo) -> None:
    """QA59: BookStack's Crowdin pull requests ("New translations entities.php (Japanese)", origin/pr/5250) were
    tier 0, lang/ar/auth.php matching '*auth.*', and their translated strings counted as source code: 73 critical,
    the top of the queue, with a 5-hour plan read at the tier-0 code rate. The login code itself stays tier 0."""
    repo = make_repo()
    repo.commit("init", {"README.md": "demo\n", "lang/en/auth.php": _translations(3, "Log in"),
                         "lang/ja/auth.php": _translations(3, "ログイン"),
                         "app/Http/Controllers/Auth/LoginController.php": "<?php\nclass LoginController {}\n"},
                author=ALICE)
    repo.branch("l10n_development", "main")
    repo.commit("New translations auth.php (Japanese)",
                {"lang/ja/auth.php": _translations(120, "ログインする"),
                 "lang/ja/entities.php": _translations(80, "本"), "lang/de.json": '{\n  "Log in": "Anmelden"\n}\n'},
                branch="l10n_development", author=ALICE)
    repo.branch("fix/login", "main")
    repo.commit("Login: check the password", {"app/Http/Controllers/Auth/LoginController.php":
                                              "<?php\nclass LoginController { public function login() {} }\n"},
                branch="fix/login", author=ALICE)
    listed = _listed(repo.path)
    l10n = listed["l10n_development"]
    assert l10n["tier"] == 3, l10n["tier_reasons"]
    assert "translations" in " ".join(l10n["tier_reasons"])
    assert l10n["band"] == "low", (l10n["score"], l10n["factors"])
    code_size = next(f for f in l10n["factors"] if f["name"] == "code_size")
    assert code_size["raw"] == 0, code_size
    assert listed["fix/login"]["tier"] == 0
    plan = Analyzer(repo.path).detail("l10n_development").plan
    derivations = " ".join(chunk.floor_derivation for chunk in plan.chunks)
    # Japanese and German are not the source language (en): skimmed, one chunk a language (QA59 F7, FIX107)
    assert "translation file, a look each (30s" in derivations and "code lines" not in derivations, derivations


def test_a_go_files_header_comment_alone_does_not_decide_the_tier(make_repo) -> None:
    """QA60 (memos): regenerating the protobuf code bumps the generator's version line of every generated file, and
    a mention-autocomplete pull request (pr/6010) was tier 0, critical, by that one comment line of
    proto/gen/api/v1/auth_service_grpc.pb.go. Above the package clause Go allows only comments; a build constraint
    there decides whether the file is compiled and still counts, as does any edit below it."""
    header = ("// Code generated by protoc-gen-go-grpc. DO NOT EDIT.\n// versions:\n// - protoc-gen-go-grpc v1.6.1\n"
              "// source: api/v1/auth_service.proto\n\n")
    body = "package apiv1\n\nfunc SignIn(user string) bool {\n\treturn user != \"\"\n}\n"
    path = "proto/gen/api/v1/auth_service_grpc.pb.go"
    repo = make_repo()
    repo.commit("init", {"README.md": "demo\n", path: header + body, "web/src/app.ts": "export const a = 1\n"},
                author=ALICE)
    for branch, files in [
        ("regen/version-line", {path: header.replace("v1.6.1", "v1.6.2") + body,
                                "web/src/app.ts": "export const a = 2\n"}),
        ("build/constraint", {path: "//go:build linux\n\n" + header + body}),
        ("fix/sign-in", {path: header.replace("v1.6.1", "v1.6.2") + body.replace('!= ""', '!= "root"')}),
    ]:
        repo.branch(branch, "main")
        repo.commit(f"change {branch}", files, author=ALICE, branch=branch)
    listed = _listed(repo.path)
    tiers = {branch: item["tier"] for branch, item in listed.items()}
    assert tiers == {"regen/version-line": 2, "build/constraint": 0, "fix/sign-in": 0}, tiers
    reasons = " ".join(listed["regen/version-line"]["tier_reasons"])
    assert "web/src/app.ts matches no tier rule" in reasons, reasons
    result = CliRunner().invoke(cli, ["chunks", "regen/version-line", "--repo", str(repo.path), "--json"],
                                catch_exceptions=False)
    plan = json.loads(result.stdout)["chunks"]
    assert [(chunk["kind"], chunk["tier"]) for chunk in plan if path in chunk["files"]] == [(KIND_COLLAPSED, 3)], plan


def test_protobuf_code_in_a_tier_0_path_is_collapsed_when_its_proto_changes_too(make_repo) -> None:
    """QA60 (memos): every edit of proto/api/v1/auth_service.proto regenerates auth_service.pb.go (and its gRPC,
    gateway, connect and TypeScript outputs), tier 0 by `auth_*`: they were read line by line beside the .proto. The
    .proto is read; its outputs are collapsed, saying so. Without the .proto in the change, or hand-written under such
    a name, a tier-0 file is still read."""
    proto = 'syntax = "proto3";\npackage memos.api.v1;\nmessage SignInRequest {\n  string username = 1;\n}\n'
    generated = ("// Code generated by protoc-gen-go. DO NOT EDIT.\n// source: api/v1/auth_service.proto\n\n"
                 "package apiv1\n\ntype SignInRequest struct {\n\tUsername string\n}\n")
    es = ("// @generated by protoc-gen-es v2.12.1\n// @generated from file api/v1/auth_service.proto (package x)\n"
          "export type SignInRequest = { username: string };\n")
    gen, ts = "proto/gen/api/v1/auth_service.pb.go", "web/src/types/proto/api/v1/auth_service_pb.ts"
    repo = make_repo()
    repo.commit("init", {"README.md": "demo\n", "proto/api/v1/auth_service.proto": proto, gen: generated, ts: es},
                author=ALICE)
    field = "  string password = 2;\n}\n"
    for branch, files in [
        ("feat/password", {"proto/api/v1/auth_service.proto": proto.replace("}\n", field),
                           gen: generated.replace("}\n", "\tPassword string\n}\n"),
                           ts: es.replace("string }", "string; password: string }")}),
        ("fix/hand-edit", {gen: generated.replace("}\n", "\tPassword string\n}\n")}),
    ]:
        repo.branch(branch, "main")
        repo.commit(f"change {branch}", files, author=ALICE, branch=branch)

    def kinds(branch: str) -> dict[str, str]:
        result = CliRunner().invoke(cli, ["chunks", branch, "--repo", str(repo.path), "--json"], catch_exceptions=False)
        return {path: chunk["kind"] for chunk in json.loads(result.stdout)["chunks"] for path in chunk["files"]}

    assert kinds("feat/password") == {"proto/api/v1/auth_service.proto": "code", gen: KIND_COLLAPSED,
                                      ts: KIND_COLLAPSED}
    assert kinds("fix/hand-edit") == {gen: "code"}
    listed = _listed(repo.path)
    assert listed["feat/password"]["tier"] == 0 and listed["fix/hand-edit"]["tier"] == 0


def _plan_of(repo, branch: str) -> dict:
    result = CliRunner().invoke(cli, ["chunks", branch, "--repo", str(repo.path), "--json"], catch_exceptions=False)
    return json.loads(result.stdout)


def test_ts_proto_output_is_protobuf_code_and_a_proto_without_its_code_is_said(make_repo) -> None:
    """memos' TypeScript was written by ts-proto until 2025: web/src/types/proto/api/v1/auth_service.ts ("Code generated
    by protoc-gen-ts_proto. DO NOT EDIT."), no `_pb` in its name, was read line by line at tier 0 beside the .proto it
    comes from. A plan says when a change edits a .proto whose generated code the base holds and the change does not
    regenerate (memos pr/6150), and when generated code changed without its .proto (pr/4769's gateway upgrade)."""
    proto = 'syntax = "proto3";\npackage memos.api.v1;\nmessage SignInRequest {\n  string username = 1;\n}\n'
    generated = ("// Code generated by protoc-gen-go. DO NOT EDIT.\n// source: api/v1/auth_service.proto\n\n"
                 "package apiv1\n\ntype SignInRequest struct {\n\tUsername string\n}\n")
    ts_proto = ("// Code generated by protoc-gen-ts_proto. DO NOT EDIT.\n// versions:\n"
                "//   protoc-gen-ts_proto  v2.6.1\n// source: api/v1/auth_service.proto\n\n"
                "export interface SignInRequest {\n  username: string;\n}\n")
    gen, ts = "proto/gen/api/v1/auth_service.pb.go", "web/src/types/proto/api/v1/auth_service.ts"
    repo = make_repo()
    repo.commit("init", {"README.md": "demo\n", "proto/api/v1/auth_service.proto": proto, gen: generated,
                         ts: ts_proto}, author=ALICE)
    field = "  string password = 2;\n}\n"
    for branch, files in [
        ("feat/password", {"proto/api/v1/auth_service.proto": proto.replace("}\n", field),
                           gen: generated.replace("}\n", "\tPassword string\n}\n"),
                           ts: ts_proto.replace("string;\n}", "string;\n  password: string;\n}")}),
        ("feat/proto-only", {"proto/api/v1/auth_service.proto": proto.replace("}\n", field)}),
        ("chore/regenerate", {gen: generated.replace("protoc-gen-go.", "protoc-gen-go v1.36.")}),
    ]:
        repo.branch(branch, "main")
        repo.commit(f"change {branch}", files, author=ALICE, branch=branch)

    regenerated = _plan_of(repo, "feat/password")
    kinds = {path: chunk["kind"] for chunk in regenerated["chunks"] for path in chunk["files"]}
    assert kinds == {"proto/api/v1/auth_service.proto": "code", gen: KIND_COLLAPSED, ts: KIND_COLLAPSED}
    assert not any("protobuf" in note or "generated from it" in note for note in regenerated["notes"])
    alone = _plan_of(repo, "feat/proto-only")["notes"]
    assert (f"proto/api/v1/auth_service.proto changed, but none of the code generated from it ({gen}) did: "
            "regenerate it, or the service and its clients keep the old API") in alone, alone
    upgraded = _plan_of(repo, "chore/regenerate")["notes"]
    assert any(note.startswith(f"{gen}: protobuf code changed without its .proto (api/v1/auth_service.proto)")
               for note in upgraded), upgraded
