"""The destructive-operation scan of a change: every file's base and head version, read by the parser
of its format, and compared.

Families (one module each): terraform (HCL), sql (.sql and migration formats), migrations (SQL and
ORM drops inside Python/Ruby/Go/JS migrations), liquibase (XML/YAML/JSON changelogs), ci (GitHub
Actions, GitLab CI), kubernetes (manifests), shell (scripts, Makefiles, Dockerfiles), python_calls
(subprocess/os and cloud SDK calls), tls (certificate verification turned off, in those and in JS/TS/Go/Rust
code lines). A finding already present in the base version is not the
change's doing and is not reported; what the change removes (a resource, a CI step, a protection) is
reported on the base side.

A file that does not parse (or is over its parser's size bound) is scanned by the regex detectors of
the legacy module over its diff, and the scan says so in a note: never silence. Docs, tests and the
config's `skip_destructive` globs are not scanned, as before.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from app.core.git.diff import ADDED, FileDiff, Hunk
from app.core.globs import GlobSet
from app.core.impact.destructive import (
    ci,
    django_fields,
    efcore,
    graphql_schema,
    helm_values,
    kubernetes,
    liquibase,
    migrations,
    python_calls,
    shell,
    sql,
    terraform,
    terraform_exposure,
    tls,
)
from app.core.impact.destructive.legacy import is_comment
from app.core.impact.destructive.model import (
    MAX_FINDINGS_PER_FILE,
    Finding,
    Lines,
    ParseFailure,
    Work,
    new_findings,
    shown,
)
from app.core.impact.destructive.yamlnodes import load_documents
from app.core.memo import Submit, digest
from app.core.planner.model import AGENT_RULES_GLOBS, INSTALLED_ENV_GLOBS, LOCK_FILE_GLOBS
from app.core.text import visible_path

Reader = Callable[[FileDiff, str], bytes | None]  # (file, "old" | "new") -> that version's bytes
Neighbours = Callable[[str], list[tuple[str, str]]]  # directory -> (path, text) of its .tf files at the head
# (directory, suffixes) -> (path, text) of its files with those suffixes at the change's base (the types a changelog's
# columns had before the change)
BaseFiles = Callable[[str, tuple[str, ...]], list[tuple[str, str]]]
_CHANGELOG_SUFFIXES = (".xml", ".yaml", ".yml", ".json")
# what a detector reads that, under tests, docs or examples, is said to be left unread: "no destructive operation
# found" read as "checked and clean" for terraform-aws-eks's examples/ turning deletion_protection off (QA55 F6)
_INFRA_SUFFIXES = (".tf", ".tfvars", ".sql", ".sh", ".yml", ".yaml")
MAX_FALLBACK_LINES = 5_000  # diff lines the regex fallback reads from one file
MAX_READ_BYTES = 2_000_000  # a file version larger than this is not read at all (every parse bound is below it)

_TESTS_AND_DOCS = GlobSet(
    [
        "docs/",
        "doc/",
        "*.md",
        "*.markdown",
        "*.rst",
        "*.adoc",
        "*.txt",
        *AGENT_RULES_GLOBS,
        "LICENSE*",
        "CHANGELOG*",
        "spec/",
        "fixtures/",
        "tests/",
        "test/",
        "__tests__/",
        "testdata/",
        "test_*.py",
        "*_test.py",
        "conftest.py",
        "*_test.go",
        "*.spec.ts",
        "*.spec.js",
        "*.test.ts",
        "*.test.js",
        "*_spec.rb",
        "*Test.java",
        "*Tests.java",
        "*Test.kt",
        "examples/",
    ]
)
_MIGRATION_DIRS = GlobSet(
    [
        "migrations/",
        "migrate/",
        "alembic/",
        "db/migrate/",
        "migration/",
        "changelog/",
        "changelogs/",
        "liquibase/",
        "flyway/",
        "schema/",
    ]
)
_CI_PATHS = GlobSet(
    [
        ".github/workflows/",
        ".github/actions/",
        "action.yml",
        "action.yaml",
        ".gitlab-ci.yml",
        ".gitlab-ci.yaml",
        ".gitlab/ci/",
    ]
)
_YAML = (".yml", ".yaml")


@dataclass
class ScanResult:
    """The destructive operations of a change, and notes on what could not be parsed."""

    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    work: Work = field(default_factory=Work)


def blob_reader(
    read_blob: Callable[[str], bytes], read_worktree: Callable[[str], bytes | None] | None = None
) -> Reader:
    """A Reader from a blob-id reader (and, for a working-tree change, a reader of workdir files)."""

    def read(fd: FileDiff, side: str) -> bytes | None:
        blob, path = (fd.old_blob, fd.old_path) if side == "old" else (fd.new_blob, fd.new_path)
        if path is None:
            return None
        if blob:
            try:
                return read_blob(blob)
            except Exception:
                pass
        return read_worktree(path) if read_worktree is not None and side == "new" else None

    return read


def _text(data: bytes | None) -> str | None:
    if data is None or b"\x00" in data[:8_000]:
        return None
    return data.decode("utf-8", errors="replace")


def family(path: str, head: str) -> str | None:
    """Which detector reads this path (None: no parser, the regex command scan applies)."""
    lower = path.lower()
    name = posixpath.basename(lower)
    if lower.endswith(".tf"):
        return "terraform"
    if lower.endswith((".tfvars",)):
        return "tfvars"
    if lower.endswith(".sql"):
        return "sql"
    if graphql_schema.is_schema_file(lower):
        return "graphql"
    if lower.endswith(".xml") and liquibase.is_changelog(head):
        return "liquibase-xml"
    if lower.endswith(_YAML + (".json",)) and liquibase.is_changelog(head):
        return "liquibase-yaml"
    if _CI_PATHS.matches(path) and lower.endswith(_YAML):
        return "ci"
    if lower.endswith(_YAML):
        return "yaml"
    if lower.endswith(".py"):
        migration = (
            _MIGRATION_DIRS.matches(path) or "from alembic import" in head or "migrations.Migration" in head
        )
        return "python-migration" if migration else "python"
    if efcore.looks_like_ef_migration(path, head):
        return "ef-migration"
    if _MIGRATION_DIRS.matches(path) and lower.endswith((".rb",)):
        return "ruby-migration"
    if _MIGRATION_DIRS.matches(path) and lower.endswith(
        (".go", ".js", ".ts", ".mjs", ".cjs", ".java", ".kt", ".php")
    ):
        return "code-migration"
    if shell.looks_like_shell(path, head[:200]) or name in ("makefile",):
        return "shell"
    return None


def offer_python_scans(files: Iterable[FileDiff], read: Reader, submit: Submit,
                       digests: dict[str, bytes] | None = None, together: python_calls.Together | None = None) -> None:
    """Start the Python call scans of these files' versions in worker processes, ahead of scan_change,
    which then takes their answers over (python_calls.offer_scans): the same versions and texts it reads.
    A version offered already (another change has it) is not read again. `digests`: memo.digest of each
    blob read, kept (blob id -> digest) for the caller's other memo keys, and used for this one's.
    `together`: see python_calls.offer_scans."""

    def versions() -> Iterator[tuple[str, str, str]]:
        for fd in files:
            too_big = max(fd.old_size, fd.new_size) > MAX_READ_BYTES
            if not fd.text_read or not fd.path.lower().endswith(".py") or too_big:
                continue
            if any(_TESTS_AND_DOCS.matches(p) for p in (fd.old_path, fd.new_path) if p):
                continue
            for side, path, blob in (("old", fd.old_path or fd.path, fd.old_blob), ("new", fd.path, fd.new_blob)):
                if not blob or python_calls.judged(path, blob):
                    continue
                data = read(fd, side)
                text = _text(data)
                if text is not None:
                    if digests is not None and data is not None and blob not in digests:
                        digests[blob] = digest(data)
                    yield text, path, blob

    python_calls.offer_scans(versions(), submit, digests=digests, together=together)


class _ChangeScan:
    """One scan: per-file findings, plus what the cross-file families (terraform, CI, manifests) gather."""

    def __init__(self, read: Reader, legacy: Callable[[list[FileDiff]], list[object]] | None,
                 neighbours: Neighbours | None = None, base_files: BaseFiles | None = None) -> None:
        self.read = read
        self.neighbours = neighbours
        self.base_files = base_files
        self.types: dict[str, liquibase.OldType] = {}
        self.fields: dict[str, django_fields.OldField] = {}
        self.legacy = legacy
        self.result = ScanResult()
        self.files: dict[str, FileDiff] = {}
        self.work = self.result.work
        self.tf: dict[str, list[tuple[str, list[terraform.Block]]]] = {"old": [], "new": []}
        self.tf_lines: dict[str, Lines] = {}
        self.tf_old_lines: dict[str, Lines] = {}  # the base's text of each file, for what a change removed
        self.head_blocks: dict[str, list[terraform.Block]] = {}  # directory -> its .tf blocks at the head
        self.pipelines: dict[str, list[ci.Pipeline]] = {"old": [], "new": []}
        self.manifests: dict[str, list[kubernetes.Resource]] = {"old": [], "new": []}
        self.schemas: list[tuple[FileDiff, str | None, str | None]] = []  # GraphQL SDL, compared across files

    # -- per file --------------------------------------------------------------------------------------
    def file(self, fd: FileDiff) -> None:
        size = max(fd.old_size, fd.new_size)
        if size > MAX_READ_BYTES:  # never load a huge blob: its diff, bounded, is all the fallback reads
            self._fallback(fd, f"{size:,} bytes is over the {MAX_READ_BYTES:,} bytes the parsers read")
            return
        old, new = _text(self.read(fd, "old")), _text(self.read(fd, "new"))
        missing = (fd.old_path is not None and old is None) or (fd.new_path is not None and new is None)
        head_text = new if new is not None else (old or "")
        kind = family(fd.path, head_text)
        if missing:
            if kind is not None:
                self._fallback(fd, "a version could not be read (binary or not in git)")
            else:
                self._fallback(fd, None)
            return
        if new is not None and is_cdk_app(new):
            self.result.findings.extend(_cdk_findings(fd)[:MAX_FINDINGS_PER_FILE])
        if tls.reads_code(fd.path):  # no parser of these languages: their code lines, base against head
            found = self._versions(fd, old, new, lambda text, path, _blob: tls.scan_code(text, path, self.work))
            self.result.findings.extend(found[:MAX_FINDINGS_PER_FILE])
        if kind is None:
            self._fallback(fd, None)
            return
        try:
            found = self._parsed(fd, kind, old, new)
        except ParseFailure as exc:
            self._fallback(fd, str(exc))
            return
        self.result.findings.extend(found[:MAX_FINDINGS_PER_FILE])

    def _versions(
        self, fd: FileDiff, old: str | None, new: str | None, scan: Callable[[str, str, str | None], list[Finding]]
    ) -> list[Finding]:
        """Head findings the base version did not already have. `scan(text, path, blob id)`: the blob the
        reader reads a version from, when it has one (python_calls keeps verdicts per blob)."""
        base = scan(old, fd.old_path or fd.path, fd.old_blob) if old is not None else []
        head = scan(new, fd.path, fd.new_blob) if new is not None else []
        added = [line.new_lineno for line in fd.added_lines() if line.new_lineno]
        return new_findings(base, head, added)

    def _parsed(self, fd: FileDiff, kind: str, old: str | None, new: str | None) -> list[Finding]:
        work = self.work
        if kind == "terraform":
            return self._terraform(fd, old, new)
        if kind == "tfvars":
            base = terraform.parse_hcl(old, fd.path, work)[0] if old is not None else {}
            head = terraform.parse_hcl(new, fd.path, work)[0] if new is not None else {}
            directory = posixpath.dirname(fd.path)
            forcing = (terraform.forcing_variables(directory, self._head_blocks(directory), self._head_blocks)
                       if self.neighbours is not None else None)
            return terraform.compare_tfvars(fd.path, base, head, Lines(new or ""), self._gates(fd.path), forcing)
        if kind == "graphql":
            self.schemas.append((fd, old, new))
            return []
        if kind == "sql":
            return self._versions(
                fd,
                old,
                new,
                lambda text, path, _blob: sql.scan_sql(text, path, work, state=self._up_state(fd, text is old)),
            )
        if kind == "python-migration":
            old_field = self._old_fields(fd.path)
            return self._versions(
                fd,
                old,
                new,
                lambda text, path, blob: [
                    *migrations.scan_python_migration(text, path, work, old_field),
                    *python_calls.scan_python_calls(text, path, work, blob),
                ],
            )
        if kind == "python":
            return self._versions(
                fd, old, new, lambda text, path, blob: python_calls.scan_python_calls(text, path, work, blob)
            )
        if kind == "ef-migration":
            return self._versions(fd, old, new, lambda text, path, _blob: efcore.scan_ef_migration(text, path, work))
        if kind in ("ruby-migration", "code-migration"):
            language = "ruby" if kind == "ruby-migration" else posixpath.splitext(fd.path)[1].lstrip(".")
            old_type = (self._php_types(fd.path) if language == "php" else
                        self._rails_types(fd.path) if language == "ruby" else None)
            return self._versions(
                fd,
                old,
                new,
                lambda text, path, _blob: migrations.scan_code_migration(
                    text, path, "ruby" if language == "ruby" else language, work, old_type
                ),
            )
        if kind == "liquibase-xml":
            old_type = self._old_types(fd.path)
            found = self._versions(fd, old, new,
                                   lambda text, path, _blob: liquibase.scan_xml(text, path, work, old_type))
            edited = liquibase.edited_changesets(old, new, fd.old_path or fd.path, work) if old is not None else []
            return found + edited
        if kind == "liquibase-yaml":
            old_type = self._old_types(fd.path)
            found = self._versions(
                fd,
                old,
                new,
                lambda text, path, _blob: liquibase.scan_nodes(load_documents(text, work), text, path, work, old_type),
            )
            edited = (liquibase.edited_changesets(old, new, fd.old_path or fd.path, work, detector="liquibase-yaml",
                                                  read=_yaml_changesets) if old is not None else [])
            return found + edited
        if kind == "shell":
            flavour = shell.looks_like_shell(fd.path, (new or old or "")[:200]) or "make"
            return self._versions(
                fd, old, new, lambda text, path, _blob: shell.scan_script(text, path, flavour=flavour, work=work)
            )
        if kind == "ci":
            return self._ci(fd, old, new)
        return self._yaml(fd, old, new)

    def _old_types(self, path: str) -> liquibase.OldType | None:
        """The types the changelogs in `path`'s directory give each column at the change's base (read when a
        modifyDataType asks), or None without a base to read."""
        if self.base_files is None:
            return None
        directory = posixpath.dirname(path)
        if directory not in self.types:
            read = self.base_files
            self.types[directory] = liquibase.base_types(lambda: read(directory, _CHANGELOG_SUFFIXES), self.work)
        return self.types[directory]

    def _php_types(self, path: str) -> migrations.OldType | None:
        """The type the Laravel migrations in `path`'s directory give each column at the change's base."""
        if self.base_files is None:
            return None
        directory = posixpath.dirname(path)
        key = f"php:{directory}"
        if key not in self.types:
            read = self.base_files
            self.types[key] = migrations.php_base_types(lambda: read(directory, (".php",)), self.work)
        return self.types[key]

    def _rails_types(self, path: str) -> migrations.OldType | None:
        """The type db/schema.rb gives each column at the change's base, for a migration of db/migrate/ (the schema
        of db/<x>_migrate/ is db/<x>_schema.rb)."""
        directory, name = posixpath.split(posixpath.dirname(path))
        if self.base_files is None or not name.endswith("migrate"):
            return None
        schema = f"{name.removesuffix('migrate')}schema.rb"
        key = f"rails:{directory}/{schema}"
        if key not in self.types:
            read = self.base_files
            self.types[key] = migrations.rails_schema_types(
                lambda: [(p, text) for p, text in read(directory, (".rb",)) if posixpath.basename(p) == schema],
                self.work)
        return self.types[key]

    def _old_fields(self, path: str) -> django_fields.OldField | None:
        """The last definition of each Django field in the migrations of `path`'s directory at the change's base."""
        if self.base_files is None:
            return None
        directory = posixpath.dirname(path)
        if directory not in self.fields:
            read = self.base_files
            self.fields[directory] = django_fields.base_fields(lambda: read(directory, (".py",)), self.work)
        return self.fields[directory]

    def _up_state(self, fd: FileDiff, base_side: bool) -> sql.SqlState:
        """For a down-only migration file (`x.down.sql`, Flyway `U3__x.sql`), what its up file in the same
        change creates: dropping that on rollback is an undo, not a destruction."""
        state = sql.SqlState()
        if sql.file_section(fd.path) != sql.DOWN:
            return state
        name = posixpath.basename(fd.path)
        up_name = re.sub(r"([._-])down\.sql$", r"\1up.sql", name, flags=re.I)
        up_name = re.sub(r"^U(\d)", r"V\1", up_name)
        partner = self.files.get(posixpath.join(posixpath.dirname(fd.path), up_name))
        if partner is None:
            return state
        text = _text(self.read(partner, "old" if base_side else "new"))
        if text is not None:
            sql.scan_sql(text, partner.path, self.work, state=state, section=sql.UP)
        return state

    def _gates(self, path: str) -> dict[str, list[tuple[str, str]]] | None:
        """What the .tf files next to a .tfvars file count by each variable, at the change's head; None when
        they cannot be read (the working tree, a reader without a tree), or none parses."""
        if self.neighbours is None:
            return None
        blocks = self._head_blocks(posixpath.dirname(path))
        return terraform.gates(blocks) if blocks else None

    def _head_blocks(self, directory: str) -> list[terraform.Block]:
        """The blocks of a directory's .tf files at the change's head (a file that does not parse left out), read
        once a scan: a .tfvars file's neighbours, a local module a changed value reaches."""
        if self.neighbours is None:
            return []
        if directory not in self.head_blocks:
            blocks: list[terraform.Block] = []
            for name, text in self.neighbours(directory):
                try:
                    blocks += terraform.parse_hcl(text, name, self.work)[1]
                except ParseFailure:
                    continue
            self.head_blocks[directory] = blocks
        return self.head_blocks[directory]

    def _terraform(self, fd: FileDiff, old: str | None, new: str | None) -> list[Finding]:
        base = terraform.parse_hcl(old, fd.old_path or fd.path, self.work)[1] if old is not None else []
        head = terraform.parse_hcl(new, fd.path, self.work)[1] if new is not None else []
        self.tf["old"].append((fd.old_path or fd.path, base))
        self.tf["new"].append((fd.path, head))
        self.tf_lines[fd.path] = Lines(new if new is not None else old or "")
        if old is not None:
            self.tf_old_lines[fd.old_path or fd.path] = Lines(old)
        if fd.old_path and old is not None:
            self.tf_lines.setdefault(fd.old_path, Lines(old))
            if new is None:
                self.tf_lines[fd.old_path] = Lines(old)
        return []

    def _ci(self, fd: FileDiff, old: str | None, new: str | None) -> list[Finding]:
        base_docs = load_documents(old, self.work) if old is not None else []
        head_docs = load_documents(new, self.work) if new is not None else []
        base = ci.units_of(fd.old_path or fd.path, base_docs)
        head = ci.units_of(fd.path, head_docs)
        if old is not None:
            self.pipelines["old"].append(base)
        if new is not None:
            self.pipelines["new"].append(head)
        added = [line.new_lineno for line in fd.added_lines() if line.new_lineno]
        return new_findings(
            [*ci.command_findings(base, self.work), *tls.yaml_findings(fd.old_path or fd.path, base_docs, old or "")],
            [*ci.command_findings(head, self.work), *tls.yaml_findings(fd.path, head_docs, new or "")],
            added,
        )

    def _yaml(self, fd: FileDiff, old: str | None, new: str | None) -> list[Finding]:
        if any(text is not None and "{{" in text for text in (old, new)) and "templates/" in fd.path:
            # a chart's templates are Go templates, not YAML: "YAML does not parse" on every chart edit
            # read as a broken file
            self._fallback(fd, "a Helm template (Go template syntax, not plain YAML)")
            return self._template_immutables(fd, old, new)
        base_docs = load_documents(old, self.work) if old is not None else []
        head_docs = load_documents(new, self.work) if new is not None else []
        added = [line.new_lineno for line in fd.added_lines() if line.new_lineno]
        tls_base = tls.yaml_findings(fd.old_path or fd.path, base_docs, old or "")
        tls_head = tls.yaml_findings(fd.path, head_docs, new or "")
        if not any(kubernetes.is_manifest(d) for d in [*base_docs, *head_docs]):
            self._fallback(fd, None)  # compose files, Ansible, app config: today's command patterns
            helm = (helm_values.values_findings(fd.path, base_docs[0] if base_docs else None,
                                                head_docs[0] if head_docs else None, Lines(old or ""), Lines(new or ""))
                    if helm_values.is_values_file(fd.path) else [])
            return [*helm, *new_findings(tls_base, tls_head, added)]  # and the TLS settings of their env
        self.manifests["old"].extend(kubernetes.resources(fd.old_path or fd.path, base_docs))
        self.manifests["new"].extend(kubernetes.resources(fd.path, head_docs))
        base = kubernetes.manifest_findings(fd.old_path or fd.path, old or "", base_docs, self.work)
        head = kubernetes.manifest_findings(fd.path, new or "", head_docs, self.work)
        immutable = kubernetes.immutable_changes(fd.path, base_docs, head_docs, Lines(new or ""))
        return [*immutable, *new_findings([*base, *tls_base], [*head, *tls_head], added)]

    def _template_immutables(self, fd: FileDiff, old: str | None, new: str | None) -> list[Finding]:
        """A Helm template's immutable fields changed, when both versions parse as YAML with each action a token
        (most do not: `{{- if }}` ... `{{- end }}` around a whole object is read away, an action inside a line
        is not); one that does not parse says nothing more than the fallback's note."""
        if old is None or new is None:
            return []
        try:
            templates = kubernetes.template_yaml(old), kubernetes.template_yaml(new)
            base_docs = load_documents(templates[0].text, self.work)
            head_docs = load_documents(templates[1].text, self.work)
        except ParseFailure:
            return []
        return kubernetes.immutable_changes(fd.path, base_docs, head_docs, Lines(new), templates)

    # -- fallback --------------------------------------------------------------------------------------
    def _fallback(self, fd: FileDiff, why: str | None) -> None:
        """Today's regex detectors over this file's diff (bounded); `why` names the parse failure."""
        if self.legacy is None:
            if why:
                self.result.notes.append(f"{visible_path(fd.path)}: {why}: not scanned")
            return
        bounded, clipped = _bounded(fd)
        self.work.add(sum(len(line.text) for hunk in bounded.hunks for line in hunk.lines))
        ops = self.legacy([bounded])
        if why:
            extra = f" (its first and last {MAX_FALLBACK_LINES // 2:,} diff lines)" if clipped else ""
            self.result.notes.append(f"{visible_path(fd.path)}: {why}: scanned by the regex fallback{extra}")
        for op in ops[:MAX_FINDINGS_PER_FILE]:
            self.result.findings.append(_from_legacy(op))

    # -- across files ----------------------------------------------------------------------------------
    def finish(self) -> ScanResult:
        if self.tf["old"] or self.tf["new"]:
            base, head = terraform.config_of(self.tf["old"]), terraform.config_of(self.tf["new"])
            self.result.findings.extend(terraform.compare(
                base, head, self.tf_lines, self.tf_old_lines,
                self._head_blocks if self.neighbours is not None else None))
            self.result.findings.extend(terraform_exposure.new_exposures(base, head, self.tf_lines))
        if self.pipelines["old"]:
            self.result.findings.extend(ci.compare(self.pipelines["old"], self.pipelines["new"]))
        if self.manifests["old"]:
            self.result.findings.extend(
                kubernetes.removed_resources(self.manifests["old"], self.manifests["new"])
            )
        if self.schemas:
            self.result.findings.extend(self._schema_removals())
        unique = {(f.kind, f.path, f.side, f.line, f.explanation): f for f in self.result.findings}
        self.result.findings = sorted(unique.values(), key=lambda f: (f.path, f.line or 0, f.kind))
        return self.result


    def _schema_removals(self) -> list[Finding]:
        """The GraphQL schema's removals and breaking changes across the change's SDL files; a file that does not parse
        on either side is left out of both, with a note (its names would read as removed, or as added)."""
        base: list[dict[str, graphql_schema.Member]] = []
        head: list[dict[str, graphql_schema.Member]] = []
        for fd, old, new in self.schemas:
            try:
                before = graphql_schema.members(old, fd.old_path or fd.path, self.work) if old is not None else {}
                after = graphql_schema.members(new, fd.path, self.work) if new is not None else {}
            except ParseFailure as exc:
                self.result.notes.append(f"{visible_path(fd.path)}: {exc}: not scanned")
                continue
            base.append(before)
            head.append(after)
        return (graphql_schema.removals(base, head) + graphql_schema.changes(base, head))[:MAX_FINDINGS_PER_FILE]


# AWS CDK: infrastructure written in TypeScript, JavaScript or Python. Its destructive settings are calls and
# properties of the app's own code, which no other detector reads (an app was Tier 2, and `RemovalPolicy.DESTROY`
# passed unseen).
_CDK_APP = re.compile(r"aws-cdk-lib|@aws-cdk/|\baws_cdk\b")


def is_cdk_app(text: str) -> bool:
    """Whether `text` names the AWS CDK (`_CDK_APP`). Substring tests first: each alternative holds
    "aws-cdk" or "aws_cdk", and the regex over every head version was 0.9 s of the ansible scenario's
    cold `list`, in the analysis thread."""
    return ("aws-cdk" in text or "aws_cdk" in text) and _CDK_APP.search(text) is not None
_CDK_DANGERS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"\bRemovalPolicy\.DESTROY\b"), "removal policy DESTROY",
     "deleting the stack or replacing the resource deletes it and its data (the default keeps it)"),
    (re.compile(r"\bauto_?[dD]elete_?[oO]bjects\b\s*[:=]\s*(?:true|True)\b"), "autoDeleteObjects",
     "deleting the bucket deletes every object in it"),
    (re.compile(r"\b(deletion_?[pP]rotection|termination_?[pP]rotection)\b\s*[:=]\s*(?:false|False)\b"),
     "protection off", "the cloud no longer refuses to delete it"),
)


def _cdk_findings(fd: FileDiff) -> list[Finding]:
    """Destructive CDK settings on the lines this change adds."""
    found: list[Finding] = []
    for line in fd.added_lines():
        text = line.text
        if line.new_lineno is None or is_comment(text.strip()):
            continue
        for pattern, what, why in _CDK_DANGERS:
            if pattern.search(text):
                found.append(Finding("cdk-destructive", fd.path, line.new_lineno, f"CDK {what}", why, shown(text),
                                     detector="cdk", key=f"cdk:{what}:{line.new_lineno}"))
    return found


def _yaml_changesets(text: str, work: Work) -> dict[tuple[str, str], liquibase.ChangeSet]:
    return liquibase.node_changesets(load_documents(text, work), work)


def _bounded(fd: FileDiff) -> tuple[FileDiff, bool]:
    """`fd` with at most MAX_FALLBACK_LINES diff lines (the regex fallback must stay cheap)."""
    total = sum(len(h.lines) for h in fd.hunks)
    if total <= MAX_FALLBACK_LINES:
        return fd, False
    # the start and the end: a migration padded with 150,000 INSERTs hid its closing DROP TABLE from a scan of
    # the first lines alone
    head = MAX_FALLBACK_LINES // 2
    tail_from = total - (MAX_FALLBACK_LINES - head)
    hunks: list[Hunk] = []
    seen = 0
    for hunk in fd.hunks:
        first, count = seen, len(hunk.lines)
        seen += count
        kept = [*hunk.lines[: max(0, head - first)], *hunk.lines[max(0, tail_from - first, head - first):]]
        if kept:
            hunks.append(Hunk(hunk.old_start, hunk.old_lines, hunk.new_start, hunk.new_lines, hunk.header, kept))
    return FileDiff(
        fd.status,
        fd.old_path,
        fd.new_path,
        fd.old_blob,
        fd.new_blob,
        fd.binary,
        fd.similarity,
        sum(1 for h in hunks for x in h.lines if x.origin == ADDED),
        fd.deletions,
        fd.old_size,
        fd.new_size,
        hunks,
        fd.old_mode,
        fd.new_mode,
    ), True


def _from_legacy(op: object) -> Finding:
    explanation = str(getattr(op, "explanation", ""))
    target, _, reason = explanation.partition(": ")
    return Finding(
        str(getattr(op, "kind", "")),
        str(getattr(op, "path", "")),
        getattr(op, "line", None),
        target or explanation,
        reason or explanation,
        str(getattr(op, "text", "")),
        str(getattr(op, "side", "new")),
        "regex",
        f"regex:{explanation}",
    )


def _legacy_detector() -> Callable[[list[FileDiff]], list[object]]:
    from app.core.impact.destructive.legacy import detect_destructive

    return lambda files: list(detect_destructive(files))


def scan_change(
    files: Iterable[FileDiff],
    read: Reader,
    *,
    skip: Sequence[str] = (),
    legacy: Callable[[list[FileDiff]], list[object]] | None = None,
    use_legacy: bool = True,
    neighbours: Neighbours | None = None,
    base_files: BaseFiles | None = None,
) -> ScanResult:
    """Every destructive operation the change introduces, in path and line order, with notes. `neighbours`
    reads the .tf files of a directory at the head (a .tfvars value is judged by what counts by it); `base_files` a
    directory's files at the base (a Liquibase modifyDataType is judged against the type the column had)."""
    # a lock file runs nothing (its 400 KB read as YAML, for a note); a committed venv is others' code
    skipped = GlobSet([*skip, *LOCK_FILE_GLOBS, *INSTALLED_ENV_GLOBS])
    scan = _ChangeScan(read, legacy if legacy is not None else (_legacy_detector() if use_legacy else None),
                       neighbours, base_files)
    files = list(files)
    scan.files = {fd.path: fd for fd in files}
    shown_only: list[str] = []  # infrastructure files under tests, docs or examples: not read, said so
    for fd in files:
        if not fd.text_read or (not fd.hunks and fd.status not in ("added", "deleted")):
            continue
        paths = [p for p in (fd.old_path, fd.new_path) if p]
        if any(skipped.matches(p) for p in paths):
            continue
        if any(_TESTS_AND_DOCS.matches(p) for p in paths):
            if fd.path.lower().endswith(_INFRA_SUFFIXES):
                shown_only.append(fd.path)
            continue
        scan.file(fd)
    result = scan.finish()
    if shown_only:
        more = f" and {len(shown_only) - 1} more" if len(shown_only) > 1 else ""
        result.notes.append(f"{visible_path(shown_only[0])}{more}: under tests, docs or examples, not scanned for "
                            "destructive operations (they show or test the infrastructure, they do not run it)")
    return result
