"""Typed settings: the repository's `.review-tui.toml` (team rules: tiers, AI patterns, risk
weights, chunk sizes, policy) and the user's config.toml (theme, idle limit, keys).

The repository config is read from the BASE commit, not from the change under review, so a
branch cannot lower its own tier or loosen the policy by editing the file. `--config FILE`
overrides it (for trying out rules before committing them).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.settings import SectionReader
from app.errors import ConfigError

if TYPE_CHECKING:  # the sections' modules are imported when a config is parsed, not by a warm list
    from app.core.calibration.szz import CalibrateConfig
    from app.core.git.repo import GitRepo
    from app.core.git.scope import QueueConfig
    from app.core.impact.tiers import TierConfig
    from app.core.metrics.complexity import ComplexityConfig
    from app.core.planner.model import ChunkConfig
    from app.core.policy.rules import PolicyConfig
    from app.core.provenance.commits import ProvenanceConfig
    from app.core.risk.score import RiskConfig

MAX_CONFIG_BYTES = 1_000_000  # a config file larger than this is a mistake, not a config


def parse_toml(data: bytes, source: str) -> dict[str, Any]:
    """TOML text -> dict, with a one-line error naming the file and line."""
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{source}: {len(data):,} bytes is too large for a config file (limit {MAX_CONFIG_BYTES:,})")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{source}: line {line}: not valid UTF-8 (byte 0x{data[exc.start]:02x})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: invalid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses per nesting level: `x = [[[[...]]]]` 500 deep
        raise ConfigError(f"{source}: nested too deeply to read (arrays or tables inside each other)") from None


@dataclass(frozen=True)
class RepoConfig:
    """Everything `.review-tui.toml` configures, with defaults for what it leaves out."""

    tiers: TierConfig
    """[tiers]: path tier rules and the destructive-operation skip list."""
    ai: ProvenanceConfig
    """[ai]: AI provenance thresholds and team patterns."""
    risk: RiskConfig
    """[risk]: factor weights and band thresholds."""
    chunks: ChunkConfig
    """[chunks]: chunk size, floor-time constants and collapsed files."""
    policy: PolicyConfig
    """[policy]: sign-off rules per tier and AI share."""
    complexity: ComplexityConfig
    """[complexity]: measurement limits and workers."""
    queue: QueueConfig
    """[queue]: which refs are pending changes (scope globs, age, PR refs only)."""
    calibrate: CalibrateConfig
    """[calibrate]: how `review-tui calibrate` finds fix commits and traces them (SZZ)."""
    source: str | None = None
    warnings: tuple[str, ...] = ()
    digest: str = "defaults"  # part of analysis cache keys: new rules, new results

    @classmethod
    def defaults(cls) -> RepoConfig:
        return parse_repo_config(b"", "(defaults)")


def parse_repo_config(data: bytes, source: str) -> RepoConfig:
    from app.core.calibration.szz import CalibrateConfig
    from app.core.git.scope import QueueConfig
    from app.core.impact.tiers import TierConfig
    from app.core.metrics.complexity import ComplexityConfig
    from app.core.planner.model import ChunkConfig
    from app.core.policy.rules import PolicyConfig
    from app.core.provenance.commits import ProvenanceConfig
    from app.core.risk.score import RiskConfig

    raw = parse_toml(data, source)
    root = SectionReader(raw, source, "")
    config = RepoConfig(
        tiers=TierConfig.from_reader(root.sub("tiers")),
        ai=ProvenanceConfig.from_reader(root.sub("ai")),
        risk=RiskConfig.from_reader(root.sub("risk")),
        chunks=ChunkConfig.from_reader(root.sub("chunks")),
        policy=PolicyConfig.from_reader(root.sub("policy")),
        complexity=ComplexityConfig.from_reader(root.sub("complexity")),
        queue=QueueConfig.from_reader(root.sub("queue")),
        calibrate=CalibrateConfig.from_reader(root.sub("calibrate")),
        source=source,
    )
    root.finish()
    config = dataclasses.replace(config, tiers=_with_signers_rule(config.tiers, config.policy.allowed_signers_file))
    return dataclasses.replace(config, warnings=tuple(root.warnings), digest=analysis_digest(data))


SIGN_OFF_ONLY = frozenset({"policy"})
"""Tables that decide no figure of an analysis, only who may sign off: `check`, the TUI's status lines and `stats`
read them live. Their one key that does, `[policy] allowed_signers_file` (its file is tier 0), stays in the digest."""


def analysis_digest(data: bytes) -> str:
    """The part of analysis cache keys the team rules give: their content without the sign-off tables, so a team
    that writes its [policy] (seniors, reviewers, rules) keeps every analysis (QA64: adding a policy-only
    .review-tui.toml to saleor's base re-analysed all 209 pending changes, 12 min at load 15). "defaults" when
    nothing else is set; the raw bytes' digest when the file does not parse (its error is said elsewhere)."""
    if not data:
        return "defaults"
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return hashlib.sha256(data).hexdigest()[:16]
    kept = {key: value for key, value in raw.items() if key not in SIGN_OFF_ONLY}
    policy = raw.get("policy")
    if isinstance(policy, dict) and "allowed_signers_file" in policy:
        kept["policy"] = {"allowed_signers_file": policy["allowed_signers_file"]}
    if not kept:
        return "defaults"
    text = json.dumps(kept, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


SIGNERS_RULE_SOURCE = "[policy] allowed_signers_file"
AttributeFiles = Sequence[tuple[str, bytes | None]]
"""A commit's .gitattributes files: (path, content), as GitRepo.files_named lists them."""


def attribute_files(repo: GitRepo, commit: str | None) -> list[tuple[str, bytes]]:
    """Every .gitattributes of a commit's tree (app/core/gitattributes.py reads them as git does)."""
    from app.core.gitattributes import ATTRIBUTES_NAME, MAX_ATTRIBUTES_BYTES, MAX_ATTRIBUTES_FILES

    if not commit:
        return []
    return repo.files_named(commit, ATTRIBUTES_NAME, limit=MAX_ATTRIBUTES_FILES, max_bytes=MAX_ATTRIBUTES_BYTES)


def machine_written_globs(files: bytes | AttributeFiles | None) -> tuple[str, ...]:
    """The patterns (from the repository root) that a commit's .gitattributes files mark generated, vendored or
    not to be diffed (`.github/workflows/*.lock.yml linguist-generated=true`; `*.c linguist-vendored` in
    `third_party/x/.gitattributes` is `third_party/x/**/*.c`): the repository's own word, as GitHub reads it.
    `files` as attribute_files gives them, or the root file's bytes alone. Quoted patterns, macro definitions and
    invalid globs are skipped. A later or deeper line that unsets one is honoured where the plan asks
    (core/gitattributes.OwnCode)."""
    from app.core.gitattributes import ATTRIBUTES_NAME, Attributes

    listed = [(ATTRIBUTES_NAME, files)] if files is None or isinstance(files, bytes) else files
    return Attributes(listed).machine_globs()


def with_attributes(config: RepoConfig, files: bytes | AttributeFiles | None) -> RepoConfig:
    """`config` with the files the base's .gitattributes files mark machine-written collapsed too; its digest
    (part of cache keys) then covers those patterns."""
    globs = machine_written_globs(files)
    if not globs:
        return config
    chunks = dataclasses.replace(config.chunks, collapsed_globs=(*config.chunks.collapsed_globs, *globs),
                                 attribute_globs=globs)
    return dataclasses.replace(config, chunks=chunks, digest=config.digest + attributes_mark(globs))


def attributes_mark(globs: tuple[str, ...]) -> str:
    """What the .gitattributes patterns add to a config digest ("" for none)."""
    return f"+attributes-{hashlib.sha256(chr(0).join(globs).encode()).hexdigest()[:8]}" if globs else ""


def _with_signers_rule(tiers: TierConfig, signers_file: str) -> TierConfig:
    """The allowed-signers file decides whose signed records count (`require_signatures`): a change to
    it is tier 0 like `.review-tui.toml`, whatever the other rules say (one approval by anyone let a
    branch add a key signing as the senior). Last, so it wins; kept with `use_defaults = false` too."""
    from app.core.impact.tiers import TierRule

    path = signers_file.strip().lstrip("/")
    if not path or any(c in path for c in "*?[]{}!\\"):
        return tiers  # not a plain path: no glob can name exactly it
    rule = TierRule(f"/{path}", 0, "review trust root: whose signatures count as approvals", SIGNERS_RULE_SOURCE)
    return dataclasses.replace(tiers, rules=(*tiers.rules, rule))


def load_repo_config(repo: GitRepo, base_commit: str | None, override: Path | None = None) -> RepoConfig:
    """The team rules: `override` if given, else .review-tui.toml as of the base commit, else defaults;
    with the files the base's .gitattributes marks machine-written collapsed (`with_attributes`)."""
    return with_attributes(_load_rules(repo, base_commit, override), attribute_files(repo, base_commit))


def _load_rules(repo: GitRepo, base_commit: str | None, override: Path | None = None) -> RepoConfig:
    from app.paths import REPO_CONFIG_NAME

    if override is not None:
        try:
            text = Path(override).read_bytes()
        except OSError as exc:
            raise ConfigError(f"{override}: cannot read config ({exc.strerror})") from None
        return parse_repo_config(text, str(override))
    data = repo.file_at(base_commit, REPO_CONFIG_NAME) if base_commit else None
    if data is None and base_commit is None:
        data = repo.workdir_file(REPO_CONFIG_NAME)
    if data is None:
        return RepoConfig.defaults()
    try:
        return parse_repo_config(data, REPO_CONFIG_NAME)
    except ConfigError as exc:
        # Say which copy was read: a fix in the working tree or on the branch under review does not
        # count until it reaches the base (a branch cannot change its own rules).
        where = (f"the base branch's copy at {base_commit[:10]}, the one review-tui reads: fix it there"
                 if base_commit else "in the working tree")
        raise ConfigError(f"{exc} ({where})") from None


def load_queue_config(repo: GitRepo, base_commit: str | None, override: Path | None = None,
                      user_path: Path | None = None) -> QueueConfig:
    """The [queue] scope: the repository file's table (as of the base commit, or `override`), with the
    user file's [queue] keys over it, key by key (a person narrows the team's queue for themselves).
    Reads only the two tables, so discovery does not pay for parsing the whole config."""
    from app.core.git.scope import QueueConfig
    from app.paths import REPO_CONFIG_NAME, user_config_path

    if override is not None:
        try:
            data: bytes | None = Path(override).read_bytes()
        except OSError as exc:
            raise ConfigError(f"{override}: cannot read config ({exc.strerror})") from None
        source = str(override)
    else:
        data = repo.file_at(base_commit, REPO_CONFIG_NAME) if base_commit else None
        source = REPO_CONFIG_NAME
    team = QueueConfig()
    if data:
        try:
            team = QueueConfig.from_reader(SectionReader(parse_toml(data, source), source, "").sub("queue"))
        except ConfigError as exc:
            if override is not None or not base_commit:
                raise
            # said as load_repo_config says it: list and check named no copy, explain and chunks did
            raise ConfigError(f"{exc} (the base branch's copy at {base_commit[:10]}, the one review-tui reads: "
                              "fix it there)") from None
    path = user_path or user_config_path()
    if not path.is_file():
        return team
    try:
        raw = parse_toml(path.read_bytes(), str(path))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config ({exc.strerror})") from None
    return QueueConfig.from_reader(SectionReader(raw, str(path), "").sub("queue"), defaults=team)


DEFAULT_KEYS: dict[str, str] = {}


MAX_IDLE_SECONDS = 60.0
"""The longest idle window a user may configure: a longer one credits an absent reader."""


@dataclass(frozen=True)
class UserConfig:
    """The user's own settings (config.toml in the user config dir)."""

    theme: str = "review-dark"
    """Theme name; themes/ ships review-dark, review-light, review-high-contrast, review-colorblind."""
    idle_seconds: float = 30.0
    """Active review time stops counting after this long without a key, mouse or focus event
    (at most 60 s, and at most half of the chunk's floor on screen)."""
    persist_seconds: float = 5.0
    """How often active time is written to the ledger (a crash loses at most this much)."""
    reviewer_email: str | None = None
    """Who you are in the ledger; default: git's user.email."""
    keys: dict[str, str] = field(default_factory=dict)
    """Action name -> key(s), e.g. approve = "a" or next_chunk = "n,right"."""
    signing_key: str | None = None
    """SSH private key file that signs the review records `sync` exports; default: git's
    user.signingKey when gpg.format is ssh."""
    source: str | None = None
    warnings: tuple[str, ...] = ()


def load_user_config(path: Path | None = None) -> UserConfig:
    from app.paths import user_config_path

    path = path or user_config_path()
    if not path.exists():
        return UserConfig()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config ({exc.strerror})") from None
    raw = parse_toml(data, str(path))
    reader = SectionReader(raw, str(path), "")
    theme = reader.get("theme", str, UserConfig.theme)
    idle = reader.get_number("idle_seconds", UserConfig.idle_seconds, minimum=5, maximum=3600)
    if idle > MAX_IDLE_SECONDS:
        # Accepted before the limit existed: lowered, not refused, so an old config still opens.
        reader.warnings.append(f"{reader.where('idle_seconds')}: {idle:g} s is longer than the "
                               f"{MAX_IDLE_SECONDS:g} s limit (an absent reader would count as reading); "
                               f"using {MAX_IDLE_SECONDS:g}")
        idle = MAX_IDLE_SECONDS
    persist = reader.get_number("persist_seconds", UserConfig.persist_seconds, minimum=1, maximum=60)
    email = reader.get("reviewer_email", str, None)
    signing_key = reader.get("signing_key", str, None)
    keys_reader = reader.sub("keys")
    keys = {k: keys_reader.get(k, str, "") for k in keys_reader.data}
    reader.finish(known={"queue"})  # [queue] is read with the repository's, by load_queue_config
    return UserConfig(theme, idle, persist, email, keys, signing_key, str(path), tuple(reader.warnings))


def save_user_setting(key: str, value: str, path: Path | None = None) -> None:
    """Persist one top-level setting (e.g. the theme chosen at runtime), keeping the rest of the file:
    comments, order, and keys of the same name inside tables (`[keys] theme = "ctrl+y"` is a key
    binding, not the theme). tomlkit edits the document and is imported only here, when writing."""
    import tomlkit

    from app.paths import user_config_path

    path = path or user_config_path()
    text = path.read_text("utf-8") if path.exists() else ""
    try:
        document = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise ConfigError(f"{path}: invalid TOML, {key} not saved: {exc}") from None
    document[key] = value  # tomlkit places a new top-level key ahead of the first table
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(tomlkit.dumps(document), "utf-8")
    tmp.replace(path)


def unmatched_glob_warnings(config: RepoConfig, *path_sources: Callable[[], Iterable[str]]) -> list[str]:
    """One warning per `[[tiers.rules]]` glob of the repository config that matches no path at all:
    almost always a typo, and a rule that silently does nothing. `path_sources` are called in turn
    (the base commit's files first, then the paths pending changes touch), only while some glob is
    still unmatched, so the usual case reads one tree."""
    from app.core.globs import compile_glob

    if not config.tiers.rules:
        return []
    # the repository's own rules (the allowed-signers rule names a file that may not exist yet)
    unmatched = {i: compile_glob(rule.glob) for i, rule in enumerate(config.tiers.rules)
                 if rule.source != SIGNERS_RULE_SOURCE}
    if not unmatched:
        return []
    for source in path_sources:
        for path in source():
            for i in [i for i, glob in unmatched.items() if glob.match(path)]:
                del unmatched[i]
            if not unmatched:
                return []
    rules = config.tiers.rules
    return [f"{rules[i].source}: tiers.rules[{i}].glob: {rules[i].glob!r} matches no file of the base "
            "commit or of any pending change (rule has no effect)" for i in sorted(unmatched)]
