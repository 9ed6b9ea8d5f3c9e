"""Critical-path tiers of paths, and detectors of destructive operations in a change's diff.

A tier says how much damage a path can do (SPEC "Words"): 0 = safety, money, identity, infrastructure
that can take the service down; 1 = core service code and what it is built and shipped with; 2 = ordinary
code (the default); 3 = docs, tests, tooling.

Tiers come from glob rules, the built-in DEFAULT_RULES first and then the repository's `[[tiers.rules]]`
from `.review-tui.toml`; the last rule that matches a path decides (as in .gitignore and CODEOWNERS).

Choices, documented because they are judgement calls:
- Infrastructure as code (Terraform, Helm, Kubernetes manifests, deploy/ YAML, infra/) is Tier 0: a bad
  apply deletes databases and load balancers. Container build files (Dockerfile, docker-compose) are
  Tier 1: a bad one breaks the build or the rollout, it does not destroy state.
- Tests and docs rules come last, so they win: `payments/auth/tests/test_tokens.py` is Tier 3, because a
  test or a README cannot take the service down. A team that disagrees adds its own rule after them.
- The review policy file itself (`.review-tui.toml`) is Tier 0: a change to it can lower the bar for every
  later change. CODEOWNERS is Tier 1.

Destructive operations (DestructiveOp) found in the lines a change adds, or in lines whose deletion is the
danger, raise the whole change to Tier 0. The detectors skip docs and tests (a README that explains
`rm -rf` or a test fixture that drops a table endangers nothing) and the config's `skip_destructive`
globs; they never raise on odd input (binary files are skipped, long lines are clipped).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from app.core.diff import ADDED, DELETED, DiffLine, FileDiff
from app.core.globs import GlobError, GlobSet, compile_glob
from app.core.settings import SectionReader

MIN_TIER = 0
MAX_TIER = 3
BUILT_IN = "built-in"  # the `source` of the default rules

MAX_TEXT = 200  # DestructiveOp.text is clipped to this many characters
MAX_SCAN = 4_000  # longer lines are scanned only up to here (minified or generated content)
MAX_STATEMENT = 20_000  # a SQL statement longer than this is scanned only up to here
MAX_OPS_PER_FILE = 100  # a generated dump full of DROPs must not flood the report
MAX_DESTRUCTIVE_REASONS = 10  # one-liners in TierAssessment.reasons; every op stays in .destructive


# ==================================================================================================
# Rules and config
# ==================================================================================================


@dataclass(frozen=True)
class TierRule:
    """Paths matching `glob` are of `tier` (0..3), for `reason`. `source` names where the rule came from."""

    glob: str
    tier: int
    reason: str = ""
    source: str = BUILT_IN

    def __post_init__(self) -> None:
        is_int = isinstance(self.tier, int) and not isinstance(self.tier, bool)
        if not is_int or not MIN_TIER <= self.tier <= MAX_TIER:
            raise ValueError(f"tier must be an integer {MIN_TIER}..{MAX_TIER}, got {self.tier!r}")
        compile_glob(self.glob)  # GlobError now rather than at the first match

    def describe(self, path: str) -> str:
        """One line saying why `path` has this rule's tier."""
        why = f" — {self.reason}" if self.reason else ""
        return f"{path} matches '{self.glob}' ({self.source}): tier {self.tier}{why}"


def _rules(tier: int, reason: str, globs: str) -> list[TierRule]:
    """Rules of one tier and reason; `globs` is whitespace-separated (no default glob has a space)."""
    return [TierRule(glob, tier, reason) for glob in globs.split()]


# Broad rules first, specific and "cannot hurt production" rules last: the last match wins.
DEFAULT_RULES: tuple[TierRule, ...] = tuple(
    _rules(1, "dependency manifest or lock file: changes what code runs in production", """
        requirements*.txt requirements/ constraints*.txt pyproject.toml setup.py setup.cfg Pipfile
        Pipfile.lock poetry.lock uv.lock package.json package-lock.json npm-shrinkwrap.json yarn.lock
        pnpm-lock.yaml go.mod go.sum Cargo.toml Cargo.lock Gemfile Gemfile.lock *.gemspec pom.xml build.gradle
        build.gradle.kts settings.gradle settings.gradle.kts gradle.lockfile composer.json composer.lock
        *.lock""")
    + _rules(1, "container build: changes the image that ships", """
        Dockerfile Dockerfile.* *.dockerfile Containerfile docker-compose*.yml docker-compose*.yaml
        compose.yml compose.yaml""")
    + _rules(1, "CI/CD configuration: decides what is tested and what is deployed", """
        .github/workflows/ .github/actions/ .gitlab-ci.yml .gitlab/ci/ Jenkinsfile .circleci/
        azure-pipelines*.yml .buildkite/ bitbucket-pipelines.yml .travis.yml .drone.yml""")
    + _rules(0, "infrastructure as code: an apply can destroy or expose production resources", """
        *.tf *.tf.json *.tfvars *.tfvars.json *.hcl terraform/ infra/ infrastructure/ helm/ Chart.yaml
        **/charts/*/templates/** **/charts/*/values*.yaml k8s/ kubernetes/ kustomization.yaml
        kustomization.yml **/deploy/**/*.yaml **/deploy/**/*.yml **/deployments/**/*.yaml
        **/deployments/**/*.yml ansible/ Pulumi.yaml Pulumi.*.yaml cloudformation/ serverless.yml""")
    + _rules(0, "schema migration: runs once against production data and is hard to undo", """
        **/migrations/** db/migrate/ alembic/versions/ db/**/*.sql""")
    + _rules(0, "security-sensitive code (auth, crypto, payments, billing, secrets)", """
        **/auth/** **/authn/** **/authz/** **/oauth/** **/iam/** **/crypto/** **/payment*/** **/billing/**
        **/security/** *secret* *credential* *.pem""")
    + _rules(3, "editor and tooling settings", ".editorconfig .vscode/ .idea/ .pre-commit-config.yaml")
    + _rules(3, "documentation", """
        docs/ doc/ *.md *.markdown *.rst *.adoc LICENSE* COPYING* NOTICE* AUTHORS* CHANGELOG* CHANGES*""")
    + _rules(3, "tests", """
        tests/ test/ __tests__/ testdata/ test_*.py *_test.py conftest.py *_test.go *.spec.ts *.spec.tsx
        *.spec.js *.spec.jsx *.test.ts *.test.tsx *.test.js *.test.jsx *_spec.rb *Test.java *Tests.java
        *Test.kt""")
    + _rules(1, "code ownership: decides who must approve", """
        /CODEOWNERS /.github/CODEOWNERS /docs/CODEOWNERS""")
    + _rules(0, "review policy: a change here can lower the bar for every later change", "/.review-tui.toml")
)


@dataclass(frozen=True)
class TierConfig:
    """The `[tiers]` section of `.review-tui.toml`."""

    rules: tuple[TierRule, ...] = ()
    """The repository's rules (`[[tiers.rules]]` with glob, tier, reason), applied after the defaults."""
    use_defaults: bool = True
    """Start from DEFAULT_RULES (then the repository's rules; the last match wins)."""
    default_tier: int = 2
    """The tier of a path no rule matches."""
    skip_destructive: tuple[str, ...] = ()
    """Globs of paths the destructive-operation detectors ignore (a dev-only reset script, say)."""

    def __post_init__(self) -> None:
        is_int = isinstance(self.default_tier, int) and not isinstance(self.default_tier, bool)
        if not is_int or not MIN_TIER <= self.default_tier <= MAX_TIER:
            raise ValueError(f"default_tier must be {MIN_TIER}..{MAX_TIER}, got {self.default_tier!r}")
        for pattern in self.skip_destructive:
            compile_glob(pattern)

    @property
    def effective_rules(self) -> tuple[TierRule, ...]:
        """Every rule in matching order: defaults (if used), then the repository's."""
        return (DEFAULT_RULES if self.use_defaults else ()) + self.rules

    @cached_property
    def _matcher(self) -> GlobSet:
        return GlobSet(rule.glob for rule in self.effective_rules)

    def rule_for(self, path: str) -> TierRule | None:
        """The rule that decides `path` (the last one matching), or None."""
        index = self._matcher.last_match(path)
        return None if index is None else self.effective_rules[index]

    @classmethod
    def from_reader(cls, reader: SectionReader) -> TierConfig:
        """Read `[tiers]`. A bad glob, an out-of-range tier or an unknown key is a warning on
        `reader.warnings` (that rule or key is ignored, the rest applies); a wrong type raises ConfigError."""
        use_defaults = reader.get("use_defaults", bool, True)
        default_tier = reader.get("default_tier", int, 2)
        if not MIN_TIER <= default_tier <= MAX_TIER:
            reader.warnings.append(f"{reader.where('default_tier')}: {default_tier} is outside "
                                   f"{MIN_TIER}..{MAX_TIER}: using 2")
            default_tier = 2
        skip: list[str] = []
        for i, pattern in enumerate(reader.get_list_of("skip_destructive", str, [])):
            try:
                compile_glob(pattern)
            except GlobError as exc:
                reader.warnings.append(f"{reader.where('skip_destructive')}[{i}]: {exc}: ignored")
                continue
            skip.append(pattern)
        rules: list[TierRule] = []
        for i, table in enumerate(reader.get_list_of("rules", dict, [])):
            where = f"{reader.section}.rules[{i}]"
            rule = _read_rule(SectionReader(table, reader.source, where, reader.warnings))
            if rule is not None:
                rules.append(rule)
        reader.finish()
        return cls(tuple(rules), use_defaults, default_tier, tuple(skip))


def _read_rule(reader: SectionReader) -> TierRule | None:
    glob = reader.get("glob", str, None)
    tier = reader.get("tier", int, None)
    reason = reader.get("reason", str, "")
    reader.finish()  # an unknown key (a typo such as "reasn") is reported; the rule still applies
    for key, value in (("glob", glob), ("tier", tier)):
        if value is None:
            reader.warnings.append(f"{reader.where(key)}: missing: rule ignored")
            return None
    if not MIN_TIER <= tier <= MAX_TIER:
        reader.warnings.append(
            f"{reader.where('tier')}: tier {tier} is outside {MIN_TIER}..{MAX_TIER}: rule ignored")
        return None
    try:
        compile_glob(glob)
    except GlobError as exc:
        reader.warnings.append(f"{reader.where('glob')}: {exc}: rule ignored")
        return None
    return TierRule(glob, tier, reason, reader.source)


def tier_of(path: str, config: TierConfig) -> tuple[int, str]:
    """The tier of `path` and a one-line reason naming the rule that decided it."""
    rule = config.rule_for(path)
    if rule is None:
        return config.default_tier, f"{path} matches no tier rule: default tier {config.default_tier}"
    return rule.tier, rule.describe(path)


# ==================================================================================================
# Destructive operations
# ==================================================================================================


@dataclass(frozen=True)
class DestructiveOp:
    """A destructive operation found in a diff. It raises its change to Tier 0.

    `line` is a new-file line number when `side` is "new" (an added or context line), an old-file one
    when `side` is "old" (a deleted line); None for a whole-file finding.
    """

    kind: str
    path: str
    line: int | None
    text: str  # the offending line, stripped, at most MAX_TEXT characters
    explanation: str
    side: str = "new"

    def summary(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.explanation}"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "path": self.path, "line": self.line, "side": self.side, "text": self.text,
                "explanation": self.explanation}


# -- what kind of file is it --------------------------------------------------------------------------
# Docs and tests: their text describes or exercises operations, it does not run them against production.
_NOT_OPERATIONAL = GlobSet(["docs/", "doc/", "*.md", "*.markdown", "*.rst", "*.adoc", "*.txt", "LICENSE*",
                            "CHANGELOG*", "spec/", "fixtures/"]
                           + [rule.glob for rule in DEFAULT_RULES if rule.reason == "tests"])
_MIGRATION_DIRS = GlobSet(["migrations/", "migrate/", "alembic/"])
_CI_FILES = GlobSet([rule.glob for rule in DEFAULT_RULES if rule.reason.startswith("CI/CD")]
                    + [".github/settings.yml", ".github/branch-protection*"])
_TERRAFORM_SUFFIXES = (".tf", ".tf.json", ".hcl", ".tfvars", ".tfvars.json")
_DOWN_MIGRATION_FILE = re.compile(r"(?:^|[._-])down\.sql$", re.I)


def _clip(text: str, limit: int = MAX_SCAN) -> str:
    return text if len(text) <= limit else text[:limit]


def _shown(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _is_comment(stripped: str) -> bool:
    """A whole-line comment in shell, YAML, HCL, Python, JS or batch files (SQL's "--" is handled apart:
    in a shell script a line starting with "--" is an option of the previous line)."""
    return stripped.startswith(("#", "//", "/*", "* ", "rem ", "REM ", "::"))


def _op(kind: str, fd: FileDiff, line: DiffLine, explanation: str) -> DestructiveOp:
    side = "old" if line.origin == DELETED else "new"
    number = line.old_lineno if side == "old" else line.new_lineno
    return DestructiveOp(kind, fd.path, number, _shown(line.text), explanation, side)


# -- shell-like commands, in any non-doc, non-test file ----------------------------------------------
_TERRAFORM_DESTROY = re.compile(r"\bterraform\s+(?:-\S+\s+)*destroy\b"
                                r"|\bterraform\s+(?:-\S+\s+)*(?:apply|plan)\b[^;&|]{0,300}\s-destroy\b")
_TERRAFORM_REPLACE = re.compile(r"\bterraform\s+(?:-\S+\s+)*(?:apply|plan)\b[^;&|]{0,300}"
                                r"\s-replace[=\s]\s*['\"]?([^\s'\"]+)")
_TERRAFORM_TAINT = re.compile(r"\bterraform\s+(?:-\S+\s+)*taint\s+['\"]?([^\s'\"]+)?")
_KUBECTL_DELETE = re.compile(r"\bkubectl\b[^;&|\n]{0,200}?\sdelete\s+([^;&|]*)")
_HELM_UNINSTALL = re.compile(r"\bhelm3?\b[^;&|\n]{0,200}?\s(uninstall|delete|del)\s+([^\s;&|]+)?")
_GIT_PUSH = re.compile(r"\bgit\b[^;&|\n]{0,200}?\spush\b([^;&|]*)")
_DROPDB = re.compile(r"(?:^|[\s;&|(\"'`])dropdb\s+")
_RM = re.compile(r"(?:^|[\s;&|(\"'`])rm\s+((?:\$\([^)]*\)|[^;&|)`])*)")  # up to ; & | ) ` but past $(VAR)
_RM_ROOT_DIRS = frozenset(
    {"/", "/*", "/.*", "~", "~/", "~/*", "$HOME", "${HOME}", "$HOME/", "${HOME}/", "$HOME/*", "${HOME}/*",
     "*", "./*", ".", "./", "..", "../", "../*", ".*"}
    | {f"/{d}" for d in "bin boot dev etc home lib lib64 opt root sbin srv usr var".split()})
# `$DIR/...`, `${DIR}/...`, `$(DIR)/...` (make); group "guard" holds a `${DIR:?}` style modifier.
_VARIABLE_PREFIX = re.compile(r"^\$(?:\{(?P<braced>\w+)(?P<guard>:?[-=+?][^}]*)?\}"
                              r"|\((?P<make>\w+)\)|(?P<plain>\w+))/")
_ALWAYS_SET = frozenset("HOME PWD RUNNER_TEMP RUNNER_TOOL_CACHE GITHUB_WORKSPACE CI_PROJECT_DIR".split())


def _rm_danger(arguments: str) -> str | None:
    """Why an `rm` command line is dangerous (recursive and forced, aimed at a root, a home, a wildcard
    or a variable-built path), or None. `rm -rf build dist` is ordinary housekeeping and passes."""
    tokens = arguments.split()
    flags = [t for t in tokens if t.startswith("-") and t != "-"]
    targets = [t.strip("'\"") for t in tokens if not t.startswith("-")]
    short = "".join(t[1:] for t in flags if not t.startswith("--"))
    recursive = "r" in short or "R" in short or "--recursive" in flags
    force = "f" in short or "--force" in flags
    if not (recursive and force):
        return None
    if "--no-preserve-root" in flags:
        return "rm -rf --no-preserve-root: allows deleting the whole filesystem"
    for target in targets:
        cleaned = target.replace('"', "").replace("'", "")
        if cleaned in _RM_ROOT_DIRS:
            return f"rm -rf {cleaned}: deletes a root, home or whole working directory"
        match = _VARIABLE_PREFIX.match(cleaned)
        if match is None or (match.group("guard") or "").startswith((":?", "?")):
            continue  # a literal path, or ${DIR:?} which aborts when DIR is empty
        name = match.group("braced") or match.group("make") or match.group("plain")
        if name not in _ALWAYS_SET:
            return f"rm -rf {cleaned}: if {name} is empty or unset this deletes from the filesystem root"
    return None


_FORCE_PUSH_OPTIONS = frozenset({"--force", "--force-with-lease", "--force-if-includes", "--mirror"})


def _force_push(arguments: str) -> bool:
    """Whether `git push` arguments overwrite remote history: --force and friends, -f in a short-option
    cluster, or a "+ref" refspec."""
    for token in arguments.split():
        if token in _FORCE_PUSH_OPTIONS or token.startswith("--force-with-lease="):
            return True
        if token.startswith("-") and not token.startswith("--") and "f" in token[1:]:
            return True
        if token.startswith("+") and len(token) > 1:
            return True
    return False


def _command_ops(fd: FileDiff, line: DiffLine, text: str) -> Iterator[DestructiveOp]:
    """Destructive shell commands on one added line."""
    if _TERRAFORM_DESTROY.search(text):
        yield _op("terraform-destroy-command", fd, line,
                  "terraform destroy: deletes every resource it manages")
    match = _TERRAFORM_REPLACE.search(text)
    if match:
        yield _op("terraform-replace", fd, line,
                  f"terraform -replace={match.group(1)}: destroys and recreates it (its data goes with it)")
    match = _TERRAFORM_TAINT.search(text)
    if match:
        subject = f"terraform taint {match.group(1) or ''}".rstrip()
        yield _op("terraform-taint", fd, line, f"{subject}: the next apply destroys and recreates it")
    match = _KUBECTL_DELETE.search(text)
    if match:
        words = match.group(1).split()
        subject = " ".join(["kubectl delete"] + words[:3])
        if words and words[0] in ("namespace", "namespaces", "ns"):
            yield _op("kubectl-delete", fd, line, f"{subject}: deletes the namespace and everything in it")
        else:
            yield _op("kubectl-delete", fd, line, f"{subject}: deletes live cluster resources")
    match = _HELM_UNINSTALL.search(text)
    if match:
        subject = f"helm {match.group(1)} {match.group(2) or ''}".rstrip()
        yield _op("helm-uninstall", fd, line, f"{subject}: removes a release and its resources")
    match = _GIT_PUSH.search(text)
    if match and _force_push(match.group(1)):
        yield _op("git-force-push", fd, line, "git push --force: rewrites the remote branch's history")
    if _DROPDB.search(text):
        yield _op("sql-drop", fd, line, "dropdb: deletes a whole database")
    for match in _RM.finditer(text):
        danger = _rm_danger(match.group(1))
        if danger:
            yield _op("rm-rf", fd, line, danger)
            break


# -- Terraform -------------------------------------------------------------------------------------
_TF_BLOCK = re.compile(r'^\s*(resource|module|data)\s+"([^"]+)"(?:\s+"([^"]+)")?\s*\{?')
_TF_FORCE_DESTROY = re.compile(r'force_destroy"?\s*[=:]\s*true\b')  # also `bucket_force_destroy = true`
_TF_PREVENT_TRUE = re.compile(r'\bprevent_destroy"?\s*[=:]\s*true\b')
_TF_PREVENT_FALSE = re.compile(r'\bprevent_destroy"?\s*[=:]\s*false\b')
_TF_CBD_FALSE = re.compile(r'\bcreate_before_destroy"?\s*[=:]\s*false\b')
_TF_DELETION_PROTECTION_OFF = re.compile(r'\bdeletion_protection"?\s*[=:]\s*false\b')
_TF_MOVED_FROM = re.compile(r"^\s*from\s*=\s*([\w.\[\]\"-]+)")


def _tf_address(match: re.Match[str]) -> str | None:
    kind, first, second = match.group(1), match.group(2), match.group(3)
    if kind == "resource" and second:
        return f"{first}.{second}"
    if kind == "module":
        return f"module.{first}"
    if kind == "data" and second:
        return f"data.{first}.{second}"
    return None


@dataclass
class _TerraformFacts:
    """What the Terraform files of one change add and remove, gathered before judging moves."""

    deleted_blocks: list[tuple[str, FileDiff, DiffLine]] = field(default_factory=list)
    added_blocks: set[str] = field(default_factory=set)
    moved_from: set[str] = field(default_factory=set)
    prevent_removed: list[tuple[str | None, FileDiff, DiffLine]] = field(default_factory=list)
    prevent_added: Counter[str | None] = field(default_factory=Counter)
    prevent_turned_off: set[str | None] = field(default_factory=set)  # blocks given prevent_destroy = false


def _terraform_lines(fd: FileDiff, facts: _TerraformFacts) -> Iterator[DestructiveOp]:
    for hunk in fd.hunks:
        header = _TF_BLOCK.match(hunk.header or "")
        old_block = new_block = _tf_address(header) if header else None
        for line in hunk.lines:
            text = _clip(line.text)
            stripped = text.strip()
            if _is_comment(stripped):
                continue
            block = _TF_BLOCK.match(text)
            if block:
                address = _tf_address(block)
                if line.origin != ADDED:
                    old_block = address
                if line.origin != DELETED:
                    new_block = address
                if address and not address.startswith("data."):
                    if line.origin == DELETED:
                        facts.deleted_blocks.append((address, fd, line))
                    elif line.origin == ADDED:
                        facts.added_blocks.add(address)
            if line.origin == DELETED:
                if _TF_PREVENT_TRUE.search(text):
                    facts.prevent_removed.append((old_block, fd, line))
            elif line.origin == ADDED:
                subject = new_block or "this resource"
                if _TF_PREVENT_TRUE.search(text):
                    facts.prevent_added[new_block] += 1
                moved = _TF_MOVED_FROM.match(text)
                if moved:
                    facts.moved_from.add(moved.group(1).strip('"'))
                if _TF_FORCE_DESTROY.search(text):
                    yield _op("terraform-force-destroy", fd, line,
                              f"force_destroy = true on {subject}: destroying it also deletes all its "
                              "contents (every object in a bucket)")
                if _TF_PREVENT_FALSE.search(text):
                    facts.prevent_turned_off.add(new_block)
                    yield _op("terraform-prevent-destroy-removed", fd, line,
                              f"prevent_destroy set to false on {subject}: terraform may now destroy it")
                if _TF_CBD_FALSE.search(text):
                    yield _op("terraform-create-before-destroy-off", fd, line,
                              f"create_before_destroy = false on {subject}: a replacement destroys it first "
                              "(downtime, and its data if it holds any)")
                if _TF_DELETION_PROTECTION_OFF.search(text):
                    yield _op("terraform-deletion-protection-off", fd, line,
                              f"deletion_protection = false on {subject}: the cloud no longer refuses to "
                              "delete it")
            if stripped == "}" and not text.startswith((" ", "\t")):
                # A closing brace at column 0 ends the top-level block on the sides that have this line.
                if line.origin != ADDED:
                    old_block = None
                if line.origin != DELETED:
                    new_block = None


def _terraform_judgement(facts: _TerraformFacts) -> Iterator[DestructiveOp]:
    """Deleted blocks and removed prevent_destroy, unless the change re-adds or `moved`-declares them."""
    destroyed: set[str] = set()
    for address, fd, line in facts.deleted_blocks:
        if address in facts.added_blocks or address in facts.moved_from:
            continue  # moved to another file, renamed with a `moved` block, or rewritten in place
        destroyed.add(address)
        if address.startswith("module."):
            yield _op("terraform-module-deleted", fd, line,
                      f"{address} deleted: terraform will destroy every resource in it")
        else:
            yield _op("terraform-resource-deleted", fd, line,
                      f"resource {address} deleted: terraform will destroy it")
    remaining = Counter(facts.prevent_added)
    for block, fd, line in facts.prevent_removed:
        if remaining[block] > 0:
            remaining[block] -= 1  # the line moved, or the block moved to another file: still protected
            continue
        if block in facts.prevent_turned_off or (block is not None and block in destroyed):
            continue  # already reported: set to false, or the whole block goes
        yield _op("terraform-prevent-destroy-removed", fd, line,
                  f"prevent_destroy = true removed from {block or 'a resource'}: terraform may now "
                  "destroy it")


# -- SQL --------------------------------------------------------------------------------------------
_SQL_PART = r'(?:[\w$]+|"[^"\n]{1,128}"|`[^`\n]{1,128}`|\[[^\]\n]{1,128}\])'
_SQL_NAME = rf"({_SQL_PART}(?:\.{_SQL_PART})*)"  # users, public.users, "Order Items", `t`, [t]
_SQL_DROP = re.compile(rf"\bDROP\s+(TABLE|DATABASE|SCHEMA)\s+(?:IF\s+EXISTS\s+)?{_SQL_NAME}", re.I)
_SQL_CREATE_TABLE = re.compile(rf"\bCREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:TEMP\w*\s+|UNLOGGED\s+)?TABLE\s+"
                               rf"(?:IF\s+NOT\s+EXISTS\s+)?{_SQL_NAME}", re.I)
_SQL_TRUNCATE = re.compile(rf"\bTRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?{_SQL_NAME}", re.I)
_SQL_ALTER = re.compile(rf"\bALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?{_SQL_NAME}", re.I)
_SQL_ALTER_DROP = re.compile(rf"\bDROP\s+(?:(COLUMN|PARTITION)\s+)?(?:IF\s+EXISTS\s+)?({_SQL_PART})", re.I)
_SQL_NOT_DATA = frozenset("CONSTRAINT INDEX KEY DEFAULT NOT PRIMARY FOREIGN CHECK IDENTITY EXPRESSION "
                          "TRIGGER ROW RULE STATISTICS POLICY UNIQUE".split())
_SQL_DELETE = re.compile(rf"\bDELETE\s+FROM\s+(?:ONLY\s+)?{_SQL_NAME}", re.I)
_SQL_UPDATE = re.compile(rf"\bUPDATE\s+(?:ONLY\s+)?(?!SET\b){_SQL_NAME}"
                         rf"(?:\s+(?:AS\s+)?(?!SET\b)\w+)?\s+SET\b", re.I)
_SQL_NOT_AN_UPDATE = re.compile(r"\b(?:DO|KEY|FOR|OF|BEFORE|AFTER|INSTEAD|ON)\s*$", re.I)
_SQL_KEYWORDS = re.compile(r"\b(?:DROP|TRUNCATE|DELETE|UPDATE|ALTER|CREATE)\b", re.I)
_SQL_WHERE = re.compile(r"\bWHERE\b", re.I)
_SQL_STRING = re.compile(r"'(?:[^']|'')*'")
_SQL_BLOCK_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)
_PARENTHESISED = re.compile(r"\([^()]*\)")
_SQL_DOWN_MARKER = re.compile(r"^\s*--\s*(?:\+goose\s+down|migrate:down|\+migrate\s+down)\b", re.I)
_SQL_UP_MARKER = re.compile(r"^\s*--\s*(?:\+goose\s+up|migrate:up|\+migrate\s+up)\b", re.I)

# ORM migration operations that delete data (alembic, Django, Rails, knex), outside down/downgrade.
_ORM_DROP = re.compile(r"\b(?:op|batch_op)\.(drop_table|drop_column)\s*\("
                       r"|\bmigrations\.(DeleteModel|RemoveField)\s*\("
                       r"|^\s*(drop_table|remove_columns?)\b|\.(dropTable(?:IfExists)?|dropColumns?)\s*\(")
_FUNCTION_START = re.compile(r"^\s*(?:async\s+)?def\s+(\w+)|^\s*(?:exports\.)?(up|down)\s*[=:(]"
                             r"|^\s*(?:async\s+)?(up|down)\s*\(")
_DOWN_FUNCTIONS = frozenset({"downgrade", "down", "rollback", "backwards", "reverse", "revert", "unapply"})


def _outside_parentheses(text: str) -> str:
    """`text` with every parenthesised group emptied, so a WHERE in a subquery does not count."""
    for _ in range(64):  # nesting deeper than this is not SQL a person wrote
        reduced = _PARENTHESISED.sub(" ", text)  # inner groups first; a blank lets the outer one match
        if reduced == text:
            break
        text = reduced
    return text


@dataclass
class _Statement:
    """A SQL statement (or a string in migration code) being assembled from new-side lines."""

    parts: list[tuple[int, DiffLine]] = field(default_factory=list)  # (offset in text, line)
    text: str = ""
    deletion_inside: bool = False  # a line was deleted from the middle of it (a WHERE clause, say)

    def add(self, piece: str, line: DiffLine) -> None:
        if len(self.text) >= MAX_STATEMENT:
            return
        self.parts.append((len(self.text), line))
        self.text += piece + "\n"

    @property
    def changed(self) -> bool:
        return self.deletion_inside or any(line.origin == ADDED for _, line in self.parts)

    def split(self, separator: str) -> Iterator[_Statement]:
        """The pieces between separators, each keeping the lines it overlaps (one sweep over both)."""
        parts = self.parts
        first = 0  # the first line that may overlap the current piece
        begin = 0
        for piece in self.text.split(separator):
            end = begin + len(piece)
            while first + 1 < len(parts) and parts[first + 1][0] <= begin:
                first += 1  # that line ends before this piece begins
            part = _Statement(deletion_inside=self.deletion_inside, text=piece)
            index = first
            while index < len(parts) and parts[index][0] <= end:
                part.parts.append((parts[index][0] - begin, parts[index][1]))
                index += 1
            if part.parts:
                yield part
            begin = end + len(separator)

    def line_at(self, offset: int) -> DiffLine:
        chosen = self.parts[0][1]
        for start, line in self.parts:
            if start > offset:
                break
            chosen = line
        return chosen


def _sql_statement_ops(fd: FileDiff, statement: _Statement, created: set[str], *,
                       embedded: bool) -> Iterator[DestructiveOp]:
    """The destructive statements in `statement` when it was changed. `embedded`: SQL inside code, where
    quotes are the code's and only upper-case keywords count (so a docstring saying "truncate the
    ledger" is prose, while op.execute("TRUNCATE ledger") is SQL)."""
    if not _SQL_KEYWORDS.search(statement.text):
        return  # most statements (INSERT, SELECT, CREATE INDEX) need no closer look
    text = _SQL_BLOCK_COMMENT.sub(" ", statement.text)
    if not embedded:
        text = _SQL_STRING.sub("''", text)  # a keyword inside a SQL string literal is data
    for match in _SQL_CREATE_TABLE.finditer(text):
        created.add(match.group(1).strip('"`[]').lower())
    if statement.changed:
        yield from _sql_findings(fd, statement, text, created, embedded)


def _sql_matches(pattern: re.Pattern[str], text: str, embedded: bool) -> Iterator[re.Match[str]]:
    for match in pattern.finditer(text):
        if not embedded or match.group(0).split(maxsplit=1)[0].isupper():
            yield match


def _sql_findings(fd: FileDiff, statement: _Statement, text: str, created: set[str],
                  embedded: bool) -> Iterator[DestructiveOp]:
    for match in _sql_matches(_SQL_DROP, text, embedded):
        what, name = match.group(1).upper(), match.group(2)
        if what == "TABLE" and name.strip('"`[]').lower() in created:
            continue  # dropping a table this change created earlier (a scratch table)
        yield _op("sql-drop", fd, statement.line_at(match.start()),
                  f"DROP {what} {name}: the {what.lower()} and all its data are deleted")
    for match in _sql_matches(_SQL_TRUNCATE, text, embedded):
        yield _op("sql-truncate", fd, statement.line_at(match.start()),
                  f"TRUNCATE {match.group(1)}: deletes every row")
    for match in _sql_matches(_SQL_ALTER, text, embedded):
        rest = _outside_parentheses(text[match.end():])
        for dropped in _SQL_ALTER_DROP.finditer(rest):
            what, name = (dropped.group(1) or "COLUMN").upper(), dropped.group(2)
            if dropped.group(1) is None and name.upper() in _SQL_NOT_DATA:
                continue  # DROP CONSTRAINT / INDEX / DEFAULT ...: no data is lost
            yield _op("sql-drop-column", fd, statement.line_at(match.start()),
                      f"ALTER TABLE {match.group(1)} DROP {what} {name}: its data is deleted")
    for match in _sql_matches(_SQL_DELETE, text, embedded):
        if not _SQL_WHERE.search(_outside_parentheses(text[match.end():])):
            yield _op("sql-delete-all", fd, statement.line_at(match.start()),
                      f"DELETE FROM {match.group(1)} without WHERE: deletes every row")
    for match in _sql_matches(_SQL_UPDATE, text, embedded):
        if _SQL_NOT_AN_UPDATE.search(text[max(0, match.start() - 20):match.start()]):
            continue  # ON CONFLICT DO UPDATE, ON DUPLICATE KEY UPDATE, triggers, SELECT ... FOR UPDATE
        if not _SQL_WHERE.search(_outside_parentheses(text[match.end():])):
            yield _op("sql-update-all", fd, statement.line_at(match.start()),
                      f"UPDATE {match.group(1)} without WHERE: changes every row")


def _sql_file_ops(fd: FileDiff) -> Iterator[DestructiveOp]:
    """A .sql file: statements assembled from the new side of each hunk, split on ';'."""
    created: set[str] = set()
    down = False  # inside a goose / dbmate / sql-migrate down section
    for hunk in fd.hunks:
        statement = _Statement()
        for line in hunk.lines:
            if line.origin == DELETED:
                if statement.text.strip():
                    statement.deletion_inside = True  # e.g. a WHERE clause deleted from an open statement
                continue
            text = _clip(line.text)
            if _SQL_DOWN_MARKER.match(text) or _SQL_UP_MARKER.match(text):
                yield from _sql_statement_ops(fd, statement, created, embedded=False)
                statement = _Statement()
                down = bool(_SQL_DOWN_MARKER.match(text))
                continue
            if down:
                continue
            code = _SQL_STRING.sub("''", text)
            comment = code.find("--")
            if comment >= 0:
                code = code[:comment]
            pieces = code.split(";")
            for index, piece in enumerate(pieces):
                statement.add(piece, line)
                if index < len(pieces) - 1:
                    yield from _sql_statement_ops(fd, statement, created, embedded=False)
                    statement = _Statement()
        yield from _sql_statement_ops(fd, statement, created, embedded=False)


def _function_name(text: str) -> str | None:
    """The name of the function `text` starts (def upgrade, def down, exports.down = ...), if any."""
    match = _FUNCTION_START.match(text)
    return None if match is None else next(group for group in match.groups() if group)


def _migration_code_ops(fd: FileDiff) -> Iterator[DestructiveOp]:
    """A migration written in code (alembic, Django, Rails, knex): ORM drops and SQL inside strings,
    except inside down/downgrade functions (they undo a migration, they are not what it does)."""
    created: set[str] = set()
    for hunk in fd.hunks:
        in_down = _function_name(hunk.header or "") in _DOWN_FUNCTIONS
        block: _Statement | None = None  # an open triple-quoted string
        for line in hunk.lines:
            if line.origin == DELETED:
                if block is not None:
                    block.deletion_inside = True
                continue
            text = _clip(line.text)
            function = _function_name(text)
            if function is not None:
                in_down = function in _DOWN_FUNCTIONS
            stripped = text.strip()
            if in_down or (block is None and _is_comment(stripped)):
                continue
            quotes = text.count('"""') + text.count("'''")
            if block is not None:
                block.add(text, line)
                if quotes % 2:
                    yield from _migration_units(fd, block, created)
                    block = None
                continue
            if quotes % 2:
                block = _Statement()
                block.add(text, line)
                continue
            if line.origin == ADDED:
                orm = _ORM_DROP.search(text)
                if orm:
                    operation = next(g for g in orm.groups() if g)
                    yield _op("migration-drop", fd, line,
                              f"{operation} in a migration: the table or column and its data are deleted")
            single = _Statement()
            single.add(text, line)
            yield from _migration_units(fd, single, created)
        if block is not None:
            yield from _migration_units(fd, block, created)


def _migration_units(fd: FileDiff, unit: _Statement, created: set[str]) -> Iterator[DestructiveOp]:
    """SQL embedded in migration code, split on ';' (string quotes are code here, not SQL literals)."""
    for part in unit.split(";"):
        yield from _sql_statement_ops(fd, part, created, embedded=True)


# -- CI protection steps -------------------------------------------------------------------------------
# A step's name: `- name: Run tests`, a GitLab job key at column 0 (`unit-tests:`), a Jenkins stage.
_CI_NAME = re.compile(r"^\s*-?\s*name:\s*(.+?)\s*$|^([A-Za-z][\w .:/-]*):\s*$"
                      r"|\bstage\s*\(\s*['\"](.+?)['\"]")
_CI_NAME_WORDS = re.compile(
    r"\b(tests?|testing|unit|integration|e2e|lint\w*|security|scan\w*|codeql|sast|dast|audit|reviews?"
    r"|approv\w*|required|coverage|type-?check\w*|mypy|vulnerab\w*|secrets?|gitleaks|trivy|snyk|semgrep"
    r"|bandit|dependency-review|verify|check)\b", re.I)
_CI_COMMANDS = re.compile(
    r"\b(pytest|tox|nox|unittest|(?:npm|yarn|pnpm)\s+(?:run\s+)?(?:test|lint)|go\s+test|go\s+vet"
    r"|cargo\s+test|cargo\s+clippy|mvn\b[^\n]{0,200}?\b(?:test|verify)"
    r"|gradlew?\b[^\n]{0,200}?\b(?:test|check)|make\s+(?:test|check|lint)|ruff|flake8|pylint|mypy"
    r"|pyright|eslint|golangci-lint|rubocop|rspec|phpunit|jest|vitest|bandit|gitleaks|trivy|snyk|semgrep"
    r"|codeql-action|dependency-review-action|super-linter)\b", re.I)
_CI_SETTINGS = re.compile(
    r"\b(required_approving_review_count|required_status_checks|require_code_owner_reviews|enforce_admins|"
    r"required_pull_request_reviews|dismiss_stale_reviews|branch[-_]protection)\b", re.I)
_STEP_START = re.compile(r"^\s*-\s|^[A-Za-z][\w .:/-]*:\s*$|\bstage\s*\(")
_LIST_ITEM = re.compile(r"^\s*-\s")
_KEYWORD_ROOTS = ("test", "lint", "scan", "approv", "vulnerab", "secret", "review", "type")


def _ci_keyword(text: str) -> tuple[str, bool] | None:
    """The protective keyword a CI line carries, and whether it is a command/setting (vs a step name)."""
    for pattern, is_command in ((_CI_COMMANDS, True), (_CI_SETTINGS, True)):
        match = pattern.search(text)
        if match:
            return " ".join(match.group(1).lower().split()), is_command
    name = _CI_NAME.search(text)
    if name:
        label = next(g for g in name.groups() if g)
        word = _CI_NAME_WORDS.search(label)
        if word:
            keyword = word.group(1).lower()
            for root in _KEYWORD_ROOTS:
                if keyword.startswith(root):
                    keyword = root
            return keyword, False
    return None


def _ci_label(lines: Sequence[DiffLine]) -> str:
    for line in lines:
        name = _CI_NAME.search(line.text)
        if name:
            return next(g for g in name.groups() if g).strip("'\"")
    return lines[0].text.strip().lstrip("- ").strip()


@dataclass
class _CiStep:
    """A deleted CI step (or job/stage with its deleted items) and the protective keywords it carries."""

    lines: list[DiffLine]
    names: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)

    @property
    def primary(self) -> str:
        # A command (pytest, codeql) identifies the step better than a word in its name.
        return self.commands[0] if self.commands else self.names[0]


def _ci_ops(fd: FileDiff) -> Iterator[DestructiveOp]:
    """Steps that test, lint, scan or require approval, deleted from a CI file and not re-added there."""
    added_keywords: set[str] = set()
    for line in fd.added_lines():
        if not _is_comment(line.text.strip()):
            found = _ci_keyword(_clip(line.text))
            if found:
                added_keywords.add(found[0])
    removed = [step for step in _deleted_ci_steps(fd) if step.primary not in added_keywords]
    if not removed:
        return  # every protective line deleted was re-added: edited or moved, not dropped
    if fd.status == "deleted" or fd.new_path is None:
        labels = ", ".join(dict.fromkeys(_ci_label(step.lines) for step in removed))
        yield _op("ci-protection-removed", fd, removed[0].lines[0],
                  f"CI config {fd.path} deleted: it ran {labels}")
        return
    for step in removed:
        yield _op("ci-protection-removed", fd, step.lines[0],
                  f"CI step '{_ci_label(step.lines)}' removed from {fd.path}")


def _deleted_ci_steps(fd: FileDiff) -> Iterator[_CiStep]:
    for run in _deleted_runs(fd):
        parent: _CiStep | None = None  # a protective job or stage: its deeper items fold into it
        parent_indent = 0
        for unit in _split_steps(run):
            indent = _indent(unit[0].text)
            if parent is not None and indent > parent_indent:
                target = parent
                target.lines.extend(unit)
            else:
                parent = None
                target = _CiStep(list(unit))
            for line in unit:
                found = None if _is_comment(line.text.strip()) else _ci_keyword(_clip(line.text))
                if found:
                    (target.commands if found[1] else target.names).append(found[0])
            if target is parent or not (target.names or target.commands):
                continue
            yield target
            if not _LIST_ITEM.match(unit[0].text):
                parent, parent_indent = target, indent


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


def _deleted_runs(fd: FileDiff) -> Iterator[list[DiffLine]]:
    """Consecutive deleted lines, one list per run."""
    for hunk in fd.hunks:
        run: list[DiffLine] = []
        for line in hunk.lines:
            if line.origin == DELETED:
                run.append(line)
            elif run:
                yield run
                run = []
        if run:
            yield run


def _split_steps(lines: list[DiffLine]) -> Iterator[list[DiffLine]]:
    """Split a run of deleted lines into units: a YAML list item with its deeper lines, or a job key /
    Jenkins stage with the lines up to the next unit."""
    unit: list[DiffLine] = []
    item_indent: int | None = None
    for line in lines:
        text = line.text
        indent = _indent(text)
        is_item = bool(_LIST_ITEM.match(text))
        inside_item = item_indent is not None and indent > item_indent
        if unit and _STEP_START.search(text) and not inside_item:
            yield unit
            unit = []
        if not unit:
            item_indent = indent if is_item else None
        unit.append(line)
    if unit:
        yield unit


# -- driver ---------------------------------------------------------------------------------------------


def _kind_of_file(path: str) -> set[str]:
    kinds: set[str] = set()
    lower = path.lower()
    if lower.endswith(_TERRAFORM_SUFFIXES):
        kinds.add("terraform")
    if lower.endswith(".sql"):
        kinds.add("sql")
    elif _MIGRATION_DIRS.matches(path):
        kinds.add("migration-code")
    if _CI_FILES.matches(path):
        kinds.add("ci")
    return kinds


def _logical_added_lines(fd: FileDiff) -> Iterator[tuple[DiffLine, str]]:
    """Added lines with backslash continuations joined, so `git push origin main \\` + `--force` is one
    command; each is reported at its first line."""
    for hunk in fd.hunks:
        pending: tuple[DiffLine, str] | None = None
        for line in hunk.lines:
            if line.origin != ADDED:
                if pending is not None:  # the continuation is not part of the change: judge what was added
                    yield pending
                    pending = None
                continue
            text = _clip(line.text)
            if pending is not None:
                first, joined = pending
                text = _clip(joined + " " + text.strip())
                line = first
            elif _is_comment(text.strip()):
                continue
            if text.rstrip().endswith("\\"):
                pending = (line, text.rstrip()[:-1])
                continue
            pending = None
            yield line, text
        if pending is not None:
            yield pending


def _file_ops(fd: FileDiff, kinds: set[str], facts: _TerraformFacts) -> Iterator[DestructiveOp]:
    for line, text in _logical_added_lines(fd):
        yield from _command_ops(fd, line, text)
    if "terraform" in kinds:
        yield from _terraform_lines(fd, facts)
    if "sql" in kinds and not _DOWN_MIGRATION_FILE.search(fd.path):
        yield from _sql_file_ops(fd)
    if "migration-code" in kinds:
        yield from _migration_code_ops(fd)
    if "ci" in kinds:
        yield from _ci_ops(fd)


def detect_destructive(files: Iterable[FileDiff], *, skip: Sequence[str] = ()) -> list[DestructiveOp]:
    """Every destructive operation in `files`, ordered by path and line.

    Docs, tests, binary files and paths matching the `skip` globs are not scanned. Never raises on
    file content.
    """
    skipped = GlobSet(skip) if skip else None
    facts = _TerraformFacts()
    found: list[DestructiveOp] = []
    for fd in files:
        if fd.binary or not fd.hunks:
            continue
        paths = list(dict.fromkeys(p for p in (fd.old_path, fd.new_path) if p))
        if any(_NOT_OPERATIONAL.matches(p) or (skipped is not None and skipped.matches(p)) for p in paths):
            continue
        kinds = set().union(*(_kind_of_file(p) for p in paths))
        count = 0
        for op in _file_ops(fd, kinds, facts):
            found.append(op)
            count += 1
            if count >= MAX_OPS_PER_FILE:
                break
    found.extend(_terraform_judgement(facts))
    unique = {(op.kind, op.path, op.side, op.line, op.explanation): op for op in found}
    return sorted(unique.values(), key=lambda op: (op.path, op.line if op.line is not None else -1, op.kind))


# ==================================================================================================
# Assessment of a change
# ==================================================================================================


@dataclass
class TierAssessment:
    """The tier of a change and why."""

    tier: int  # the lowest (most critical) tier of its files; 0 when any destructive operation was found
    reasons: list[str]  # one-liners, most severe first: destructive operations, then the deciding rules
    file_tiers: dict[str, int]  # per file (FileDiff.path); 0 for a file with a destructive operation
    destructive: list[DestructiveOp] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"tier": self.tier, "reasons": list(self.reasons), "file_tiers": dict(self.file_tiers),
                "destructive": [op.to_dict() for op in self.destructive]}


def assess(files: Sequence[FileDiff], config: TierConfig) -> TierAssessment:
    """The tier of the change made of `files` (a rename counts its old and new path)."""
    file_tiers: dict[str, int] = {}
    groups: dict[TierRule | None, list[str]] = {}
    for fd in files:
        best: tuple[int, TierRule | None, str] | None = None
        for path in dict.fromkeys(p for p in (fd.new_path, fd.old_path) if p):
            rule = config.rule_for(path)
            tier = config.default_tier if rule is None else rule.tier
            if best is None or tier < best[0]:
                best = (tier, rule, path)
        if best is None:
            continue
        file_tiers[fd.path] = best[0]
        groups.setdefault(best[1], []).append(best[2])
    destructive = detect_destructive(files, skip=config.skip_destructive)
    if not file_tiers:
        return TierAssessment(config.default_tier, [], {}, destructive)
    path_tier = min(file_tiers.values())
    for op in destructive:
        if op.path in file_tiers:
            file_tiers[op.path] = 0
    reasons = list(dict.fromkeys(op.summary() for op in destructive))
    if len(reasons) > MAX_DESTRUCTIVE_REASONS:
        extra = len(reasons) - MAX_DESTRUCTIVE_REASONS
        reasons = reasons[:MAX_DESTRUCTIVE_REASONS] + [f"... and {extra} more destructive operations"]
    for rule, paths in groups.items():
        tier = config.default_tier if rule is None else rule.tier
        if tier != path_tier:
            continue
        line = (f"{paths[0]} matches no tier rule: default tier {tier}" if rule is None
                else rule.describe(paths[0]))
        reasons.append(line + (f" (+{len(paths) - 1} more)" if len(paths) > 1 else ""))
    return TierAssessment(0 if destructive else path_tier, reasons, file_tiers, destructive)
