"""The analysis pipeline: discover pending changes, measure them, score them, plan their review.

This layer joins the pure core (git, metrics, provenance, tiers, risk, plans) with the cache in
storage. The CLI and the TUI both drive it; neither computes anything itself.

Cost model: producing patches is cheap, complexity is not. So metrics are cached per
blob id (a blob is measured once, ever), every unique blob of every change is measured in one
parallel batch, and ranking is progressive: cheap factors first, complexity when it arrives.
Each change is diffed once per analyze_all; the batch runs in worker processes while this
process works out tiers, provenance, history and plans; definition spans are memoised per blob,
so a change's plan is rebuilt with its complexity without reading its files again. A warm run
(every report cached) only discovers the changes and reads the cache: it imports none of the
analysis modules and does not parse the config (the cache key needs only its digest).

A report is keyed by the change's content; its history figures (analysis/history.py) are not: they
are as of the base tip, or in a range of the commit's own parent, and cached apart. A cached report
whose history figures are no longer those of its as-of commit (the base moved) is rescored from the
risk inputs stored with it, without reading its diff, measuring or planning again.
"""

from __future__ import annotations

import dataclasses
import posixpath
import threading
import time
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.analysis.measure import Measurement
from app.analysis.prefetch import DiscoveryStart as _DiscoveryStart
from app.analysis.report import (
    ASSESSMENT_SCHEMA,
    AISummary,
    Assessment,
    ChangeDetail,
    ChangePlan,
    ChangeReport,
    ComplexitySummary,
    DestructiveFinding,
    FactorSummary,
    HistorySummary,
    PlanSummary,
    RiskSummary,
    TierSummary,
    UnsafeFinding,
    WorstFunction,
    blast_summary,
    blast_symbol,
)
from app.core.git.diff import FileDiff
from app.core.git.discovery import (
    Discovery,
    change_diff,
    discover,
    discover_one,
    find_change,
    parse_range,
    refuse_naming_nothing,
    resolve_base,
)
from app.core.git.models import Change, ChangeFigures
from app.core.git.repo import COMMITS_LISTED, DiffStopped, GitRepo, WalkMemo
from app.errors import ReviewTuiError

# The analysis modules (complexity, chunks, provenance, tiers, risk, history) and the config
# parser are imported where they are used: a warm `list` only discovers changes and reads cached
# reports, and must not pay for importing them.
if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from app.analysis.history import ChangeHistory
    from app.config import RepoConfig
    from app.core.dependencies import DependencyBump
    from app.core.git.history import HistoryFigures
    from app.core.git.scope import QueueConfig
    from app.core.gitattributes import OwnCode
    from app.core.impact.assess import TierAssessment
    from app.core.impact.destructive.scan import Reader
    from app.core.impact.graph import BlastRadius, FileSummary, Graph
    from app.core.impact.lazy_graph import LazyParts
    from app.core.metrics import complexity as cx
    from app.core.metrics.spans import InFileTests, SpanResult
    from app.core.planner.model import ChunkConfig, ReviewPlan
    from app.core.provenance.commits import ProvenanceConfig
    from app.core.provenance.lines import ChangeProvenance
    from app.core.risk.likelihood import LikelihoodModel
    from app.core.risk.score import LikelihoodView, RiskInputs, RiskResult
    from app.core.vendored import Vendored
    from app.core.workers import Offered
    from app.storage.cache import AnalysisCache
    from app.storage.models import TrackRecordRun

_UNREAD = object()  # Analyzer.track_record not read yet (None is "never calibrated")
# Bump when the shape or meaning of a cached report changes.
# 27: import-level blast radius said as files imported; a module and its test (a definition and its users)
# are packed whole when they fit a chunk;
# 26: machine-written files (generated, vendored, lock) are left out of the risk inputs;
# 25: the allowed-signers file is tier 0, Go code under doc/ tier 2, chunks titled after their biggest code;
# 24: a removed terraform block quotes its own (old) line;
# 23: README, LICENSE, CHANGELOG ... with no suffix are read at the docs rate;
# 22: a DELETE/UPDATE whose maybe-always-true WHERE does not parse counts as touching every row;
# 21: a class's own methods are not its blast radius; the blast radius's reason says direct and reached;
# 20: blast radius counts the importers of a removed Python module, and module-level names as symbols;
# 19: blast radius counts the public names of `_private` modules and private names other modules use; an
# empty change is tier 3 with no impact;
# 18: what a change altered (blast radius) is read from its own base version, not the graph's commit;
# 17: a submodule's lines count as git's (no "missing blob"); paths in chunk titles, notes and reasons show
# control characters as symbols (␤, ␉, ␛);
# 16: risk inputs gain deepest_indent; 15: built-in tiers: setup.py and ansible/ data in a source tree are
# code; 14: built-in ansible/ tier rule narrowed to playbooks; 13: risk inputs gain code_base; 12: risk inputs
# kept; 11: expected cost
# 30: a Git LFS pointer's chunk says what it stands for; .gitmodules is tier 1; a file made executable, and a
# symbolic link out of the repository, say so;
# 29: Terraform/HCL and SQL count as source code for the likelihood factors (code size, indentation ...);
# built-in tiers: Kubernetes manifest directories, kustomize/, helm-chart/ are tier 0; terraform protections
# wired through variables, provider defaults and variable defaults are seen turned off; no tier 0 file is
# machine-written by its name or marker; blame bounded by max_blame_lines; Terraform chunks cut at blocks; a
# plan-neutral .tf edit is tier 3; AWS CDK destructive settings are found; tfvars judged by what reads them;
# 28: the same small edit in many directories is one chunk (one chunk per directory made a 122-line change
# across 15 modules 15 chunks);
# 35: a committed virtual environment's lines are counted, not read: no complexity, no blame, out of the AI
# share's lines, and its chunk is bound to its files' blob ids;
# 36: "auto generated" (and a deleted file's own header) marks a generated file; instructions to AI agents
# (.rules, .mdc, .clinerules ...) are prose: tier 3, never scanned for destructive commands;
# 37: tier 0 and destructive chunks before seams; PowerShell, .mjs, .vue, .dart ... are source code; no "-0" score;
# 38: a CI test step run by another runner, or a linter moved into pre-commit, is not a removed protection;
# 39: the complexity factor (and CC+) counts code, not tests;
# 40: a file deleted whole is floored at removed_lines_per_hour;
# 41: a constructor's callers and tests are its class's (`Foo(...)` calls Foo.__init__);
# 43: a plan in path order is in git's order of paths (`.github/` before the root's `requirements.txt`);
# 44: an unknown `login[bot]` author is AI evidence (named, never counted);
# 45: `# generated by <tool>` marks a file generated; collapsed files are one chunk per directory, not cut at
# target_lines; a file collapsed by .gitattributes says so;
# 46: a change stacked on (or built on) another does not carry the lower one's partly-merged note;
# 47: committed compiled Python is one binary chunk with one look's floor;
# 48: the files one .gitattributes rule collapses are one chunk, subdirectories included;
# 49: commits a merge brought in from an agent's branch (codex/, claude/ ...) carry its 30-point hint; a
#     submodule line is nobody's (not blamed, not counted); mkfs on a file image is no disk wipe;
# 50: small edits of one tier in one area of the tree are packed into one chunk;
# 51: a file whose change is one literal of values (data written as code) is collapsed as data;
# 52: a use joins a definition only of its own language family, and production code never a test's helper;
# 53: tests inside a source file (Rust's #[cfg(test)] module, #[test] fns) are test lines: test rate and CC,
#     left out of complexity_added and code_size, chunked apart from the code; a tree a change adds with its own
#     licence is one vendored chunk, left out of the risk;
# 54: a package named for auth with a prefix or suffix (crates/uv-auth/) is tier 0;
# 55: a CI step is matched in its own job (another job's step the base already had is not it moved): a deleted
#     job's steps are removed with it, a job `if: false` on both sides is no change, a job turned off is blamed
#     at its `if:` line;
# 56: a user account named as a machine (zaniebot, deploy-bot) is AI evidence as an unknown login[bot] is;
# 57: a vendored tree is a new one: a LICENSE added where the base has the directory, or beside edits, is none;
# 58: the report cache key holds no likelihood model (a report scored by another is scored again);
# 59: a branch whose oldest commits are the base's own one by one is compared with its own work after them; one
#     with nothing of its own beyond a merged branch is merged upstream (empty);
# 60: a package script run by another package manager is the same CI step;
# 61: experience said as changes to these files, counted file by file;
# 62: a JSON file of a tier 0 or 1 path is not collapsed as data; a .ts file under build/ or dist/ is source;
# 63: a pull request trigger's new paths-ignore covering workflows or code is reported;
# 64: CI workflows are source code for the likelihood (code_size, code_files);
# 65: TypeScript measured and cut by tree-sitter (no phantom function from an interface's call signature,
#     conditional types are no branches, closures named by their binding or call and matched by body); a reader's
#     crash said in words, and for a test file that it leaves the score alone (FIX60);
# 66: a function the spans did not place goes to the chunk of the placed unit enclosing it;
# 67: a score is shown as its floor and its band's reason says that number (64.9 read "65 high"); a chunk of
#     in-file Rust tests reads `test`; `-linguist-vendored` at the head or base undoes the vendored guess (FIX59);
# 68: files deleted whole are packed apart, per directory, up to one sitting at the removal rate, cut only at
#     top-level definitions; JS/TS test callbacks are named in chunks as in complexity (`it("...")`);
#     a test of a generic name (index.test.ts, test_utils.py) pairs only beside its module or with one it imports;
#     a "🤖 Generated with" footer's robot is seen after leading punctuation; a co-author that is the footer's
#     tool, `Made-with: <AI tool>` trailers and Codebuff are AI signals (FIX62);
# 69: a change merged upstream is listed from discovery, not analysed, until it is opened (FIX57);
# 70: tier defaults for token (JWT/JWK/JWS), CSRF, security-header, session-middleware and auth files (0), CORS, IP
#     restriction, cookies and crypto files (1), JS/Deno/JSR manifests and dependabot (1); jsr.json/deno.json
#     version bumps neutral; a JS/TS test of a barrel tests the files it re-exports from (graph 7); a mirror
#     directory's copies of the change's own edits (hono's deno_dist/) are one collapsed chunk, out of the risk (FIX61);
# 71: benchmarks and test harnesses (their own manifests too) are tier 3;
# 72: a Go method's span is named with its receiver's type, as its complexity is (its CC went to another chunk);
# 73: a merge's subject naming the change's own branch ("Merge branch 'main' into codex/x") gives branch evidence;
# 74: calibrate's cached labels are keyed by this version too (factors changed meaning under them); the built-in
#     likelihood defaults refitted on the factors as counted now (CI workflows as code) (FIX63);
# 75: JavaScript measured and cut by tree-sitter as TypeScript is; lines that differ from a removed line only in
#     whitespace (re-indented) are skimmed in the floor and packed by it; a branch stacked on another with
#     nothing of its own (a merge of it) is hidden as empty (FIX64);
# 76: every .gitattributes of the tree is read with git's precedence, and `linguist-generated=false` (base or head)
#     is honoured as `linguist-vendored=false` was; web session code by name is tier 0 (a session middleware or
#     cookie, the frameworks' session modules), a bare session/ directory still not (FIX66);
# 77: a Go package's own `_test.go` files test it: no untested seam, named first among its tests (graph 8); a
#     generated-file marker is read from the head's first lines wherever a modified file is edited (FIX67);
# 78: vendored third-party code a package tool brought (its records say so) is tier 3, never scanned by the
#     destructive detectors nor counted as seams; Gopkg.toml, glide.yaml are manifests; a report measured without
#     some blobs is cached with their ids;
# 79: history, authors and experience count the base's first-parent line (a merged pull request once, as
#     calibrate does) and a merge as the work of the authors it brought in (QA52 #12, FIX69);
# 80: the tests a change adds or edits test what it changes: no untested seam where the change brings the test;
# 81: OpenHands (author `openhands`, co-authors `OpenHands-<model>`, `openhands/` branches) is an AI tool (QA53 #1);
# 82: TLS certificate verification turned off (verify=False, curl -k, InsecureSkipVerify ...) is a destructive
#     operation the change adds (QA53, FIX77);
# 83: the plan of a change measured without some blobs is cached with their ids, as its report is (FIX71);
# 84: a dependency bump's manifests are read (app/core/dependencies.py): the `dependencies` impact factor names
#     what they add, remove or move; its plan reads the manifests first, skims the lock files, and collapses its
#     vendored tree one chunk per dependency; history figures leave vendored paths out (FIX73);
# 85: the built-in likelihood model refitted with L2 100, not 1 (issue 12, FIX72: every target of the
#     leave-one-repository-out table gained, bench/README.md "Kamei factors and the model's form");
# 86: a bump's manifests lead the plan only when the change's own code is of no more critical tier (hono pull/5112);
# 87: Cline's agent, Ellipsis (author and review bot) and Greptile (review bot) are AI identities; an unknown bot
#     co-author is evidence as an unknown bot author is; a reason many files of a chunk share is said once (QA54);
# 88: yarn.lock (Yarn 1 and 2+) and pnpm-lock.yaml are read, a lock file's every version of a package compared, a
#     lock-only bump's packages named, bun.lockb said to be binary and not read (FIX83);
# 89: of two mirror directories, the one under examples/docs/tests is the copy (terraform-aws-eks pr/3655, QA55 F1);
# 90: Terraform that exposes (ingress from anywhere, IAM open to anyone or every action, public switches) is found
#     with the destructive operations (terraform_exposure.py, QA55 F4);
# 91: the complexity of code no measurer reads (Terraform, SQL, shell alone) is unknown, not "+0" (QA55 F3);
# 92: node bootstrap templates (user data, .tftpl) are infrastructure, a dev container is not a shipped image (QA55 F9);
# 93: a review plan whose floor is over [chunks] split_hours (8) is flagged too big: split (`too_big`); a fold of
#     near-duplicate heads shows its pull request first (FIX92);
# 94: infrastructure files under tests, docs or examples are said to be left unscanned (QA55 F6);
# 95: pdm.lock, Pipfile(.lock), composer.json/.lock and Gemfile.lock read (the Gemfile's declarations from its
#     DEPENDENCIES); a lock file over its parser's budget or malformed said not read, with why (FIX93);
# 96: a cold TUI scores the smallest of its first changes diffed early when none is small (EARLY_CANDIDATES; FIX87:
#     the figures are the same, the first ranked row comes before every diff is read);
# 97: a Terraform destroy weighs what it loses (stateless 0.25, generated 0.5, else 1); `${...}` across lines parsed;
#     output/validation/version-constraint-only edits are tier 2; unmeasured complexity shown "-" (FIX94, QA55 F9-F11);
# 98: Rails migrations: safety_assured { remove_column }, change_table's t.remove, remove_columns' every column;
#     Ruby's endless methods measured and cut as methods; an AI agent's session ids are one tool (QA57);
# 99: a web app's identity code by its conventional names (app/policies/, sessions/passwords controllers, MFA, TOTP,
#     WebAuthn, API keys, auth initializers) tier 0; Rack::Attack, CSP, production.rb tier 1; deploy/*.yaml.erb (QA57);
# 100: code the dependency graph reads none of (Ruby, Terraform ...) has its blast radius not measured, not "no changed
#     public symbol is used elsewhere" (QA57 F5);
# 101: code of a tier read slower is cut to fit one sitting (target / multiplier: 266 lines of tier 0), the one-sitting
#     cap only on a unit that cannot be cut, said so (QA55 F12; FIX95);
# 102: Django: state-only operations (SeparateDatabaseAndState) drop nothing, columns dropped in a comprehension
#     named, Model.objects.all().delete() an every-row DELETE; authentication/ is tier 0 (QA56);
# 103: a dependency only development and tests use weighs a quarter, said so (Gemfile groups, devDependencies, dev
#     groups and extras; FIX98, QA57 F8);
# 104: a .po catalogue's lines gettext writes (#: references, #, flags, #| previous msgids, header dates) are skimmed
#     as re-indented lines are (FIX97, QA56 F4);
# 105: a JS function handed to a function written in place (a UMD bundle) is named `<function>(<closure>)`, not by
#     the wrapper's source (rubygems.org pr/2108's worst function);
# 106: a blast radius measured on part of a change says which kinds of its code the graph did not read;
# 107: a Rails application's vendor/assets are other projects' code (rubygems.org pr/2108's webauthn-json bundle);
# 108: Laravel migrations' drops are destructive; translation catalogues (lang/<locale>/*.php, locales/*.yml, .po)
#     are tier 3 prose, not code; Laravel identity code by its names is tier 0 (QA59, BookStack);
# 109: Liquibase changelogs (db/*changelog*/) are tier-0 schema migrations, not CHANGELOG* documentation; a Java, Kotlin
#     or C# package named infrastructure is code (tier 2), not infrastructure as code; accounting, ledgers, money and
#     tenant code tier 0, loans and savings tier 1; Liquibase renameColumn, renameTable, modifyDataType are destructive,
#     weighed half a drop, and so is an XML changeSet edited in place; every Gradle build script, version catalogue
#     and buildSrc/ tier 1, `*-tests/` modules tests, key stores and private keys tier 0; files changing only their mode
#     are one look per mode change (QA58, Apache Fineract);
# 110: the history reads the base's first-parent line down to OLD_RUN commits in a row older than its window, not
#     the whole line: a clock set back for longer than that leaves the commits below it out (FIX100, issue 18);
# 111: Rails rename_column/change_column are destructive (half a drop); db/schema.rb read in its migration's chunk,
#     skimmed; an aligned continuation line counts one level in the indent factor; Ruby test blocks are spans; .rake
#     is Ruby code; a bot gets no experience; compose files tier 2; a stylesheet deleted whole collapsed; dev-only
#     manifests tier 2, a Gemfile.lock-only bump reads the tip's Gemfile (FIX102, QA57);
# 112: `[queue] lines` (changes made on an integration line compared with it); a file binary only by the checkout's
#     .gitattributes is read as text, as without a checkout; a squashed Django migration's drops weigh 0.2; a change
#     is not titled by a small commit a later one undid (QA56 F1, F6, F9, F10; FIX101);
# 113: the docs rule names the project's notes bare or as text (LICENSE, NOTICE.txt, CHANGES.rst), not `LICENSE*`:
#     LicenseValidator.java and authors_controller.rb are code (QA58 F7);
# 114: the indent factor says "is indented N columns", its nesting indent, not "starts at column N" (FIX102's figure);
# 115: a default-tier code file whose directory's code files are mostly critical by name gets a tier reason naming
#     the rule that would cover it (QA59 F11);
# 116: renames, retypes, constraint drops and NULL fills weigh the same in SQL, Liquibase, Rails, Laravel, knex,
#     Sequelize and Django (destructive/reshape.py); a widening modifyDataType passes; Liquibase YAML/JSON edited and
#     deleted changeSets; db/structure.sql is a schema dump (QA58 F5, F6; QA59 F10; FIX102);
# 117: Gradle scripts, version catalogues and pom.xml are read for dependencies (a Spring Boot major is named); Java
#     and PHP files are in the dependency graph (blast radius and seams); Blade templates are not measured for
#     complexity; *.gradle is source code; a mode-only file reaches no importer (QA58 F1, F9; QA59 F9; FIX110);
# 118: SQL under a migration/ directory is a tier-0 migration; a Go file whose header comment alone changed is
#     tier 3; a SQLite table rebuild's drop weighs 0.5; ACL/authz/access-token/IdP files tier 0; protobuf outputs of a
#     changed .proto collapsed; each database's copy of a SQL migration in one chunk (QA60);
# 119: a function renamed, or moved to another class or file of the change, is not new complexity (matched by its
#     body, then by name and a similar body; the why panel names what was not counted); lines moved whole (a block
#     of 3 or more deleted in one place and added in another) are skimmed, not read; Java overloads named by
#     their parameter types (QA58 F3, F4, QA57 F11; FIX105);
# 120: Crush's own identity (crush@charm.land) is an AI co-author, "<model> via <tool>" credits the tool, and a
#     disclosure trailer in a paragraph before the last (GitHub squash merges) counts; Rust's build.rs,
#     .cargo/config.toml, rust-toolchain and deny.toml are tier 1 (QA61);
# 121: a gemspec, config.ru, Jbuilder view, Rakefile, Guardfile and Capfile are Ruby code, config.ru tier 1; a
#     vendor/<owner>/<package>/ committed with its own composer.json or licence is vendored; translations into other
#     languages than the source are skimmed, one chunk per language, code in a Laravel catalogue read; a new file's
#     licence header is skimmed (FIX107);
# 122: a file the base's .gitattributes mark `-diff` or `binary` is a binary file, as git diffs it (QA crush pr/2058);
#     permissions, allow and deny lists tier 0, sandboxes tier 1; files committed executable named; a collapsed
#     chunk's floor at most collapsed_max_seconds; ts-proto's output is protobuf code; a .proto changed without its
#     generated code, or that code without its .proto, is said in the plan's notes (FIX115);
# 123: TypeScript path aliases (tsconfig `paths`, `baseUrl`) lead the blast radius to the files they name; a Node
#     server's policies/, Passport, passkeys, camelCase API keys and oauth*/ directories tier 0, CSP and rate
#     limits tier 1; codegen-sh[bot] and anthropic-code-agent[bot] are AI agents, graphite-app[bot] an AI
#     reviewer (QA63);
# 124: C#/.NET (QA62): EF Core migrations read for drops, renames and retypes, their .Designer.cs and model snapshot
#     collapsed at tier 2; T-SQL batches (GO, IF ... BEGIN ... END, #temp tables, [bracketed].[names]) split; DbUp's
#     DbScripts tier 0, identity/ tier 0, .csproj and NuGet files tier 1; C# methods after a generic constraint
#     measured (QA62);
# 125: Rust files are in the dependency graph (GRAPH_VERSION 11), and the unsafe code a change adds is said
#     (`unsafe_code`, FIX111);
# 126: a DROP TABLE IF EXISTS of a migration's own scratch table (made and ended again after it) is no loss;
#     each driver's copy of a code file in one chunk when it holds them all (FIX115);
# 127: a JS/TS `x.test.ts` tests the `x.ts` beside it; stored snapshots (*.snap) are tests (QA63);
# 128: C# files in the dependency graph (QA62);
# 129: a shop's checkout/ is tier 0 (QA64);
# 130: a chunk's title names one file's copies for several databases once, braced (FIX115);
# 131: the lock files of one kind are one collapsed chunk, whatever their directories (QA62);
# 132: lizard's `*global*` pseudo-function is no function (QA62);
# 133: a file-level blast radius reads "imported or named by" (Java, PHP, C#, Rust name what they use) (QA62 F5);
# 134: a chunk's least floor is 5 s, not 60 (QA64 F11); lock files under tier-0 directories are tier 1; committed
#     SQLite databases are named in the tier reasons (FIX117);
# 135: renames paired as git pairs them past libgit2's limit; a RunPython's unrestorable row deletes and GraphQL schema
#      removals are destructive (FIX118);
# 136: a C#/Java change reaches the files naming the members it alters; Rust `pub use` re-exports followed (FIX122);
# 137: history, authors and experience leave out lock, generated and translation files; calibration's size leaves
#     out lock and generated files as the analysis's does (FIX121);
# 138: Ruby files and ERB views in the dependency graph (Rails' autoloaded constants, associations, Stimulus
#     controllers, partials); Ruby's `class A::B` defines B for the plan's pairs; Rails' test/controllers tests the
#     views of its directory; a language's catalogues across config/locales/ one chunk; tiers: Stripe, Plaid,
#     impersonation, secret initializers, Devise's OmniAuth, app/models/session.rb, webhook controllers; Rails'
#     `t.virtual` is an added column, `reversible`'s down block a rollback, an enum to a string widens (QA65);
# 139: the size factor names the kinds of source it counted (".rb, .js"), not a list of other languages (QA65 F9);
# 140: Claude Squad's "[claudesquad] update from" subject is an AI agent's commit (maybe pr/2507);
# 141: a Django RunSQL's filtered DELETE its reverse_sql cannot restore is migration-delete-rows like RunPython's;
#     GraphQL type changes that break clients and dropped interfaces; route tables (routes.rb, urls.py) tier 1 (FIX126)
# 142: a Rails association is a direct dependency the blast radius's walk does not go on through (QA65 F1, FIX124);
#     an ERB view's `render @entries` and `render entry` depend on the partial entries/_entry (QA65 F7, FIX124);
# 143: Go, Python and Rust files under build/ or dist/ are not collapsed as build output (FIX123);
# 144: a filtered DELETE run through a cursor inside a Django RunPython, and an alembic upgrade()'s filtered delete
#     under a downgrade() that inserts nothing back, are migration-delete-rows (FIX128);
# 145: a manifest bump names the locked packages that changed beside it when they are 3 or fewer (QA65 F2, FIX127);
# 146: an import-level file's blast radius entry says "change": "file" ("package" for Go), or "removed" with "before":
#     "file", not "module" (FIX131);
# 147: an executed SQLAlchemy delete with no where() (inline or bound to a name) is sql-delete-all, a bound filtered
#     one is read as an inline one; a RunPython forward's helpers' deletes are its own (FIX131);
# 148: a Terraform value reaching an attribute that forces replacement through a variable (a local module's argument,
#     a .tfvars value, a variable's default) is a replacement; an attribute ignore_changes names is not (QA66);
# 149: a Terraform root module (a backend) deleted whole is one finding saying no apply destroys what it held; a
#     .tfvars switch read by a count through a local is a destroy (QA66);
# 150: a Helm values file turning persistence.enabled off or changing fullnameOverride/nameOverride is destructive
#     (QA66);
# 151: a registry module's input that reaches a replacing attribute (terraform-aws-modules/rds/aws's identifier...)
#     is a replacement (QA66);
# 152: an EKS cluster's role_arn and bootstrap_self_managed_addons, and a node group's name, subnets, role and
#     instance settings force replacement (the AWS provider's ForceNew, QA66);
# 153: a resource's attribute passed on (`time_sleep.this[0].triggers["name"]`) is not a plain value changed (QA66);
# 154: nor on the resource itself (`role_arn = aws_iam_role.a.arn` -> `.b.arn`): not a replacement (QA66);
# 155: a change whose destructive operations all weigh 0.25 (no stored data lost) is raised to high, not
#     critical (QA66 F1);
# 156: a Ruby change's blast radius is the dependents naming the methods it alters, the whole file where a class-level
#     statement changes or a method is called unnamed (members.py, FIX133);
# 157: a Kubernetes field the API server will not change in place (a StatefulSet's volumeClaimTemplates, serviceName,
#     selector, podManagementPolicy; a Deployment's selector; a Service's clusterIP; a Job's template) changed, in a
#     manifest or a Helm template whose YAML parses, is destructive (FIX134);
# 158: a nested block's attribute that forces replacement (aws_eks_cluster kubernetes_network_config.ip_family,
#     a node group's remote_access) is compared too (QA66 F2, FIX134);
# 159: a file moved unchanged is read for a generator's marker, so a moved generated file is no size, spread or
#     code file (FIX132 F2, FIX135);
# 160: an alembic migration's ORM delete through a session (`session.query(M).delete()`: every row; a filtered one
#     in upgrade() under a downgrade() that writes no row back) is read as sa.delete is (FIX131 F4, FIX135);
ANALYSIS_VERSION = "160"
MAX_CHANGELOG_BYTES = 1_000_000  # a changelog read for the types it gives columns (the parse bound of XML)

STALE_BEHIND = 1_000
"""Commits behind its base from which a branch's review is said to read old code (with no conflict to say so)."""

STORE_EVERY = 50
STORE_SECONDS = 20.0
"""A long analysis stores its finished reports a batch at a time, every STORE_EVERY reports or STORE_SECONDS:
an interrupted run keeps what it finished, and another process on the same cache reads it (cline: a cold `list`
stored nothing for 40 minutes, and the TUI opened meanwhile started from zero, QA54 F4)."""

Progress = Callable[[int, int, str], None]


@dataclass
class _Prepared:
    """The parts of one change's analysis that need no complexity figures. analyze_all computes
    them once and finishes the change twice: pending (cached metrics only), then complete."""

    change: Change
    files: list[FileDiff]
    figures: ChangeFigures
    wanted: dict[str, str]  # blob id -> path, for every blob whose complexity the change needs
    tiers: TierAssessment | None = None
    provenance: ChangeProvenance | None = None
    history: HistoryFigures | None = None
    blast: BlastRadius | None = None
    vendored: Vendored | None = None  # its vendored directories: the tiers and the seams both ask
    dependencies: DependencyBump | None = None  # what its manifests and lock files change: the score and the plan
    parts_cached: bool = False  # tiers and blast radius read from the cache: not stored again
    released: bool = False  # `files` given back to bound memory (HELD_LINES): read again to finish
    paths: list[str] = dataclasses.field(default_factory=list)  # its files' paths, kept when released

    def release(self) -> None:
        """Give the diff back until the change is finished: `paths` keep what the history needs."""
        if not self.released:
            self.paths = self.file_paths
            self.files, self.released = [], True

    @property
    def file_paths(self) -> list[str]:
        """Its files' paths, whether or not its diff is held."""
        return self.paths if self.released else [fd.path for fd in self.files]

    @property
    def held_lines(self) -> int:
        return 0 if self.released else self.figures.lines_added + self.figures.lines_deleted


EARLY_LINES = 400  # a change this small is scored as soon as it is diffed, for the first ranked row
EARLY_CANDIDATES = 3
"""With no change of at most EARLY_LINES among the first this many diffed, the smallest diffed so far is scored early
(if of at most EARLY_MAX_LINES): openai-agents-python's 48 largest open pull requests (775+ lines each) showed
their first ranked row only after all 49 diffs (13 s on a loaded machine), issue 18."""
EARLY_MAX_LINES = 5_000
HELD_LINES = 200_000
"""Changed lines of diffs a pass keeps while its changes wait to be scored, and again while they wait to be finished.
Past it, a change gives its diff back and is diffed again when it is needed: rich's 740 pull requests against an
old tag held 4.1 million changed lines (3.8 GB); its 57 recent ones peaked at 291 MB instead of 1.6 GB, and ran
faster, as diffing again costs little next to holding."""
CARRIED_COMMITS = 1_000
"""An earlier tip's walks answer for the base (Analyzer._carry_walks) where the base has at most this many commits
more: each head's remembered commits are checked against them."""
MAX_GRAPH_LINES = 1_500_000  # past this a cold graph takes minutes on 2 cores: blast radius is left unmeasured
GRAPH_BATCH_FILES = 400  # files read and summarised at a time while a dependency graph is built
EARLY_HISTORY_CHANGES = 10
"""A queue of this many changes to analyse has the history index of every path built while they are diffed
(Analyzer._offer_whole_history), not of their paths once they are."""
LAZY_GRAPH_SHARE = 20
"""A graph wanted by changes that touch at most 1/LAZY_GRAPH_SHARE of its files is read only as far as their
blast radius needs (impact/lazy_graph.py): a cold `list` of one 25-file pull request on ansible parsed all
1,555 files of the base for it."""
LAZY_GRAPH_MIN_FILES = 400  # a smaller graph is read whole: it costs little, and is cached per commit
INLINE_CHANGES = 1  # a first `list` of at most this many changes on a small graph uses no worker process,
INLINE_FILES = 20  # if they touch at most this many files each
LAZY_GRAPH_CHANGES = 8  # a pass of at most this many changes starts no graph until they are all diffed


class _GraphBuild:
    """The base commit's dependency graph (impact/graph.py), built in a background thread (the parsing
    runs in worker processes) while the changes are diffed and scored; cached per base commit, and
    each file's summary per (blob, path), so the graph of a later base parses only the files that
    changed since (`parsed` says how many were)."""

    def __init__(self, repo_path: Path, base: str, workers: int, cache: AnalysisCache | None = None,
                 demand: int | None = None, share: _Offering | None = None,
                 early: _EarlyParts | None = None) -> None:
        """`demand`: how many of its files the changes that want it touch (None: unknown, read it whole).
        `share`: the pass's offering, whose head definitions (and complexity figures) of a version this
        build parses are taken from the build's parse (`_share_out`). `early`: the commit's files and the
        reading of their names, offered to the pool before the changes were diffed (`Analyzer._offer_graph_parts`):
        taken if the graph is read lazily, dropped if not."""
        self.share = share
        self.early = early
        self.graph: Graph | None = None
        self.error: str | None = None
        self.failed = False  # an exception, not a bound: another run may well build it
        self.parsed = 0
        self.lazily = False  # read as far as needed (impact/lazy_graph.py): known once `decided` is set
        self.decided = threading.Event()
        self._wanted = threading.Event()  # the graph is waited for, or a worker has read its files
        self._thread = threading.Thread(target=self._run, args=(repo_path, base, workers, cache, demand),
                                        name="review-tui-graph", daemon=True)
        self._thread.start()

    def _run(self, repo_path: Path, base: str, workers: int, cache: AnalysisCache | None, demand: int | None) -> None:
        from app.core.impact.graph import GRAPH_SUFFIXES, graph_entries

        try:
            repo = GitRepo(repo_path)
            early, self.early = self.early, None
            entries = graph_entries(early.entries if early is not None else repo.tree_blobs(base, GRAPH_SUFFIXES))
            self.lazily = demand is not None and LAZY_GRAPH_MIN_FILES <= len(entries) >= demand * LAZY_GRAPH_SHARE
            self.decided.set()
            if not self.lazily and early is not None:
                early.drop()
            if self.lazily and self._read_lazily(repo, entries, workers, cache, early):
                return
            self.lazily = False
            self._read_whole(repo, entries, workers, cache)
        except Exception as exc:
            self.error = f"dependency graph not built: {exc.__class__.__name__}: {exc}"
            self.failed = True
        finally:
            self.decided.set()

    def _over_bound(self, total: int) -> bool:
        if total > MAX_GRAPH_LINES:
            self.error = (f"dependency graph not built: {total:,} lines of source is over the {MAX_GRAPH_LINES:,}"
                          "-line bound (blast radius and seams not measured)")
        return self.error is not None

    def _read_lazily(self, repo: GitRepo, entries: list[tuple[str, str]], workers: int,
                     cache: AnalysisCache | None, early: _EarlyParts | None = None) -> bool:
        """The graph read as far as questions need (impact/lazy_graph.py): every file read once for its
        names, the Python ones parsed when a question needs them (their summaries cached per (blob,
        path) as the whole build's are). False when a file cannot be read (a partial clone's missing
        blob, whose summary the cache may hold): the whole build does as it always did."""
        from app.core.impact.graph import GRAPH_VERSION, MAX_FILE_BYTES, FileSummary, summarise_shared
        from app.core.impact.lazy_graph import graph_of

        found = self._lazy_parts(repo, entries, workers, early)
        if found is None:
            return False
        parts, blobs = found

        def read(path: str) -> bytes:
            return repo.blob_within(blobs[path], MAX_FILE_BYTES) or b""

        def load(paths: list[str]) -> dict[str, FileSummary]:
            keys = {path: f"{GRAPH_VERSION}:{blobs[path]}:{path}" for path in paths}
            known = cache.get_many("graph-file", list(keys.values())) if cache is not None else {}
            out: dict[str, FileSummary] = {}
            todo: list[tuple[str, bytes]] = []
            for path, key in keys.items():
                found = known.get(key)
                if isinstance(found, dict) and isinstance(found.get("summary"), list):
                    out[path] = FileSummary.from_list(found["summary"])
                else:
                    todo.append((path, read(path)))
            rows = summarise_shared(todo, workers=workers)  # with the workers, for the batches they are free for
            for (path, _), row in zip(todo, rows, strict=True):
                out[path] = FileSummary.from_list(row)
            if cache is not None and todo:
                cache.put_many("graph-file", {keys[path]: {"lines": data.count(b"\n"), "summary": row}
                                              for (path, data), row in zip(todo, rows, strict=True)})
            return out

        graph = graph_of(parts, load)
        if not self._over_bound(graph.lines):
            self.graph = graph
        return True

    def _lazy_parts(self, repo: GitRepo, entries: list[tuple[str, str]], workers: int,
                    early: _EarlyParts | None = None) -> tuple[LazyParts, dict[str, str]] | None:
        """`_read_lazy_parts` of the commit's files: from a worker process, when one has taken the task by the
        time the graph is first waited for (the analysis thread meanwhile scores: ansible, 0.5 s of reading
        and indexing off this process's interpreter lock), else read in this thread. `early`: the task offered
        before the changes were diffed (the pool's first task: a one-pull-request `list` waited for the graph
        right after its diff, and the task offered then was always taken back and run here)."""
        from app.core.workers import offer, shared_pool, take

        if early is not None:
            offered = early.offered
        else:
            pool = shared_pool(workers) if workers >= 1 else None
            if pool is None:
                return _read_lazy_parts(repo, entries)
            offered = offer(pool, _lazy_parts_in_worker, repo.path, entries)
        offered.future.add_done_callback(lambda _: self._wanted.set())
        self._wanted.wait()
        return take(offered, lambda: _read_lazy_parts(repo, entries))

    def _read_whole(self, repo: GitRepo, entries: list[tuple[str, str]], workers: int,
                    cache: AnalysisCache | None) -> None:
        from app.core.impact.graph import (
            GRAPH_VERSION,
            MAX_FILE_BYTES,
            FileSummary,
            Graph,
            is_summarised,
            summarise_many,
        )

        keys = [f"{GRAPH_VERSION}:{blob}:{path}" for path, blob in entries]
        lines: dict[str, int] = {}
        # Each summary is a FileSummary as soon as it is read (its strings interned): saleor's 4,338 summaries
        # as rows, all held until the build, took 140 MB of the process's heap, which it kept after the build.
        summaries: dict[str, FileSummary] = {}
        todo: list[tuple[str, str, str]] = []  # (key, path, blob) of the files to summarise
        for start in range(0, len(keys), GRAPH_BATCH_FILES):
            part = keys[start : start + GRAPH_BATCH_FILES]
            known = cache.get_many("graph-file", part) if cache is not None else {}
            for key, (path, blob) in zip(part, entries[start : start + GRAPH_BATCH_FILES], strict=True):
                found = known.get(key)
                if isinstance(found, dict) and isinstance(found.get("summary"), list):
                    lines[key], summaries[key] = int(found.get("lines", 0)), FileSummary.from_list(found["summary"])
                elif (data := repo.blob_within(blob, MAX_FILE_BYTES)) is not None:  # a larger file is generated
                    lines[key] = data.count(b"\n")
                    if is_summarised(path):  # counted, as build_graph counts it, but no summary: `x.go.mod`
                        todo.append((key, path, blob))
            del known
        total = sum(lines.values())
        if self._over_bound(total):
            return
        # Read again and summarise a batch at a time: the source of every file (ansible: 1,564 files,
        # 9 MB), every summary as the workers sent it and their JSON for the cache, all held at once,
        # made a peak that the process's heap kept for the rest of its life.
        for start in range(0, len(todo), GRAPH_BATCH_FILES):
            chunk = todo[start : start + GRAPH_BATCH_FILES]
            batch = [(key, (path, repo.blob_within(blob, MAX_FILE_BYTES) or b"")) for key, path, blob in chunk]
            shared = self._share_out(chunk, batch)
            plain = [(key, item) for key, item in batch if key not in shared]
            # no AST here (none in this process's heap), unless this pass runs without workers
            rows = summarise_many([item for _, item in plain], workers=workers, isolate=workers >= 1)
            fresh = {key: row for (key, _), row in zip(plain, rows, strict=True)}
            fresh.update(self._take_shared(shared))
            del batch, plain, rows, shared
            self.parsed += len(fresh)
            if cache is not None:
                cache.put_many("graph-file", {key: {"lines": lines[key], "summary": row}
                                              for key, row in fresh.items()})
            summaries.update((key, FileSummary.from_list(row)) for key, row in fresh.items())
            del fresh
        self.graph = Graph.build((summaries.pop(key) for key in keys if key in summaries), total)

    def _share_out(self, chunk: list[tuple[str, str, str]],
                   batch: list[tuple[str, tuple[str, bytes]]]) -> dict[str, tuple[str, str, bytes, str | None, Any]]:
        """Start, one task each, the batch's Python files whose version is one a change's blast radius reads
        (`share`), or the base version of a test file a change edits that the measurement wants: the task gives
        the summary, and the complexity figures if the measurement wants them, from one parse
        (graph.summary_and_metrics). key -> (path, blob, content whose head definitions to remember (b"": none),
        measured as, future)."""
        from app.core.impact.graph import head_defs_wanted, summary_and_metrics
        from app.core.memo import digest
        from app.core.workers import ParentExiting, released

        if self.share is None or not (self.share.sides or self.share.base_tests):
            return {}
        sides, measured, max_bytes = self.share.sides, self.share.measured, self.share.max_bytes
        tests = self.share.base_tests
        out: dict[str, tuple[str, str, bytes, str | None, Any]] = {}
        for (key, path, blob), (_, (_, data)) in zip(chunk, batch, strict=True):
            if released():  # the process is exiting: a task submitted from this thread now may start a
                raise ParentExiting("review-tui is exiting")  # worker that no one stops (a hung exit)
            if not data or not path.endswith(".py"):  # (b"": empty, or not read after all)
                continue
            if (path, blob) in tests and blob in measured:  # a test's base version: its figures alone are wanted
                out[key] = (path, blob, b"", measured[blob], self.share.pool_submit(summary_and_metrics, path, data,
                                                                                   measured[blob], max_bytes))
            elif (path, blob) in sides:
                if not head_defs_wanted(path, digest(data)):
                    continue  # a task of the offering's parses it for its head definitions (and figures) already
                as_path = measured.get(blob)
                out[key] = (path, blob, data, as_path, self.share.pool_submit(summary_and_metrics, path, data,
                                                                               as_path, max_bytes))
        return out

    def _take_shared(self, shared: dict[str, tuple[str, str, bytes, str | None, Any]]) -> dict[str, list[Any]]:
        """The summaries `_share_out`'s tasks made; their figures go to the offering (for the measurement)
        before their head definitions go to the memo (then the offering passes the version by)."""
        from concurrent.futures import Future

        from app.core.impact.graph import remember_head_defs

        rows: dict[str, list[Any]] = {}
        for key, (path, blob, data, as_path, future) in shared.items():
            row, metrics = future.result()
            if as_path is not None and self.share is not None:
                done: Future[Any] = Future()
                done.set_result(metrics)
                self.share.metrics.setdefault(blob, done)
            if data:  # (b"": a test's base version, whose head definitions no one reads)
                remember_head_defs(path, data, row)
            rows[key] = row
        return rows

    def wait(self, timeout: float | None = None) -> bool:
        if timeout is None or timeout > 0:
            self._wanted.set()  # asked for: what no worker has started is read in the build's thread
        self._thread.join(timeout)
        return not self._thread.is_alive()


def _read_lazy_parts(repo: GitRepo, entries: list[tuple[str, str]]) -> tuple[LazyParts, dict[str, str]] | None:
    """(lazy_parts of these (path, blob) files, path -> blob of those read), or None when a file cannot be
    read (a partial clone's missing blob, whose summary the cache may hold: the whole build then does as it
    always did)."""
    from app.core.impact.graph import MAX_FILE_BYTES
    from app.core.impact.lazy_graph import lazy_parts

    blobs: dict[str, str] = {}
    unreadable: list[str] = []

    def contents() -> Iterator[tuple[str, bytes]]:
        for path, blob in entries:
            data = repo.blob_within(blob, MAX_FILE_BYTES)
            if data is not None:
                blobs[path] = blob
                yield path, data
            elif repo.blob_size(blob) <= MAX_FILE_BYTES:  # missing, not too large
                unreadable.append(path)

    parts = lazy_parts(contents())
    return None if unreadable else (parts, blobs)


def _lazy_parts_in_worker(repo_path: Path, entries: list[tuple[str, str]]) -> tuple[LazyParts, dict[str, str]] | None:
    """_read_lazy_parts in a worker process (_GraphBuild._lazy_parts)."""
    from app.core.git.repo import walk_in_worker
    from app.core.workers import parent_exiting

    return walk_in_worker(repo_path, lambda repo: _read_lazy_parts(repo, entries), parent_exiting)


@dataclass
class _EarlyParts:
    """A commit's graph files and the reading of their names (`_lazy_parts_in_worker`) offered to the pool
    before the changes were diffed (Analyzer._offer_graph_parts)."""

    entries: list[tuple[str, str]]
    offered: Offered

    def drop(self) -> None:
        """Not wanted (the graph is read whole, or not at all): a worker that has not started it never will."""
        from app.core.workers import drop

        drop(self.offered)


@dataclass
class _GraphState:
    """A dependency graph of one commit: read from the cache, being built, or why it is not there."""

    graph: Graph | None = None
    build: _GraphBuild | None = None
    note: str | None = None
    failed: bool = False


class Analyzer:
    """Analyses the pending changes of one repository. Use one per thread (it owns a GitRepo)."""

    def __init__(self, repo_path: str | Path, *, base: str | None = None, commit_range: str | None = None,
                 cache: AnalysisCache | None = None, config_path: Path | None = None, merges: bool = False,
                 first_parent: bool = False) -> None:
        self.repo_path = Path(repo_path)
        self.repo = GitRepo(repo_path)
        self.base = base
        self.commit_range = commit_range
        self.merges = merges  # in a range: merge commits too, diffed as what each introduced
        self.first_parent = first_parent  # in a range: the first-parent chain only
        self.cache = cache
        self.config_path = config_path
        self._discovery: Discovery | None = None
        # `change` of one change, where only that was asked (one_change): the changes its verdicts read
        self._one_discovery: Discovery | None = None
        self.one_change = False  # explain, chunks, check: `change` discovers only what that change's verdicts read
        self._resolved_base: tuple[str, str] | None = None
        self._config: RepoConfig | None = None
        self._config_digest: str | None = None
        self._mailmap: dict[str, frozenset[str]] | None = None
        self._likelihood_model: LikelihoodModel | None = None
        self._track_record: TrackRecordRun | object | None = _UNREAD
        self._model_digest: str | None = None
        self._histories: ChangeHistory | None = None
        self._new_inputs: dict[str, dict[str, Any]] = {}  # report cache key -> its risk inputs, not stored yet
        self._repo_key: str | None = None
        self._root_walk: _RootWalk | None = None
        self._discovery_prefetch: tuple[ProcessPoolExecutor, Future[Discovery]] | None = None
        self._prefetch_start: _DiscoveryStart | None = None  # until its discovery is taken or abandoned
        self._remote_names: frozenset[str] | None = None
        # Blob-level memos shared by every change this analyzer reads: a blob's metrics and its
        # definition spans are the same whichever change it appears in.
        self._metrics_memo: dict[str, cx.FileMetrics] = {}
        # `explain` shows radon's maintainability index: when this is set, blobs measured for complexity
        # get it in the same parse, kept apart (the ranking's metrics stay exactly what they were).
        self.measure_maintainability = False
        self._maintainability_memo: dict[str, float | None] = {}
        self._spans_memo: dict[tuple[str, str, bool], SpanResult] = {}
        self._own_code_memo: dict[tuple[str, str | None, str], OwnCode | None] = {}  # (kind, base, head) -> answer
        self._in_file_tests: InFileTests | None = None  # blob -> its in-file tests (_test_regions)
        self._older_evidence_memo: dict[str, bool] = {}  # base commit -> ancestors_have_ai_evidence
        self._older_evidence_offers: dict[str, Future[bool]] = {}  # base commit -> a worker's walk for it
        self._graphs: dict[str, _GraphState] = {}  # graph commit -> its dependency graph (being built)
        self._graphs_deferred = False  # a few changes being diffed: their graph starts once they all are
        self._graph_offers: dict[str, _EarlyParts] = {}  # graph commit -> its names' reading, offered early
        self._may_inline = False  # a first `list` that started no pool early: a small pass runs without one
        self._inline = False  # this pass runs without worker processes (_pool_workers)
        self._offering: _Offering | None = None  # the analysis pass's, while it runs
        self._pending_names: tuple[Discovery, frozenset[str]] | None = None
        self._sibling_discovery: Discovery | None = None  # note_discovery
        self._range_start: str | None = None
        self._descends_memo: dict[str, bool] = {}  # commit -> whether it descends from the range start
        self._new_plans: dict[str, ReviewPlan] = {}  # plan cache key -> plan built, not stored yet
        self._new_plan_gaps: dict[str, list[str]] = {}  # plan cache key -> the blobs its diff lacked (_same_gap)
        self._new_parts: dict[str, dict[str, Any]] = {}  # report key -> its tiers and blast radius, not stored yet
        self._new_missing: dict[str, list[str]] = {}  # report key -> the blobs its diff lacked, not stored yet
        self._directory_hints: dict[tuple[str, str], str | None] = {}  # (directory tree, path) -> its hint
        self.discovery_progress: Callable[[str], None] | None = None  # hears how far a discovery in process got
        self.detail_progress: Callable[[str], None] | None = None  # hears what a change's detail is reading

    # -- discovery and settings -------------------------------------------------------------
    @property
    def discovery(self) -> Discovery:
        if self._discovery is None:
            memo = self._walk_memo()
            scope = None if self.commit_range else self.queue_scope()
            self._discovery = discover(self.repo, base=self.base, commit_range=self.commit_range, scope=scope,
                                       merges=self.merges, first_parent=self.first_parent, cache=self.cache,
                                       progress=self.discovery_progress)
            if memo is not None and self.cache is not None and memo.stale:
                self.cache.put("walks", self._discovery.base_commit, memo.to_dict())
        return self._discovery

    @property
    def _found(self) -> Discovery:
        """The discovery, or where only one change was asked for (`one_change`), the one that found it."""
        if self._discovery is None and self._one_discovery is not None:
            return self._one_discovery
        return self.discovery

    @property
    def resolved_base(self) -> tuple[str, str]:
        """(name, commit id) of the base, as discovery finds it, without discovering: what the
        config, the repository key and the title need."""
        if self._resolved_base is None:
            self._resolved_base = resolve_base(self.repo, self.base)
        return self._resolved_base

    def start_workers_if_first_run(self) -> threading.Thread | None:
        """On a first run (nothing cached: every change will be analysed), start the worker pool now, from
        a thread of its own (returned), so that it is up by the time the analysis offers its first task."""
        if self.cache is not None and not self.cache.fresh:
            return None
        from app.core.workers import start_soon

        try:
            workers = self.config.complexity.workers
            small = self._small_graph()
        except ReviewTuiError:
            return None  # said where discovery or the analysis reads the config
        if small:
            self._may_inline = True  # started when the pass wants it, if it does (_decide_inline)
            return None
        return start_soon(workers)

    def _small_graph(self) -> bool:
        """Whether the base's dependency graph is read whole and costs little (under LAZY_GRAPH_MIN_FILES files)."""
        from app.core.impact.graph import GRAPH_SUFFIXES, graph_entries

        base = self.resolved_base[1]
        return bool(base) and len(graph_entries(self.repo.tree_blobs(base, GRAPH_SUFFIXES))) < LAZY_GRAPH_MIN_FILES

    def _decide_inline(self, pending: list[Change]) -> None:
        """A first `list` of one change on a repository whose graph is small runs without worker processes: the
        forkserver, its preloads, the resource tracker and two workers cost a one-pull-request run more CPU than
        the work they took (httpx, ripgrep: 1.1-1.3 s of tree CPU, 0.25-0.3 s of it the pool's). A change of more
        than INLINE_FILES files keeps them: its measuring is worth two cores."""
        from app.core.workers import started_pool

        self._inline = (self._may_inline and len(pending) <= INLINE_CHANGES
                        and started_pool(self.config.complexity.workers) is None
                        and all(change.kind != "worktree" and change.base is not None
                                and len(self.repo.touched_paths(change.base, change.head)) <= INLINE_FILES
                                for change in pending))

    def _pool_workers(self) -> int:
        """The worker processes this pass may use (none when it runs inline)."""
        return 0 if self._inline else self.config.complexity.workers

    def check_inputs(self) -> None:
        """Raise what discovery would refuse (an unknown base, a bad range, a broken [queue] table)
        without discovering: for the TUI, which paints first and discovers in a worker."""
        _ = self.resolved_base
        if self.commit_range:
            for end in parse_range(self.commit_range):
                self.repo.resolve_commit(end)
        else:
            self.queue_scope()

    def queue_scope(self) -> QueueConfig:
        """The [queue] scope: the repository file's table (as of the base, or --config), then the user
        file's keys over it. Parses only that table: discovery must not pay for the whole config."""
        from app.config import load_queue_config

        return load_queue_config(self.repo, self.resolved_base[1], self.config_path)

    def _walk_memo(self) -> WalkMemo | None:
        """The remembered history walks for this base (discovery asks the same questions every run),
        attached to the repository for discovery to use. None without a cache."""
        if self.cache is None:
            return None
        try:
            base_commit = self.resolved_base[1]
        except ReviewTuiError:
            return None  # discovery will say why
        stored = self.cache.get("walks", base_commit)
        memo = WalkMemo(stored if isinstance(stored, dict) else None)
        if not isinstance(stored, dict):
            self._carry_walks(memo, base_commit)
        self.repo.walk_memo = memo
        return memo

    def _carry_walks(self, memo: WalkMemo, base: str) -> None:
        """Let `memo` answer from the walks remembered at the nearest earlier tip of the base's branch (the
        base before a fetch: one of its last EARLIER_TIPS first parents), given the commits since that tip,
        where those are at most CARRIED_COMMITS (WalkMemo.carry)."""
        from app.analysis.history import EARLIER_TIPS

        assert self.cache is not None
        for tip in self.repo.first_parents(base, EARLIER_TIPS):
            # one at a time, nearest first: each is megabytes (saleor's 259 heads: 8.6 MB of JSON)
            if isinstance(stored := self.cache.get("walks", tip), dict):
                new = self.repo.ids_between(tip, base, CARRIED_COMMITS)
                if new is not None:
                    memo.carry(tip, stored, base, new)
                return

    @property
    def config(self) -> RepoConfig:
        if self._config is None:
            from app.config import load_repo_config

            self._config = load_repo_config(self.repo, self.resolved_base[1], self.config_path)
        return self._config

    def mailmap_aliases(self) -> dict[str, frozenset[str]]:
        """The base's .mailmap as address -> every address of that person (app/core/git/mailmap.py); the
        change's own .mailmap is not used, as its own .review-tui.toml is not."""
        if self._mailmap is None:
            from app.core.git.mailmap import MAX_MAILMAP_BYTES, mailmap_groups

            data = self.repo.file_at(self.resolved_base[1], ".mailmap") if self.resolved_base[1] else None
            self._mailmap = (mailmap_groups(data.decode("utf-8", "replace"))
                             if data and len(data) <= MAX_MAILMAP_BYTES else {})
        return self._mailmap

    @property
    def config_digest(self) -> str:
        """The digest of the team rules, as RepoConfig.digest, without parsing them: cache keys need
        only this, and parsing imports every analysis module."""
        if self._config_digest is None:
            if self._config is not None:
                self._config_digest = self._config.digest
            else:
                data = self._config_bytes()
                if data is None:
                    self._config_digest = self.config.digest  # unreadable: let the parser say why
                else:
                    from app.config import analysis_digest, attribute_files, attributes_mark, machine_written_globs

                    files = attribute_files(self.repo, self.resolved_base[1])
                    self._config_digest = analysis_digest(data) + attributes_mark(machine_written_globs(files))
        return self._config_digest

    def _config_bytes(self) -> bytes | None:
        """The bytes load_repo_config would parse (b"" for the defaults), or None when unreadable."""
        from app.paths import REPO_CONFIG_NAME

        if self.config_path is not None:
            try:
                return Path(self.config_path).read_bytes()
            except OSError:
                return None
        base = self.resolved_base[1]
        data = self.repo.file_at(base, REPO_CONFIG_NAME) if base else self.repo.workdir_file(REPO_CONFIG_NAME)
        return data if data is not None else b""

    def uncommitted_config_note(self) -> str | None:
        """Why the `.review-tui.toml` in the working tree is not the one in use (the team's rules are read
        from the base commit, so a copy being written, or edited and not yet merged, changes nothing), or
        None when it is the same or there is none. Said once: a first day's edit did nothing, silently."""
        from app.paths import REPO_CONFIG_NAME

        if self.config_path is not None or self.repo.workdir is None or not self.resolved_base[1]:
            return None
        try:
            here = (self.repo.workdir / REPO_CONFIG_NAME).read_bytes()
        except OSError:
            return None
        if here == self._config_bytes():
            return None
        # Only an edit not committed yet: a branch checked out from before the base's latest policy holds the
        # older file, and that is no one's edit (it read as one).
        head = self.repo.head_commit()
        committed = self.repo.file_at(head, REPO_CONFIG_NAME) if head else None
        if committed is not None and committed == here:
            return self._unmerged_config_note(head, committed) if head else None
        return (f"{REPO_CONFIG_NAME} edited in the working tree is not used: the team's rules are read from "
                f"{self.resolved_base[0]}'s copy, so an edit counts once it is committed and merged there")

    def _unmerged_config_note(self, head: str, committed: bytes) -> str | None:
        """The checked-out branch's own commits changed `.review-tui.toml` (its copy differs from the one at
        its merge base with the base): a policy committed on the local `master` and not pushed to
        `origin/master`, the base, was silently unused. None when the branch merely predates the base's copy."""
        from app.paths import REPO_CONFIG_NAME

        base_name, base = self.resolved_base
        fork = self.repo.merge_base(head, base)
        if fork is None or fork == head or self.repo.file_at(fork, REPO_CONFIG_NAME) == committed:
            return None
        branch = (self.repo.head_ref() or "HEAD").removeprefix("refs/heads/")
        return (f"{REPO_CONFIG_NAME} as committed on {branch} is not used yet: the team's rules are read from "
                f"{base_name}'s copy, so it counts once {branch}'s change reaches {base_name}")

    @property
    def repo_key(self) -> str:
        """A name for this project that is the same in every clone: its root commit id."""
        if self._repo_key is None:
            base = self.resolved_base[1]
            cached = self.cache.get("root", base) if self.cache is not None else None
            if cached is None:
                walk = self._root_walk if self._root_walk is not None and self._root_walk.base == base else None
                cached = self._carried_root(base) if walk is None else None
                if cached is None:
                    cached = {"root": walk.result() if walk is not None else self.repo.root_commit(base)}
                self._keep_root(base, cached)
            self._repo_key = str(cached["root"])
        return self._repo_key

    def _keep_root(self, base: str, found: dict[str, Any]) -> None:
        if self.cache is not None:
            self.cache.put("root", base, found)

    def _carried_root(self, base: str) -> dict[str, Any] | None:
        """The project key cached for an earlier tip of the base's branch (the base before a fetch),
        where it is provably the base's too (GitRepo.root_carries_over): no walk of the whole history
        (0.45 s for ansible) at every fetch. None: walk."""
        from app.analysis.history import EARLIER_TIPS

        if self.cache is None:
            return None
        tips = self.repo.first_parents(base, EARLIER_TIPS)
        known = self.cache.get_many("root", tips) if tips else {}
        for tip in tips:
            entry = known.get(tip)
            if not isinstance(entry, dict) or not isinstance(entry.get("root"), str):
                continue
            if not self.repo.root_carries_over(tip, base):
                return None  # the nearest earlier answer does not carry over: walk
            return {"root": entry["root"]}
        return None

    @property
    def known_repo_key(self) -> str | None:
        """repo_key if it is at hand (found before, or cached for this base), else None: never walks."""
        if self._repo_key is None and self.cache is not None:
            try:
                cached = self.cache.get("root", self.resolved_base[1])
            except ReviewTuiError:
                return None
            if isinstance(cached, dict) and isinstance(cached.get("root"), str):
                self._repo_key = cached["root"]
        return self._repo_key

    def prefetch_repo_key(self) -> None:
        """Start finding the root commit behind repo_key in a thread of its own, to run beside
        discovery: it walks the whole history (0.6 s for ansible's 54,000 commits), in libgit2, which
        leaves the interpreter free. For a caller that will need repo_key soon (the TUI's queue, after
        its first paint: on a core of its own beside the imports and a discovery process, the walk
        held the paint back 0.3 s even when nothing waited for it)."""
        if self._repo_key is not None or self._root_walk is not None:
            return
        try:
            base = self.resolved_base[1]
        except ReviewTuiError:
            return  # discovery will say why
        if self.cache is None or self.cache.get("root", base) is None:
            carried = self._carried_root(base)
            if carried is not None:
                self._keep_root(base, carried)
                self._repo_key = str(carried["root"])
                return
            self._root_walk = _RootWalk(self.repo_path, base)

    def prefetch_discovery(self) -> None:
        """For the TUI, on a first run at this base: start discovering in a worker process, where a
        cold discovery (a second on a large project: patch ids, merged-upstream checks) runs on the
        other core while this one imports and paints the screen; in a thread it took the interpreter
        from them, and after the paint it delayed the rows. The queue's first analysis takes the
        result with take_prefetched_discovery(). A warm discovery (50 ms), and one after a fetch (the earlier
        tip's findings cached: 0.09 s on ansible), are left to that analysis."""
        if self._discovery is not None or self._discovery_prefetch is not None or self.cache is None:
            return
        try:
            base_commit = self.resolved_base[1]
        except ReviewTuiError:
            return  # discovery will say why
        if self.cache.get("walks", base_commit) is not None:
            return  # discovered before at this base: 50 ms, in the queue's worker after the first paint
        from app.analysis.history import EARLIER_TIPS

        earlier = self.repo.first_parents(base_commit, EARLIER_TIPS)
        if earlier and self.cache.get_many("walks", earlier):
            # Discovered at an earlier tip (the base before a fetch): what it found about each branch is
            # cached, and discovery reads the new commits only (ansible, 5 commits on: 0.09 s), less than
            # a process's start costs the first paint (0.2 s waiting for the forkserver, 1.1 s to paint).
            return
        from app.core.workers import new_pool

        # A process of its own, which ends with the discovery: a pool worker would keep the pack
        # index it mapped and the objects it read (36 MB more at the cold queue's peak).
        try:
            if self.config.complexity.workers < 1:
                return  # the team turned worker processes off
        except ReviewTuiError:
            return  # a broken config: the analysis says why, where it always has
        pool = new_pool(1)  # on this thread: the forkserver starts where signals can be set
        if pool is None:
            return
        start = _DiscoveryStart(pool, _discover_in_worker, (self.repo_path, self.base, self.commit_range,
                                                            self.cache.path, self.config_path, self.merges,
                                                            self.first_parent))
        self._discovery_prefetch = (pool, start.job)
        self._prefetch_start = start

    def adopt_prefetched_discovery(self, pool: ProcessPoolExecutor, start: _DiscoveryStart) -> None:
        """Take over a discovery started before this analyzer was built (AnalyzerSpec.start_discovery)."""
        self._discovery_prefetch = (pool, start.job)
        self._prefetch_start = start

    def take_prefetched_discovery(self, meanwhile: Callable[[], None] | None = None,
                                  progress: Callable[[str], None] | None = None) -> Discovery | None:
        """The prefetched discovery, once (a later analysis discovers again: refs move), raising what
        discovery raised; None when none was started. `meanwhile` runs first if the process is still
        at work; while it works, `progress` (else discovery_progress) hears how far it got, as a discovery
        here would have said it ("1,234 of 9,081 heads read"), at most every PROGRESS_POLL seconds."""
        prefetch, self._discovery_prefetch = self._discovery_prefetch, None
        if prefetch is None:
            return None
        pool, job = prefetch
        if meanwhile is not None and not job.done():
            meanwhile()
        start = self._prefetch_start
        _relay_progress(job, start, progress or self.discovery_progress)
        try:
            return job.result()
        except ReviewTuiError:
            raise
        except Exception:  # the process died (killed, abandoned): the caller discovers in its own thread
            return None
        finally:
            if start is not None:
                start.discard_progress()
            self._prefetch_start = None
            pool.shutdown(wait=False)

    def abandon_prefetched_discovery(self) -> None:
        """End a prefetched discovery now, taken or not (the TUI is quitting): its process is stopped and
        whoever waits for its result gets None at once. A quit during a cold discovery of ansible waited
        for it, 33-46 s on a blank screen. Discovery only reads the repository; the cache it writes is
        SQLite, whose transactions a killed writer leaves whole."""
        start, self._prefetch_start = self._prefetch_start, None
        if start is not None:
            start.abandon()

    def drop_prefetched_discovery(self) -> None:
        """End a prefetched discovery that nobody will take (the screen failed to start: a locked or
        too-new ledger). Its process is waited for: left running, the interpreter's exit met a pool
        whose pipe was already closed, and printed a traceback under the one-line error."""
        prefetch, self._discovery_prefetch = self._discovery_prefetch, None
        self._prefetch_start = None
        if prefetch is not None:
            prefetch[0].shutdown(wait=True, cancel_futures=True)

    def prepare_to_score(self) -> None:
        """Read the team's config and import what scoring a change needs, for a thread that would
        otherwise wait for a discovery process: the first ranked row then does not pay for them
        (ansible, cold: 0.2 s of the first score)."""
        import importlib

        try:
            _ = self.config
        except ReviewTuiError:
            return  # the analysis says why, where it always has
        for module in ("app.core.impact.assess", "app.core.impact.graph", "app.core.planner.builder",
                       "app.core.provenance.lines", "app.core.risk.likelihood"):
            importlib.import_module(module)

    def note_discovery(self, discovery: Discovery) -> None:
        """What a sibling found (the TUI's analysis worker), for pending_names; this analyzer still
        discovers on its own when asked to."""
        self._sibling_discovery = discovery

    def lend_discovery(self, to: Analyzer) -> None:
        """Give `to` (a change screen's analyzer) the discovery a sibling found for this one (the queue's worker:
        note_discovery), when it has none: the cached report and plan it shows then read their history figures
        without discovering every ref again (lazygit's 2,957 refs before pr/296's plan was on screen)."""
        if (self._sibling_discovery is not None and to._discovery is None and to.base == self.base
                and to.commit_range == self.commit_range):
            to.adopt_discovery(self._sibling_discovery)

    def adopt_discovery(self, discovery: Discovery) -> None:
        """Use `discovery` (found by a sibling on the same repository, base and scope) as this one's."""
        self._discovery = discovery

    def sibling(self) -> Analyzer:
        """A new Analyzer on the same repository, base, range and settings, sharing the cache: for
        another thread."""
        return Analyzer(self.repo_path, base=self.base, commit_range=self.commit_range, cache=self.cache,
                        config_path=self.config_path, merges=self.merges, first_parent=self.first_parent)

    def remote_names(self) -> frozenset[str]:
        """The names of the repository's remotes (from its remote-tracking refs: `GitRepo.ref_children`, one
        loose ref read per remote where the ref store's files answer, else a scan of every ref name), asked for
        every change's status, so read once and again only after refresh() or forget_refs()."""
        if self._remote_names is None:
            self._remote_names = self.repo.ref_children("refs/remotes/")
        return self._remote_names

    def pending_names(self) -> Container[str]:
        """Every name of every pending change, without remote prefixes (binding.change_names): which
        change a review record was given on. Read once per discovery (asked for every change's status),
        this analyzer's own or the one a sibling found (note_discovery)."""
        found = self._discovery if self._discovery is not None else self._sibling_discovery
        if found is None and self._one_discovery is not None:
            return _PendingNames(self)  # every pending change is found only when a record asks
        if found is None:  # never discovers for this: the TUI's own analyzer must not (its worker does)
            return frozenset()
        if self._pending_names is None or self._pending_names[0] is not found:
            from app.core.policy.binding import change_names

            remotes = self.remote_names()
            names = frozenset(name for change in found.changes for name in change_names(change, remotes))
            self._pending_names = (found, names)
        return self._pending_names[1]

    def forget_refs(self) -> None:
        """Refs may have moved (a fetch): what was read of them is read again when next asked."""
        self._remote_names = None
        self._pending_names = None

    def forget_base(self) -> None:
        """The base may have moved and its `.review-tui.toml` with it (a re-scan): the base commit, the
        team's config (policy, tiers, chunk sizes) and the refs are read again when next asked."""
        self.forget_refs()
        self._resolved_base = None
        self._config = None
        self._config_digest = None

    def refresh(self) -> Discovery:
        """Forget what was discovered (refs moved, the worktree changed) and look again."""
        self.forget_refs()
        self._discovery = None
        self._one_discovery = None
        self._resolved_base = None
        self._config = None
        self._config_digest = None
        self._histories = None
        self._spans_memo.clear()
        self._graphs.clear()
        self._range_start = None
        self._descends_memo.clear()
        self.repo = GitRepo(self.repo_path)
        return self.discovery

    def change(self, change_id: str) -> Change:
        """The change any of its names (id, alias, ref, or outside a range a commit id) refers to. With
        `one_change`, before any discovery, only what that change's verdicts read is discovered where that
        gives what the whole discovery gives (discovery.discover_one)."""
        if self._discovery is None and not self.commit_range and self.resolved_base:  # a bad base is said first
            refuse_naming_nothing(self.repo, change_id)  # by the names of the refs alone, before reading them
        if self.one_change and self._discovery is None and not self.commit_range:
            found = discover_one(self.repo, change_id, base=self.base, scope=self.queue_scope(), cache=self.cache,
                                 progress=self.discovery_progress)
            if found is not None:
                self._one_discovery = found
                return find_change(found, change_id, self.repo)
        return find_change(self.discovery, change_id, self.repo)

    def diff(self, change: Change, should_stop: Callable[[], bool] | None = None) -> list[FileDiff]:
        if self.repo.count_only is None:
            from app.core.planner.builder import environment_files

            self.repo.count_only = environment_files(self.config.chunks)
        if self.repo.not_diffed is None:
            self.repo.not_diffed = self._not_diffed()
        return change_diff(self.repo, change, should_stop)

    def _not_diffed(self) -> Callable[[str], bool]:
        """Whether the base's .gitattributes (every one of its tree, as the config reads them) mark a path `-diff`
        or `binary`: git diffs it as binary, and so does a change's diff (FileDiff.not_diffed). crush's pr/2058
        read 13,329 lines of recorded agent sessions (`internal/agent/testdata/**/*.yaml -diff`) that git
        counts as 52 binary files. The base's word, not the head's: a change does not hide its own lines."""
        from app.core.gitattributes import DIFF, Attributes

        attributes = Attributes(self._attribute_files(self.resolved_base[1]))
        if not any(name == DIFF for line in attributes.lines for name, _state in line.states):
            return lambda _path: False
        return lambda path: attributes.state(path, DIFF) is False

    @property
    def histories(self) -> ChangeHistory:
        """The history figures of the discovered changes, each as of its own past (analysis/history.py)."""
        if self._histories is None:
            from app.analysis.history import ChangeHistory

            found = self._found
            self._histories = ChangeHistory(self.repo, self.cache, found.base_commit, found.commit_range,
                                            found.changes)
        return self._histories

    # -- cache ------------------------------------------------------------------------------
    def _cache_key(self, change: Change) -> str | None:
        if change.kind == "worktree" or change.base is None:
            return None  # the working tree has no commit id to key on
        remerge = ":remerge" if change.remerge else ""  # the same merge diffed another way
        # a range's commit is measured on the graph at the range's start: another range, another graph
        graph = f":graph={self.range_start()}" if self.commit_range and change.kind == "commit" else ""
        # the graph's version too: a report keeps its blast radius, which a new graph version measures
        # otherwise (a docstring edit counted as a rewrite stayed in the cache after the fix)
        from app.core.impact import GRAPH_VERSION

        # Not the likelihood model: only the score depends on it, and _cached_reports scores a report
        # measured under another model again (the entry records the model it was scored by)
        return (f"{ANALYSIS_VERSION}.{ASSESSMENT_SCHEMA}.g{GRAPH_VERSION}:{self.config_digest}:"
                f"{change.base}:{change.head}{remerge}{graph}")

    @property
    def model_digest(self) -> str:
        """The likelihood model's identity, recorded with each cached report: one scored by another model
        (the repository's own fit replacing the defaults) is scored again before it is used."""
        if self._model_digest is None:
            import hashlib
            import json

            data = json.dumps(self.likelihood_model.to_json(), sort_keys=True, default=str)
            self._model_digest = hashlib.sha256(data.encode()).hexdigest()[:12]
        return self._model_digest

    def _cached_reports(self, changes: list[Change]) -> dict[str, ChangeReport]:
        """The cached complete reports of those changes that have one, by change id, in one read."""
        if self.cache is None:
            return {}
        keys = {change.id: key for change in changes if not change.error
                for key in [self._cache_key(change)] if key is not None}
        if not keys:
            return {}
        stored = self.cache.get_many("report", keys.values())
        found: dict[str, tuple[ChangeReport, dict[str, Any], list[str], str | None]] = {}
        for change in changes:
            data = stored.get(keys.get(change.id, ""))
            if data is None or not self._same_gap(change, data.get("missing")):
                continue
            try:
                inputs = dict(data["inputs"])
                found[change.id] = (ChangeReport(change, ChangeFigures(**data["figures"]),
                                                 Assessment.from_json(data["assessment"]), None, True),
                                    inputs, [str(p) for p in inputs["paths"]], data.get("model"))
            except (KeyError, TypeError, ValueError, AttributeError):
                continue  # an unreadable entry is a miss
        if not found:
            return {}
        # The history figures are not part of the key: those of the change's as-of commit now
        history = self.histories.current([(r.change, paths) for r, _, paths, _ in found.values()])
        out: dict[str, ChangeReport] = {}
        rescored: list[ChangeReport] = []
        for change_id, (report, inputs, _, model) in found.items():
            figures = history.get(change_id)
            assert report.assessment is not None
            # Nor is the likelihood model: after `calibrate` adopts the repository's own, a report is scored
            # again from its stored factors, not measured again (uv: a cold re-read of 2,019 changes, 181 s)
            if model == self.model_digest and _history_summary(figures) == report.assessment.history:
                out[change_id] = report
                continue
            again = self._rescored(report, inputs, figures)
            if again is not None:
                key = keys[change_id]
                self._new_missing[key] = list(stored[key].get("missing") or [])  # stored again with its gap
                out[change_id] = again
                rescored.append(again)
        self._store(rescored)
        return out

    def _rescored(self, report: ChangeReport, stored: dict[str, Any],
                  figures: HistoryFigures | None) -> ChangeReport | None:
        """A cached report scored again with other history figures (its diff, complexity and plan are
        those of its content, unchanged); None when its stored inputs do not fit."""
        from app.core.risk.score import RiskInputs, compute

        try:
            inputs = RiskInputs(**stored)
        except TypeError:
            return None
        _set_history(inputs, figures)
        risk = compute(inputs, self._likelihood(inputs), self.config.risk)
        assert report.assessment is not None
        assessment = dataclasses.replace(report.assessment, risk=_risk_summary(risk),
                                         history=_history_summary(figures))
        key = self._cache_key(report.change)
        if key is not None:
            self._new_inputs[key] = dataclasses.asdict(inputs)
        return ChangeReport(report.change, report.figures, assessment, None, True)

    def cached_report(self, change: Change) -> ChangeReport | None:
        return self._cached_reports([change]).get(change.id)

    def _plan_key(self, change: Change, order: str) -> str | None:
        key = self._cache_key(change)
        return None if key is None else f"{key}:{order}"

    def _same_gap(self, change: Change, missing: object) -> bool:
        """Whether a cached entry (a report, its parts) measured what this clone holds of the change. One measured
        without some blobs (a partial clone, a mirror lacking objects) records their ids (`missing`): it stands
        while none of them is here, and a fetch that brings one makes the change measured again (re-diffing such a
        change on every run made lazygit's warm list take two minutes). In a partial clone that lacks a blob of the
        diff, an entry stands only when it knew of every blob this clone lacks: a full clone's report sharing the
        cache would hide that this clone cannot show the content (and `check` refuses it)."""
        recorded = [str(blob) for blob in missing] if isinstance(missing, list) else []
        if recorded and len(self.repo.missing_objects(recorded)) < len(recorded):
            return False
        if not self._lacks_content(change):
            return True
        assert change.base is not None  # _lacks_content
        lacking = self.repo.blobs_missing(change.base, change.head)
        return bool(recorded) and lacking is not None and lacking <= set(recorded)

    def _missing_blobs(self, files: list[FileDiff]) -> list[str]:
        """The blobs of the files whose content could not be read that the object database lacks."""
        wanted = {blob for fd in files if fd.problem for blob in (fd.old_blob, fd.new_blob) if blob}
        return sorted(self.repo.missing_objects(wanted))

    def _lacks_content(self, change: Change) -> bool:
        """Whether this partial clone lacks a blob the change's diff reads: what a shared cache holds of
        it (a full clone's report or plan) is then not what this clone can show."""
        if not self.repo.is_partial_clone or not change.base or change.kind == "worktree":
            return False
        return self.repo.lacks_blobs(change.base, change.head)

    def cached_plan(self, change: Change, order: str = "risk") -> ReviewPlan | None:
        """The review plan of a complete analysis of this change's content under these rules, when one
        was built before (the plan depends only on what the report key names, and the order)."""
        key = self._plan_key(change, order)
        if key is None or self.cache is None or change.error:
            return None
        data = self.cache.get("plan", key)
        # a plan of content this clone lacks stands, as its report does, while the same blobs are missing
        if not isinstance(data, dict) or not self._same_gap(change, data.get("missing")):
            return None
        from app.core.planner.model import ReviewPlan

        try:
            return ReviewPlan.from_dict(data)
        except (ValueError, TypeError, KeyError):
            return None  # an unreadable entry is a miss

    def _cached_parts(self, change: Change) -> tuple[TierAssessment | None, BlastRadius | None]:
        """The tiers (destructive operations found by parsing every file version) and the blast radius
        of a complete analysis of this change's content, kept with its report: opening a change again
        does not parse its files again (3 and 2 s of a 1,452-file change). (None, None) on a miss."""
        key = self._cache_key(change)
        data = self.cache.get("parts", key) if key is not None and self.cache is not None else None
        if not isinstance(data, dict) or not self._same_gap(change, data.get("missing")):
            return None, None
        from app.core.impact.assess import TierAssessment
        from app.core.impact.graph import BlastRadius

        try:
            return TierAssessment.from_dict(data["tiers"]), BlastRadius.from_cache(data["blast"])
        except (ValueError, TypeError, KeyError, IndexError):
            return None, None  # an unreadable entry is a miss

    def change_plan(self, change: Change, order: str = "risk") -> ChangePlan | None:
        """The change's cached report and plan with its commits' AI signals (no diff read), or None
        when either is not cached: what a screen can show before the full detail is loaded."""
        plan = self.cached_plan(change, order)
        report = self.cached_report(change) if plan is not None else None
        if plan is None or report is None:
            return None
        from app.core.provenance.commits import commit_signals

        ai = self.config.ai
        return ChangePlan(report, plan, {c.id: commit_signals(c, ai) for c in change.commits})

    def _store(self, reports: list[ChangeReport], *, every_plan: bool = True) -> None:
        """Cache the complete, error-free reports, in one transaction. `every_plan` False (a batch of a
        running pass): only these reports' plans; those a first pass built for changes still to be
        completed stay for the completing pass to take (`_complete_plan`)."""
        if self.cache is None:
            return
        entries: dict[str, Any] = {}
        parts: dict[str, Any] = {}
        for report in reports:
            key = self._cache_key(report.change)
            # A file that could not be read (a partial clone's missing blob) may be fetched later: such a
            # report is kept with the ids of the blobs it lacked, and stands only while they are missing
            # (_same_gap). A graph build that failed may succeed next time: that report is not kept.
            inputs = self._new_inputs.pop(key, None) if key else None
            missing = self._new_missing.pop(key, None) if key else None
            if (key and inputs is not None and report.complete and report.error is None
                    and report.assessment is not None and (missing or not report.assessment.file_problems)
                    and not any(state.failed for state in self._graphs.values())):
                figures = {name: getattr(report.figures, name) for name in report.figures.__slots__}
                gap = {"missing": missing} if report.assessment.file_problems else {}
                entries[key] = {"figures": figures, "assessment": report.assessment.to_json(), "inputs": inputs,
                                "model": self.model_digest, **gap}
                if key in self._new_parts:
                    parts[key] = {**self._new_parts[key], **gap}
            if key:
                self._new_parts.pop(key, None)
        if entries:
            self.cache.put_many("report", entries)
        if parts:
            self.cache.put_many("parts", parts)
        if self._histories is not None:
            self._histories.flush()
        if self._new_plans:
            self._store_plans(self.cache, None if every_plan else reports)

    def _store_plans(self, cache: AnalysisCache, reports: list[ChangeReport] | None) -> None:
        """Cache the plans built, or (`reports` given) those of these reports alone."""
        stored = None if reports is None else {key for report in reports if (key := self._cache_key(report.change))}
        plans = {key: plan for key, plan in self._new_plans.items()
                 if stored is None or key.rpartition(":")[0] in stored}
        gaps = {key: self._new_plan_gaps.pop(key) for key in plans if key in self._new_plan_gaps}
        for key in plans:
            del self._new_plans[key]
        cache.put_many("plan", {key: {**plan.to_dict(), **({"missing": gaps[key]} if key in gaps else {})}
                                for key, plan in plans.items()})

    # -- metrics ----------------------------------------------------------------------------
    def _wanted(self, files: list[FileDiff]) -> dict[str, str]:
        """blob id -> path of every old/new blob of `files` that an analyzer covers."""
        from app.core.metrics import complexity as cx

        wanted: dict[str, str] = {}
        for fd in files:
            if not fd.text_read:  # binary, or other projects' code (a committed venv): not this change's complexity
                continue
            for blob, path in ((fd.old_blob, fd.old_path), (fd.new_blob, fd.new_path)):
                if blob and path and cx.analyzer_for(path) != cx.ANALYZER_SIZE:
                    wanted.setdefault(blob, path)
        return wanted

    def _known_metrics(self, blobs: list[str]) -> dict[str, cx.FileMetrics]:
        """Metrics of those blobs measured before: from this analyzer's memo, else the cache (one read)."""
        from app.core.metrics import complexity as cx

        found = {b: self._metrics_memo[b] for b in blobs if b in self._metrics_memo}
        missing = [b for b in blobs if b not in found]
        if self.cache is not None and missing:
            tag = cx.cache_tag(self.config.complexity.max_file_bytes, maintainability=False)
            for key, value in self.cache.get_many("metrics", [f"{tag}:{b}" for b in missing]).items():
                try:
                    found[key.rsplit(":", 1)[-1]] = cx.FileMetrics.from_dict(value)
                except ValueError:
                    pass  # a malformed entry is measured again
            self._metrics_memo.update(found)
        return found

    def _start_measuring(self, wanted: dict[str, str], should_stop: Callable[[], bool] | None = None,
                         offering: _Offering | None = None) -> Measurement:
        complexity = self.config.complexity
        return Measurement(self.repo_path, wanted, self._pool_workers(), complexity.max_file_bytes, should_stop,
                           maintainability=self.measure_maintainability, offered=offering)

    def _keep_metrics(self, measured: dict[str, cx.FileMetrics]) -> None:
        from dataclasses import replace

        from app.core.metrics import complexity as cx

        if self.measure_maintainability:
            self._keep_maintainability({b: m.maintainability for b, m in measured.items()
                                        if m.language == "python"})
            measured = {b: replace(m, maintainability=None) if m.maintainability is not None else m
                        for b, m in measured.items()}
        self._metrics_memo.update(measured)
        if self.cache is not None and measured:
            tag = cx.cache_tag(self.config.complexity.max_file_bytes, maintainability=False)
            self.cache.put_many("metrics", {f"{tag}:{b}": m.to_dict() for b, m in measured.items()})

    def _maintainability_tag(self) -> str:
        from app.core.metrics import complexity as cx

        return cx.cache_tag(self.config.complexity.max_file_bytes) + ":mi"

    def _keep_maintainability(self, measured: dict[str, float | None]) -> None:
        self._maintainability_memo.update(measured)
        if self.cache is not None and measured:
            tag = self._maintainability_tag()
            self.cache.put_many("mi", {f"{tag}:{b}": {"mi": v} for b, v in measured.items()})

    def _begin_metrics(self, files: list[FileDiff], *,
                       measure: bool) -> tuple[dict[str, cx.FileMetrics], Measurement | None]:
        """The metrics the memo or cache has of every old/new blob of `files` that an analyzer covers,
        and the measurement started of the others (None: nothing to measure, or `measure` is False)."""
        wanted = self._wanted(files)
        found = self._known_metrics(list(wanted))
        missing = {b: p for b, p in wanted.items() if b not in found}
        return found, (self._start_measuring(missing) if missing and measure else None)

    def _end_metrics(self, found: dict[str, cx.FileMetrics],
                     measurement: Measurement | None) -> dict[str, cx.FileMetrics]:
        if measurement is not None:
            measured = measurement.wait()
            self._keep_metrics(measurement.rememberable())
            found.update(measured)
        return found

    def _blob_or_empty(self, blob: str) -> bytes:
        try:
            return self.repo.blob(blob)
        except ReviewTuiError:
            return b""

    def _complexity(self, files: list[FileDiff], metrics: dict[str, cx.FileMetrics]) -> dict[str, cx.FileComplexity]:
        from app.core.metrics import complexity as cx

        out: dict[str, cx.FileComplexity] = {}
        for fd in files:
            if not fd.text_read or not fd.path or cx.analyzer_for(fd.path) == cx.ANALYZER_SIZE:
                continue
            old = metrics.get(fd.old_blob) if fd.old_blob else None
            new = metrics.get(fd.new_blob) if fd.new_blob else None
            if (fd.old_blob and old is None) or (fd.new_blob and new is None):
                continue  # not measured yet
            old, new = self._same_analyzer(fd, old, new)
            touched = fd.added_line_numbers()
            out[fd.path] = cx.compare(fd.path, old, new, touched_lines=touched,
                                      test_regions=self._test_regions(fd.path, fd.new_blob, fd.new_size))
        return out

    def _source_of(self, files: list[FileDiff]) -> Callable[[str, bool], str | None]:
        """A changed file's old or new text by its (new) path, for matching moved functions by their text."""
        from app.core.git.diff import decode_text

        by_path = {fd.path: fd for fd in files}

        def source(path: str, old: bool) -> str | None:
            fd = by_path.get(path)
            blob = None if fd is None else fd.old_blob if old else fd.new_blob
            return decode_text(self._blob_or_empty(blob)) if blob else None

        return source

    def _inline_test_lines(self, files: list[FileDiff]) -> dict[str, int]:
        """path -> the changed lines of the file inside the tests it holds (Rust's #[cfg(test)] module)."""
        from app.core.metrics.spans import test_line_count

        out: dict[str, int] = {}
        for fd in files:
            new = self._test_regions(fd.path, fd.new_blob, fd.new_size)
            old = self._test_regions(fd.old_path or fd.path, fd.old_blob, fd.old_size)
            count = test_line_count(((line.origin, line.old_lineno, line.new_lineno)
                                     for hunk in fd.hunks for line in hunk.lines), old, new)
            if count:
                out[fd.path] = count
        return out

    def _test_regions(self, path: str, blob: str | None, size: int) -> tuple[tuple[int, int], ...]:
        """The tests one version of a source file holds inside it (spans.test_regions; () for most files)."""
        if self._in_file_tests is None:
            from app.core.metrics.spans import InFileTests

            self._in_file_tests = InFileTests(self._blob_or_empty)
        return self._in_file_tests.regions(path, blob, size)

    # -- blast radius -------------------------------------------------------------------------
    # Which symbols a change alters comes from its own two versions of each file (`_blast`). Their
    # callers are looked up in the dependency graph of a commit in its past: the base tip for a branch
    # (the code it merges into), a lone commit's own parent, and for the commits of a range the range's
    # start (one graph for all, and none of them sees code written after it). A graph at each range
    # commit's own parent costs 0.6 s per commit on ansible even with every file summary cached.
    def graph_commit(self, change: Change | None = None) -> str | None:
        """The commit whose dependency graph measures `change` (None: no graph can, said in its notes);
        without a change, the base's."""
        if change is None or change.kind not in ("commit",):
            return self._found.base_commit or None
        if change.base is None:
            return None
        if not self.commit_range:
            return change.base
        start = self.range_start()
        if change.base not in self._descends_memo:
            ancestry = self.histories.range_ancestry()  # one walk of the range, shared with the history
            self._descends_memo[change.base] = (ancestry.descends(change.base) if ancestry is not None
                                                else change.base == start or self.repo.is_ancestor(start, change.base))
        return start if self._descends_memo[change.base] else None

    def range_start(self) -> str:
        """The resolved start (A) of the range A..B."""
        if self._range_start is None:
            assert self.commit_range is not None
            self._range_start = self.repo.resolve_commit(parse_range(self.commit_range)[0])
        return self._range_start

    def _graph_key(self, commit: str | None = None) -> str | None:
        from app.core.impact.graph import GRAPH_VERSION

        base = commit or self._found.base_commit
        return f"{GRAPH_VERSION}:{base}" if base else None

    def start_graph(self, commit: str | None = None, demand: int | None = None) -> None:
        """Begin building (or reading from the cache) the dependency graph at `commit` (default: the base).
        `demand`: how many of its files the changes that want it touch (`_graph_demand`): a graph of
        many times more files is read only as far as their blast radius needs (LAZY_GRAPH_SHARE)."""
        commit = commit or self._found.base_commit or ""
        if commit in self._graphs:
            return
        state = self._graphs[commit] = _GraphState()
        key = self._graph_key(commit)
        if key is None:
            state.note = "no base commit: blast radius not measured"
            return
        cached = self.cache.get("graph", key) if self.cache is not None else None
        if cached is not None:
            from app.core.impact.graph import Graph

            try:
                state.graph = Graph.from_dict(cached)
                return
            except (KeyError, TypeError, ValueError):
                pass  # an unreadable entry is a miss
        graph_workers = self._pool_workers()  # [complexity] workers = 0: read in this process, no worker started
        state.build = _GraphBuild(self.repo_path, commit, graph_workers, self.cache,
                                  demand, self._offering, self._graph_offers.pop(commit, None))

    def _offer_graph_parts(self, pending: list[Change]) -> None:
        """For a pass of a few changes (whose graphs are read lazily where they touch few of its files), offer
        the reading of each graph's names (`_lazy_parts_in_worker`) to the pool before the changes are diffed:
        the pool's first task. Offered from the graph's thread once they were diffed, it came behind the
        history index, the parses and the measuring, and the blast radius, asked right after, took it back:
        a one-pull-request `list` on ansible read and indexed 1,555 files (0.5 s) on this process's lock.
        A graph read whole drops it (`_EarlyParts.drop`). Only where the pool is started already (a first run's,
        `start_workers_if_first_run`): starting it here would hold the diffs, and the queue's first row, for it."""
        from app.core.impact.graph import GRAPH_SUFFIXES, graph_entries
        from app.core.workers import offer, started_pool

        if self.commit_range or not pending or len(pending) > LAZY_GRAPH_CHANGES:
            return
        pool = started_pool(self._pool_workers())
        if pool is None:
            return
        for change in pending:
            commit = self.graph_commit(change) if not change.error and change.kind != "worktree" else None
            key = self._graph_key(commit) if commit else None
            if commit is None or key is None or commit in self._graphs or commit in self._graph_offers:
                continue
            if self.cache is not None and self.cache.has_any("graph", [key]):
                continue  # read from the cache whole
            entries = graph_entries(self.repo.tree_blobs(commit, GRAPH_SUFFIXES))
            if len(entries) >= LAZY_GRAPH_MIN_FILES:
                self._graph_offers[commit] = _EarlyParts(entries, offer(pool, _lazy_parts_in_worker,
                                                                        self.repo_path, entries))

    def _drop_graph_offers(self) -> None:
        """The early readings no graph of the pass took (stopped before it started one)."""
        offers, self._graph_offers = self._graph_offers, {}
        for early in offers.values():
            early.drop()

    @staticmethod
    def _graph_demand(prepared: Iterable[_Prepared]) -> int:
        """How many files a graph's blast radius reads for these changes: their Python and import-level paths."""
        from app.core.impact.graph import IMPORT_LEVEL_SUFFIXES, PY_SUFFIXES

        return len({path for prep in prepared for path in prep.file_paths
                    if path.endswith(PY_SUFFIXES + IMPORT_LEVEL_SUFFIXES)})

    def graph(self, commit: str | None = None, *, wait: bool = True) -> Graph | None:
        """The dependency graph at `commit` (default: the base); None while it is still being built
        (wait=False) or when it could not be built (`graph_note` says why). A pass that decides how to
        read a graph once its changes are diffed (`_graphs_deferred`) has none started before."""
        commit = commit or self._found.base_commit or ""
        if not wait and self._graphs_deferred and commit not in self._graphs:
            return None
        self.start_graph(commit)
        state = self._graphs[commit]
        build = state.build
        if state.graph is None and build is not None and build.wait(None if wait else 0):
            state.graph, state.build = build.graph, None
            if build.error:
                state.note = build.error
            state.failed = build.failed
            key = self._graph_key(commit)
            if state.graph is not None and state.graph.whole and self.cache is not None and key is not None:
                self.cache.put("graph", key, state.graph.to_dict())  # a graph read in part is no commit's
        return state.graph

    def graph_note(self, commit: str | None = None) -> str | None:
        """Why the graph at `commit` (default: the base) is not there, once that is known."""
        state = self._graphs.get(commit or self._found.base_commit or "")
        return state.note if state is not None else None

    @property
    def _graph_note(self) -> str | None:
        return self.graph_note()

    def _graph_settled(self) -> bool:
        return all(state.graph is not None or state.note is not None for state in self._graphs.values())

    def _outside_range_graph(self, change: Change, graph_commit: str | None) -> bool:
        """Whether no graph measures this commit of a range: it does not descend from the range's start."""
        return graph_commit is None and change.kind == "commit" and bool(change.base) and bool(self.commit_range)

    def _blast(self, prep: _Prepared, *, wait: bool) -> BlastRadius | None:
        """The change's blast radius and seams, or None while the graph is not ready."""
        from app.core.impact.destructive.scan import blob_reader
        from app.core.impact.graph import (
            IMPORT_LEVEL_SUFFIXES,
            MAX_FILE_BYTES,
            PY_SUFFIXES,
            RUST_SUFFIXES,
            BlastRadius,
            blast_radius,
            tests_in_change,
        )

        commit = self.graph_commit(prep.change)
        if self._outside_range_graph(prep.change, commit):
            return BlastRadius(notes=[f"blast radius not measured: {prep.change.id} does not descend from the "
                                      f"range's start {self.range_start()[:10]} (its graph would be another's)"])
        graph = self.graph(commit, wait=wait)
        if graph is None:
            note = self.graph_note(commit)
            return None if note is None else BlastRadius(notes=[note])
        read = blob_reader(self._blob_or_empty, self.repo.workdir_file if prep.change.kind == "worktree" else None)
        # Vendored third-party code is none of the project's seams (a library bump's 172 "untested seams")
        vendored = self._vendored(prep)
        # A generator: one file's new content in memory at a time (a release's files read at once held 80 MB).
        changes = (
            (fd.old_path, fd.new_path, read(fd, "new"),
             read(fd, "old") if fd.old_path.endswith((*PY_SUFFIXES, *RUST_SUFFIXES, ".cs", ".java", ".rb")) else None)
            for fd in prep.files
            if fd.old_path and fd.text_read and fd.old_path.endswith(PY_SUFFIXES + IMPORT_LEVEL_SUFFIXES)
            # a file read at import level is its whole interface: one whose lines and path stay (a mode change:
            # fineract's pr/3600 made 3,444 files executable) changes nothing its importers use
            and (fd.hunks or fd.new_path != fd.old_path or fd.old_path.endswith(PY_SUFFIXES))
            and not (vendored(fd.old_path) and vendored(fd.new_path or fd.old_path))
            and max(fd.old_size, fd.new_size) <= MAX_FILE_BYTES)  # larger: generated, the graph skips it too
        return blast_radius(graph, changes, tests_in_change(graph, self._own_tests(prep, read, vendored)))

    @staticmethod
    def _own_tests(prep: _Prepared, read: Reader, vendored: Vendored) -> list[FileSummary]:
        """The head versions of the test files the change adds or edits: they test what it changes too (the
        graph is the base's)."""
        from app.core.impact.graph import (
            IMPORT_LEVEL_SUFFIXES,
            MAX_FILE_BYTES,
            PY_SUFFIXES,
            is_test_path,
            own_test_summary,
        )

        # A Python one remembered per content, or taken over from the offering's worker (_Offering.own_test_sides)
        return [summary for fd in prep.files
                if fd.new_path and fd.text_read and is_test_path(fd.new_path) and not vendored(fd.new_path)
                and fd.new_path.endswith(PY_SUFFIXES + IMPORT_LEVEL_SUFFIXES) and fd.new_size <= MAX_FILE_BYTES
                and (summary := own_test_summary(fd.new_path, read(fd, "new") or b"")) is not None]

    def _neighbours(self, change: Change) -> Callable[[str], list[tuple[str, str]]] | None:
        """A directory's .tf files at the change's head (a .tfvars value is judged by what counts by it);
        None for the working tree, whose files are not a commit's."""
        if change.kind == "worktree":
            return None
        repo, head = self.repo, change.head
        return lambda directory: [(path, data.decode("utf-8", "replace"))
                                  for path, data in repo.directory_files(head, directory, (".tf",))]

    def _directory_hint(self, change: Change) -> Callable[[str], str | None] | None:
        """A default-tier code file's hint about its directory at the change's head (assess.directory_hint), kept
        per directory tree for the run: pull requests change the same files of the same directories. None for the
        working tree, whose files are not a commit's."""
        from app.core.impact.assess import directory_hint
        from app.core.risk.score import is_code_path, is_test_path

        if change.kind == "worktree":
            return None
        repo, head, tiers, memo = self.repo, change.head, self.config.tiers, self._directory_hints

        def hint(path: str) -> str | None:
            if not is_code_path(path) or is_test_path(path) or "/" not in path:
                return None
            listing = repo.directory_listing(head, path.rsplit("/", 1)[0])
            if listing is None:
                return None
            key = (listing[0], path)
            if key not in memo:
                code = [p for p in listing[1] if is_code_path(p) and not is_test_path(p)]
                memo[key] = directory_hint(path, code, tiers) if path in code else None
            return memo[key]
        return hint

    def _base_files(self, change: Change) -> Callable[[str, tuple[str, ...]], list[tuple[str, str]]] | None:
        """A directory's files at the change's base, by suffix (a Liquibase modifyDataType is judged against the type
        the changelogs beside it gave the column); None without a base commit."""
        if change.base is None:
            return None
        repo, base = self.repo, change.base
        return lambda directory, suffixes: [
            (path, data.decode("utf-8", "replace"))
            for path, data in repo.directory_files(base, directory, suffixes, max_bytes=MAX_CHANGELOG_BYTES,
                                                   limit=1_000)]

    def _reader(self, change: Change) -> Reader:
        from app.core.impact.destructive.scan import blob_reader

        return blob_reader(self.repo.blob, self.repo.workdir_file if change.kind == "worktree" else None)
    def _same_analyzer(self, fd: FileDiff, old: cx.FileMetrics | None,
                       new: cx.FileMetrics | None) -> tuple[cx.FileMetrics | None, cx.FileMetrics | None]:
        """Both versions measured alike. When one version of a Python file does not parse under this
        interpreter (lizard measured it) and the other does (radon), the parseable one is measured
        with lizard too: mixing the two would count every function whose figure differs by analyzer
        as changed, and name mismatches as new."""
        from app.core.metrics import complexity as cx

        if old is None or new is None or old.analyzer == new.analyzer or old.language != "python":
            return old, new
        if old.analyzer == cx.ANALYZER_RADON and old.error is None and fd.old_blob:
            old = self._lizard_python(fd.old_blob)
        elif new.analyzer == cx.ANALYZER_RADON and new.error is None and fd.new_blob:
            new = self._lizard_python(fd.new_blob)
        return old, new

    def _lizard_python(self, blob: str) -> cx.FileMetrics:
        from app.core.metrics import complexity as cx

        key = f"lizard-python:{blob}"
        if key not in self._metrics_memo:
            data = self._blob_or_empty(blob)
            self._metrics_memo[key] = cx.python_by_lizard(data.decode("utf-8", "replace"),
                                                          "version measured alike for comparison")
        return self._metrics_memo[key]

    # -- analysis ---------------------------------------------------------------------------
    def _prepare(self, change: Change, files: list[FileDiff] | None = None,
                 should_stop: Callable[[], bool] | None = None) -> _Prepared:
        """Read one change: its diff (unless given), and the blobs whose complexity it needs."""
        files = self.diff(change, should_stop) if files is None else files
        return _Prepared(change, files, ChangeFigures.from_diff(files), self._wanted(files))

    def _assess(self, prep: _Prepared, *, with_history: bool = True) -> None:
        """The complexity-free factors of a prepared change: tiers, provenance, history (unless
        `with_history` is False: a first, pending score that does not wait for the history index)."""
        from app.core.impact.assess import assess
        from app.core.provenance.lines import analyze_provenance

        self._read_again(prep)
        cfg = self.config
        change, files = prep.change, prep.files
        if prep.tiers is None:  # else read from the cache with the change's report (_cached_parts)
            prep.tiers = assess(files, cfg.tiers, read=self._reader(change), neighbours=self._neighbours(change),
                                base_files=self._base_files(change),
                                vendored=self._vendored(prep), dev_only=self._dependency_bump(prep).dev_only,
                                hint=self._directory_hint(change))
        prep.provenance = analyze_provenance(self.repo, change.commits, files, base=change.base, head=change.head,
                                             ref=change.ref, config=cfg.ai,
                                             older_evidence=self._older_evidence(change), alias_refs=change.alias_refs)
        if with_history:
            self._add_history(prep)

    def _read_again(self, prep: _Prepared) -> None:
        """The diff of a change that gave it back (HELD_LINES), read again."""
        if prep.released:
            prep.files, prep.released = self.diff(prep.change), False

    def _add_history(self, prep: _Prepared) -> None:
        prep.history = self.histories.figures(prep.change, self._history_paths(prep))

    def _history_paths(self, prep: _Prepared) -> list[str]:
        """The paths whose history a change's history, authors and experience count: its own, not its vendored
        trees' (`_vendored`), as code size leaves them out (`_by_hand`): lazygit's bump of golang.org/x/net read
        "author changed these files 164 times before" from go.mod's and 125 vendored files' pasts. Nor lock files,
        generated files or translation catalogues (`without_history`, as calibration counts them). A change whose
        diff was given back (`release`) is judged by its paths alone."""
        from app.core.planner.builder import without_history

        if prep.vendored is not None or not prep.released:
            vendored = self._vendored(prep)
        else:
            vendored = self._find_vendored(prep.change, prep.file_paths)
        chunks = self.config.chunks
        return [path for path in prep.file_paths if not vendored(path) and not without_history(path, chunks)]

    def _older_evidence(self, change: Change) -> Callable[[], bool] | None:
        """For provenance: whether a commit older than this change's base could make one of its lines
        AI-written. Answered for the discovery base (whose history holds every change's base), once
        per base and config and kept in the cache; None where that does not cover the change."""
        if change.kind == "worktree" or change.base is None or len(change.commits) >= COMMITS_LISTED:
            return None
        base = self._found.base_commit

        def answer() -> bool:
            if not self.repo.is_ancestor(str(change.base), base):
                return True  # the change's base is not in the history that was checked
            if base not in self._older_evidence_memo:
                known = self._cached_older_evidence(base)
                if known is None:
                    known = self._ancestors_have_ai_evidence(base)
                    if self.cache is not None:
                        self.cache.put("ai-history", f"{self.config_digest}:{base}", {"evidence": known})
                self._older_evidence_memo[base] = known
            return self._older_evidence_memo[base]

        return answer

    def _cached_older_evidence(self, base: str) -> bool | None:
        cached = self.cache.get("ai-history", f"{self.config_digest}:{base}") if self.cache is not None else None
        return cached["evidence"] if isinstance(cached, dict) and isinstance(cached.get("evidence"), bool) else None

    def _offer_older_evidence(self, pending: list[Change]) -> None:
        """Start the walk behind _older_evidence in a worker process, when a pending change will ask and
        neither the memo nor the cache knows: a walk of the base's whole history (ansible: 1.1 s alone,
        2.5-3 s on the analysis thread beside everything else it competes with for the GIL), which ran
        on the cold `list`'s critical path."""
        from app.core.provenance.lines import is_whole_chain
        from app.core.workers import shared_pool

        base = self._found.base_commit
        if base in self._older_evidence_memo or base in self._older_evidence_offers:
            return
        # Provenance asks only for a change whose commits are not one line from its base (see _line_level).
        if not any(self._older_evidence(change) is not None
                   and not is_whole_chain(change.commits, base=change.base, head=change.head) for change in pending):
            return
        if self._cached_older_evidence(base) is not None:
            return
        yes, clean = self._earlier_ai_evidence(base)
        if yes or clean is not None:
            return  # an earlier tip's answer: at most the commits since it are read, in process (a fetch)
        pool = shared_pool(self._pool_workers())
        if pool is not None:
            self._older_evidence_offers[base] = pool.submit(_ancestors_evidence_in_worker, self.repo_path, base,
                                                            self.config.ai, None)

    def _ancestors_have_ai_evidence(self, base: str) -> bool:
        """ancestors_have_ai_evidence for the base: the answer of the worker walking for it, if one
        is (_offer_older_evidence); else from the answer cached for an earlier tip of its branch where
        there is one (the base before a fetch): yes stays yes, and after a no only the commits since
        are read (ansible: 1.1 s for its 54,000 commits at every fetch, otherwise)."""
        from app.core.memo import take_over
        from app.core.provenance.lines import ancestors_have_ai_evidence

        offered = self._older_evidence_offers.pop(base, None)
        if offered is not None:
            return take_over(offered, lambda: self._ancestors_have_ai_evidence(base))
        yes, clean = self._earlier_ai_evidence(base)
        return yes or ancestors_have_ai_evidence(self.repo, base, self.config.ai, clean=clean)

    def _earlier_ai_evidence(self, base: str) -> tuple[bool, str | None]:
        """From the answers cached for the base's earlier tips: (True, None) when the newest of them
        says yes; else (False, that tip), whose history is known to have no evidence; (False, None)
        when none is cached."""
        from app.analysis.history import EARLIER_TIPS

        if self.cache is None:
            return False, None
        tips = {f"{self.config_digest}:{tip}": tip for tip in self.repo.first_parents(base, EARLIER_TIPS)}
        known = self.cache.get_many("ai-history", tips)
        for key, tip in tips.items():
            answer = known.get(key)
            if isinstance(answer, dict) and isinstance(answer.get("evidence"), bool):
                return (True, None) if answer["evidence"] else (False, tip)
        return False, None

    def _finish(self, prep: _Prepared, metrics: dict[str, cx.FileMetrics], *, order: str = "risk",
                wait_graph: bool = True, known_plan: ReviewPlan | None = None) -> ChangeDetail:
        """Score and plan a prepared change with the metrics at hand (complete when all are there).
        `known_plan`: the cached plan of this change's complete analysis, used instead of building it."""
        from app.core.metrics import complexity as cx
        from app.core.provenance.commits import commit_signals
        from app.core.risk.score import compute

        if prep.tiers is None or prep.provenance is None:
            self._assess(prep)
        assert prep.tiers is not None and prep.provenance is not None
        change, files, tiers, prov, figures = prep.change, prep.files, prep.tiers, prep.provenance, prep.figures
        cfg = self.config
        complexity = self._complexity(files, metrics)
        measurable = [fd for fd in files if fd.text_read and fd.path and cx.analyzer_for(fd.path) != cx.ANALYZER_SIZE]
        if prep.blast is None:
            prep.blast = self._blast(prep, wait=wait_graph)
        blast = prep.blast
        complete = all(fd.path in complexity for fd in measurable) and blast is not None
        by_hand, complexity = _by_hand(files, complexity, cfg.chunks, tiers.file_tiers, self._absent_at(change.base),
                                       self._own_code(change), self.repo.blob)
        cx.credit_moves(complexity, self._source_of(by_hand))  # functions moved or renamed are not new (QA58 F3)
        from app.core.risk.score import is_test_path

        # of the code, as the complexity factor beside it counts (QA48 #10: a test named as the worst function)
        worst = max((c.worst for path, c in complexity.items() if c.worst and not is_test_path(path)),
                    key=lambda f: f.complexity, default=None)
        inputs = _risk_inputs(prep, tiers, prov, complexity, worst, by_hand, self._inline_test_lines(by_hand))
        bump = self._dependency_bump(prep)
        inputs.dependencies = [change.to_list() for change in bump.direct]
        inputs.dependencies_locked = len(bump.locked)
        inputs.dependencies_locked_dev = bump.locked_dev()
        inputs.dependencies_named = [change.to_list() for change in bump.named()]  # a lock-only bump's, named
        inputs.dependencies_unread = list(map(list, bump.unread))
        risk = compute(inputs, self._likelihood(inputs), cfg.risk)
        key = self._cache_key(change) if complete else None
        if key is not None:
            self._keep_for_cache(key, prep, inputs)
        if complete:
            plan = self._complete_plan(prep, complexity, order, known_plan)
        else:
            plan = self._plan(prep, complexity, order)
        worst_path = next((p for p, c in complexity.items() if c.worst is worst), None) if worst else None
        complexity_summary = ComplexitySummary(
            inputs.complexity_added, not complete,
            WorstFunction(worst.name, worst_path, worst.grade, worst.complexity) if worst else None,
            {p: _complexity_note(c.error, is_test_path(p)) for p, c in complexity.items() if c.error},
            measured=inputs.complexity_known, credited=inputs.complexity_credited)
        assessment = _assessment(risk, tiers, prov, complexity_summary, plan, prep.history, blast,
                                 split_seconds=cfg.chunks.split_hours * 3600)
        if any(fd.problem for fd in files):
            assessment = dataclasses.replace(
                assessment, file_problems={fd.path: fd.problem for fd in files if fd.problem})
        report = ChangeReport(change, figures, assessment, None, complete)
        signals = {c.id: commit_signals(c, cfg.ai) for c in change.commits}
        return ChangeDetail(report, files, tiers, prov, complexity, risk, plan, signals)

    def _keep_for_cache(self, key: str, prep: _Prepared, inputs: RiskInputs) -> None:
        """What `_store` keeps with a complete report: its risk inputs (rescored apart), the blobs its diff lacked,
        and its tiers and blast radius unless they came from the cache."""
        self._new_inputs[key] = dataclasses.asdict(inputs)
        if any(fd.problem for fd in prep.files):
            self._new_missing[key] = self._missing_blobs(prep.files)
        if not prep.parts_cached:
            assert prep.tiers is not None and prep.blast is not None  # complete
            self._new_parts[key] = {"tiers": prep.tiers.to_dict(), "blast": prep.blast.to_cache()}

    @property
    def likelihood_model(self) -> LikelihoodModel:
        """The model that ranks this repository's changes: its own, when `review-tui calibrate` found
        it beats the defaults and stored it (app/storage/models.py; a stale one is ignored), else the
        built-in defaults fitted on public histories (app/core/risk/likelihood.py)."""
        if self._likelihood_model is None:
            from app.core.risk.likelihood import default_model

            self._likelihood_model = self._stored_model() or default_model()
        return self._likelihood_model

    def _stored_model(self) -> LikelihoodModel | None:
        from app import paths
        from app.storage.models import stored_model

        path = paths.models_path()
        if not path.exists():
            return None  # nothing calibrated: no repository key needed
        try:
            key = self.repo_key
        except ReviewTuiError:
            return None
        return stored_model(path, key)

    @property
    def track_record(self) -> TrackRecordRun | None:
        """The AI track record of this repository's latest `review-tui calibrate` run (models.db),
        or None when it was never calibrated; read once per Analyzer, never raises."""
        if self._track_record is _UNREAD:
            from app import paths
            from app.storage.models import latest_track_record

            path = paths.models_path()
            found: TrackRecordRun | None = None
            if path.exists():
                try:
                    found = latest_track_record(path, self.repo_key)
                except ReviewTuiError:
                    found = None
            self._track_record = found
        return self._track_record  # type: ignore[return-value]  # read above

    def _likelihood(self, inputs: RiskInputs) -> LikelihoodView:
        """The likelihood model's view of one change: its log-odds, factor by factor."""
        from app.core.risk.likelihood import likelihood_features
        from app.core.risk.score import LikelihoodView

        model = self.likelihood_model
        feats = likelihood_features(inputs)
        return LikelihoodView(model.intercept, model.logit_contributions(feats), dict(feats),
                              dict(model.coefficients), model.source)

    def _complete_plan(self, prep: _Prepared, complexity: dict[str, cx.FileComplexity], order: str,
                       known_plan: ReviewPlan | None) -> ReviewPlan:
        """The plan of a complete analysis: the one given (cached), else one this run built already
        (by a first pass that lacked only the history index), else built now and kept for the cache."""
        key = self._plan_key(prep.change, order)
        if known_plan is None and key is not None:
            known_plan = self._new_plans.get(key)
        if known_plan is not None:
            return known_plan
        assert prep.tiers is not None and prep.provenance is not None
        plan = self._plan(prep, complexity, order)
        if key is None or self.cache is None:
            return plan
        # a plan of content not in this clone is kept with the ids of the blobs it lacked, as its report is, and
        # stands only while they are missing (_same_gap): once fetched, the change is planned again (its one
        # "content not in this clone" chunk of 70 s had been judged by check in place of 5 chunks, 56 min).
        # Built again on every open, lazygit's +3.2M-line pr/296 (10 blobs missing) took 23 s each time.
        missing = self._missing_blobs(prep.files) if any(fd.problem for fd in prep.files) else []
        if missing or not any(fd.problem for fd in prep.files):
            self._new_plans[key] = plan
            if missing:
                self._new_plan_gaps[key] = missing
        return plan

    def _absent_at(self, base: str | None) -> Callable[[list[str]], list[str]] | None:
        """Which of some paths the base commit lacks (a vendored tree is a new one), or None without a base."""
        return (lambda paths: self.repo.absent_paths(base, paths)) if base else None

    def _vendored(self, prep: _Prepared) -> Vendored:
        """Which of the change's files are vendored third-party code its package tool brought (app/core/vendored.py):
        the tool's records at its base or head say the tool manages the directory, the change touches them, and no
        .gitattributes says the file is the project's. Once per change (kept on `prep`)."""
        if prep.vendored is None:
            prep.vendored = self._find_vendored(prep.change, [p for fd in prep.files for p in (fd.old_path, fd.new_path)
                                                              if p])
        return prep.vendored

    def _dependency_bump(self, prep: _Prepared) -> DependencyBump:
        """What the change's manifests and lock files add, remove or move (app/core/dependencies.py), read from
        both versions of each; a version this clone lacks leaves its file out. Once per change (kept on `prep`)."""
        from app.core.dependencies import (
            DependencyBump,
            dependency_bump,
            is_binary_lock,
            is_lock_file,
            is_manifest,
            tells_dev,
            unchanged_dev_sources,
        )

        if prep.dependencies is not None:
            return prep.dependencies
        vendored = self._vendored(prep)  # a vendored module's own go.mod is its dependency's, not the project's
        wanted = [fd for fd in prep.files if not fd.counted_only and not fd.binary and not vendored(fd.path)
                  and (is_manifest(fd.path) or is_lock_file(fd.path) or tells_dev(fd.path))]
        unread = [fd.path for fd in prep.files if is_binary_lock(fd.path) and not vendored(fd.path)]  # bun.lockb
        if not wanted:
            prep.dependencies = DependencyBump(unread=tuple((path, "binary") for path in unread))
            return prep.dependencies

        def read(blob: str | None) -> bytes | None:
            return None if blob is None else self.repo.blob(blob)

        sides: list[tuple[str, bytes | None, bytes | None]] = []
        for fd in wanted:
            try:
                sides.append((fd.path, read(fd.old_blob), read(fd.new_blob)))
            except ReviewTuiError:
                continue  # a blob missing here (a partial clone): that file says nothing
        for path in unchanged_dev_sources([fd.path for fd in prep.files]):  # a Gemfile.lock-only bump's Gemfile
            same = self.repo.file_at(prep.change.head, path)
            sides.append((path, same, same))
        prep.dependencies = dependency_bump(sides, unread)
        return prep.dependencies

    def _find_vendored(self, change: Change, paths: list[str]) -> Vendored:
        from app.core.vendored import Vendored, candidate_roots, find_vendored

        if not candidate_roots(paths):
            return Vendored()
        commits = [c for c in (change.base, None if change.kind == "worktree" else change.head) if c]

        def present(wanted: list[str]) -> set[str]:
            return {p for commit in commits for p in set(wanted) - set(self.repo.absent_paths(commit, wanted))}

        return find_vendored(paths, present, self._own_code(change))

    def _own_code(self, change: Change) -> OwnCode | None:
        """What the .gitattributes files (every one of the tree, app/core/gitattributes.py) at the change's base and
        head say the project wrote itself (`linguist-vendored=false`, `linguist-generated=false`, or a later or
        deeper line unsetting what one marked). The head is read (the change that copies a tree in is where it
        says the tree is its own: read, never run) only for what makes more of the change reviewed. None where no
        file names those attributes. Once per (base, head): the score and the plan both ask."""
        from app.core.gitattributes import ATTRIBUTES_NAME, Attributes, OwnCode

        key = (change.kind, change.base, change.head)
        if key in self._own_code_memo:
            return self._own_code_memo[key]
        # the base's word: its tip's files, those the configuration collapses by (else the merge base's)
        base = Attributes([*self._attribute_files(self.resolved_base[1])] or self._attribute_files(change.base))
        if change.kind == "worktree":  # the working tree's files, where the head commit has them (read each time)
            listed = {path for path, _data in self._attribute_files(self.repo.head_commit())} | {ATTRIBUTES_NAME}
            head = Attributes([(path, self.repo.workdir_file(path)) for path in sorted(listed)])
            return OwnCode(base, head) if base or head else None
        head = Attributes(self._attribute_files(change.head))
        found = OwnCode(base, head) if base or head else None
        if len(self._own_code_memo) > 10_000:
            self._own_code_memo.clear()
        self._own_code_memo[key] = found
        return found

    def _attribute_files(self, commit: str | None) -> list[tuple[str, bytes]]:
        from app.config import attribute_files

        return attribute_files(self.repo, commit)

    def _plan(self, prep: _Prepared, complexity: dict[str, cx.FileComplexity], order: str) -> ReviewPlan:
        """The review plan of a change, with what the planner weighs: tiers, AI lines, complexity added
        per function, destructive paths, the seams the change touches and its dependency bump."""
        from app.core.planner.builder import build_plan

        assert prep.tiers is not None and prep.provenance is not None
        files, tiers, prov, blast, change = prep.files, prep.tiers, prep.provenance, prep.blast, prep.change
        vendored = self._vendored(prep)
        bump = self._dependency_bump(prep)
        dependency_note = bump.plan_note()

        function_cc = {path: {name: max(new - (old or 0), 0) for name, old, new in fc.changed_functions}
                       for path, fc in complexity.items()}
        seams = (blast.seam_ranges({fd.old_path: fd.path for fd in files if fd.old_path})
                 if blast is not None else ())
        return build_plan(files, read_blob=self.repo.blob, config=self.config.chunks, file_tiers=tiers.file_tiers,
                          ai_lines=prov.ai_lines, function_complexity=function_cc,
                          destructive_paths={op.path for op in tiers.destructive}, order=order,
                          spans_cache=self._spans_memo, seams=seams,
                          test_functions={path: fc.test_functions for path, fc in complexity.items()},
                          absent_at_base=self._absent_at(change.base), own_code=self._own_code(change),
                          vendored=vendored, dependency_note=dependency_note,
                          source_locales=self._source_locales(change, files),
                          outputs_at_base=self._paths_named(change.base))

    def _paths_named(self, commit: str | None) -> Callable[[str], list[str]] | None:
        """The paths of the files called a name in `commit`'s tree (the planner looks for a .proto's generated code
        there: planner/protobuf.py), or None without a commit."""
        if not commit:
            return None
        return lambda name: self.repo.paths_named(commit, name)

    def _source_locales(self, change: Change, files: list[FileDiff]) -> frozenset[str]:
        """The languages the change's translations are made from (planner/translations.py): read from crowdin.yml or
        Laravel's config/app.php at the change's head (else its base), only when it touches a catalogue."""
        from app.core.planner.model import is_translation_path
        from app.core.planner.translations import SOURCE_DEFAULT, SOURCE_FILES, source_locales

        commit = change.head if change.kind != "worktree" and change.head else change.base
        if commit is None or not any(is_translation_path(fd.path) for fd in files):
            return frozenset({SOURCE_DEFAULT})
        said: dict[str, str] = {}
        for path in SOURCE_FILES:
            data = self.repo.file_at(commit, path)
            if data is not None:
                said[path] = data[:200_000].decode("utf-8", "replace")
        return source_locales(said)

    def _full(self, change: Change, *, measure: bool = True, order: str = "risk", shed: bool = False) -> ChangeDetail:
        say = self.detail_progress or (lambda _said: None)
        say(f"reading the diff: {change.id}")
        known_plan = self.cached_plan(change, order)
        prep = self._read_shedding(change, known_plan) if shed and known_plan is not None else self._prepare(change)
        prep.tiers, prep.blast = self._cached_parts(change)
        prep.parts_cached = prep.tiers is not None
        # The workers measure the blobs and build the dependency graph while this thread assesses the
        # change: one after the other, a 1,150-file change left the workers idle for 3 s and then this
        # thread idle for 8 s.
        # (The list's parses offered to the pool do not help here: the workers are the busier side.)
        known, measurement = self._begin_metrics(prep.files, measure=measure)
        try:
            graph_commit = self.graph_commit(change)
            if prep.blast is None and not self._outside_range_graph(change, graph_commit):
                self.start_graph(graph_commit, self._graph_demand([prep]))
            say(f"reading history and authorship ({len(prep.files):,} files): {change.id}")
            self._assess(prep)
        except BaseException:
            if measurement is not None:
                measurement.abandon()  # do not leave the workers measuring for nothing
            raise
        say(f"measuring complexity, finding callers: {change.id}")
        return self._finish(prep, self._end_metrics(known, measurement), order=order, known_plan=known_plan)

    def _read_shedding(self, change: Change, plan: ReviewPlan) -> _Prepared:
        """Read a change whose plan is cached, its collapsed files' lines let go as each is read (`shed_collapsed`):
        lazygit's pr/296 held 121 MB of vendor/ lines at the end of its read."""
        from app.core.git import shed

        paths = _collapsed_only(plan)
        if not paths or change.kind == "worktree" or change.remerge:
            return self._prepare(change)
        reopener, repo = shed.Reopener(self.repo_path), self.repo

        def read(fd: FileDiff) -> None:
            if fd.path in paths:
                shed.shed([fd], reopener, repo, bool)

        repo.on_read = read
        try:
            return self._prepare(change)
        finally:
            repo.on_read = None

    def maintainability(self, detail: ChangeDetail) -> dict[str, dict[str, float | None]]:
        """radon's maintainability index before and after, per changed Python file (for `explain`).

        It costs as much as the complexity itself, so it is measured on demand and cached per blob; with
        `measure_maintainability` set before the detail was built, the complexity's parse measured it."""
        from app.core.metrics import complexity as cx

        max_bytes = self.config.complexity.max_file_bytes
        files = [fd for fd in detail.files
                 if fd.text_read and fd.path and cx.analyzer_for(fd.path) == cx.ANALYZER_RADON]
        blobs = {b: fd.path for fd in files for b in (fd.old_blob, fd.new_blob) if b}
        known = {b: self._maintainability_memo[b] for b in blobs if b in self._maintainability_memo}
        unknown = [b for b in blobs if b not in known]
        if self.cache is not None and unknown:
            tag = self._maintainability_tag()
            for key, value in self.cache.get_many("mi", [f"{tag}:{b}" for b in unknown]).items():
                known[key.rsplit(":", 1)[-1]] = value.get("mi") if isinstance(value, dict) else None
        # a blob not in this clone is not measured (nor remembered): it may be fetched later
        missing = [(b, p, data) for b, p in blobs.items()
                   if b not in known and (data := self.repo.blob_within(b, max_bytes)) is not None]
        if missing:
            measured = cx.analyze_many(missing, workers=self._pool_workers(), max_bytes=max_bytes)
            fresh = {b: m.maintainability for b, m in measured.items()}
            known.update(fresh)
            self._keep_maintainability(fresh)
        out: dict[str, dict[str, float | None]] = {}
        for fd in files:
            old = known.get(fd.old_blob) if fd.old_blob else None
            new = known.get(fd.new_blob) if fd.new_blob else None
            delta = round(new - old, 2) if old is not None and new is not None else None
            out[fd.path] = {"before": None if old is None else round(old, 2),
                            "after": None if new is None else round(new, 2), "delta": delta}
        return out

    def analyze(self, change: Change, *, measure: bool = True) -> ChangeReport:
        """One change's report; a change that cannot be analysed carries its error, never raises."""
        if change.error:
            return ChangeReport(change, error=change.error, complete=True)
        cached = self.cached_report(change)
        if cached is not None:
            return cached
        try:
            report = self._full(change, measure=measure).report
        except ReviewTuiError as exc:
            return ChangeReport(change, error=str(exc), complete=True)
        self._store([report])
        return report

    def detail(self, change: Change | str, *, order: str = "risk", shed: bool = False) -> ChangeDetail:
        """Everything about one change (diff, tiers, provenance, complexity, risk, plan). `shed`: the lines only
        collapsed chunks show are let go, to be read again from git when looked at (`shed_collapsed`): as they
        are read when the plan is cached, else once it is built."""
        if isinstance(change, str):
            change = self.change(change)
        if change.error:
            raise ReviewTuiError(f"{change.id}: {change.error}")
        detail = self._full(change, order=order, shed=shed)
        if shed:
            self.shed_collapsed(detail)
        self._store([detail.report])
        change.gone_on_base = self._gone_on_base(change, _modified_paths(detail.files))
        change.behind_base = self._behind_base(change)
        return detail

    def shed_collapsed(self, detail: ChangeDetail) -> int:
        """Let go of the bytes of the lines only collapsed chunks show (vendored, generated, lock, data files): read
        again from git when a person expands such a chunk (app/core/git/shed.py). The lines let go. lazygit's
        pr/296 held 121 MB of lines, nearly all of vendor/, while its screen was open."""
        from app.core.git import shed

        change = detail.change
        if change.kind == "worktree" or change.remerge:
            return 0  # not two blobs of the repository: read once, kept
        paths = _collapsed_only(detail.plan)
        return shed.shed(detail.files, shed.Reopener(self.repo_path), self.repo, lambda fd: fd.path in paths)

    def _explained_key(self, change: Change) -> str | None:
        key = self._cache_key(change)
        return None if key is None or change.error else f"{key}:{self._maintainability_tag()}"

    def explanation(self, change: Change) -> tuple[ChangeReport, dict[str, dict[str, float | None]]] | None:
        """What `explain` shows of a change explained before under these rules: its cached report and its Python
        files' maintainability index (`keep_explanation`), with what the base's tip says of it now (gone_on_base,
        behind_base, as `detail` sets them); None on a miss. No diff is read: a warm `explain` of lazygit's
        pr/296 (+3.2M lines) read it all again, 34 s."""
        key = self._explained_key(change)
        data = self.cache.get("explained", key) if key is not None and self.cache is not None else None
        if not isinstance(data, dict) or not self._same_gap(change, data.get("missing")):
            return None
        try:
            maintainability = {str(path): dict(figures) for path, figures in data["maintainability"].items()}
            modified = [str(path) for path in data["modified"]]
        except (KeyError, TypeError, ValueError, AttributeError):
            return None  # an unreadable entry is a miss
        report = self.cached_report(change)
        if report is None:
            return None
        change.gone_on_base = self._gone_on_base(change, modified)
        change.behind_base = self._behind_base(change)
        return report, maintainability

    def keep_explanation(self, detail: ChangeDetail, maintainability: dict[str, dict[str, float | None]]) -> None:
        """Cache what `explain` showed of `detail` beside its report (`explanation` reads it), under the same
        terms as the report: complete, and content this clone lacks named by its blobs (a fetch explains again)."""
        key = self._explained_key(detail.change)
        report = detail.report
        if key is None or self.cache is None or not report.complete or report.error or report.assessment is None:
            return
        missing = self._missing_blobs(detail.files) if report.assessment.file_problems else []
        if (report.assessment.file_problems and not missing) or any(state.failed for state in self._graphs.values()):
            return  # not kept, as its report is not
        self.cache.put("explained", key, {"maintainability": maintainability,
                                          "modified": _modified_paths(detail.files),
                                          **({"missing": missing} if missing else {})})

    def _behind_base(self, change: Change) -> str:
        """What a reviewer should know when the base moved on under a branch: the files a merge would stop
        on (besides the modify/delete ones `_gone_on_base` names), or, with none, that it is STALE_BEHIND or
        more commits behind (its diff shows code of long ago). rich's py310 was 2,236 commits behind, its
        files changed 220 times since, and `check` passed it on one approval (QA47 #5). Never cached: the tip
        moves."""
        if change.kind not in ("branch", "pr") or change.base is None or change.remerge:
            return ""
        base_name, tip = self.resolved_base
        if change.base == tip or change.base_ref != base_name:
            return ""
        behind, merge_stops = self._tip_relation(change.base, tip, change.head)
        since = f"since this change started, {behind:,} commit{'s' if behind != 1 else ''} ago"
        from app.core.text import visible_path

        conflicts = [p for p in merge_stops or [] if p not in change.gone_on_base]
        if conflicts:
            shown = ", ".join(visible_path(p, 80) for p in conflicts[:3])
            more = f" and {len(conflicts) - 3} more" if len(conflicts) > 3 else ""
            return (f"a merge into {base_name} would conflict in {shown}{more} ({base_name} changed "
                    f"{'it' if len(conflicts) == 1 else 'them'} {since}): rebase before review, or the review "
                    "reads code that will not land as read")
        if behind >= STALE_BEHIND:
            return (f"{behind:,} commits behind {base_name}: the diff is against its code of long ago; rebase to "
                    "review what would land")
        return ""

    def _tip_relation(self, base: str, tip: str, head: str) -> tuple[int, list[str] | None]:
        """How many commits the base's tip is past a branch's merge base, and the files a merge of its head into
        that tip would stop on (None: a tree cannot be read). Functions of the three commits, so cached by their
        ids when every tree was read: the merge of lazygit's pr/296 (+3.2M lines) took a second of every explain."""
        key = f"{base}:{tip}:{head}"
        data = self.cache.get("tip_relation", key) if self.cache is not None else None
        if isinstance(data, dict) and isinstance(data.get("behind"), int) and isinstance(data.get("conflicts"), list):
            return data["behind"], [str(path) for path in data["conflicts"]]
        behind = self.repo.count_between(base, tip, limit=1_000_000)
        conflicts = self.repo.merge_conflicts(base, tip, head)
        if conflicts is not None and self.cache is not None:
            self.cache.put("tip_relation", key, {"behind": behind, "conflicts": conflicts})
        return behind, conflicts

    def _gone_on_base(self, change: Change, modified: list[str]) -> list[str]:
        """The files a branch modifies (`modified`: their paths at its base) that the queue's base has deleted
        since the branch started (its merge base): git would stop the merge on a modify/delete conflict, and the
        change is often obsolete (a bump of a workflow the base removed). Tree lookups at the base's tip, never
        cached: the tip moves."""
        if change.kind not in ("branch", "pr") or change.base is None or change.remerge:
            return []
        base_name, tip = self.resolved_base  # not `discovery`: a TUI thread's analyzer has none of its own
        if change.base == tip or change.base_ref != base_name:
            return []
        return self.repo.absent_paths(tip, modified) if modified else []

    def analyze_all(self, progress: Progress | None = None,
                    on_report: Callable[[ChangeReport], None] | None = None,
                    should_stop: Callable[[], bool] | None = None) -> list[ChangeReport]:
        """Every pending change, ranked (never one merged upstream: `listed_merged`). Progressive:
        cached reports come first, then each other
        change's size, then its cheap factors (complexity pending), then the completed reports. Where
        rows are shown, the first small change (else the smallest of the first few) gets its cheap factors as soon as
        it is diffed (_early_pick).

        Each change is diffed once. The blobs no cache knows are measured in one parallel batch
        that starts as soon as every change is diffed and runs (in worker processes) while this
        thread works out tiers, provenance, history and review plans."""
        changes = self.discovery.changes
        run = _Pass(len(changes), progress, on_report, should_stop or (lambda: False))
        pending = self._emit_known(changes, run)
        if pending:
            from app.core.heap import HeapTrimmer

            with HeapTrimmer():  # what the pass frees goes back as it goes, not at its end (the cold peak)
                self._analyze_pending(pending, run, should_stop)
        else:  # all known: nothing to give back, no thread to start
            self._analyze_pending(pending, run, should_stop)
        return rank(list(run.reports.values()), stale_before=self.discovery.stale_before)

    def _analyze_pending(self, pending: list[Change], run: _Pass, should_stop: Callable[[], bool] | None) -> None:
        """analyze_all's work on the changes no cache knew: every report emitted into `run`."""
        self._decide_inline(pending)
        if pending and not run.stopped():
            _import_before_threads()
            self._offer_graph_parts(pending)
            self._offer_older_evidence(pending)
            self._offer_whole_history(pending)
        prepared, early = self._diff_all(pending, run)  # first, so that the measuring can start early
        if prepared and not run.stopped():
            self._offer_history(prepared)  # ahead of the parses and the measuring in the pool's queue
        # Parses the scoring will need (destructive calls, the blast radius's head definitions) are offered
        # to the worker pool now: the analysis thread takes each answer over, or parses it itself if no
        # worker has started it. The scans go first (the first scores need them), the head definitions
        # after them (the last step needs them).
        wanted: dict[str, str] = {}
        for prep in prepared:
            for blob, path in prep.wanted.items():
                wanted.setdefault(blob, path)
        metrics = self._known_metrics(list(wanted)) if prepared else {}
        missing = {b: p for b, p in wanted.items() if b not in metrics}
        # The head definitions' parses measure the versions they read too (one parse, not two): the measurement
        # waits for those and measures the rest.
        offering = self._start_offering(prepared, missing) if prepared and not run.stopped() else None
        self._offering = offering  # a dependency graph started in this pass shares its parses (_GraphBuild)
        try:
            measurement = (self._start_measuring(missing, should_stop, offering)
                           if missing and not run.stopped() else None)
            run.measurement = measurement
            if prepared and not run.stopped():
                self._start_graphs(prepared)
            try:
                unfinished = self._score_all(prepared, metrics, run, early)
                self._blast_ahead(unfinished, run)
                # The history index (a walk of the base's history) is built while the workers measure;
                # the first scores above did not wait for it.
                for prep in unfinished:
                    if run.stopped():
                        break
                    if prep.history is None:
                        run.say(2 * run.total, "reading the history of the touched files")
                        self._add_history(prep)
                if measurement is not None:
                    def tick(measured: int, count: int) -> None:
                        run.say(2 * run.total, f"measuring complexity: {measured}/{count} files")
                        self._keep_measured(run)

                    measured = measurement.wait(tick)
                    self._keep_measured(run, now=True)
                    metrics.update(measured)
            finally:
                if measurement is not None:
                    measurement.abandon()  # an error or Ctrl-C above: do not leave the workers busy
                    self._keep_measured(run, now=True)  # on an interruption, what the workers finished
            if unfinished and not self._graph_settled():
                run.say(2 * run.total, "building the dependency graph (blast radius)")
            for j, prep in enumerate(unfinished):
                if run.stopped():
                    break
                run.say(2 * run.total + j, f"completing {prep.change.id}")
                self._keep_finished(run, self._finish_or_error(prep, metrics, run))
                prep.release()  # finished: its diff is needed no more
            run.say(3 * run.total, "")
        finally:
            self._keep_finished(run, None)  # the last batch; on an interruption (Ctrl-C, kill) too
            self._drop_graph_offers()
            self._offering = None
            if offering is not None:
                offering.stop.set()
                offering.join()
                self._drop_offers()
            self._keep_unasked_evidence()

    def _keep_finished(self, run: _Pass, report: ChangeReport | None) -> None:
        """Store a finished report with the others of its batch, once the batch is due (STORE_EVERY reports
        or STORE_SECONDS); None: store what is waiting now (the end of the pass, or an interruption)."""
        if report is not None:
            run.unstored.append(report)
            due = len(run.unstored) >= STORE_EVERY or time.monotonic() - run.stored_at >= STORE_SECONDS
            if not due:
                return
        if run.unstored:
            batch, run.unstored = run.unstored, []
            self._store(batch, every_plan=report is None)
        elif report is None:
            self._store([])  # the plans and history figures of the pass
        run.stored_at = time.monotonic()

    def _keep_measured(self, run: _Pass, *, now: bool = False) -> None:
        """Store the complexity figures the workers measured so far and the history figures worked out so far,
        every STORE_SECONDS while the pass scores and measures (those not stored before); `now` (the measuring's end,
        an interruption): every figure measured, at once, whatever an earlier write lost (a busy cache, a signal
        in its transaction). A `list` completes its changes only once every blob is measured: one stopped while it
        scored (Ctrl-C, kill, a TUI quit) kept none of it."""
        if not now and time.monotonic() - run.measured_at < STORE_SECONDS:
            return
        run.measured_at = time.monotonic()
        if run.measurement is not None:
            self._keep_metrics(run.measurement.rememberable() if now else run.measurement.fresh())
        if self._histories is not None:
            self._histories.flush()

    def _blast_ahead(self, unfinished: list[_Prepared], run: _Pass) -> None:
        """The blast radius of each change whose graph is at hand, now, while a worker walks the history
        (a graph read as far as the changes need is at hand at once, and read in this process): the
        history changes nothing in it. A diff given back (HELD_LINES) waits to be read again."""
        for prep in unfinished:
            if run.stopped():
                break
            if prep.blast is None and not prep.released:
                state = self._graphs.get(self.graph_commit(prep.change) or "")
                build = state.build if state is not None else None
                wait = build is not None and build.decided.wait() and build.lazily  # a lazy one: ready in a moment
                try:
                    prep.blast = self._blast(prep, wait=wait)
                except ReviewTuiError:
                    pass  # said when the change is finished, as before

    def _start_graphs(self, prepared: list[_Prepared]) -> None:
        """Start the graphs these changes need, built in the background like the complexity (needed to
        complete a report), each told how many of its files they touch."""
        wanting: dict[str, list[_Prepared]] = {}
        for prep in prepared:
            if (commit := self.graph_commit(prep.change)) is not None:
                wanting.setdefault(commit, []).append(prep)
        for commit, preps in wanting.items():
            self.start_graph(commit, self._graph_demand(preps))

    def _keep_unasked_evidence(self) -> None:
        """Cache the answer of an older-evidence walk that no change asked for (each had AI evidence of
        its own): the next run need not walk again. One still queued is dropped; one still running is
        left to finish (a later pass of this analyzer may ask)."""
        for base, future in list(self._older_evidence_offers.items()):
            if future.cancel():
                del self._older_evidence_offers[base]
            elif future.done():
                del self._older_evidence_offers[base]
                if future.exception() is None and self.cache is not None:
                    self.cache.put("ai-history", f"{self.config_digest}:{base}", {"evidence": bool(future.result())})

    def _emit_known(self, changes: list[Change], run: _Pass) -> list[Change]:
        """Emit the reports already known (a change's error, a cached report); the changes left to analyse."""
        cached = self._cached_reports(changes)
        pending: list[Change] = []
        for change in changes:
            if change.error:
                run.emit(ChangeReport(change, error=change.error, complete=True))
            elif change.id in cached:
                run.emit(cached[change.id])
            else:
                pending.append(change)
        run.done = run.read = run.total - len(pending)
        return pending

    def _start_offering(self, prepared: list[_Prepared], missing: dict[str, str]) -> _Offering | None:
        """Offer the Python parses the scoring will need to the worker pool, from a thread of its own:
        the destructive-call scans, then the blast radius's head definitions, in the order the analysis
        thread scores (`_live_first`). Reading every version takes a second, which the first
        score must not wait for (offered from the analysis thread itself, the first ranked row came 1.7 s
        later). None when there is no worker pool: the analysis thread parses everything, as before.
        `missing`: the blobs the complexity measurement will measure (blob -> path measured as); a head version
        among them is measured by its head definitions' task (the maintainability index aside)."""
        from app.core.workers import shared_pool

        pool = shared_pool(self._pool_workers())
        if pool is None:
            return None
        order = self._live_first([p for p in prepared if p.change.kind != "worktree"])
        with_graph = [p for p in order if self.graph_commit(p.change) is not None]  # here: it may walk self.repo
        offering = _Offering(self.repo_path, order, with_graph, pool.submit,
                             measured={} if self.measure_maintainability else missing,
                             max_bytes=self.config.complexity.max_file_bytes)
        offering.start()
        return offering

    def _live_first(self, prepared: list[_Prepared]) -> list[_Prepared]:
        """The order changes are scored in without the history at hand: the live ones before those untouched for
        [queue] stale_days, which rank after them (`rank`), the smallest first within each. Smallest first alone
        scored terraform-aws-eks's 473 stale pull requests before the top of its queue: after 6 minutes rows 6-21
        still read "…" while five-year-old ones were scored (QA55 F2)."""
        return sorted(prepared, key=lambda prep: (self._stale(prep.change),
                                                  prep.figures.lines_added + prep.figures.lines_deleted,
                                                  prep.change.id))

    def _stale(self, change: Change) -> bool:
        """Untouched for [queue] stale_days before the base's last commit: it ranks after the live ones (`rank`)."""
        stale_before, newest = self.discovery.stale_before, change.newest_time
        return stale_before is not None and newest is not None and newest < stale_before

    @staticmethod
    def _drop_offers() -> None:
        from app.core.impact.destructive.python_calls import drop_offered_scans
        from app.core.impact.graph import drop_offered_head_defs

        drop_offered_scans()
        drop_offered_head_defs()

    def _diff_all(self, pending: list[Change], run: _Pass) -> tuple[list[_Prepared], _Prepared | None]:
        """Diff each pending change (a change that cannot be diffed is reported with its error), in
        discovery order; and the change scored early, if any.

        The changes with fewest commits are diffed first: the queue shows their sizes sooner. Where rows
        are shown and none is ranked yet (a first run), the first small change (else the smallest of the first
        few: _early_pick) is scored as soon as it is diffed, without complexity or history: the other diffs (a
        release-sized one takes 0.4 s) and the start of the measuring came before the first ranked row (ansible, 36
        changes: 0.85 s)."""
        # A few changes: how to read their graph is decided once they are all diffed (the early score does
        # not start it); many: it is read whole, started as soon as a score asks.
        self._graphs_deferred = len(pending) <= LAZY_GRAPH_CHANGES
        try:
            prepared, early = self._diff_each(pending, run)
        finally:
            self._graphs_deferred = False
        # Measured and scored in discovery order, as before: which path measures a blob shared by two
        # changes follows it.
        at = {change.id: i for i, change in enumerate(pending)}
        prepared.sort(key=lambda prep: at[prep.change.id])
        return prepared, early

    def _diff_each(self, pending: list[Change], run: _Pass) -> tuple[list[_Prepared], _Prepared | None]:
        prepared: list[_Prepared] = []
        early: _Prepared | None = None
        held = 0  # changed lines of the diffs kept (HELD_LINES)
        want_early = run.on_report is not None and not any(r.assessment for r in run.reports.values())
        for change in sorted(pending, key=lambda c: (self._stale(c), len(c.commits))):  # the live ones' rows first
            if run.stopped():
                break
            run.say(run.read, f"reading {change.id}")
            run.read += 1
            try:
                prep = self._prepare(change, should_stop=run.stopped)
            except DiffStopped:
                break
            except ReviewTuiError as exc:
                run.emit(ChangeReport(change, error=str(exc), complete=True))
                run.done += 1
                continue
            prepared.append(prep)
            run.preview(ChangeReport(change, prep.figures, None, None, False))  # its size, not yet scored
            if want_early and early is None and (early := _early_pick(prepared)) is not None:
                run.say(run.read, f"scoring {early.change.id}")
                self._finish_or_error(early, self._known_metrics(list(early.wanted)), run, assess=True,
                                      with_history=False)
            held = _hold_within(prepared, held)  # the diffs wait for their scoring within HELD_LINES too
        return prepared, early

    def _score_all(self, prepared: list[_Prepared], metrics: dict[str, cx.FileMetrics],
                   run: _Pass, early: _Prepared | None = None) -> list[_Prepared]:
        """Score every prepared change with the metrics known now (a complete report is stored with its batch):
        the changes still waiting for complexity figures. `early` was scored without history while the others
        were diffed: scored again only if the history is at hand now."""
        unfinished: list[_Prepared] = []
        # Without the history index at hand, score first without it (the smallest changes first: the
        # queue gets ranked rows in a second, not after a walk of the history); complete later.
        histories = self.histories
        histories.paths = _touched_paths(prepared)
        if not prepared:  # a warm pass: every report was cached. Asking would read the whole history index
            return []     # (netbox: 1.6 MB of JSON on every warm `list` and TUI start) to score nothing
        with_history = histories.at_hand(histories.paths)
        order = prepared if with_history else self._live_first(prepared)
        held = 0  # changed lines of the unfinished changes' diffs kept (HELD_LINES)
        for prep in order:
            if run.stopped():
                break
            run.say(run.total + run.done, f"scoring {prep.change.id}")
            run.done += 1
            self._keep_measured(run)  # every STORE_SECONDS: what the workers measured meanwhile
            if prep is early and not with_history:
                unfinished.append(prep)  # its pending row is up; completed with the others
                continue
            final_now = with_history and self._graph_settled() and all(b in metrics for b in prep.wanted)
            if run.on_report is None and not final_now:
                # Nobody shows pending rows (`list`) and this score would not be final (complexity,
                # history or the graph still to come): only the factors that need none of them now,
                # while the workers measure; scored and planned once, when complete.
                try:
                    self._assess(prep, with_history=with_history)
                except ReviewTuiError as exc:
                    run.emit(ChangeReport(prep.change, error=str(exc), complete=True))
                    continue
                unfinished.append(prep)
                held = _hold_within(unfinished, held)
                continue
            report = self._finish_or_error(prep, metrics, run, assess=True, with_history=with_history)
            if report.complete and with_history:
                self._keep_finished(run, report)  # every blob it needs was measured before
            else:
                unfinished.append(prep)
                held = _hold_within(unfinished, held)
        return unfinished

    def _offer_whole_history(self, pending: list[Change]) -> None:
        """For a queue of EARLY_HISTORY_CHANGES or more changes, have a worker build the history index of
        every path while the changes are diffed (ChangeHistory.offer_index's `whole`): the pool's second
        worker was idle then, and the index of every path costs less than that of the paths so many
        changes touch. The same figures either way."""
        from app.core.workers import shared_pool

        if len(pending) < EARLY_HISTORY_CHANGES or self.commit_range is not None:
            return
        pool = shared_pool(self._pool_workers())
        if pool is not None:
            self.histories.offer_index(pool.submit, whole=True)

    def _offer_history(self, prepared: list[_Prepared]) -> None:
        """Have a worker process build the history index the scores will need, when nothing cached
        gives it (ChangeHistory.offer_index)."""
        from app.core.workers import shared_pool

        histories = self.histories
        histories.paths = _touched_paths(prepared)
        pool = shared_pool(self._pool_workers())
        if pool is not None:
            histories.offer_index(pool.submit)

    def _finish_or_error(self, prep: _Prepared, metrics: dict[str, cx.FileMetrics], run: _Pass, *,
                         assess: bool = False, with_history: bool = True) -> ChangeReport:
        """The change's report (or its error), emitted; without history: emitted as pending."""
        try:
            self._read_again(prep)
            if assess:
                self._assess(prep, with_history=with_history)
            # The first pass does not wait for the dependency graph: its reports stay incomplete until then.
            report = self._finish(prep, metrics, wait_graph=not assess).report
        except ReviewTuiError as exc:
            report = ChangeReport(prep.change, error=str(exc), complete=True)
        if not with_history and report.complete and report.error is None:
            report = ChangeReport(report.change, report.figures, report.assessment, None, False)
        run.emit(report)
        return report


class _Stopped(Exception):
    pass


class _RootWalk(threading.Thread):
    """GitRepo.root_commit(base) in a thread of its own, with a repository handle of its own."""

    def __init__(self, repo_path: Path, base: str) -> None:
        super().__init__(name="review-tui-root", daemon=True)
        self.repo_path, self.base = repo_path, base
        self.root: str | None = None
        self.start()

    def run(self) -> None:
        try:
            repo = GitRepo(self.repo_path)
            self.root = repo.root_commit(self.base)
            repo.repo.free()  # its object cache and the walk's commits: 10 MB, not to wait for a collection
        except Exception:  # never a traceback from this thread: result() walks again in the caller's,
            pass  # which reports the error as every other path does

    def result(self) -> str:
        self.join()
        return self.root if self.root is not None else GitRepo(self.repo_path).root_commit(self.base)


class _PendingNames:
    """Analyzer.pending_names of an analyzer that found one change alone (`one_change`): a record given under
    another name at one of its commits asks whether that name is a pending change's, and only then is every
    pending change found (a CI gate's records are mostly the change's own, and never ask)."""

    def __init__(self, analyzer: Analyzer) -> None:
        self._analyzer = analyzer
        self._names: frozenset[str] | None = None

    def __contains__(self, name: object) -> bool:
        if self._names is None:
            from app.core.policy.binding import change_names

            remotes = self._analyzer.remote_names()
            self._names = frozenset(n for change in self._analyzer.discovery.changes
                                    for n in change_names(change, remotes))
        return name in self._names


def _ancestors_evidence_in_worker(repo_path: Path, base: str, config: ProvenanceConfig, clean: str | None) -> bool:
    """ancestors_have_ai_evidence, in a worker process (Analyzer._offer_older_evidence)."""
    from app.core.git.repo import walk_in_worker
    from app.core.provenance.lines import ancestors_have_ai_evidence
    from app.core.workers import parent_exiting

    return walk_in_worker(repo_path, lambda repo: ancestors_have_ai_evidence(repo, base, config, clean=clean),
                          parent_exiting)


PROGRESS_POLL = 0.25  # seconds between two readings of a discovery process's progress


def _relay_progress(job: Future[Discovery], start: _DiscoveryStart | None,
                    progress: Callable[[str], None] | None) -> None:
    """Until `job` is done, pass what its process last said of its progress to `progress` when it changed."""
    if start is None or progress is None:
        return
    from concurrent.futures import wait

    said = ""
    while not wait([job], timeout=PROGRESS_POLL).done:
        latest = start.progress()
        if latest and latest != said:
            said = latest
            progress(said)


def _discover_in_worker(repo_path: Path, base: str | None, commit_range: str | None, cache_path: Path,
                        config_path: Path | None, merges: bool, first_parent: bool,
                        progress_path: str | None = None) -> Discovery:
    """Analyzer.discovery, in a worker process (Analyzer.prefetch_discovery); how far it got is kept in
    `progress_path` (DiscoveryStart)."""
    import functools

    from app.analysis.prefetch import write_progress
    from app.storage.cache import AnalysisCache

    analyzer = Analyzer(repo_path, base=base, commit_range=commit_range, cache=AnalysisCache.open(cache_path),
                        config_path=config_path, merges=merges, first_parent=first_parent)
    if progress_path is not None:
        analyzer.discovery_progress = functools.partial(write_progress, progress_path)
    return analyzer.discovery


class _Offering(threading.Thread):
    """The thread that offers a pass's Python parses to the worker pool (Analyzer._start_offering).

    At most OUTSTANDING offers are unfinished at a time: a queued offer holds its file's content, and
    all of them at once held 15-20 MB more at the cold queue's peak."""

    OUTSTANDING = 16

    def __init__(self, repo_path: Path, scans: list[_Prepared], head_defs: list[_Prepared],
                 submit: Callable[..., Any], *, measured: dict[str, str] | None = None, max_bytes: int = 0) -> None:
        super().__init__(name="review-tui-offer", daemon=True)
        self.repo_path, self.scans, self.head_defs, self.pool_submit = repo_path, scans, head_defs, submit
        self.stop = threading.Event()
        self.outstanding: set[Any] = set()
        # The complexity figures of the head-definition versions the measurement wants (blob -> the path it
        # measures it as), from the same task: the futures by blob, and set once nothing more is offered.
        self.measured, self.max_bytes = measured or {}, max_bytes
        self.metrics: dict[str, Any] = {}
        self.finished = threading.Event()
        # (path, blob) of every version whose head definitions are offered: a graph build that parses one
        # of them answers for it (_GraphBuild._share_out)
        self.sides = {(path, fd.new_blob if side == "new" else fd.old_blob)
                      for prep in head_defs for fd, side, path in self.head_def_sides(prep)}
        # (path, blob) of the base version of every Python test file they edit: no head definitions are read of
        # it, but the measurement wants it, and a graph build that parses it measures it (_GraphBuild._share_out)
        self.base_tests = {(path, fd.old_blob) for prep in head_defs for fd, path in self.base_test_sides(prep)}

    @staticmethod
    def head_def_sides(prep: _Prepared) -> Iterator[tuple[FileDiff, str, str]]:
        """(file, side, path) of every version whose head definitions the blast radius reads: both versions
        of each changed Python file (what a change altered is read from its own base version and head)."""
        from app.core.impact.graph import MAX_FILE_BYTES, is_test_path

        for fd in prep.files:
            if (fd.old_path and fd.old_path.endswith(".py") and fd.new_path and fd.new_blob and fd.text_read
                    and max(fd.old_size, fd.new_size) <= MAX_FILE_BYTES and not is_test_path(fd.old_path)):
                yield fd, "new", fd.new_path
                yield fd, "old", fd.old_path

    @staticmethod
    def own_test_sides(prep: _Prepared) -> Iterator[tuple[FileDiff, str, str]]:
        """(file, "new", path) of the head version of every Python test file the change adds or edits, whose
        summary the blast radius reads (Analyzer._own_tests: a vendored one aside, which is offered all the same)."""
        from app.core.impact.graph import MAX_FILE_BYTES, PY_SUFFIXES, is_test_path

        for fd in prep.files:
            if (fd.new_path and fd.new_blob and fd.text_read and is_test_path(fd.new_path)
                    and fd.new_path.endswith(PY_SUFFIXES) and fd.new_size <= MAX_FILE_BYTES):
                yield fd, "new", fd.new_path

    @staticmethod
    def base_test_sides(prep: _Prepared) -> Iterator[tuple[FileDiff, str]]:
        """(file, path) of the base version of every Python test file the change edits."""
        from app.core.impact.graph import MAX_FILE_BYTES, PY_SUFFIXES, is_test_path

        for fd in prep.files:
            if (fd.old_path and fd.old_blob and fd.text_read and is_test_path(fd.old_path)
                    and fd.old_path.endswith(PY_SUFFIXES) and fd.old_size <= MAX_FILE_BYTES):
                yield fd, fd.old_path

    def shared(self) -> dict[str, str]:
        """The blobs of `measured` that this offering's tasks, or a graph build's (base_tests), measure (unless a
        head definition or a test's summary is known, or the graph is not built whole)."""
        found: dict[str, str] = {}
        for prep in self.head_defs:
            for fd, side, _ in [*self.head_def_sides(prep), *self.own_test_sides(prep)]:
                blob = fd.new_blob if side == "new" else fd.old_blob
                if blob and blob in self.measured:
                    found[blob] = self.measured[blob]
        for _, blob in self.base_tests:
            if blob in self.measured:
                found[blob] = self.measured[blob]
        return found

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        from concurrent.futures import FIRST_COMPLETED, wait

        from app.core.workers import released

        while True:
            if self.stop.is_set() or released():
                raise _Stopped
            self.outstanding = {f for f in self.outstanding if not f.done()}
            if len(self.outstanding) < self.OUTSTANDING:
                break
            wait(self.outstanding, timeout=0.2, return_when=FIRST_COMPLETED)
        future = self.pool_submit(fn, *args)
        self.outstanding.add(future)
        return future

    def together(self, text: str, path: str, blob: str, digests: dict[str, bytes]) -> Any:
        """A version both the scan and the head definitions read (most Python files that name a command
        runner, ansible's modules) is parsed by one task for both, and for the measurement if it wants it
        (graph.offer_with_scan): the scan's future, else None (the head definitions are known or offered)."""
        from app.core.impact.graph import offer_with_scan

        known = digests.get(blob)
        if known is None or (path, blob) not in self.sides:
            return None
        as_path = self.measured.get(blob)
        found = offer_with_scan(path, text, known, self.submit, measured_as=as_path, max_bytes=self.max_bytes)
        if found is None:
            return None
        scan, metrics = found
        if metrics is not None:
            self.metrics[blob] = metrics
        return scan

    def run(self) -> None:
        from concurrent.futures.process import BrokenProcessPool

        from app.core.impact.destructive.scan import blob_reader, offer_python_scans
        from app.core.impact.graph import head_defs_wanted, offer_head_defs, offer_test_summaries, own_test_wanted
        from app.core.memo import digest

        try:
            repo = GitRepo(self.repo_path)  # its own, like the measurement's: one per thread
            read = blob_reader(repo.blob)
            # Each blob is read and hashed once for both passes where it can be: its digest (blob id -> memo
            # digest) is kept, a version known to a memo is not read again (reading and hashing every
            # version twice was 1.6 s of this thread on the ansible scenario).
            digests: dict[str, bytes] = {}

            def versions(prep: _Prepared, tests: bool = False) -> Iterator[tuple[str, bytes, str | None]]:
                sides, wanted = (self.own_test_sides, own_test_wanted) if tests else (self.head_def_sides,
                                                                                     head_defs_wanted)
                for fd, side, path in sides(prep):
                    blob = fd.new_blob if side == "new" else fd.old_blob
                    known = digests.get(blob) if blob else None
                    if known is not None and not wanted(path, known):
                        continue  # remembered or offered already: the offer would pass it by
                    data = read(fd, side)
                    if data is None:
                        blob = None
                    elif blob and known is None:
                        digests[blob] = digest(data)
                    yield path, data or b"", blob

            with_graph = {id(prep) for prep in self.head_defs}
            for prep in self.scans:
                if self.stop.is_set():
                    return
                offer_python_scans(prep.files, read, self.submit, digests, together=lambda text, path, blob:
                                   self.together(text, path, blob, digests))
                if id(prep) in with_graph:  # beside the scans: the blast radius reads them soon after the diffs
                    offer_test_summaries(versions(prep, tests=True), self.submit,
                                         measured_as=self.measured.get,  # type: ignore[arg-type]
                                         max_bytes=self.max_bytes, on_metrics=self.metrics.__setitem__,
                                         digests=digests)
            for prep in self.head_defs:
                if self.stop.is_set():
                    return
                offer_head_defs(versions(prep), self.submit, measured_as=self.measured.get,  # type: ignore[arg-type]
                                max_bytes=self.max_bytes, on_metrics=self.metrics.__setitem__, digests=digests)
        except (BrokenProcessPool, RuntimeError, ReviewTuiError, _Stopped):
            return  # the pool broke or shuts down, a version cannot be read, or the pass ended
        finally:
            self.finished.set()


@dataclass
class _Pass:
    """One analyze_all run's bookkeeping: the reports so far, how far it got, and its callbacks."""

    total: int
    progress: Progress | None
    on_report: Callable[[ChangeReport], None] | None
    stopped: Callable[[], bool]
    done: int = 0  # changes scored (or known, or failed)
    read: int = 0  # changes whose diff was read (or known)
    reports: dict[str, ChangeReport] = field(default_factory=dict)
    unstored: list[ChangeReport] = field(default_factory=list)  # finished, stored with their batch (STORE_EVERY)
    stored_at: float = field(default_factory=time.monotonic)
    measurement: Measurement | None = None  # the pass's complexity measurement, while it runs
    measured_at: float = field(default_factory=time.monotonic)  # when its figures were last stored

    def emit(self, report: ChangeReport) -> None:
        self.reports[report.id] = report
        if self.on_report:
            self.on_report(report)

    def preview(self, report: ChangeReport) -> None:
        """Show a report that is not a result (a change's size before it is scored)."""
        if self.on_report:
            self.on_report(report)

    def say(self, done: int, label: str) -> None:
        """Three steps a change: its diff read (`done` 0 to total), scored (total to 2 x total), completed (to 3 x
        total): each step's count moves (reading counted nothing, and a cold `list` of cline said
        "analysing 10/1,296: reading ..." 15 times over, QA54 F1)."""
        if self.progress:
            self.progress(done, self.total * 3, label)

def _import_before_threads() -> None:
    """Import, on this thread, what the analysis's other threads would import while it runs: the
    offering thread's parsers and the classes the pool's results unpickle into (on the pool's own
    thread). A Ctrl-C that lands inside an import on this thread can leave CPython's import lock held;
    another thread importing then waited for it forever, and so did the exit that joins that thread
    (an interrupted cold `list` hung in 5 of 14 runs on a loaded machine)."""
    import app.core.git.history
    import app.core.impact.destructive.scan
    import app.core.impact.graph
    import app.core.metrics.complexity  # noqa: F401


def _early_pick(prepared: list[_Prepared]) -> _Prepared | None:
    """The change to score as soon as it is diffed, for the first ranked row (the others are diffed first, then
    scored): the one just diffed if small (EARLY_LINES); once EARLY_CANDIDATES are diffed, the smallest so far (the
    first of equals) if of at most EARLY_MAX_LINES, one that edits no lock file first (its two versions are parsed
    for the score: openai-agents-python's uv.lock, 2 s of a loaded machine); else None, for now."""
    from app.core.dependencies import is_lock_file

    def size(prep: _Prepared) -> int:
        return prep.figures.lines_added + prep.figures.lines_deleted

    if size(prepared[-1]) <= EARLY_LINES:
        return prepared[-1]
    if len(prepared) < EARLY_CANDIDATES:
        return None
    smallest = min(prepared, key=lambda prep: (any(is_lock_file(path) for path in prep.file_paths), size(prep)))
    return smallest if size(smallest) <= EARLY_MAX_LINES else None


def _hold_within(unfinished: list[_Prepared], held: int) -> int:
    """The diff lines kept once the newest waiting change is added: past HELD_LINES it gives its diff back
    (the changes come smallest first when rows are shown: the big ones are read again)."""
    newest = unfinished[-1]
    if held + newest.held_lines > HELD_LINES:
        newest.release()
    return held + newest.held_lines


def _collapsed_only(plan: ReviewPlan) -> set[str]:
    """The paths whose changed lines only collapsed chunks show (read when a person expands one)."""
    from app.core.planner.model import KIND_COLLAPSED

    read = {s.path for c in plan.chunks if c.kind != KIND_COLLAPSED for s in c.segments}
    return {s.path for c in plan.chunks if c.kind == KIND_COLLAPSED for s in c.segments} - read


def _touched_paths(prepared: list[_Prepared]) -> set[str]:
    """The paths whose history the prepared changes' scores ask about."""
    return {path for prep in prepared if prep.change.kind != "worktree" for path in prep.file_paths}


def _by_hand(files: list[FileDiff], complexity: dict[str, cx.FileComplexity], chunks: ChunkConfig,
             file_tiers: dict[str, int], absent_at_base: Callable[[list[str]], Iterable[str]] | None = None,
             own_code: OwnCode | None = None, read_blob: Callable[[str], bytes] | None = None
             ) -> tuple[list[FileDiff], dict[str, cx.FileComplexity]]:
    """The files a person wrote and their complexity: what a machine wrote (generated, vendored, lock:
    the plan collapses them) is no one's work to get wrong, and a regenerated .pb.go ranked a go.mod
    bump "high" for +361 CC in 1,330 lines. Never a tier 0 file (machine_written), but a copy of another
    file's edit; nor one a .gitattributes says is not vendored (`own_code`). `read_blob`: a modified file's first
    lines, for a generator's marker, when its diff does not show them."""
    from app.core.planner.builder import machine_written, mirrors_of, vendored_roots

    vendored = vendored_roots(files, absent_at_base, own_code)
    mirrors = mirrors_of(files, chunks)  # copies of another file's edit (hono's deno_dist/): read once, counted once
    changed = frozenset(p for fd in files for p in (fd.old_path, fd.new_path) if p)
    by_hand = [fd for fd in files
               if not machine_written(fd, chunks, file_tiers.get(fd.path), vendored, own_code, mirrors, read_blob,
                                      changed)]
    if len(by_hand) == len(files):
        return files, complexity
    kept = {fd.path for fd in by_hand}
    return by_hand, {p: c for p, c in complexity.items() if p in kept}


def _complexity_note(error: str, test: bool) -> str:
    """Why a file's complexity is incomplete; for a test file, that it does not change the score (its complexity
    is left out of it), so a reader is not left wondering whether the figure is wrong (QA51 #3)."""
    return f"{error} (a test file: its complexity is not part of the score)" if test else error


def _risk_inputs(prep: _Prepared, tiers: TierAssessment, prov: ChangeProvenance,
                 complexity: dict[str, cx.FileComplexity], worst: cx.FunctionMetric | None,
                 files: list[FileDiff], inline_tests: dict[str, int]) -> RiskInputs:
    """What the risk score is computed from, gathered from a prepared change's analyses; `files` are
    the change's files a person wrote (its size and spread are theirs), `inline_tests` their changed
    lines in tests inside source files (`Analyzer._inline_test_lines`)."""
    from app.core.risk.score import (
        INDENT_MAX_BYTES,
        RiskInputs,
        bot_author,
        complexity_measured,
        deepest_nesting,
        is_code_path,
        is_test_path,
    )

    code = [fd for fd in files if is_code_path(fd.path) and not is_test_path(fd.path)]
    inputs = RiskInputs(
        lines_added=sum(fd.additions for fd in files),
        lines_deleted=sum(fd.deletions for fd in files),
        paths=[fd.path for fd in files],
        lines_per_file=[fd.changed_lines for fd in files],
        # of the code, not its tests (as calibration measures it): a 41-line regression test with nested
        # try/except made a 3-line fix "+10 cyclomatic complexity; raises the odds" (QA47 #11)
        complexity_added=sum(c.complexity_added - c.test_complexity_added for path, c in complexity.items()
                             if not is_test_path(path)),
        complexity_net=sum(c.complexity_added - c.test_complexity_added - c.complexity_removed
                           for path, c in complexity.items() if not is_test_path(path)),
        # code nothing measures (a Terraform module's .tf) is not "+0, lowers the odds" (QA55 F3); no code is +0
        complexity_known=complexity_measured(fd.path for fd in files),
        worst_complexity=worst.complexity if worst else 0,
        worst_function=worst.name if worst else None,
        ai_share=prov.ai_share,
        ai_tools=list(prov.tools),
        tier=tiers.tier,
        tier_reason=tiers.reasons[0] if tiers.reasons else "",
        destructive=[op.summary() for op in tiers.destructive],
        destructive_weights=[op.weight for op in tiers.destructive],
        history_known=prep.history is not None,
        code_bytes_before=sum(fd.old_size for fd in code),
        empty=not prep.files,
        inline_test_lines=inline_tests,
        deepest_indent=deepest_nesting([(line.origin == "+", line.text) for line in hunk.lines
                                        if line.origin in ("+", " ")]
                                       for fd in code if fd.new_size <= INDENT_MAX_BYTES for hunk in fd.hunks),
    )
    _set_moves(inputs, complexity)
    _set_history(inputs, prep.history)
    inputs.author_bot = bot_author(prep.change.authors)
    _set_blast(inputs, prep.blast, code)
    return inputs


def _set_moves(inputs: RiskInputs, complexity: dict[str, cx.FileComplexity]) -> None:
    """What the complexity factor did not count: the functions of the code (not its tests) found again renamed or
    moved, the largest first."""
    from app.core.risk.score import is_test_path

    moves = sorted((move for path, c in complexity.items() if not is_test_path(path) for move in c.moves
                    if move.credited and move.new_name not in c.test_functions),
                   key=lambda move: (-move.credited, move.new_path, move.new_name))
    inputs.complexity_credited = sum(move.credited for move in moves)
    inputs.complexity_moves = [move.describe() for move in moves]


def _set_blast(inputs: RiskInputs, blast: BlastRadius | None, code: list[FileDiff]) -> None:
    """The blast radius factors of the risk inputs, from the change's blast radius (None: not built yet)."""
    # a graph of the repository's Python or JavaScript said "no changed public symbol is used elsewhere" of Ruby it
    # never read (QA57 F5: rubygems.org pr/6605 removed a method its own plan showed used in another file)
    unread = _graph_unread(code)
    inputs.blast_unread = unread
    if blast is not None and blast.graph_files and not unread:
        inputs.blast_skipped = _graph_skipped(code)
        inputs.blast_known = True
        inputs.blast_symbols = sum(1 for s in blast.symbols if s.direct)
        inputs.blast_files = sum(1 for s in blast.symbols if s.direct and s.file_level)
        inputs.blast_direct, inputs.blast_modules, inputs.blast_packages = blast.reach
        inputs.blast_callers = blast.top_callers()
        inputs.blast_breaks = blast.import_breaks()
        inputs.seams = [s.name for s in blast.seams]


def _graph_unread(code: list[FileDiff]) -> list[str]:
    """The kinds of a change's code files (".rb", ".tf", "Makefile") when the dependency graph reads none of them: its
    blast radius is then not measured. Empty when it reads some, or the change has no code (nothing to reach)."""
    from app.core.impact.graph import GRAPH_SUFFIXES

    if not code or any(fd.path.endswith(GRAPH_SUFFIXES) for fd in code):
        return []
    return sorted({posixpath.splitext(fd.path)[1] or posixpath.basename(fd.path) for fd in code})


def _graph_skipped(code: list[FileDiff]) -> list[str]:
    """The kinds of a change's source files in other languages than those the dependency graph reads, beside files
    it does read (scripts, SQL, Terraform and CI pipelines define no symbols others import: not named)."""
    from app.core.impact.graph import GRAPH_SUFFIXES

    kinds = {posixpath.splitext(fd.path)[1].lower() for fd in code if not fd.path.endswith(GRAPH_SUFFIXES)}
    return sorted(kinds - _NO_SYMBOLS)


_NO_SYMBOLS = frozenset({"", ".sh", ".bash", ".zsh", ".ps1", ".psm1", ".psd1", ".bat", ".cmd", ".sql", ".tf", ".hcl",
                         ".yml", ".yaml"})


def _set_history(inputs: RiskInputs, hf: HistoryFigures | None) -> None:
    """The history factors of the risk inputs, from the change's history figures (None: unknown)."""
    inputs.history_known = hf is not None
    if hf is None:
        inputs.hottest_changes, inputs.hottest_path, inputs.recent_authors, inputs.author_prior_commits = 0, None, 0, 0
    else:
        inputs.hottest_changes, inputs.hottest_path = hf.hottest_changes, hf.hottest_path
        inputs.recent_authors, inputs.author_prior_commits = hf.recent_authors, hf.author_prior_commits


def _modified_paths(files: list[FileDiff]) -> list[str]:
    """The paths at its base of the files a change modifies or renames (what `_gone_on_base` looks up)."""
    return [fd.old_path for fd in files if fd.status in ("modified", "renamed") and fd.old_path]


def _history_summary(hf: HistoryFigures | None) -> HistorySummary | None:
    if hf is None:
        return None
    return HistorySummary(hf.hottest_path, hf.hottest_changes, hf.recent_authors, hf.author_prior_commits,
                          hf.window_days)


def _risk_summary(risk: RiskResult) -> RiskSummary:
    return RiskSummary(risk.score, risk.band, risk.band_reason, tuple(
        FactorSummary(f.name, f.raw, round(f.normalised, 4), f.weight, f.contribution, f.explanation, f.kind,
                      f.effect)
        for f in risk.factors), round(risk.likelihood, 4), round(risk.base_likelihood, 4), risk.impact,
        risk.expected_cost, risk.model)


AI_COMMITS_LISTED = 20  # AI-signalled commits a report names, each with what fired


def _ai_commit_lines(prov: ChangeProvenance) -> tuple[str, ...]:
    """The commits counted as AI-written and the signals that counted them: the why panel and `explain` named
    only a branch-name hint below the threshold, never the committer `Claude <noreply@anthropic.com>` that
    counted (QA48 #2)."""
    fired: dict[str, list[str]] = {}
    for signal in prov.signals:
        if signal.commit is not None:
            fired.setdefault(signal.commit, []).append(f"{signal.signal} ({signal.tool})")
    return tuple(f"{commit[:10]} " + ("; ".join(dict.fromkeys(fired[commit])) if commit in fired
                                      else "AI lines in its git-ai note")
                 for commit in prov.ai_commits[:AI_COMMITS_LISTED])


def _assessment(risk: RiskResult, tiers: TierAssessment, prov: ChangeProvenance, complexity: ComplexitySummary,
                plan: ReviewPlan, hf: HistoryFigures | None, blast: BlastRadius | None, *,
                split_seconds: float = 0.0) -> Assessment:
    """The typed summary readers get (app/analysis/report.py) of one change's analyses; `split_seconds`: the floor
    above which the plan is too big to review as one change (0: never)."""
    return Assessment(
        risk=_risk_summary(risk),
        tiers=TierSummary(tiers.tier, tuple(tiers.reasons)),
        ai=AISummary(round(prov.ai_share, 4), prov.ai_added, tuple(prov.tools), prov.method,
                     (*prov.errors, *([prov.squash_warning] if prov.squash_warning else [])), tuple(prov.evidence),
                     _ai_commit_lines(prov), len(prov.ai_commits)),
        complexity=complexity,
        destructive_ops=tuple(DestructiveFinding(op.kind, op.path, op.line, op.side, op.text, op.explanation)
                              for op in tiers.destructive),
        plan=PlanSummary(len(plan.chunks), plan.total_floor_seconds, tuple(c.content_hash for c in plan.chunks),
                         too_big=0 < split_seconds < plan.total_floor_seconds),
        history=_history_summary(hf),
        destructive_notes=tuple(tiers.notes),
        unsafe_code=tuple(UnsafeFinding(s.path, s.line, s.kind, s.text) for s in tiers.unsafe),
        blast_radius=None if blast is None else blast_summary(blast),
        seams=() if blast is None else tuple(blast_symbol(s) for s in blast.seams),
    )


RANK_ORDERS = ("risk", "per-minute")


def rank(reports: list[ChangeReport], order: str = "risk", stale_before: float | None = None) -> list[ChangeReport]:
    """Riskiest first: by band (so a change raised to critical by a destructive operation never
    sits below a merely high one), then score, then size; changes that failed to analyse go last.
    `order` "per-minute": by expected cost per minute of review floor time (the most risk a reviewer
    with a fixed amount of time can take off the table first), then as above. Changes untouched since
    `stale_before` (discovery's [queue] stale_days) come after the live ones, ranked the same way among
    themselves: hono's top 50 held 41 pull requests over a year old, its first live one at row 21 (QA51 #17).
    Ties go newest first: terraform-aws-eks's 40 release commits of a range, all 0, were in commit-id order."""
    from app.core.risk.bands import BAND_NAMES

    def key(r: ChangeReport) -> tuple[bool, bool, float, int, float, int, float, str]:
        score = r.score
        size = r.figures.lines_added + r.figures.lines_deleted
        found = r.assessment
        per_minute = found.risk_per_minute if found is not None else None
        first = -(per_minute if per_minute is not None else -1) if order == "per-minute" else 0.0
        named = found.risk.band if found is not None else ""
        band = -BAND_NAMES.index(named) if named in BAND_NAMES else 1  # critical -3 ... low 0, none after
        newest = r.change.newest_time
        stale = stale_before is not None and newest is not None and newest < stale_before
        return (r.error is not None, stale, first, band, -(score if score is not None else -1), -size,
                -(newest or 0.0), r.id)

    return sorted(reports, key=key)
