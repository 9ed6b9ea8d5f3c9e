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
    "app/jobs/sync_job.rb":  # names the method a change rewrites (members.py: who names none is no dependent)
        "class SyncJob < ApplicationJob\n  def perform\n    ::Account::Syncer.new.perform_sync\n  end\nend\n",
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


def test_views_reach_the_stimulus_controllers_components_and_partials_they_use(make_repo) -> None:
    """maybe-finance/maybe pr/2507 rewrote auto_submit_form_controller.js, which 25 views and components attach by
    `data-controller="auto-submit-form"` or a `"data-auto-submit-form-target"`: "no changed public symbol is used
    elsewhere", as ERB was no part of the graph. A view depends on the Stimulus controllers it names, the Ruby
    constants its tags name (`render DS::Button.new`) and the partials it renders; a helper's `render partial:` too. A
    controller's test tests the views of its directory, which it renders through routes; a controller's action depends
    on the template of its name, which it renders unnamed."""
    b = make_repo("views")
    stimulus = "app/javascript/controllers/auto_submit_form_controller.js"
    b.commit("init", {
        stimulus: "import { Controller } from \"@hotwired/stimulus\"\nexport default class extends Controller {}\n",
        "app/components/DS/dialog_controller.js": "export default class {}\n",
        "app/javascript/controllers/hotkey_controller.js": "export default class {}\n",
        "app/controllers/accounts_controller.rb": "class AccountsController < ApplicationController\n  def index\n"
                                                  "  end\n\n  private\n    def ok?\n      true\n    end\nend\n",
        "app/components/DS/button.rb": "class DS::Button < ViewComponent::Base\n  def call = \"b\"\nend\n",
        "app/components/DS/dialog.rb": "class DS::Dialog < ViewComponent::Base\n"
                                       "  def data = { controller: [\"DS--dialog\", \"hotkey\"].join(\" \") }\nend\n",
        "app/views/accounts/index.html.erb": "<div data-controller=\"auto-submit-form\">\n"
                                             "<%= render DS::Button.new(text: \"Add\") %>\n"
                                             "<%= render \"form\" %>\n</div>\n",
        "app/views/accounts/_form.html.erb": "<%= form_with model: @account do |f| %>\n"
                                             "  <%= f.text_field :name, \"data-auto-submit-form-target\": \"auto\" %>\n"
                                             "<% end %>\n",
        "app/views/shared/_money_field.html.erb": "<input data-action=\"input->auto-submit-form#submit\">\n",
        "app/helpers/form_helper.rb": "module FormHelper\n  def money_field\n"
                                      "    render partial: \"shared/money_field\"\n  end\nend\n",
        "app/views/pages/about.html.erb": "<p>auto-submit-form, DS::Button and \"form\" in prose</p>\n",
        # renders app/views/accounts/ through its routes, naming none of them
        "test/controllers/accounts_controller_test.rb":
            "class AccountsControllerTest < ActionDispatch::IntegrationTest\n"
            "  test \"index\" do\n    get accounts_url\n  end\nend\n",
    }, author=ALICE)
    b.branch("stimulus")
    b.commit("submit on change", {stimulus: "export default class extends Controller {\n  submit() {}\n}\n"},
             branch="stimulus", author=BOB)
    b.checkout()
    graph = build_graph([(path, (b.path / path).read_bytes()) for path in (
        stimulus, "app/components/DS/dialog_controller.js", "app/javascript/controllers/hotkey_controller.js",
        "app/components/DS/button.rb",
        "app/components/DS/dialog.rb", "app/views/accounts/index.html.erb", "app/views/accounts/_form.html.erb",
        "app/views/shared/_money_field.html.erb", "app/helpers/form_helper.rb", "app/views/pages/about.html.erb",
        "test/controllers/accounts_controller_test.rb", "app/controllers/accounts_controller.rb")])

    def named_by(path: str) -> set[str]:
        return {caller.split(":", 1)[0] for caller in graph.callers_of(path)}

    assert named_by(stimulus) == {"app/views/accounts/index.html.erb", "app/views/accounts/_form.html.erb",
                                  "app/views/shared/_money_field.html.erb"}
    assert named_by("app/components/DS/dialog_controller.js") == {"app/components/DS/dialog.rb"}
    assert named_by("app/javascript/controllers/hotkey_controller.js") == {"app/components/DS/dialog.rb"}  # 2nd listed
    assert named_by("app/components/DS/button.rb") == {"app/views/accounts/index.html.erb"}
    assert named_by("app/views/accounts/_form.html.erb") == {"app/views/accounts/index.html.erb"}
    # its action renders it unnamed
    assert named_by("app/views/accounts/index.html.erb") == {"app/controllers/accounts_controller.rb"}
    assert named_by("app/views/shared/_money_field.html.erb") == {"app/helpers/form_helper.rb"}
    controller_test = {"test/controllers/accounts_controller_test.rb"}
    assert graph.tests_of("app/views/accounts/_form.html.erb") == controller_test  # no untested seam
    assert not graph.tests_of("app/views/shared/_money_field.html.erb")
    blast = _explained(b.path, "stimulus")["blast_radius"]
    (symbol,) = blast["symbols"]
    assert symbol["direct"] == 3, symbol


# Models associated both ways, as a Rails app's are (maybe-finance/maybe: every model change read "reaching 320 files
# in 78 directories", QA65 F1): each file names one model only through the association cycle.
ASSOCIATED = {
    "app/models/family.rb": "class Family < ApplicationRecord\n  has_many :accounts\nend\n",
    "app/models/account.rb": "class Account < ApplicationRecord\n  belongs_to :family\n  has_many :entries\nend\n",
    "app/models/entry.rb": "class Entry < ApplicationRecord\n  belongs_to :account\n"
                           "  def amount_money = Money.new(amount)\nend\n",
    "app/models/rule.rb": "class Rule < ApplicationRecord\n  belongs_to :family\n  def run = Family.first\nend\n",
    "app/controllers/families_controller.rb": "class FamiliesController < ApplicationController\n"
                                              "  def show = Family.find(params[:id])\nend\n",
    "app/controllers/entries_controller.rb": "class EntriesController < ApplicationController\n"
                                             "  def index = Entry.where(account: Account.first)\nend\n",
    "lib/money.rb": "class Money\n  def initialize(amount)\n    @amount = amount\n  end\nend\n",
}


def test_an_association_is_a_direct_dependency_the_walk_does_not_go_on_through() -> None:
    """A model that declares `has_many :entries` depends on Entry, but a change to Entry does not reach whatever
    reaches that model merely by the association: the cycle would make every model reach every file."""
    graph = build_graph([(path, text.encode()) for path, text in ASSOCIATED.items()])

    def reach(path: str) -> tuple[set[str], set[str]]:
        direct, transitive = graph.fan_in(path)
        return {i.split(":", 1)[0] for i in direct}, {i.split(":", 1)[0] for i in transitive}

    direct, transitive = reach("app/models/entry.rb")
    assert direct == {"app/models/account.rb", "app/controllers/entries_controller.rb"}
    assert transitive == direct  # not family.rb, rule.rb, families_controller.rb through Account's family
    direct, transitive = reach("app/models/family.rb")
    assert direct == {"app/models/account.rb", "app/models/rule.rb", "app/controllers/families_controller.rb"}
    assert transitive == direct  # not entry.rb through Account's entries
    # who names the model goes on as before: lib/money.rb -> entry.rb -> entries_controller.rb (Entry.where), and
    # account.rb, entry.rb's association dependent, where the walk stops
    assert reach("lib/money.rb") == (
        {"app/models/entry.rb"},
        {"app/models/entry.rb", "app/controllers/entries_controller.rb", "app/models/account.rb"})
    # a file that both associates and names a model is one dependent, walked on from (rule.rb names Family)
    assert graph.callers_of("app/models/family.rb") >= {"app/models/rule.rb:<module>"}
    assert "app/models/rule.rb:<association>" not in graph.callers_of("app/models/family.rb")
    assert all(i.endswith(":<module>") for i in graph.fan_in("app/models/account.rb")[1])  # ids as files


def test_a_view_rendering_objects_depends_on_their_partials() -> None:
    """`render @entries`, `render entry` and `render @items.sort_by(...)` render the objects' partials by Rails'
    convention (`entries/_entry`): a change to the partial reached nothing (QA65 F7). Prose and helper calls
    (`render_flash_notifications`) render nothing."""
    views = {
        "app/views/entries/_entry.html.erb": "<div><%= entry.name %></div>\n",
        "app/views/plaid_items/_plaid_item.html.erb": "<p><%= plaid_item.name %></p>\n",
        "app/views/categories/_category.html.erb": "<p><%= category.name %></p>\n",
        "app/views/transactions/index.html.erb": "<%= render @entries %>\n",
        "app/views/accounts/show/_activity.html.erb": "<% entries.each do |entry| %>\n"
                                                      "  <%= render entry, view_ctx: \"account\" %>\n<% end %>\n",
        "app/views/accounts/index.html.erb": "<%= render(@plaid_items.sort_by(&:created_at)) %>\n",
        "app/views/categories/index.html.erb": "<p>We render category lists</p>\n<%= render_flash_notifications %>\n"
                                               "<%= render category.subcategories %>\n",
    }
    graph = build_graph([(path, text.encode()) for path, text in views.items()])

    def named_by(path: str) -> set[str]:
        return {caller.split(":", 1)[0] for caller in graph.callers_of(path)}

    assert named_by("app/views/entries/_entry.html.erb") == {"app/views/transactions/index.html.erb",
                                                              "app/views/accounts/show/_activity.html.erb"}
    assert named_by("app/views/plaid_items/_plaid_item.html.erb") == {"app/views/accounts/index.html.erb"}
    assert not named_by("app/views/categories/_category.html.erb")  # subcategories: no such partial


def test_explain_and_the_why_panel_call_a_ruby_file_a_file_and_a_go_file_its_package(make_repo) -> None:
    """`explain` said "app/models/account/syncer.rb: module; 2 direct": a Ruby (C#, Java, ...) file is no module. It
    says "file" (a Go file: "package", what its importers import), and the why panel counts files and directories
    as `explain` does (it said "modules (packages)")."""
    import asyncio

    from textual.widgets import Static

    from app.analysis.report import BlastSymbol
    from tests.functional.test_app import build_app
    from tests.functional.test_change_screen import open_change, rendered

    b = make_repo("ledger")
    b.commit("init", RAILS_APP, author=ALICE)
    b.branch("syncer")
    b.commit("sync takes a window", {SYNCER: "class Account::Syncer\n  def perform_sync(window)\n    window\n"
                                             "  end\nend\n"}, branch="syncer", author=BOB)
    b.checkout()
    result = CliRunner().invoke(cli, ["explain", "syncer", "--repo", str(b.path)], catch_exceptions=False)
    text = " ".join(result.output.split())
    assert "Blast radius: 2 direct dependents in 2 files (2 directories)" in text, text
    assert f"{SYNCER}: file; 2 direct" in text and "module;" not in text, text

    async def why() -> str:
        async with build_app(b.path).run_test(size=(120, 50)) as pilot:
            screen = await open_change(pilot, "syncer")
            await pilot.press("w")
            await pilot.pause()
            return " ".join(rendered(screen.query_one("#why-panel", Static), width=110).split())

    panel = asyncio.run(why())
    assert "Blast radius: 2 direct dependents in 2 files (2 directories)" in panel, panel
    assert f"{SYNCER} (file): 2 direct" in panel and "(module)" not in panel, panel
    go = BlastSymbol("github.com/x/y/pkg/gocui", "pkg/gocui/view.go", 1, "package", "", "", direct=3)
    assert go.what_changed == "package"


def test_a_controllers_renders_name_its_views_and_the_routes_name_its_controllers() -> None:
    """FIX131: a controller's `render partial: "form"` (and a Turbo Stream's `partial:`) names the partial of its own
    views directory, `render :confirm` or `render "confirm"` the template, as Rails reads them in a controller; a bare
    name there was skipped. config/routes.rb depends on the controllers it routes to (`resources :accounts`, a
    `namespace`'s `resource :profile`, `"pages#home"`): a removed action breaks its route."""
    app = {
        "app/controllers/accounts_controller.rb":
            "class AccountsController < ApplicationController\n  def update\n"
            "    render partial: \"form\", locals: { account: @account }\n  end\n\n  def create\n"
            "    render :confirm, status: :unprocessable_entity\n  end\n\n  def destroy\n"
            "    render turbo_stream: turbo_stream.replace(\"x\", partial: \"accounts/header\")\n  end\nend\n",
        "app/controllers/settings/profiles_controller.rb":
            "class Settings::ProfilesController < ApplicationController\n  def show\n    render \"summary\"\n"
            "  end\nend\n",
        "app/controllers/pages_controller.rb": "class PagesController < ApplicationController\n  def home; end\nend\n",
        "app/controllers/unrouted_controller.rb": "class UnroutedController < ApplicationController\nend\n",
        "app/views/accounts/_form.html.erb": "<form></form>\n",
        "app/views/accounts/confirm.html.erb": "<p>sure?</p>\n",
        "app/views/accounts/_header.html.erb": "<h1>accounts</h1>\n",
        "app/views/settings/profiles/summary.html.erb": "<p>profile</p>\n",
        "config/routes.rb": "Rails.application.routes.draw do\n  resources :accounts, only: %i[update create destroy]\n"
                            "  # resources :unrouted\n  namespace :settings do\n    resource :profile, only: :show\n"
                            "  end\n  get \"home\", to: \"pages#home\"\nend\n",
    }
    graph = build_graph([(path, text.encode()) for path, text in app.items()])

    def named_by(path: str) -> set[str]:
        return {caller.split(":", 1)[0] for caller in graph.callers_of(path)}

    for view in ("_form", "confirm", "_header"):
        assert named_by(f"app/views/accounts/{view}.html.erb") == {"app/controllers/accounts_controller.rb"}
    assert named_by("app/views/settings/profiles/summary.html.erb") == {
        "app/controllers/settings/profiles_controller.rb"}
    for controller in ("accounts", "settings/profiles", "pages"):
        assert named_by(f"app/controllers/{controller}_controller.rb") == {"config/routes.rb"}
    assert not named_by("app/controllers/unrouted_controller.rb")  # a comment routes nothing


def test_routes_are_read_as_ruby_blocks_not_by_indentation_and_jbuilder_views_are_rendered_views() -> None:
    """FIX133: config/routes.rb is parsed (tree-sitter-ruby), not told by indentation: a one-line `do ... end`
    closes its namespace, an oddly indented line stays in its block; a namespace's bare verb (`post "plaid"`) routes
    to the namespace's own controller, `scope controller: :x do` and `controller :x do` blocks to x; a Jbuilder
    view is a template a controller renders (`render :show` -> show.json.jbuilder) and `json.partial!` names a
    partial."""
    controllers = {"webhooks": "WebhooksController", "admin/reports": "Admin::ReportsController",
                   "accounts": "AccountsController", "profiles": "ProfilesController",
                   "sessions": "SessionsController", "api/v1/chats": "Api::V1::ChatsController",
                   "api/v1/auth": "Api::V1::AuthController"}
    app = {f"app/controllers/{path}_controller.rb": f"class {name} < ApplicationController\nend\n"
           for path, name in controllers.items()}
    app["app/controllers/api/v1/chats_controller.rb"] = (
        "class Api::V1::ChatsController < ApplicationController\n  def index\n    render :show\n  end\nend\n")
    app.update({
        "app/views/api/v1/chats/show.json.jbuilder": "json.partial! \"chat\", chat: @chat\n",
        "app/views/api/v1/chats/_chat.json.jbuilder": "json.extract! chat, :id, :title\n",
        "config/routes.rb": (
            "Rails.application.routes.draw do\n"
            "  namespace :admin do resources :reports end\n"  # one line: the namespace ends here
            "  resources :accounts\n"
            "  namespace :webhooks do\n    post \"plaid\"\n  end\n"
            "  scope controller: :profiles do\n    get \"me\", action: :show\n  end\n"
            "  controller :sessions do\n    delete \"logout\" => :destroy\n  end\n"
            "  namespace :api do\n  namespace :v1 do\n"  # indented as if not nested: still nested
            "  resources :chats\n  post \"auth/login\", to: \"auth#login\"\n  end\n  end\n"
            "end\n"),
    })
    graph = build_graph([(path, text.encode()) for path, text in app.items()])

    def named_by(path: str) -> set[str]:
        return {caller.split(":", 1)[0] for caller in graph.callers_of(path)}

    for name in controllers:
        assert named_by(f"app/controllers/{name}_controller.rb") == {"config/routes.rb"}, name
    assert named_by("app/views/api/v1/chats/show.json.jbuilder") == {"app/controllers/api/v1/chats_controller.rb"}
    assert named_by("app/views/api/v1/chats/_chat.json.jbuilder") == {"app/views/api/v1/chats/show.json.jbuilder"}


def test_a_view_in_several_formats_is_reached_in_each(make_repo) -> None:
    """FIX133 F5: the view index kept one view per name, so with show.html.erb and show.json.jbuilder a controller's
    `render :show` (or its `show` action, which renders it unnamed) reached html.erb only, and a change to the JSON
    view had no dependent. A controller reaches every format's view of a name; a view the partial of its own format."""
    b = make_repo("formats")
    json_view = "app/views/chats/show.json.jbuilder"
    b.commit("init", {
        "app/controllers/chats_controller.rb": "class ChatsController < ApplicationController\n  def show\n"
                                               "  end\n\n  def update\n    render :show\n  end\nend\n",
        "app/views/chats/show.html.erb": "<%= render \"chat\" %>\n",
        json_view: "json.partial! \"chat\", chat: @chat\n",
        "app/views/chats/_chat.html.erb": "<p><%= chat.title %></p>\n",
        "app/views/chats/_chat.json.jbuilder": "json.extract! chat, :id, :title\n",
    }, author=ALICE)
    b.branch("json")
    b.commit("the chat's JSON names its id", {json_view: "json.partial! \"chat\", chat: @chat\njson.id @chat.id\n"},
             branch="json", author=BOB)
    b.checkout()
    paths = ["app/controllers/chats_controller.rb", "app/views/chats/show.html.erb", json_view,
             "app/views/chats/_chat.html.erb", "app/views/chats/_chat.json.jbuilder"]
    graph = build_graph([(path, (b.path / path).read_bytes()) for path in paths])

    def named_by(path: str) -> set[str]:
        return {caller.split(":", 1)[0] for caller in graph.callers_of(path)}

    for view in ("show.html.erb", "show.json.jbuilder"):
        assert named_by(f"app/views/chats/{view}") == {"app/controllers/chats_controller.rb"}, view
    # a view renders the partial of its own format
    assert named_by("app/views/chats/_chat.html.erb") == {"app/views/chats/show.html.erb"}
    assert named_by("app/views/chats/_chat.json.jbuilder") == {json_view}
    blast = {f["name"]: f for f in _explained(b.path, "json")["factors"]}["blast_radius"]
    assert "not measured" not in blast["explanation"] and "chats_controller.rb" in blast["explanation"], blast
