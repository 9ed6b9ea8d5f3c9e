"""A Ruby change's blast radius is the files that name the methods it alters (impact/members.py, FIX133), on a Rails
app built by the test: maybe-finance/maybe's family.rb reached every file naming `Family` whatever a branch changed
of it. A method is named by its word (`.balance`, `balance(`, `&:owner_name`); what Ruby or Rails call without the
name being written (a class-level DSL statement, `initialize`, a method named by a value) reaches every dependent."""

from __future__ import annotations

from app.core.impact.members import altered_members
from tests.graph_reach import reach

ACCOUNT = "app/models/account.rb"
ACCOUNT_TEXT = """class Account < ApplicationRecord
  include Reportable
  has_many :entries

  def score = 1

  def balance
    total + 1
  end

  def total
    @total ||= entries.sum(:amount)
  end

  def owner_name = owner.name

  private
    def helper
      2
    end
end
"""
CONTROLLER = "app/controllers/accounts_controller.rb"
CONTROLLER_TEXT = """class AccountsController < ApplicationController
  include AccountableResource
  before_action :set_account

  def show
  end

  private
    def set_account
      @account = Account.find(params[:id])
    end
end
"""
APP = {
    ACCOUNT: ACCOUNT_TEXT,
    CONTROLLER: CONTROLLER_TEXT,
    # a subclass names no method: it has them all, its callers call them on it
    "app/models/depository.rb": "class Depository < Account\nend\n",
    # the concern the controller includes calls `balance` on the account the controller finds
    "app/controllers/concerns/accountable_resource.rb":
        "module AccountableResource\n  extend ActiveSupport::Concern\n\n"
        "  def summary\n    @account.balance\n  end\nend\n",
    # a concern the model includes calls the model's `score`: its callers name `report`
    "app/models/concerns/reportable.rb": "module Reportable\n  def report = \"#{score}\"\nend\n",
    "app/models/family.rb": "class Family < ApplicationRecord\n  def names = Account.all.map(&:owner_name)\nend\n",
    "app/jobs/report_job.rb": "class ReportJob < ApplicationJob\n  def perform = Family.first.names\nend\n",
    "app/views/accounts/index.html.erb": "<h1><%= Account.model_name.human %></h1>\n",  # names no method
    "app/models/ledger.rb":  # a method named by a value: any
        "class Ledger\n  def value(kind) = Account.first.public_send(kind)\nend\n",
    "config/routes.rb": "Rails.application.routes.draw do\n  resources :accounts, only: :show\nend\n",
}
DEPENDENTS = {CONTROLLER, "app/models/depository.rb", "app/models/family.rb", "app/views/accounts/index.html.erb",
              "app/models/ledger.rb"}
ALWAYS = {"app/models/depository.rb", "app/models/ledger.rb"}  # the subclass, the one naming methods by a value


def _reach(make_repo, path: str, new_text: str) -> list[set]:
    return reach(make_repo, APP, path, new_text)


def test_a_comment_or_an_unused_private_helper_reaches_no_one_an_added_method_only_what_may_override(
        make_repo) -> None:
    assert altered_members(ACCOUNT, ACCOUNT_TEXT.encode(), ACCOUNT_TEXT.replace(
        "  def balance", "  # the balance\n  def balance").encode()) == set()
    # a private method: callable from a subclass, so the subclass (and who names a method by a value) only
    assert _reach(make_repo, ACCOUNT, ACCOUNT_TEXT.replace("      2\n", "      3\n"))[::2] == [ALWAYS] * 2
    # an added method may override one its subclass or its parent has: those writing its name, and the subclass
    added = ACCOUNT_TEXT.replace("  private\n", "  def fresh\n    true\n  end\n\n  private\n")
    assert _reach(make_repo, ACCOUNT, added)[::2] == [ALWAYS] * 2


def test_a_method_rewritten_or_removed_reaches_the_files_that_name_it_and_what_uses_it(make_repo) -> None:
    """No true dependent is lost: `total` rewritten changes `balance`, which the controller's concern calls on the
    account the controller finds; `owner_name` removed breaks Family's `&:owner_name`, and ReportJob through
    Family; the view names Account but none of its methods."""
    rewritten = ACCOUNT_TEXT.replace("entries.sum(:amount)", "entries.sum(:amount) * 2")
    assert altered_members(ACCOUNT, ACCOUNT_TEXT.encode(), rewritten.encode()) == {"total", "balance", "<account"}
    reach = _reach(make_repo, ACCOUNT, rewritten)
    assert reach[::2] == [ALWAYS | {CONTROLLER}] * 2
    assert reach[1] == reach[3] == {4}  # and config/routes.rb through the controller
    removed = ACCOUNT_TEXT.replace("  def owner_name = owner.name\n", "")
    reach = _reach(make_repo, ACCOUNT, removed)
    assert reach[::2] == [ALWAYS | {"app/models/family.rb"}] * 2
    assert reach[1] == reach[3] == {4}  # and app/jobs/report_job.rb through Family


def test_a_class_level_statement_or_a_method_called_unnamed_reaches_every_dependent(make_repo) -> None:
    dsl = ACCOUNT_TEXT.replace("has_many :entries", "has_many :entries, dependent: :destroy")
    assert altered_members(ACCOUNT, ACCOUNT_TEXT.encode(), dsl.encode()) is None
    assert _reach(make_repo, ACCOUNT, dsl)[::2] == [DEPENDENTS] * 2
    # a method a concern it includes calls (a template method): the concern's callers name the concern's methods
    scored = ACCOUNT_TEXT.replace("def score = 1", "def score = 2")
    assert altered_members(ACCOUNT, ACCOUNT_TEXT.encode(), scored.encode()) == {"score", "<account"}
    assert _reach(make_repo, ACCOUNT, scored)[::2] == [DEPENDENTS] * 2
    constructed = ACCOUNT_TEXT.replace("  private\n", "  def initialize(attributes)\n    super\n  end\n\n  private\n")
    assert altered_members(ACCOUNT, ACCOUNT_TEXT.encode(), constructed.encode()) is None  # called through `new`
    # a private method a `before_action` names: the statement uses it, Rails calls it unnamed
    callback = CONTROLLER_TEXT.replace("Account.find(params[:id])", "Account.find_by!(id: params[:id])")
    assert altered_members(CONTROLLER, CONTROLLER_TEXT.encode(), callback.encode()) is None
    # an action rewritten: `resources :accounts` routes to it without writing its name
    action = CONTROLLER_TEXT.replace("  def show\n  end\n", "  def show\n    head :ok\n  end\n")
    assert altered_members(CONTROLLER, CONTROLLER_TEXT.encode(), action.encode()) == {"show", "<accountscontroller"}
    assert _reach(make_repo, CONTROLLER, action)[::2] == [{"config/routes.rb"}] * 2
    assert altered_members(ACCOUNT, ACCOUNT_TEXT.encode(), b"class Account <\n") is None  # does not parse
