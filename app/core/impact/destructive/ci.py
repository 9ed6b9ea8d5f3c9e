"""CI pipelines that stop protecting: GitHub Actions workflows and GitLab CI, read as YAML documents.

A step or job protects when it tests, lints, type-checks, scans or audits (by its command, the action
it uses, or its name). Comparing the base and head pipelines of every CI file in the change, a
protective step that was active and blocking in the base is reported when in the head it is:
- gone (not in its job nor moved anywhere else in the change's CI files, under its name or its command;
  a step another job already had in the base is that job's, not this one moved); a step of a deleted
  job is reported with its job;
- disabled: `if: false` (step or job), a GitLab job hidden with a leading dot, `when: never`,
  `when: manual`, or rules that all say `when: never` (a job's `if: false` is blamed at its line);
- non-blocking: `continue-on-error: true`, `allow_failure: true`, or a command ending in `|| true`;
and a workflow that ran protective steps on pull requests and no longer triggers on them is reported.
A step renamed, moved to another job or file, or reworded keeps its command and passes.
Commands in `run:` / `script:` blocks are also judged by the shell detector.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from app.core.globs import GlobError, compile_glob
from app.core.impact.destructive import shell
from app.core.impact.destructive.model import SIDE_OLD, Finding, Work, shown
from app.core.impact.destructive.yamlnodes import Node

_COMMANDS = re.compile(
    r"\b(pytest|tox|nox|unittest|(?:npm|yarn|pnpm|bun)\s+(?:run\s+)?(?:test|lint)|go\s+test|go\s+vet"
    r"|cargo\s+test|cargo\s+clippy|mvn\b[^\n]{0,200}?\b(?:test|verify)|gradlew?\b[^\n]{0,200}?\b(?:test|check)"
    r"|make\s+(?:test|check|lint)|ruff|flake8|pylint|mypy|pyright|eslint|golangci-lint|rubocop|rspec|phpunit"
    r"|jest|vitest|bandit|gitleaks|trivy|snyk|semgrep|pip-audit|npm\s+audit|cargo\s+audit|safety\s+check"
    r"|codeql|dependency-review|super-linter|sonar\w*|hadolint|tflint|checkov|tfsec|kube-linter"
    r"|pre-commit|black|isort)\b",
    re.I,
)
_NAME_WORDS = re.compile(
    r"\b(tests?|testing|unit|integration|e2e|lint\w*|security|scan\w*|codeql|sast|dast|audit|reviews?"
    r"|approv\w*|required|type-?check\w*|mypy|vulnerab\w*|secrets?|gitleaks|trivy|snyk|semgrep|bandit"
    r"|dependency-review|verify|check)\b",
    re.I,
)
_SETUP_NAME = re.compile(r"^\s*(?:install|set\s*up|cache|download|restore|upload|fetch|prepare|configure)\b", re.I)
_NEUTRALISED = re.compile(r"\|\|\s*(?:true|:|exit\s+0)\b|--exit-zero\b|^\s*exit\s+0\s*$|;\s*true\s*$", re.M)
_FALSE = frozenset({"false", "${{ false }}", "${{false}}", "0", "'false'", "no", "off", "${{ 0 }}"})
_TRUE = frozenset({"true", "${{ true }}", "${{true}}", "yes", "on", "1"})
_PR_TRIGGERS = frozenset({"pull_request", "pull_request_target", "merge_group"})
_GITLAB_RESERVED = frozenset(
    {
        "stages",
        "variables",
        "default",
        "include",
        "workflow",
        "image",
        "services",
        "before_script",
        "after_script",
        "cache",
        "types",
    }
)


_SEGMENT = re.compile(r"&&|\|\||[;|\n]")
# A runner's own options come with it: `uv run --locked tox` runs tox (flask's "use uv" commit read as tox removed).
_PREFIX = re.compile(
    r"^(?:(?:sudo|env|time|exec|xargs|npx|uvx|uv\s+run|poetry\s+run|pipenv\s+run|pdm\s+run|hatch\s+run"
    r"|bundle\s+exec|python[0-9.]*\s+-m)(?:\s+--?[A-Za-z][\w-]*(?:=\S+)?)*"
    r"|then|do|else|[A-Za-z_][A-Za-z0-9_]*=\S*|\./|bin/|\.venv/bin/)\s*"
)


def run_words(script: str) -> list[str]:
    """The protective commands a script runs: a command matched where a command starts (after sudo, env,
    npx, `python -m` ...), not anywhere in the text. A download or an install names the tool it fetches
    (`curl .../tflint/releases ... > tflint.zip`, `sudo mv tflint /usr/bin/`, `pip install ruff`) without
    running it: removing such a step read as "it ran tflint", and kept a removed check's step "moved"."""
    words: list[str] = []
    for segment in _SEGMENT.split(script):
        command = segment.strip()
        while (prefix := _PREFIX.match(command)) and prefix.end():
            command = command[prefix.end():]
        match = _COMMANDS.match(command)
        if match:
            words.append(" ".join(match.group(1).lower().split()))
    return words


def protective_words(*texts: str) -> list[str]:
    """The protective commands (pytest, codeql...) or name words (tests, lint...) in these texts (names,
    `uses:` actions; a script's commands are run_words')."""
    words: list[str] = []
    for text in texts:
        for match in _COMMANDS.finditer(text):
            words.append(" ".join(match.group(1).lower().split()))
    if not words:
        for text in texts:
            for match in _NAME_WORDS.finditer(text):
                word = match.group(1).lower()
                words.append(
                    next(
                        (
                            root
                            for root in (
                                "test",
                                "lint",
                                "scan",
                                "approv",
                                "vulnerab",
                                "secret",
                                "review",
                                "type",
                            )
                            if word.startswith(root)
                        ),
                        word,
                    )
                )
    return list(dict.fromkeys(words))


# What a name word found in a step's or job's name stands for ("it ran test" read as cut off).
_SAID = {"test": "the tests", "testing": "the tests", "unit": "the unit tests", "integration": "the integration tests",
         "e2e": "the end-to-end tests", "lint": "the linters", "scan": "a scan", "security": "a security check",
         "approv": "an approval check", "vulnerab": "a vulnerability check", "secret": "a secrets check",
         "review": "a review check", "type": "the type checks", "audit": "an audit", "verify": "the verification",
         "check": "the checks", "required": "a required check", "sast": "a static security scan",
         "dast": "a dynamic security scan"}


def said(words: Sequence[str]) -> str:
    """The protective words as a reader says them: tools by name (pytest, tflint), name words as what
    they stand for ("the tests", "the linters")."""
    return ", ".join(_SAID.get(word, word) for word in words)


@dataclass
class Unit:
    """A step (GitHub) or a job (GitLab): its identity, what protects in it, and its state."""

    file: str
    job: str
    key: str  # step name, action or first command; the job name for GitLab
    label: str
    line: int
    words: list[str]
    commands: str  # the run/script text
    active: bool = True
    why_inactive: str = ""
    blocking: bool = True
    why_soft: str = ""
    command_lines: list[tuple[int, str]] = field(default_factory=list)  # (first line, script)
    off_line: int | None = None  # the line that turns it off when that is not its own: the job's `if: false`
    whole_job: bool = False  # the unit is a GitHub job (a reusable workflow call), not one of its steps


def _flag(node: Node | None, values: frozenset[str]) -> bool:
    return node is not None and node.value is not None and node.value.strip().lower() in values


# ==================================================================================================
# GitHub Actions
# ==================================================================================================


def _script_line(node: Node) -> int:
    return node.line + 1 if node.value and "\n" in node.value.rstrip("\n") else node.line


def github_units(path: str, doc: Node) -> list[Unit]:
    units: list[Unit] = []
    jobs = doc.get("jobs")
    for job_id, job in (jobs.items or {}).items() if jobs else ():
        job_if = job.get("if")
        job_off = _flag(job_if, _FALSE)
        job_off_line = job_if.line if job_off and job_if is not None else None
        job_soft = _flag(job.get("continue-on-error"), _TRUE)
        job_name = job.text("name", job_id)
        if job.get("uses") is not None:  # a reusable workflow job
            uses = job.text("uses")
            words = protective_words(uses, job_name, job_id)
            units.append(
                Unit(
                    path,
                    job_id,
                    f"uses:{uses.split('@')[0]}",
                    job_name,
                    job.line,
                    words,
                    uses,
                    not job_off,
                    "if: false on the job" if job_off else "",
                    not job_soft,
                    "continue-on-error: true on the job" if job_soft else "",
                    off_line=job_off_line,
                    whole_job=True,
                )
            )
        steps = job.get("steps")
        for step in (steps.children or []) if steps is not None else []:
            if step.items is None:
                continue
            run, uses, name = step.text("run"), step.text("uses"), step.text("name")
            key = name or (f"uses:{uses.split('@')[0]}" if uses else run.strip().split("\n")[0][:120])
            # a step's name speaks for it only when it does not say it prepares ("Install pre-commit dependencies")
            named = protective_words(name) if not _SETUP_NAME.match(name) else []
            words = [*run_words(run), *protective_words(uses)] or named
            off = job_off or _flag(step.get("if"), _FALSE)
            soft_reason = (
                "continue-on-error: true"
                if _flag(step.get("continue-on-error"), _TRUE) or job_soft
                else "the command ignores its failure (|| true / --exit-zero)"
                if words and _NEUTRALISED.search(run)
                else ""
            )
            unit = Unit(
                path,
                job_id,
                key,
                name or key,
                step.line,
                words,
                run,
                not off,
                ("if: false on the job" if job_off else "if: false") if off else "",
                not soft_reason,
                soft_reason,
            )
            if job_off:
                unit.off_line = job_off_line
            run_node = step.get("run")
            if run_node is not None and run:
                unit.command_lines.append((_script_line(run_node), run))
            units.append(unit)
    return units


def pull_request_ignores(doc: Node) -> dict[str, set[str]]:
    """Each pull request trigger's `paths-ignore` globs: a pull request changing only such paths runs nothing."""
    on = doc.get("on") or doc.get("true")
    out: dict[str, set[str]] = {}
    for trigger, node in ((on.items or {}) if on is not None else {}).items():
        ignored = node.get("paths-ignore") if trigger in _PR_TRIGGERS else None
        if ignored is not None:
            out[trigger] = set(ignored.strings())
    return out


def github_triggers(doc: Node) -> set[str]:
    on = doc.get("on") or doc.get("true")
    if on is None:
        return set()
    if on.value is not None:
        return {on.value}
    if on.children is not None:
        return {child.value for child in on.children if child.value}
    return set((on.items or {}).keys())


# ==================================================================================================
# GitLab CI
# ==================================================================================================


def _gitlab_off(name: str, job: Node) -> str:
    """Why a GitLab job does not run (hidden, when: never/manual, every rule never), or ""."""
    if name.startswith("."):
        return "hidden (its name starts with '.')"
    when = job.text("when").strip().lower()
    if when in ("never", "manual"):
        return f"when: {when}"
    rules = job.get("rules")
    whens = [r.text("when", "on_success").strip().lower() for r in (rules.children or [])] if rules else []
    return "every rule says when: never" if whens and all(w == "never" for w in whens) else ""


def _gitlab_job(path: str, name: str, job: Node) -> Unit:
    scripts = [node for key in ("before_script", "script", "after_script") if (node := job.get(key)) is not None]
    text = "\n".join(line for node in scripts for line in node.strings())
    words = run_words(text) or protective_words(name, job.text("stage"))
    off = _gitlab_off(name, job)
    soft = ""
    if _flag(job.get("allow_failure"), _TRUE):
        soft = "allow_failure: true"
    elif words and _NEUTRALISED.search(text):
        soft = "the script ignores its failure (|| true)"
    unit = Unit(path, name.lstrip("."), name.lstrip("."), name, job.line, words, text, not off, off, not soft, soft)
    for node in scripts:
        for child in node.children or [node]:
            if child.value:
                unit.command_lines.append((_script_line(child), child.value))
    return unit


def gitlab_units(path: str, doc: Node) -> list[Unit]:
    units = [_gitlab_job(path, name, job) for name, job in (doc.items or {}).items()
             if name not in _GITLAB_RESERVED and job.items is not None]
    include = doc.get("include")
    for entry in (include.children or [include]) if include is not None else []:
        target = entry.value or " ".join(v.value or "" for v in (entry.items or {}).values())
        words = protective_words(target) or protective_words(target.replace("/", " ").replace("-", " "))
        if words:
            units.append(Unit(path, "include", f"include:{target}", f"include {target}", entry.line, words, target))
    return units


# ==================================================================================================
# comparing base and head
# ==================================================================================================


@dataclass
class Pipeline:
    """The CI units of one file version (or none when the file does not exist on that side)."""

    path: str
    units: list[Unit]
    triggers: set[str] | None = None  # GitHub only
    jobs: set[str] = field(default_factory=set)  # GitHub job ids
    ignores: dict[str, set[str]] = field(default_factory=dict)  # GitHub: pull request trigger -> paths-ignore


def units_of(path: str, docs: Sequence[Node]) -> Pipeline:
    gitlab = posixpath.basename(path).startswith(".gitlab-ci") or "/.gitlab/" in f"/{path}"
    units: list[Unit] = []
    triggers: set[str] | None = None if gitlab else set()
    jobs: set[str] = set()
    ignores: dict[str, set[str]] = {}
    for doc in docs:
        if doc.items is None:
            continue
        if gitlab:
            units.extend(gitlab_units(path, doc))
        else:
            units.extend(github_units(path, doc))
            assert triggers is not None
            triggers |= github_triggers(doc)
            for trigger, globs in pull_request_ignores(doc).items():
                ignores.setdefault(trigger, set()).update(globs)
            jobs_node = doc.get("jobs")
            jobs |= set(jobs_node.items or {}) if jobs_node is not None else set()
    return Pipeline(path, units, triggers, jobs, ignores)


_TEST_RUNNERS = re.compile(
    r"^(?:pytest|tox|nox|unittest|rspec|phpunit|jest|vitest|test|unit|integration|e2e|testing"
    r"|(?:go|cargo)\s+test|make\s+(?:test|check)|(?:npm|yarn|pnpm)\s+(?:run\s+)?test"
    r"|(?:mvn|gradlew?)\b.*\b(?:test|verify|check))$"
)


# What pre-commit hooks run: linters, formatters, type checkers, secret and IaC scanners (not CodeQL, a
# dependency review or a hosted scanner).
_PRE_COMMIT_HOOKS = frozenset({"ruff", "flake8", "pylint", "mypy", "pyright", "eslint", "golangci-lint", "rubocop",
                               "black", "isort", "bandit", "gitleaks", "hadolint", "tflint", "checkov", "tfsec",
                               "semgrep", "lint", "type", "check"})


_PACKAGE_SCRIPT = re.compile(r"^(?:npm|yarn|pnpm|bun)\s+(?:run\s+)?")


def _script(word: str) -> str:
    """A package script by its name, whichever package manager runs it: `npm run lint` became `pnpm lint` in
    hono's move from yarn to pnpm (QA51 #14), the same lint, read as "lint step removed", critical."""
    return _PACKAGE_SCRIPT.sub("run ", word)


def covers(word: str, words: Sequence[str]) -> bool:
    """Whether a unit running `words` runs what `word` ran: the same command; any runner of the test suite
    for a test runner (`make test` became `tox -e py`, `tox` became `uv run tox`: the suite still runs); a
    pre-commit run for anything else (black and mypy steps replaced by pre-commit/action with those hooks:
    the hooks are in .pre-commit-config.yaml, which the review reads)."""
    if word in words or _script(word) in {_script(w) for w in words}:
        return True
    if _TEST_RUNNERS.match(word):
        return any(_TEST_RUNNERS.match(w) for w in words)
    return word in _PRE_COMMIT_HOOKS and "pre-commit" in words


def _counterpart(unit: Unit, head: Sequence[Unit], before: set[tuple[str, str, str]]) -> Unit | None:
    """The head unit that is `unit` now: in its own job, else one moved or renamed in. A unit of another job
    that the base already had (same file, job and key) is that unit, not this one moved: uv pull/1007 deleted
    a job with a "Test wheel" step and read as disabled by the `if: false` of another job's "Test wheel",
    off in both versions."""
    same_job = [u for u in head if u.job == unit.job and u.file == unit.file]
    moved_in = [u for u in head if (u.file, u.job, u.key) not in before]
    for pool in (same_job, moved_in):
        for candidate in pool:
            if candidate.key == unit.key:
                return candidate
    # Renamed, moved or rewritten: what it ran still runs somewhere (an active one preferred).
    similar = [u for pool in (same_job, moved_in) for u in pool
               if unit.words and all(covers(word, u.words) for word in unit.words)]
    return next((u for u in similar if u.active and u.blocking), similar[0] if similar else None)


def compare(base: Sequence[Pipeline], head: Sequence[Pipeline]) -> list[Finding]:
    """Protective units weakened by the change, over every CI file it touches (a step moved to another
    workflow is not removed)."""
    head_units = [u for p in head for u in p.units]
    before = {(u.file, u.job, u.key) for p in base for u in p.units}
    head_jobs = {p.path: p.jobs for p in head}
    findings: list[Finding] = []
    for pipeline in base:
        for unit in pipeline.units:
            if not unit.words or not unit.active or not unit.blocking:
                continue
            other = _counterpart(unit, head_units, before)
            detector = "yaml:gitlab" if pipeline.triggers is None else "yaml:github"
            noun = "CI job" if pipeline.triggers is None else "CI step"
            if other is None:
                # a step of a job the change deletes, in a file it keeps, is removed with its job
                job_gone = (pipeline.triggers is not None and not unit.whole_job
                            and unit.job not in head_jobs.get(unit.file, {unit.job}))
                findings.append(
                    Finding(
                        "ci-protection-removed",
                        unit.file,
                        unit.line,
                        f"CI job '{unit.job}'" if job_gone else f"{noun} '{unit.label}'",
                        f"removed: its step '{unit.label}' no longer runs {said(unit.words)}" if job_gone
                        else f"removed: it ran {said(unit.words)}",
                        shown(unit.label),
                        SIDE_OLD,
                        detector,
                        f"removed:{unit.job}:{unit.key}",
                    )
                )
            elif not other.active:
                findings.append(
                    Finding(
                        "ci-protection-disabled",
                        other.file,
                        other.off_line or other.line,
                        f"{noun} '{unit.label}'",
                        f"disabled by {other.why_inactive}: {said(unit.words)} no longer run",
                        shown(other.label),
                        detector=detector,
                        key=f"off:{unit.job}:{unit.key}",
                    )
                )
            elif not other.blocking:
                findings.append(
                    Finding(
                        "ci-protection-non-blocking",
                        other.file,
                        other.line,
                        f"{noun} '{unit.label}'",
                        f"{other.why_soft}: a failing {', '.join(unit.words)} no longer fails the pipeline",
                        shown(other.label),
                        detector=detector,
                        key=f"soft:{unit.job}:{unit.key}",
                    )
                )
    findings.extend(_trigger_findings(base, head))
    return findings


def _trigger_findings(base: Sequence[Pipeline], head: Sequence[Pipeline]) -> Iterator[Finding]:
    heads = {p.path: p for p in head}
    for pipeline in base:
        after = heads.get(pipeline.path)
        if pipeline.triggers is None or after is None or after.triggers is None:
            continue
        protective = [u for u in pipeline.units if u.words and u.active]
        if protective and pipeline.triggers & _PR_TRIGGERS and not after.triggers & _PR_TRIGGERS:
            words = sorted({w for u in protective for w in u.words})
            yield Finding(
                "ci-protection-disabled",
                pipeline.path,
                1,
                f"workflow {pipeline.path}",
                f"no longer runs on pull requests: {', '.join(words)} stop guarding merges",
                detector="yaml:github",
                key=f"trigger:{pipeline.path}",
            )
        elif protective:
            yield from _ignore_findings(pipeline, after, protective)


# Paths a pull request changes that a new paths-ignore glob must not skip CI for: the workflows themselves, and code
_GUARDED_PROBES = (".github/workflows/ci.yml", "src/index.ts", "src/app.py", "lib/main.go", "app.py", "index.js")


def _ignore_findings(pipeline: Pipeline, after: Pipeline, protective: Sequence[Unit]) -> Iterator[Finding]:
    """A pull request trigger whose new `paths-ignore` glob covers the workflows or code: pull requests changing
    only those run none of its checks (QA51 #23: hono's `.github/**` made workflow-only pull requests untested)."""
    for trigger in sorted((pipeline.triggers or set()) & (after.triggers or set()) & _PR_TRIGGERS):
        added = sorted(after.ignores.get(trigger, set()) - pipeline.ignores.get(trigger, set()))
        covering = [g for g in added if _covers_guarded(g)]
        if covering:
            words = sorted({w for u in protective for w in u.words})
            yield Finding(
                "ci-protection-disabled",
                pipeline.path,
                1,
                f"workflow {pipeline.path}",
                f"{trigger} paths-ignore gains {', '.join(covering)}: pull requests changing only such files skip "
                f"{', '.join(words)}",
                detector="yaml:github",
                key=f"paths-ignore:{pipeline.path}:{trigger}",
            )


def _covers_guarded(glob: str) -> bool:
    try:
        compiled = compile_glob(glob)
    except GlobError:
        return False
    return any(compiled.match(path) for path in _GUARDED_PROBES)


def command_findings(pipeline: Pipeline, work: Work) -> list[Finding]:
    """Destructive commands in the pipeline's scripts."""
    findings: list[Finding] = []
    detector = "yaml:gitlab" if pipeline.triggers is None else "yaml:github"
    for unit in pipeline.units:
        for first_line, script in unit.command_lines:
            findings.extend(
                shell.scan_script(script, pipeline.path, work=work, first_line=first_line, detector=detector)
            )
    return findings
