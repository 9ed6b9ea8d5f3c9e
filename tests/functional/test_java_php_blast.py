"""Java and PHP changes get a blast radius and seams (QA58 F9, QA59 F9): every one said "blast radius not measured:
the dependency graph reads Python, JavaScript, TypeScript and Go files". A Java class's dependents are the files
that import it or name it from its own package; a PHP class's, the files that `use` it or name it in their
namespace (PSR-4 from composer.json). Blade templates are not measured for complexity (lizard said CC 0)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from app.cli import cli
from app.core.impact.graph import build_graph
from sample_repos.builder import EXEC_MODE
from tests.conftest import ALICE, BOB

MONEY = "src/main/java/org/bank/money/Money.java"


def _listed(path) -> dict[str, dict]:
    result = CliRunner().invoke(cli, ["list", "--repo", str(path), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return {item["id"]: {f["name"]: f for f in item["factors"]} for item in json.loads(result.stdout)}


def test_a_java_class_is_reached_by_its_importers_and_its_packages_users(make_repo) -> None:
    b = make_repo("bank")
    b.commit("init", {
        MONEY: "package org.bank.money;\n\npublic class Money {\n    public long cents() { return 0; }\n}\n",
        "src/main/java/org/bank/money/Ledger.java":  # same package: no import
            "package org.bank.money;\n\nclass Ledger {\n    Money total; // Money in a comment\n"
            "    long sum() { return total.cents(); }\n}\n",
        "src/main/java/org/bank/loans/Loan.java":
            "package org.bank.loans;\n\nimport org.bank.money.Money;\n\n"
            "class Loan { Money principal; long due() { return principal.cents(); } }\n",
        "src/main/java/org/bank/loans/Fees.java":  # an on-demand import
            "package org.bank.loans;\n\nimport org.bank.money.*;\n\n"
            "class Fees { Money fee; long f() { return fee.cents(); } }\n",
        "src/main/java/org/bank/other/Text.java":  # names it only in a string: no dependent
            "package org.bank.other;\n\nclass Text { String s = \"Money\"; }\n",
    }, author=ALICE)
    b.branch("money")
    b.commit("cents are long", {MONEY: "package org.bank.money;\n\npublic class Money {\n"
                                       "    public long cents(int scale) { return scale; }\n}\n"},
             branch="money", author=BOB)
    b.checkout()
    blast = _listed(b.path)["money"]["blast_radius"]
    assert "not measured" not in blast["explanation"], blast
    assert blast["raw"] == 3, blast  # Ledger, Loan, Fees: each calls the re-signed cents()
    for name in ("Ledger.java", "Loan.java"):
        assert name in blast["explanation"], blast
    assert "Text.java" not in blast["explanation"]
    seams = _listed(b.path)["money"]["seams"]
    assert seams["raw"] == 1, seams  # used across files, no test names Money


def test_a_php_class_is_reached_through_psr4_use_and_its_namespace(make_repo) -> None:
    b = make_repo("books")
    book = "app/Entities/Models/Book.php"
    b.commit("init", {
        "composer.json": json.dumps({"autoload": {"psr-4": {"BookStack\\": "app/"}},
                                     "autoload-dev": {"psr-4": {"Tests\\": "tests/"}}}),
        book: "<?php\n\nnamespace BookStack\\Entities\\Models;\n\nclass Book\n{\n    public function name() {}\n}\n",
        "app/Entities/Models/Shelf.php":  # same namespace, no use
            "<?php\n\nnamespace BookStack\\Entities\\Models;\n\nclass Shelf\n{\n    /** @var Book */\n"
            "    public function books(): Book {}\n}\n",
        "app/Http/BookController.php":
            "<?php\n\nnamespace BookStack\\Http;\n\nuse BookStack\\Entities\\Models\\Book as Tome;\n\n"
            "class BookController\n{\n    public function show()\n"
            "    {\n        return view('books.show', ['b' => Tome::find(1)]);\n    }\n}\n",
        "resources/views/books/show.blade.php": "@extends('layouts.base')\n@if($b)\n  {{ $b->name }}\n@endif\n",
        "resources/views/layouts/base.blade.php": "<html>@yield('body')</html>\n",
        "tests/BookTest.php":
            "<?php\n\nnamespace Tests;\n\nuse BookStack\\Entities\\Models\\Book;\n\nclass BookTest {}\n",
    }, author=ALICE)
    b.branch("book")
    b.commit("books have titles", {book: "<?php\n\nnamespace BookStack\\Entities\\Models;\n\nclass Book\n{\n"
                                          "    public function name(string $locale) {}\n}\n"},
             branch="book", author=BOB)
    b.branch("layout")
    layout = "<html>\n@if(true)\n@yield('body')\n@endif\n</html>\n"
    b.commit("layout", {"resources/views/layouts/base.blade.php": layout}, branch="layout", author=BOB)
    b.checkout()
    listed = _listed(b.path)
    blast = listed["book"]["blast_radius"]
    assert blast["raw"] == 2 and "Shelf.php" in blast["explanation"], blast  # Shelf, BookController (tests aside)
    assert "BookController.php" in blast["explanation"], blast
    assert listed["book"]["seams"]["raw"] == 0  # tests/BookTest.php uses it
    layout = listed["layout"]
    assert "show.blade.php" in layout["blast_radius"]["explanation"], layout["blast_radius"]  # who extends it
    assert "Blade templates" in layout["complexity"]["explanation"], layout["complexity"]  # not CC 0


def test_the_graph_resolves_java_static_and_nested_imports_and_not_itself() -> None:
    graph = build_graph([
        ("a/src/org/x/Util.java", b"package org.x;\npublic class Util { static int ONE = 1; class In {} }\n"),
        ("a/src/org/y/User.java", b"package org.y;\nimport static org.x.Util.ONE;\nimport org.x.Util.In;\n"
                                  b"class User { User self; }\n"),
    ])
    assert graph.callers_of("a/src/org/x/Util.java") == {"a/src/org/y/User.java:<module>"}
    assert not graph.callers_of("a/src/org/y/User.java")


def test_a_java_file_changing_only_its_mode_reaches_nothing(make_repo) -> None:
    """fineract pr/3600 made 3,444 files executable: each read as a changed class its importers depend on."""
    b = make_repo("modes")
    util = "package org.x;\n\npublic class Util {}\n"
    b.commit("init", {"src/org/x/Util.java": util,
                      "src/org/y/User.java": "package org.y;\n\nimport org.x.Util;\n\nclass User {}\n"}, author=ALICE)
    b.branch("chmod")
    b.commit("chmod +x", {"src/org/x/Util.java": (util, EXEC_MODE)}, branch="chmod", author=BOB)
    b.checkout()
    blast = _listed(b.path)["chmod"]["blast_radius"]
    assert blast["raw"] == 0 and "not measured" not in blast["explanation"], blast


def test_a_csharp_type_is_reached_by_the_files_that_name_it(make_repo) -> None:
    """QA62 (bitwarden/server): every C# change said "blast radius not measured". A C# type's dependents are the
    files that name it (its namespace, a parent of it or a `using` one); dependency injection names the interface,
    so a service's callers depend on IUserService.cs; where two files are named for the word, the one in a used
    namespace's directories is it. A test project's `UserServiceTests.cs` tests it."""
    b = make_repo("vault")
    service = "src/Core/Services/IUserService.cs"
    files = {
        service: "namespace Bit.Core.Services;\n\npublic interface IUserService\n{\n"
                 "    Task<User> GetAsync(Guid id);\n}\n",
        "src/Core/Entities/User.cs": "namespace Bit.Core.Entities;\n\npublic class User { }\n",
        "src/Infrastructure.EntityFramework/Models/User.cs":
            "namespace Bit.Infrastructure.EntityFramework.Models;\n\npublic class User { }\n",
        "src/Api/Controllers/AccountsController.cs":
            "using Bit.Core.Services;\nusing Bit.Core.Entities;\n\nnamespace Bit.Api.Controllers;\n\n"
            "public class AccountsController\n{\n    private readonly IUserService _users;\n"
            "    public Task<User> Get(Guid id) => _users.GetAsync(id); // IUserService in a comment\n}\n",
        "src/Api/Controllers/InfoController.cs":  # names it only in a string: no dependent
            "namespace Bit.Api.Controllers;\n\npublic class InfoController { string s = \"IUserService\"; }\n",
    }
    b.commit("init", files, author=ALICE)
    b.branch("service")
    b.commit("users by email", {service: "namespace Bit.Core.Services;\n\npublic interface IUserService\n{\n"
                                         "    Task<User> GetAsync(string email);\n}\n"}, branch="service", author=BOB)
    b.checkout()
    blast = _listed(b.path)["service"]["blast_radius"]
    assert "not measured" not in blast["explanation"], blast
    assert blast["raw"] == 1 and "AccountsController.cs" in blast["explanation"], blast
    graph = build_graph([(path, files[path].encode()) for path in (
        "src/Core/Entities/User.cs", "src/Infrastructure.EntityFramework/Models/User.cs",
        "src/Api/Controllers/AccountsController.cs")])
    assert graph.callers_of("src/Core/Entities/User.cs") == {"src/Api/Controllers/AccountsController.cs:<module>"}
    assert not graph.callers_of("src/Infrastructure.EntityFramework/Models/User.cs")
