"""A C# change's blast radius is the files that name the members it alters (impact/members.py), on a small
solution built by the test: bitwarden/server's pr/8229 reached 2,206 of 4,850 files through GlobalSettings.cs, a
settings class half the codebase names, whatever it changed of it."""

from __future__ import annotations

from app.core.git.repo import GitRepo
from app.core.impact.graph import GRAPH_SUFFIXES, blast_radius, build_graph
from app.core.impact.members import altered_members
from tests.conftest import ALICE
from tests.graph_reach import reach

SETTINGS = "src/Core/Settings/GlobalSettings.cs"
SETTINGS_TEXT = """namespace Bit.Core.Settings;

public class GlobalSettings : IGlobalSettings
{
    private string _name = "x";
    public virtual bool SelfHosted { get; set; }
    public virtual MailSettings Mail { get; set; } = new MailSettings();
    public int Port(int offset) { return 80 + offset; }
    public int Port(string name) { return 81; }

    public class MailSettings
    {
        public string ReplyToEmail { get; set; }
    }
}
"""
SOLUTION = {
    SETTINGS: SETTINGS_TEXT,
    "src/Core/Settings/IGlobalSettings.cs": "namespace Bit.Core.Settings;\n\npublic interface IGlobalSettings\n{\n"
                                            "    bool SelfHosted { get; }\n}\n",
    "src/Api/Startup.cs": "using Bit.Core.Settings;\n\nnamespace Bit.Api;\n\npublic class Startup\n{\n"
                          "    public void Run(GlobalSettings s) { if (s.SelfHosted) { } }\n}\n",
    "src/Core/Mail/MailSender.cs": "using Bit.Core.Settings;\n\nnamespace Bit.Core.Mail;\n\n"
                                   "public class MailSender\n{\n"
                                   "    public string To(GlobalSettings s) => s.Mail.ReplyToEmail;\n}\n",
    "src/Core/Jobs/Job.cs": "using Bit.Core.Settings;\n\nnamespace Bit.Core.Jobs;\n\npublic class Job\n{\n"
                            "    public Job(GlobalSettings s, Startup startup) { }\n}\n",  # passes it on, names none
    "src/Api/Program.cs": "namespace Bit.Api;\n\npublic class Program\n{\n"
                          "    public static void Main() { new Startup().Run(null); }\n}\n",  # uses Startup
    "src/Core/Settings/SelfHostedSettings.cs": "namespace Bit.Core.Settings;\n\n"
                                               "public class SelfHostedSettings : IGlobalSettings\n{\n"
                                               "    public bool SelfHosted => true;\n}\n",
}


def _reach(make_repo, path: str, new_text: str) -> list[set]:
    return reach(make_repo, SOLUTION, path, new_text)


def test_a_member_added_or_a_private_one_changed_reaches_no_one(make_repo) -> None:
    added = SETTINGS_TEXT.replace("    public int Port(int", "    public string Added { get; set; }\n"
                                                         "    public int Port(int")
    assert _reach(make_repo, SETTINGS, added.replace('"x"', '"y"')) == [set(), {0}, set(), {0}]


def test_a_member_removed_or_rewritten_reaches_the_files_that_name_it(make_repo) -> None:
    """No true dependent is lost: Startup names `.SelfHosted`, and Program (which uses Startup) is reached through
    it; Job names the type but none of its members (only Startup); MailSender names `.Mail.ReplyToEmail` of the
    nested class."""
    gone = SETTINGS_TEXT.replace("    public virtual bool SelfHosted { get; set; }\n", "")
    assert _reach(make_repo, SETTINGS, gone)[::2] == [{"src/Api/Startup.cs"}] * 2
    assert _reach(make_repo, SETTINGS, gone)[1] == {3}  # Startup, then Program and Job, which name Startup
    renamed = SETTINGS_TEXT.replace("ReplyToEmail", "ReplyTo")
    assert _reach(make_repo, SETTINGS, renamed)[::2] == [{"src/Core/Mail/MailSender.cs"}] * 2
    overload = SETTINGS_TEXT.replace("return 81;", "return 82;")  # an overload's body: the name's callers
    assert _reach(make_repo, SETTINGS, overload)[0] == set()  # nobody names Port


def test_where_the_members_cannot_be_told_every_dependent_of_the_type_is_reached(make_repo) -> None:
    """An indexer (named by no word), a namespace moved, a version that does not parse: the file as a whole."""
    everyone = {"src/Api/Startup.cs", "src/Core/Mail/MailSender.cs", "src/Core/Jobs/Job.cs"}
    indexer = SETTINGS_TEXT.replace("    public int Port(int",
                                    "    public int this[int i] => i;\n    public int Port(int")
    assert _reach(make_repo, SETTINGS, indexer)[0] == everyone
    moved = SETTINGS_TEXT.replace("namespace Bit.Core.Settings;", "namespace Bit.Core.Config;")
    assert _reach(make_repo, SETTINGS, moved)[0] == everyone
    assert _reach(make_repo, SETTINGS, SETTINGS_TEXT.replace("{ get; set; }", "{ get; set;", 1))[0] == everyone


def test_a_member_added_to_an_interface_reaches_its_implementers() -> None:
    """An implementer must write it: the interface's name stands for the member (its every dependent)."""
    interface = SOLUTION["src/Core/Settings/IGlobalSettings.cs"]
    added = interface.replace("{ get; }\n", "{ get; }\n    string Name { get; }\n")
    assert altered_members("I.cs", interface.encode(), added.encode()) == {"IGlobalSettings"}
    with_default = interface.replace("{ get; }\n", "{ get; }\n    string Name => \"x\";\n")
    assert altered_members("I.cs", interface.encode(), with_default.encode()) == set()
    assert altered_members("I.cs", interface.encode(), interface.replace("bool", "int").encode()) == {"SelfHosted"}


MONEY = "src/main/java/org/bank/money/Money.java"
BANK = {
    MONEY: "package org.bank.money;\n\npublic class Money {\n    private long raw;\n"
           "    public long cents() { return raw; }\n    public String currency() { return \"EUR\"; }\n}\n",
    "src/main/java/org/bank/loans/Loan.java": "package org.bank.loans;\n\nimport org.bank.money.Money;\n\n"
                                              "class Loan { long due(Money m) { return m.cents(); } }\n",
    "src/main/java/org/bank/loans/Label.java": "package org.bank.loans;\n\nimport org.bank.money.Money;\n\n"
                                               "class Label { String of(Money m) { return m.currency(); } }\n",
    "src/main/java/org/bank/money/Ledger.java": "package org.bank.money;\n\nclass Ledger { Money total; }\n",
}


def test_a_java_member_removed_or_rewritten_reaches_the_files_that_call_it(make_repo) -> None:
    """Java as C#: `m.cents()` is Loan's, `m.currency()` Label's; Ledger names the class only; a method added reaches
    no one, a private field what its class's methods that read it reach, the package changed every dependent."""
    builder = make_repo()
    commit = builder.commit("base", dict(BANK), author=ALICE)
    files = GitRepo(builder.path).tree_files(commit, GRAPH_SUFFIXES)
    graph = build_graph(files)

    def reach(new: str) -> set[str]:
        result = blast_radius(graph, [(MONEY, MONEY, new.encode(), BANK[MONEY].encode())])
        return {c.split(":", 1)[0] for s in result.symbols for c in s.direct}

    old = BANK[MONEY]
    assert reach(old.replace("return raw;", "return raw * 100;")) == {"src/main/java/org/bank/loans/Loan.java"}
    assert reach(old.replace("String currency()", "String currency(boolean iso)")) == {
        "src/main/java/org/bank/loans/Label.java"}
    assert reach(old.replace("}\n}\n", "}\n    public int scale() { return 2; }\n}\n")) == set()
    # a private field: no other file names it, but cents() reads it, and Loan calls cents()
    assert reach(old.replace("private long raw;", "private long raw = 0;")) == {
        "src/main/java/org/bank/loans/Loan.java"}
    assert reach(old.replace("package org.bank.money;", "package org.bank.cash;")) == {
        "src/main/java/org/bank/loans/Loan.java", "src/main/java/org/bank/loans/Label.java",
        "src/main/java/org/bank/money/Ledger.java"}


def test_a_base_interface_added_breaks_no_one_and_one_taken_away_does() -> None:
    """bitwarden/server pr/8218 made CurrentContextOrganization implement one more interface: 2,671 files reached."""
    base = "namespace A;\n\npublic class Org : IRole\n{\n    public int Id { get; set; }\n}\n"
    assert altered_members("Org.cs", base.encode(), base.replace(": IRole", ": IRole, IUser").encode()) == set()
    assert altered_members("Org.cs", base.encode(), base.replace(" : IRole", "").encode()) == {"Org"}
    java = "package a;\n\npublic class Org extends Base implements Role {\n    public int id() { return 1; }\n}\n"
    assert altered_members("Org.java", java.encode(), java.replace("Role", "Role, User").encode()) == set()
    assert altered_members("Org.java", java.encode(), java.replace("extends Base ", "").encode()) == {"Org"}


def test_a_helper_rewritten_reaches_the_callers_of_the_members_that_use_it_and_an_override_its_types() -> None:
    """The file's own members that use a changed one change with it (as Python's callers in their module do); an
    override is called through its base type (EF Core calls DbContext.OnModelCreating: bitwarden/server's
    DatabaseContext.cs), so the type's name stands for it."""
    base = ("namespace A;\n\npublic class Db : DbContext\n{\n    private int Scale() => 2;\n"
            "    public int Total(int x) => x * Scale();\n    public int Other() => 1;\n"
            "    protected override void OnModelCreating(ModelBuilder b) { b.Apply(); }\n}\n")
    assert altered_members("Db.cs", base.encode(), base.replace("=> 2;", "=> 3;").encode()) == {"Total"}
    assert altered_members("Db.cs", base.encode(), base.replace("b.Apply();", "b.Apply(1);").encode()) == {"Db"}


def test_a_private_field_added_that_names_the_type_is_no_member_other_files_name() -> None:
    """bitwarden/server pr/8234 added `private readonly ILogger<TwoFactorIsEnabledQuery> _logger;`: its word, no
    capitalised one, made the whole file count (the constructor it names changed with it)."""
    base = "namespace A;\n\npublic class Query\n{\n    public Query() { }\n    public int Get() => 1;\n}\n"
    head = base.replace("    public Query() { }", "    private readonly ILogger<Query> _logger;\n"
                        "    public Query(ILogger<Query> logger) { _logger = logger; }")
    assert altered_members("Query.cs", base.encode(), head.encode()) == {"Query"}
