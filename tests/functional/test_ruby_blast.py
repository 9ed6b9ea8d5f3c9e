"""Ruby changes get a blast radius and seams (QA65, maybe-finance/maybe): every Rails change said "blast radius not
measured: ... not .rb". Rails autoloads by Zeitwerk's convention, not by `require`: app/models/account/syncer.rb
defines Account::Syncer, and a file depends on it by naming the constant (`Account::Syncer`, `::Account::Syncer`, or
`Syncer` inside `class Account`), or by an association naming its model (`has_many :entries`). Tests (test/, spec/,
`_test.rb`) test what they name and the constant their path mirrors; they are no callers."""

from __future__ import annotations

import json

from click.testing import CliRunner

from app.cli import cli
from app.core.impact.graph import build_graph
from tests.conftest import ALICE, BOB

SYNCER = "app/models/account/syncer.rb"
RAILS_APP = {
    "app/models/account.rb": "class Account < ApplicationRecord\n  include Syncable\n  has_many :entries\n"
                             "  belongs_to :owner, class_name: \"Family\"\nend\n",
    SYNCER: "class Account::Syncer\n  def perform_sync\n    true\n  end\nend\n",
    "app/models/account/importer.rb":  # the bare name inside `class Account`
        "class Account\n  class Importer\n    def run\n      Syncer.new.perform_sync\n    end\n  end\nend\n",
    "app/jobs/sync_job.rb": "class SyncJob < ApplicationJob\n  def perform\n    ::Account::Syncer.new\n  end\nend\n",
    "app/helpers/text_helper.rb":  # a comment and a string: no dependent
        "module TextHelper\n  # Account::Syncer runs nightly\n  def label = \"Account::Syncer\"\nend\n",
    "app/models/entry.rb": "class Entry < ApplicationRecord\n  def amount_money = Money.new(amount)\nend\n",
    "app/models/family.rb": "class Family < ApplicationRecord\nend\n",
    "app/models/concerns/syncable.rb": "module Syncable\n  extend ActiveSupport::Concern\nend\n",
    "app/controllers/accounts_controller.rb": "class AccountsController < ApplicationController\n  def index\n"
                                              "    @accounts = Current.family.accounts\n  end\nend\n",
    "lib/money.rb": "class Money\n  def initialize(amount)\n    @amount = amount\n  end\nend\n",
    "test/models/account/syncer_test.rb": "class Account::SyncerTest < ActiveSupport::TestCase\n  test \"syncs\" do\n"
                                          "    assert Account::Syncer.new.perform_sync\n  end\nend\n",
    "test/controllers/accounts_controller_test.rb":  # names no constant: tests the controller its path mirrors
        "class AccountsControllerTest < ActionDispatch::IntegrationTest\n  test \"index\" do\n"
        "    get accounts_url\n  end\nend\n",
}


def _explained(path, change: str) -> dict:
    result = CliRunner().invoke(cli, ["explain", change, "--repo", str(path), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_rails_constant_is_reached_by_the_files_that_name_it(make_repo) -> None:
    b = make_repo("ledger")
    b.commit("init", RAILS_APP, author=ALICE)
    b.branch("syncer")
    b.commit("sync takes a window", {SYNCER: "class Account::Syncer\n  def perform_sync(window)\n    window\n"
                                             "  end\nend\n"}, branch="syncer", author=BOB)
    b.branch("money")
    b.commit("money rounds", {"lib/money.rb": "class Money\n  def initialize(amount)\n    @amount = amount.round\n"
                                              "  end\nend\n"}, branch="money", author=BOB)
    b.checkout()
    syncer = _explained(b.path, "syncer")
    factors = {f["name"]: f for f in syncer["factors"]}
    blast = factors["blast_radius"]
    assert "not measured" not in blast["explanation"], blast
    assert "imported or named by 2 files" in blast["explanation"], blast
    assert "app/jobs/sync_job.rb" in blast["explanation"] and "text_helper" not in blast["explanation"], blast
    (symbol,) = syncer["blast_radius"]["symbols"]
    assert sorted(symbol["direct_callers"]) == ["app/jobs/sync_job.rb", "app/models/account/importer.rb"]
    assert symbol["tested_by"] == ["test/models/account/syncer_test.rb"]
    assert factors["seams"]["raw"] == 0, factors["seams"]
    money = {f["name"]: f for f in _explained(b.path, "money")["factors"]}["blast_radius"]
    assert "imported or named by 1 file" in money["explanation"] and "app/models/entry.rb" in money["explanation"]
    assert money["raw"] >= 2, money  # entry.rb, and account.rb through `has_many :entries`


def test_associations_concerns_and_mirrored_tests_in_the_graph() -> None:
    graph = build_graph([(path, text.encode()) for path, text in RAILS_APP.items()])

    def named_by(path: str) -> set[str]:
        return {caller.split(":", 1)[0] for caller in graph.callers_of(path)}

    assert named_by("app/models/entry.rb") == {"app/models/account.rb"}  # has_many :entries
    assert named_by("app/models/family.rb") == {"app/models/account.rb"}  # class_name: "Family"
    assert named_by("app/models/concerns/syncable.rb") == {"app/models/account.rb"}  # include Syncable
    assert graph.tests_of("app/controllers/accounts_controller.rb") == {"test/controllers/accounts_controller_test.rb"}
    assert not graph.callers_of("app/models/account.rb")  # `class Account` in importer.rb reopens it: no use
