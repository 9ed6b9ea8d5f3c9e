"""A .tf file read item by item (app/core/hcl.py `items`): each top-level block is parsed once in a process,
whichever versions of whichever files hold it (issue 18: a cold `list` of terraform-aws-eks's 25 latest pull
requests spent 4.6 of its 5.4 s CPU in lark, parsing 73 file versions whose top-level items were 68% repeats).

The answers must be the whole file's: the same attributes, blocks, lines and labels, and a file that does not
parse fails as itself. Each test compares the piecewise reading with the whole-file parse.
"""

from __future__ import annotations

import importlib
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core import hcl
from app.core.git.repo import GitRepo
from app.core.impact.destructive import terraform
from app.core.impact.destructive.model import ParseFailure, Work
from app.samples import load

load()
corpus = importlib.import_module("review_tui_sample_repos.destructive_corpus")

TRICKY = '''# a heredoc whose text looks like top-level blocks
locals {
  policy = <<EOT
{
}
resource "aws_s3_bucket" "not_a_block" {
}
EOT
}
data "aws_iam_policy_document" "x" {
  statement {
    actions = ["s3:*"] # a comment with "quotes" and a { brace
  }
}
/* a block comment
resource "x" "y" {
}
*/
resource "aws_instance" "web" {
  ami   = "ami-${var.version == "1" ? "a}" : "b"}"
  tags  = { Name = "web" }
  count = var.on ?
1 : 0
}
variable "name" {
  default = "a
multi-line string"
}
output "x" {
  value = <<-POLICY
    {"Statement": []}
    POLICY
}
module "vpc" {
  source = "./vpc"
}
'''


def whole(text: str, path: str = "main.tf") -> object:
    """The file's answers as the whole-file parse gives them (the code before `items`)."""
    hcl._ANSWERS.clear()
    hcl._TREES.clear()
    try:
        body: object = terraform._parse_whole(text, path, Work())
    except ParseFailure as failure:
        body = str(failure)
    try:
        blocks: object = hcl._blocks_of(hcl.parse_tree(text), text)
    except Exception as exc:
        blocks = type(exc).__name__
    return body, blocks


def piecewise(text: str, path: str = "main.tf") -> object:
    hcl._ANSWERS.clear()
    hcl._TREES.clear()
    try:
        body: object = terraform.parse_hcl(text, path, Work())
    except ParseFailure as failure:
        body = str(failure)
    try:
        blocks: object = hcl.top_level_blocks(text)
    except Exception as exc:
        blocks = type(exc).__name__
    return body, blocks


def test_items_cut_before_top_level_items_only() -> None:
    pieces = hcl.items(TRICKY)
    assert "".join(piece for _, piece in pieces) == TRICKY
    firsts = [piece.split("\n", 1)[0] for _, piece in pieces]
    assert firsts == ["# a heredoc whose text looks like top-level blocks", 'data "aws_iam_policy_document" "x" {',
                      'resource "aws_instance" "web" {', 'variable "name" {', 'output "x" {', 'module "vpc" {']
    lines = TRICKY.split("\n")
    for before, piece in pieces:
        assert lines[before] == piece.split("\n", 1)[0]


def test_items_of_a_tfvars_file_are_its_attributes_but_not_a_continued_expression() -> None:
    text = 'region = "eu-west-1"\nreplicas = 3\nflag = var.a ?\ntrue : false\nsum = 1 +\nx\nlast = [\n"a"]\n'
    firsts = [piece.split("\n", 1)[0] for _, piece in hcl.items(text)]
    assert firsts == ['region = "eu-west-1"', "replicas = 3", "flag = var.a ?", "sum = 1 +", "last = ["]
    assert piecewise(text, "x.tfvars") == whole(text, "x.tfvars")


def test_the_pieces_give_the_whole_files_answers() -> None:
    answer = piecewise(TRICKY)
    assert answer == whole(TRICKY)
    (_attrs, blocks), spans = answer  # type: ignore[misc]
    assert [b.address for b in blocks if b.address] == ["aws_instance.web", "module.vpc"]
    assert [b.line for b in blocks] == [2, 10, 19, 25, 29, 34]
    assert all(b.path == "main.tf" for b in blocks)
    assert blocks[2].attrs["count"].line == 22 and blocks[2].attrs["count"].text == "var.on ? 1 : 0"
    assert spans[2] == ("resource", ["aws_instance", "web"], 19, 24)


def test_a_file_whose_item_does_not_parse_fails_as_the_whole_file() -> None:
    broken = 'resource "a" "b" {\n}\nresource "c" "d" {\n  x = = 1\n}\nvariable "v" {\n}\n'
    body, spans = piecewise(broken)
    assert body == whole(broken)[0] and "line 4" in str(body)
    assert spans == whole(broken)[1] == "UnexpectedToken"


def test_a_second_version_parses_only_the_items_it_changed(monkeypatch) -> None:
    """Fails on the code before `items`: it parsed each version whole."""
    import hcl2

    parsed: list[str] = []
    real = hcl2.parses_to_tree
    monkeypatch.setattr(hcl2, "parses_to_tree", lambda text: parsed.append(text) or real(text))
    blocks = [f'resource "aws_s3_bucket" "b{n}" {{\n  bucket = "bucket-{n}"\n}}\n' for n in range(6)]
    hcl._ANSWERS.clear()
    hcl._TREES.clear()
    terraform.parse_hcl("".join(blocks), "s3.tf", Work())
    assert len(parsed) == 6
    edited = blocks[:3] + [blocks[3].replace("bucket-3", "bucket-three")] + blocks[4:]
    _attrs, found = terraform.parse_hcl("".join(edited), "s3.tf", Work())
    assert len(parsed) == 7 and "bucket-three" in parsed[-1]
    assert [b.line for b in found] == [1, 4, 7, 10, 13, 16] and found[3].value("bucket") == '"bucket-three"'
    hcl.top_level_blocks("".join(edited))  # the plan's spans: read from the same pieces
    assert len(parsed) == 7


def test_every_terraform_file_of_the_destructive_corpus_reads_as_whole(tmp_path) -> None:
    """The .tf and .tfvars versions of the corpus's branches (a real repository), each on a fresh cache."""
    _, ids = corpus.build(tmp_path / "repo")
    repo = GitRepo(tmp_path / "repo")
    texts = set()
    for base, head in ids.values():
        for fd in repo.diff(base, head):
            if fd.path.endswith((".tf", ".tfvars")):
                blobs = [blob for blob in (fd.old_blob, fd.new_blob) if blob]
                texts |= {(fd.path, repo.blob(blob).decode("utf-8", "replace")) for blob in blobs}
    assert len(texts) > 30
    split = 0
    for path, text in sorted(texts):
        split += len(hcl.items(text)) > 1
        assert piecewise(text, path) == whole(text, path), path
    assert split >= 8  # most corpus files hold one block


_SNIPPETS = [
    'resource "aws_db_instance" "db" {\n  identifier = "orders"\n  deletion_protection = true\n}\n',
    'locals {\n  p = <<EOT\n}\nresource "x" "y" {\nEOT\n}\n',
    'variable "v" {\n  default = "a\n}\nb"\n}\n',
    "x = 1\n",
    "y = var.a ?\nb : c\n",
    'z = "${"}"}"\n',
    "# comment { \"\n",
    "/* open\nresource \"a\" \"b\" {}\n*/\n",
    'module "m" {\n  source = "./m"\n  count  = 0\n}\n',
    "w = [\n1,\n]\n",
    "\n\n",
]
_NOISE = ['"', "<<EOT\n", "EOT\n", "/*", "*/", "#", "${", "}", "{", "\n", "?", ":", "+", "\\\"", "$${", "]", "(",
          'resource "a" "b" {\n}\n']


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_SNIPPETS), min_size=1, max_size=8),
       st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(_NOISE)), max_size=2))
def test_any_text_reads_as_the_whole_file(snippets: list[str], noise: list[tuple[int, str]]) -> None:
    """Items and noise that open strings, heredocs, comments and brackets where a cut could go: the pieces
    never tell another story than the whole file (answers, lines, or the failure)."""
    text = "".join(snippets)
    for at, token in noise:
        at %= len(text) + 1
        text = text[:at] + token + text[at:]
    assert "".join(piece for _, piece in hcl.items(text)) == text
    assert piecewise(text) == whole(text)


def test_mutated_corpus_files_read_as_the_whole_file() -> None:
    """Seeded mutations of the corpus's longer .tf files, cut at line starts where items begin."""
    texts = sorted({text for case in corpus.CASES for text in case.base.values()
                    if text and text.count("\n") > 8})
    rng = random.Random(18)
    for _ in range(120):
        text = rng.choice(texts)
        at = text.rfind("\n", 0, rng.randrange(len(text))) + 1
        text = text[:at] + rng.choice(_NOISE) + text[at:]
        assert piecewise(text) == whole(text)


@pytest.mark.parametrize("text", ["", "\n", "# only a comment", 'x = "unterminated\n', "}\n", "a = 1"])
def test_small_and_broken_texts(text: str) -> None:
    assert piecewise(text) == whole(text)
