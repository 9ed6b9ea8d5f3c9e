"""A mirror directory (hono's deno_dist/, denoify's copy of src/ with `.ts` import suffixes) on a real repository:
its copies of the change's own edits are one collapsed chunk saying whose edit each repeats, left out of the
risk inputs; a copy whose edit differs is read as code (QA51 #6)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from app.cli import cli
from tests.conftest import ALICE

RESPONSE = ("import {{ Context }} from './context{s}'\n\nexport const respond = (c: Context, ok: boolean) => {{\n"
            "  if (ok) {{\n    return c.text('ok')\n  }}\n  if (c.status > 400) {{\n    return c.text('bad')\n  }}\n"
            "  return c.text('?')\n}}\n")
CONTEXT = ("import {{ HonoRequest }} from './request{s}'\n\nexport class Context {{\n  status = 200\n"
           "  constructor(public req: HonoRequest) {{}}\n{extra}}}\n")
EXTRA = ("  text(t: string) {\n    return new Response(t)\n  }\n"
         "  json(o: object) {\n    return new Response(JSON.stringify(o))\n  }\n")


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_mirror_directorys_copies_of_the_changes_edits_are_one_collapsed_chunk(make_repo) -> None:
    repo = make_repo()
    files = {"README.md": "demo\n", "src/request.ts": "export class HonoRequest {}\n",
             "deno_dist/request.ts": "export class HonoRequest {}\n",
             "src/context.test.ts": "import { Context } from './context'\ntest('c', () => Context)\n"}
    for root, suffix in (("src", ""), ("deno_dist", ".ts")):
        files[f"{root}/context.ts"] = CONTEXT.format(s=suffix, extra="")
    repo.commit("init", files, author=ALICE)
    repo.branch("feat/responder", "main")
    edit = {"src/context.test.ts": files["src/context.test.ts"] + "test('t', () => 1)\n"}
    for root, suffix in (("src", ""), ("deno_dist", ".ts")):
        edit[f"{root}/context.ts"] = CONTEXT.format(s=suffix, extra=EXTRA)
        edit[f"{root}/response.ts"] = RESPONSE.format(s=suffix)
        edit[f"{root}/request.ts"] = "export class HonoRequest {\n  path = '/'\n}\n"
    repo.commit("add a responder", edit, author=ALICE, branch="feat/responder")
    repo.branch("fix/stale-copy", "main")
    repo.commit("edit the copy by hand", {
        "src/context.ts": CONTEXT.format(s="", extra=EXTRA),
        "deno_dist/context.ts": CONTEXT.format(s=".ts", extra=EXTRA.replace("JSON.stringify(o)", "String(o)"))},
        author=ALICE, branch="fix/stale-copy")

    plan = json.loads(_run("chunks", "feat/responder", "--repo", str(repo.path), "--json"))
    [mirror] = [c for c in plan["chunks"] if c["kind"] == "collapsed"]
    assert mirror["title"] == "Same edits as src/: deno_dist/ (3 files)"  # three files: a mirror, not a coincidence
    assert sorted(mirror["files"]) == ["deno_dist/context.ts", "deno_dist/request.ts", "deno_dist/response.ts"]
    assert "deno_dist/context.ts: the same edit as src/context.ts: read there" in mirror["notes"]
    assert "deno_dist/response.ts: the same edit as src/response.ts (import paths aside): read there" in mirror["notes"]
    assert mirror["floor_seconds"] == 90  # three collapsed files, 30 s each
    code = [path for c in plan["chunks"] if c["kind"] == "code" for path in c["files"]]
    assert sorted(code) == ["src/context.test.ts", "src/context.ts", "src/request.ts", "src/response.ts"]

    listed = {item["id"]: item for item in json.loads(_run("list", "--repo", str(repo.path), "--json"))}
    responder = listed["feat/responder"]
    assert responder["lines_added"] == 2 * (len(EXTRA.splitlines()) + len(RESPONSE.splitlines()) + 3) + 1
    assert responder["complexity_added"] == 5  # respond() (3), text and json (1 each): src/ only, not twice
    [size] = [f for f in responder["factors"] if f["name"] == "code_size"]
    assert "deno_dist" not in json.dumps(size) and str(len(EXTRA.splitlines()) + 11 + 4) in size["explanation"], size

    stale = json.loads(_run("chunks", "fix/stale-copy", "--repo", str(repo.path), "--json"))
    assert not [c for c in stale["chunks"] if c["kind"] == "collapsed"]  # a copy edited otherwise is read
    assert sorted(p for c in stale["chunks"] for p in c["files"]) == ["deno_dist/context.ts", "src/context.ts"]


VERSIONS = ('terraform {{\n  required_providers {{\n    aws = {{\n      source  = "hashicorp/aws"\n'
            '      version = "{v}"\n    }}\n  }}\n}}\n')


def test_a_module_repositorys_examples_are_the_copies_of_its_modules_not_the_originals(make_repo) -> None:
    """terraform-aws-eks pr/3655 (QA55 F1): the provider constraint module users get, modules/*/versions.tf, was
    "read there" in the examples' chunk, because "examples" sorts before "modules"."""
    repo = make_repo()
    names = ("cluster", "fargate", "karpenter")
    files = {f"{root}/{name}/versions.tf": VERSIONS.format(v=">= 5.0") for root in ("modules", "examples")
             for name in names}
    files |= {"modules/cluster/main.tf": 'resource "aws_eks_cluster" "this" {\n  name = var.name\n}\n',
              "examples/cluster/main.tf": 'module "eks" {\n  source = "../../modules/cluster"\n}\n'}
    repo.commit("init", files, author=ALICE)
    repo.branch("chore/aws-6", "main")
    edit = {path: VERSIONS.format(v=">= 6.0") for path in files if path.endswith("versions.tf")}
    edit["modules/cluster/main.tf"] = ('resource "aws_eks_cluster" "this" {\n  name    = var.name\n'
                                       '  version = "1.33"\n}\n')
    edit["examples/cluster/main.tf"] = 'module "eks" {\n  source = "../../modules/cluster"\n  name   = "ex"\n}\n'
    repo.commit("allow AWS provider 6", edit, author=ALICE, branch="chore/aws-6")

    plan = json.loads(_run("chunks", "chore/aws-6", "--repo", str(repo.path), "--json"))
    [mirror] = [c for c in plan["chunks"] if c["kind"] == "collapsed"]
    assert mirror["title"] == "Same edits as modules/: examples/ (3 files)", mirror["title"]
    code = {path for c in plan["chunks"] if c["kind"] == "code" for path in c["files"]}
    assert {f"modules/{name}/versions.tf" for name in names} <= code
