"""Destructive shell commands, judged on shlex-level tokens rather than on line text.

A script (shell file, Makefile recipe, Dockerfile RUN, CI `run:`/`script:` block, the `-c` string of a
Kubernetes container) is cut into simple commands at `;`, `&&`, `||`, `|`, `&` and newlines, quotes
resolved by shlex. Each command's argv is judged by `judge_argv`, which Python's subprocess calls and
Kubernetes `command:` lists reach directly.

Variables are taken seriously: a path built from a variable is judged as if the variable were empty
(`rm -rf /$DIR/*` is `rm -rf //*` when DIR is unset), unless the script guards it with `${DIR:?}` or
gives a default (`${DIR:-build}`). Variables the platform always sets (HOME, GITHUB_WORKSPACE...)
keep a placeholder.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from app.core.impact.destructive import tls
from app.core.impact.destructive.model import MAX_SHELL_BYTES, Finding, Lines, ParseFailure, Work, shown

_SEPARATORS = frozenset({";", "&&", "||", "|", "&", "(", ")", ";;", "|&", "\n"})
_PREFIXES = frozenset(
    {
        "sudo",
        "exec",
        "command",
        "time",
        "nohup",
        "env",
        "nice",
        "ionice",
        "doas",
        "then",
        "do",
        "else",
        "elif",
        "if",
        "while",
        "until",
        "!",
        "{",
        "}",
        "xargs",
        "-",
        "@",
        "+",
    }
)
_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "ash", "/bin/sh", "/bin/bash", "/usr/bin/env"})
_ALWAYS_SET = {
    "HOME": "~",
    "PWD": "/work",
    "RUNNER_TEMP": "/tmp/runner",
    "RUNNER_TOOL_CACHE": "/opt/cache",
    "GITHUB_WORKSPACE": "/work",
    "CI_PROJECT_DIR": "/work",
    "CI_BUILDS_DIR": "/builds",
    "TMPDIR": "/tmp",
    "WORKSPACE": "/work",
}
_SYSTEM_DIRS = frozenset(["bin", "boot", "dev", "etc", "home", "lib", "lib64", "opt", "root", "sbin", "srv", "usr",
                          "var", "mnt", "data"])
# $NAME, ${NAME}, ${NAME:-x}, ${NAME:?}, $(NAME) (make), $(command), `command`
_VARIABLE = re.compile(
    r"\$\{(?P<braced>[A-Za-z_]\w*)(?P<op>:?[-=+?])?(?P<word>[^}]*)\}"
    r"|\$\((?P<make>[A-Za-z_]\w*)\)|\$(?P<plain>[A-Za-z_]\w*|[0-9@*])"
    r"|\$\((?P<subst>[^)]*)\)|`[^`]*`"
)
_PROTECTED_BRANCHES = frozenset({"main", "master", "trunk", "production", "prod", "release", "develop"})
_KUBE_DATA_KINDS = {
    "namespace": "namespace",
    "namespaces": "namespace",
    "ns": "namespace",
    "pvc": "persistent volume claim",
    "persistentvolumeclaim": "persistent volume claim",
    "persistentvolumeclaims": "persistent volume claim",
    "pv": "persistent volume",
    "persistentvolume": "persistent volume",
    "persistentvolumes": "persistent volume",
    "statefulset": "statefulset",
    "statefulsets": "statefulset",
    "sts": "statefulset",
    "deployment": "deployment",
    "deployments": "deployment",
    "deploy": "deployment",
    "crd": "custom resource definition",
    "crds": "custom resource definition",
    "customresourcedefinition": "custom resource definition",
    "all": "every resource",
    "node": "node",
    "nodes": "node",
    "secret": "secret",
    "secrets": "secret",
    "service": "service",
    "svc": "service",
    "services": "service",
}
_FIND_FILTERS = frozenset(
    {
        "-name",
        "-iname",
        "-path",
        "-ipath",
        "-regex",
        "-iregex",
        "-mtime",
        "-mmin",
        "-newer",
        "-size",
        "-empty",
        "-user",
        "-perm",
        "-wholename",
    }
)
_CLOUD_DELETE_VERB = re.compile(r"^(?:delete|terminate|destroy|purge|remove|rb|deregister)(?:-|$)")


@dataclass(frozen=True)
class Verdict:
    """A destructive command: its kind, what it destroys, and why."""

    kind: str
    target: str
    reason: str


# ==================================================================================================
# variables and paths
# ==================================================================================================


def _expand_empty(token: str) -> tuple[str, list[str]]:
    """`token` with every variable as if unset/empty (defaults applied, always-set names kept as a
    placeholder), and the names that were emptied. `${X:?}` aborts when X is empty: it becomes a
    harmless placeholder."""
    emptied: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group("braced") or match.group("make") or match.group("plain")
        op = match.group("op") or ""
        if name is None:  # $(command) or `command`: its output may well be empty
            emptied.append(match.group(0)[:40])
            return ""
        if name in _ALWAYS_SET:
            return _ALWAYS_SET[name]
        if op.endswith("?"):
            return "/guarded"
        if op.endswith(("-", "=")) and match.group("word"):
            return _expand_empty(match.group("word"))[0]
        emptied.append(name)
        return ""

    return _VARIABLE.sub(replace, token), emptied


def _rootish(path: str) -> bool:
    """Whether deleting `path` recursively wipes a root, a home, a system directory or everything here."""
    cleaned = re.sub(r"/+", "/", path.strip())
    while cleaned.endswith("/.") and len(cleaned) > 2:
        cleaned = cleaned[:-2]
    if cleaned in {
        "/",
        "/*",
        "/.*",
        "~",
        "~/",
        "~/*",
        "*",
        ".",
        "./",
        "./*",
        "..",
        "../",
        "../*",
        ".*",
        "/..",
        "~/.*",
    }:
        return True
    trimmed = cleaned.rstrip("/")
    if trimmed.endswith("/*"):
        trimmed = trimmed[:-2]
    return trimmed.startswith("/") and trimmed.count("/") == 1 and trimmed[1:] in _SYSTEM_DIRS


def _dangerous_target(targets: list[str]) -> tuple[str, str] | None:
    """(target, why) for the first recursive-delete target that is a root or can become one."""
    for raw in targets:
        literal, emptied = _expand_empty(raw)
        if _rootish(literal) and not emptied:
            return raw, "rm -rf deletes a root, home or system directory"
        if emptied and _rootish(literal):
            names = ", ".join(dict.fromkeys(emptied))
            return raw, (
                f"if {names} is empty or unset, rm -rf deletes "
                f"{literal or '/'} (unguarded variable; use ${{VAR:?}})"
            )
    return None


# ==================================================================================================
# judging one command
# ==================================================================================================


def _short_flags(args: list[str]) -> str:
    return "".join(a[1:] for a in args if a.startswith("-") and not a.startswith("--") and len(a) > 1)


def _operands(args: list[str]) -> list[str]:
    return [a for a in args if not a.startswith("-") or a == "-"]


def _rm(args: list[str]) -> Verdict | None:
    flags = _short_flags(args)
    recursive = "r" in flags or "R" in flags or "--recursive" in args
    if "--no-preserve-root" in args:
        return Verdict("rm-rf", "the whole filesystem", "rm --no-preserve-root allows deleting /")
    if not recursive:
        return None
    danger = _dangerous_target(_operands(args))
    return None if danger is None else Verdict("rm-rf", danger[0], danger[1])


def _git(args: list[str]) -> Verdict | None:
    if "push" not in args[:4]:
        return None
    rest = args[args.index("push") + 1 :]
    operands = _operands(rest)
    refs = operands[1:] if len(operands) > 1 else []
    if "--delete" in rest or "-d" in rest or any(r.startswith(":") and len(r) > 1 for r in refs):
        names = [r.lstrip(":").split(":")[-1] for r in refs] or ["a branch"]
        target = ", ".join(names)
        worst = [n for n in names if n.removeprefix("refs/heads/") in _PROTECTED_BRANCHES]
        why = "deletes the remote branch" + (" (a protected, long-lived branch)" if worst else "")
        return Verdict("git-push-delete", f"remote branch {target}", why)
    if "--prune" in rest or "--mirror" in rest:
        return Verdict(
            "git-push-delete",
            "remote branches",
            "push --prune/--mirror deletes remote branches that do not exist locally",
        )
    forced = (
        any(
            a in ("--force", "--force-with-lease", "--force-if-includes")
            or a.startswith("--force-with-lease=")
            for a in rest
        )
        or "f" in _short_flags(rest)
        or any(r.startswith("+") and len(r) > 1 for r in refs)
    )
    if forced:
        target = ", ".join(r.lstrip("+") for r in refs) or "the current branch"
        return Verdict(
            "git-force-push",
            f"remote history of {target}",
            "a forced push rewrites the remote branch's history; commits others have are lost",
        )
    return None


def _terraform(tool: str, args: list[str]) -> Verdict | None:
    words = [a for a in args if not a.startswith("-")]
    command = words[0] if words else ""
    if command == "run-all" and len(words) > 1:  # terragrunt run-all destroy
        command = words[1]
    if command == "destroy" or (command == "apply" and "-destroy" in args):
        return Verdict(
            "terraform-destroy-command", f"every resource {tool} manages here", f"{tool} destroy deletes them"
        )
    if command == "apply":
        for arg in args:
            if arg.startswith("-replace="):
                address = arg.split("=", 1)[1]
                return Verdict(
                    "terraform-replace", address, "-replace destroys and recreates it (its data goes with it)"
                )
    if command == "taint" and len(words) > 1:
        return Verdict("terraform-taint", words[1], "tainted: the next apply destroys and recreates it")
    if command == "workspace" and len(words) > 1 and words[1] == "delete":
        return Verdict(
            "terraform-workspace-delete",
            f"workspace {words[-1]}",
            "deletes the workspace and its state (the resources become unmanaged)",
        )
    return None


def _kubectl(args: list[str]) -> Verdict | None:
    words = [a for a in args if not a.startswith("-")]
    if "delete" not in words[:2]:
        return None
    rest = words[words.index("delete") + 1 :]
    if (
        "-f" in args
        or "--filename" in args
        or "-k" in args
        or any(a.startswith(("--filename=", "-f=")) for a in args)
    ):
        return Verdict(
            "kubectl-delete",
            "every resource in the given manifests",
            "kubectl delete -f removes them from the cluster (with their volumes)",
        )
    if "--all" in args or "-A" in args or "--all-namespaces" in args:
        kinds = rest[0] if rest else "resources"
        return Verdict("kubectl-delete", f"all {kinds}", "kubectl delete --all removes every one of them")
    if not rest:
        return None
    kind_word = rest[0].split("/")[0].split(".")[0].lower()
    kind = _KUBE_DATA_KINDS.get(kind_word)
    if kind is None:
        return None  # pods, jobs, configmaps: controllers recreate them, nothing stateful is lost
    name = rest[0].split("/", 1)[1] if "/" in rest[0] else " ".join(rest[1:3])
    why = (
        "deletes the namespace and everything in it"
        if kind == "namespace"
        else f"kubectl delete removes the {kind} from the cluster"
    )
    return Verdict("kubectl-delete", f"{kind} {name}".strip(), why)


def _cloud_cli(tool: str, args: list[str]) -> Verdict | None:
    """aws/gcloud/az/gsutil/gh subcommands that delete infrastructure or data."""
    words = [a for a in args if not a.startswith("-")]
    if tool == "aws":
        if words[:2] == ["s3", "rb"]:
            return Verdict(
                "cloud-delete", f"bucket {' '.join(words[2:3])}".strip(), "aws s3 rb deletes the bucket"
            )
        if words[:2] == ["s3", "rm"] and ("--recursive" in args):
            return Verdict(
                "cloud-delete",
                " ".join(words[2:3]) or "objects",
                "aws s3 rm --recursive deletes every object under the prefix",
            )
        verb = next((w for w in words[1:3] if _CLOUD_DELETE_VERB.match(w)), None)
        if verb:
            return Verdict(
                "cloud-delete",
                f"{words[0]} {verb.split('-', 1)[-1]}",
                f"aws {words[0]} {verb} deletes cloud resources",
            )
        return None
    if tool == "gsutil":
        if words[:1] == ["rb"] or (words[:1] == ["rm"] and ("-r" in args or "-R" in args or "-a" in args)):
            return Verdict(
                "cloud-delete",
                " ".join(words[1:2]) or "objects",
                f"gsutil {words[0]} deletes buckets or objects",
            )
        return None
    if tool == "gh":
        if words[:2] == ["repo", "delete"]:
            return Verdict(
                "cloud-delete",
                f"repository {' '.join(words[2:3])}".strip(),
                "gh repo delete deletes the repository",
            )
        return None
    verb_at = next((i for i, w in enumerate(words) if _CLOUD_DELETE_VERB.match(w)), None)
    if verb_at is None or verb_at == 0:
        return None
    noun = " ".join(words[:verb_at])
    name = " ".join(words[verb_at + 1 : verb_at + 2])
    return Verdict(
        "cloud-delete", f"{noun} {name}".strip(), f"{tool} {noun} {words[verb_at]} deletes cloud resources"
    )


def _database_cli(tool: str, args: list[str], depth: int) -> list[Verdict]:
    if tool in ("dropdb", "dropuser"):
        names = _operands(args)
        return (
            [
                Verdict(
                    "sql-drop",
                    f"database {names[-1]}" if names else "a database",
                    "dropdb deletes the whole database",
                )
            ]
            if tool == "dropdb"
            else []
        )
    if tool in ("redis-cli",) and any(a.lower() in ("flushall", "flushdb") for a in args):
        return [Verdict("redis-flush", "every redis key", "FLUSHALL/FLUSHDB deletes all keys")]
    flag = {
        "psql": ("-c", "--command"),
        "mysql": ("-e", "--execute"),
        "sqlite3": (),
        "cqlsh": ("-e",),
        "sqlcmd": ("-Q", "-q"),
    }.get(tool)
    if flag is None:
        return []
    statements = [args[i + 1] for i, a in enumerate(args[:-1]) if a in flag]
    statements += [a.split("=", 1)[1] for a in args if a.startswith(("--command=", "--execute="))]
    if tool == "sqlite3":
        statements += _operands(args)[1:]
    from app.core.impact.destructive import sql  # the SQL detector judges the statement

    verdicts = []
    for statement in statements:
        for finding in sql.scan_sql(statement, "<command>", Work()):
            verdicts.append(Verdict(finding.kind, finding.target, f"{tool} runs it: {finding.reason}"))
    return verdicts


def _find(args: list[str]) -> Verdict | None:
    if "-delete" not in args and not ("-exec" in args and "rm" in args):
        return None
    starts = []
    for arg in args:
        if arg.startswith(("-", "(", "!")):
            break
        starts.append(arg)
    filtered = any(a in _FIND_FILTERS for a in args)
    # `find . -name '*.pyc' -delete` is housekeeping; an unfiltered find, or one rooted at / or a system
    # directory, deletes wholesale.
    danger = _dangerous_target(
        [s for s in starts if not filtered or _expand_empty(s)[0].startswith(("/", "~"))]
    )
    return (
        None if danger is None else Verdict("rm-rf", danger[0], danger[1].replace("rm -rf", "find -delete"))
    )


def _stack_tools(tool: str, rest: list[str]) -> Verdict | None:
    """pulumi/cdk destroy, serverless remove, helm uninstall."""
    if tool in ("pulumi", "cdk", "cdktf") and "destroy" in rest[:2]:
        return Verdict("terraform-destroy-command", f"every resource of the {tool} stack",
                       f"{tool} destroy deletes them")
    if tool in ("serverless", "sls") and "remove" in rest[:1]:
        return Verdict("terraform-destroy-command", "the serverless stack", "serverless remove deletes it")
    if tool in ("helm", "helm3") and rest[:1] and rest[0] in ("uninstall", "delete", "del", "un"):
        release = " ".join(_operands(rest[1:])[:1]) or "a release"
        return Verdict("helm-uninstall", f"release {release}", "helm uninstall removes the release and its resources")
    return None


def _may_be_a_device(operands: list[str]) -> bool:
    """Whether mkfs's operands may name a block device: one under /dev, or a value the line does not show (a
    variable, a substitution); never a plain file path (uv's CI: `mkfs.btrfs /tmp/btrfs.img`, an image made by
    `truncate` one line up, was the queue's first change). No operand at all: cannot tell, so it may."""
    return not operands or any(a.startswith("/dev/") or "$" in a or "`" in a for a in operands)


def _disk_tools(tool: str, rest: list[str]) -> Verdict | None:
    """mkfs, dd onto a device, docker volume removal."""
    if (tool.startswith("mkfs") and _may_be_a_device(_operands(rest))) or (
            tool == "dd" and any(a.startswith("of=/dev/") for a in rest)):
        return Verdict("disk-wipe", "a disk", f"{tool} overwrites a block device")
    if tool == "docker" and (rest[:2] in (["volume", "rm"], ["volume", "prune"])
                             or (rest[:2] == ["system", "prune"] and "--volumes" in rest)):
        return Verdict("docker-volume-delete", "docker volumes", "deletes volumes and the data in them")
    return None


_JUDGES: dict[str, Callable[[str, list[str]], Verdict | None]] = {
    "rm": lambda tool, rest: _rm(rest),
    "git": lambda tool, rest: _git(rest),
    "find": lambda tool, rest: _find(rest),
    **dict.fromkeys(("terraform", "tofu", "terragrunt"), _terraform),
    **dict.fromkeys(("kubectl", "oc"), lambda tool, rest: _kubectl(rest)),
    **dict.fromkeys(("aws", "gcloud", "az", "gsutil", "gh"), _cloud_cli),
    **dict.fromkeys(("pulumi", "cdk", "cdktf", "serverless", "sls", "helm", "helm3"), _stack_tools),
    **dict.fromkeys(("dd", "docker"), _disk_tools),
}


def judge_argv(argv: list[str], depth: int = 0) -> list[Verdict]:
    """What one simple command destroys (nothing, for almost every command)."""
    args = list(argv)
    tls_off: list[Verdict] = []
    while args and (args[0] in _PREFIXES or re.match(r"^[A-Za-z_]\w*=", args[0])):
        if not tls_off and (setting := tls.assignments_off(args[:1])):
            tls_off.append(Verdict(tls.KIND, setting, tls.REASON))
        args = args[1:]
    if not args:
        return tls_off
    tool = posixpath.basename(args[0])
    rest = args[1:]
    if not tls_off and (what := tls.argv_off(tool, rest)):
        tls_off.append(Verdict(tls.KIND, what, tls.REASON))
    if tls_off:
        return [*tls_off, *_judged(tool, args, rest, depth)]
    return _judged(tool, args, rest, depth)


def _judged(tool: str, args: list[str], rest: list[str], depth: int) -> list[Verdict]:
    """judge_argv past the command's prefixes: what `tool` with `rest` destroys."""
    if tool in _SHELLS or args[0] in _SHELLS:
        if tool == "env" or args[0] == "/usr/bin/env":
            return judge_argv(rest, depth + 1)
        if "-c" in rest and depth < 3:
            script = rest[rest.index("-c") + 1] if rest.index("-c") + 1 < len(rest) else ""
            return [v for _, v in script_verdicts(script, depth + 1)]
        return []
    judge = _JUDGES.get(tool) or (_disk_tools if tool.startswith("mkfs") else None)
    if judge is None:
        return _database_cli(tool, rest, depth)
    verdict = judge(tool, rest)
    return [] if verdict is None else [verdict]


# ==================================================================================================
# scripts
# ==================================================================================================


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) with backslash-newline continuations joined."""
    pending: list[str] = []
    start = 1
    for number, line in enumerate(text.split("\n"), start=1):
        if not pending:
            start = number
        stripped = line.rstrip()
        if stripped.endswith("\\") and not stripped.endswith("\\\\"):
            pending.append(stripped[:-1])
            continue
        pending.append(line)
        yield start, " ".join(pending)
        pending = []
    if pending:
        yield start, " ".join(pending)


def _tokens(line: str) -> list[str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        return list(lexer)
    except ValueError:  # an unclosed quote: split on whitespace rather than give up
        return line.split()


def commands(line: str) -> Iterator[list[str]]:
    """The simple commands (argv lists) of one logical line."""
    argv: list[str] = []
    for token in _tokens(line):
        if token in _SEPARATORS or set(token) <= set(";&|()"):
            if argv:
                yield argv
            argv = []
        else:
            argv.append(token)
    if argv:
        yield argv


def script_verdicts(text: str, depth: int = 0, work: Work | None = None) -> Iterator[tuple[int, Verdict]]:
    """(line, verdict) for every destructive command of a shell script."""
    if len(text) > MAX_SHELL_BYTES:
        raise ParseFailure(f"script of {len(text):,} characters is over the {MAX_SHELL_BYTES:,} parse bound")
    for number, line in _logical_lines(text):
        if work is not None:
            work.add(len(line) + 1)
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        for argv in commands(line):
            for verdict in judge_argv(argv, depth):
                yield number, verdict


def _make_recipes(text: str) -> str:
    """A Makefile's recipe lines as a script ($$ is a literal $ there), other lines blanked so that
    line numbers stay; `@`, `-` and `+` prefixes are dropped."""
    out = []
    for line in text.split("\n"):
        if line.startswith("\t"):
            recipe = re.sub(r"\$\((\w+)\)", r"${\1}", line.lstrip("\t").lstrip("@-+ "))
            out.append(recipe.replace("$$", "$"))
        else:
            out.append("")
    return "\n".join(out)


def _dockerfile_runs(text: str) -> str:
    """A Dockerfile's RUN instructions as a script (exec form `RUN ["rm", ...]` quoted back to shell)."""
    out = []
    in_run = False
    for line in text.split("\n"):
        head = line.lstrip()
        if head[:4].upper() == "RUN ":
            body = head[4:].strip()
            if body.startswith("["):
                try:
                    import json

                    body = shlex.join(str(a) for a in json.loads(body))
                except (ValueError, TypeError):
                    pass
            out.append(body)
            in_run = line.rstrip().endswith("\\")
        elif head[:4].upper() == "ENV " and not line.rstrip().endswith("\\"):
            out.append(_env_as_export(head[4:].strip()))  # ENV NODE_TLS_REJECT_UNAUTHORIZED=0 holds for every RUN
            in_run = False
        elif in_run:
            out.append(line)
            in_run = line.rstrip().endswith("\\")
        else:
            out.append("")
    return "\n".join(out)


def _env_as_export(body: str) -> str:
    """A Dockerfile ENV instruction as the shell's `export` (`ENV A=1 B=2`, or the old `ENV A 1`)."""
    if "=" not in body.split(" ", 1)[0]:
        name, _, value = body.partition(" ")
        return f"export {shlex.quote(name)}={shlex.quote(value.strip())}"
    return f"export {body}"


def scan_script(
    text: str,
    path: str,
    *,
    flavour: str = "sh",
    work: Work | None = None,
    first_line: int = 1,
    detector: str = "shell",
) -> list[Finding]:
    """Findings for a shell script (flavour "sh"), a Makefile ("make") or a Dockerfile ("docker").
    `first_line` places a script embedded in another file (a CI `run:` block)."""
    script = {"make": _make_recipes, "docker": _dockerfile_runs}.get(flavour, lambda t: t)(text)
    lines = Lines(text)
    findings = []
    for number, verdict in script_verdicts(script, work=work):
        line = number + first_line - 1
        findings.append(
            Finding(
                verdict.kind,
                path,
                line,
                verdict.target,
                verdict.reason,
                shown(lines.text_of(number)),
                detector=detector,
                key=f"{verdict.kind}:{verdict.target}",
            )
        )
    return findings


def argv_findings(argv: list[str], path: str, line: int | None, text: str, detector: str) -> list[Finding]:
    """Findings for one argv list found in another format (a Kubernetes command, a subprocess call)."""
    return [
        Finding(
            v.kind, path, line, v.target, v.reason, shown(text), detector=detector, key=f"{v.kind}:{v.target}"
        )
        for v in judge_argv(argv)
    ]


def looks_like_shell(path: str, head: str) -> str | None:
    """The flavour of a script file by name or shebang, or None."""
    name = posixpath.basename(path).lower()
    if name.endswith((".sh", ".bash", ".zsh", ".ksh")) or head.startswith(
        ("#!/bin/sh", "#!/bin/bash", "#!/usr/bin/env bash", "#!/usr/bin/env sh", "#!/bin/zsh")
    ):
        return "sh"
    if name in ("makefile", "gnumakefile") or name.endswith(".mk"):
        return "make"
    if (
        name == "dockerfile"
        or name.startswith("dockerfile.")
        or name.endswith((".dockerfile", "containerfile"))
    ):
        return "docker"
    return None
