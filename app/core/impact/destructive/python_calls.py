"""Destructive calls in Python code, read through `ast`: commands it runs and cloud resources it deletes.

- Commands: subprocess.run/call/check_call/check_output/Popen, os.system/popen/exec*, asyncio's
  create_subprocess_exec/shell. An argv list is judged word by word by the shell detector
  (`subprocess.run(["terraform", "destroy"])`); a string with shell=True or os.system as a script.
  Non-literal elements become `${name}` so that an empty variable is taken into account.
- Recursive deletes: shutil.rmtree of a root or of a path that is a root when a variable is empty.
- Cloud SDKs: boto3, google-cloud and azure-mgmt clients, followed from the import through
  assignments (`s3 = boto3.client("s3")`, `bucket = s3.Bucket(name)`, `for vm in compute.list(...)`),
  whose delete*/terminate*/destroy*/purge*/begin_delete* methods are called. Single-item data-plane calls
  an application makes in normal operation (delete_object, delete_message, delete_item, delete_blob) are
  not destructive operations; deleting a bucket, an instance, a table or a resource group is.
- TLS certificate verification turned off (`verify=False`, `ssl.CERT_NONE` ...): see tls.py, walked here from
  the same parse.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from typing import Any

from app.core.impact.destructive import shell, tls
from app.core.impact.destructive.model import MAX_FINDINGS_PER_FILE, Finding, Lines, ParseFailure, Work
from app.core.impact.destructive.pyast import (
    dotted,
    parse_python,
    root_name,
    shell_placeholder,
    string_assignments,
    string_value,
)
from app.core.memo import ContentMemo, Submit

_RUN_ARGV = frozenset(
    {
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "asyncio.create_subprocess_exec",
        "os.execvp",
        "os.execv",
        "os.spawnvp",
        "sh.Command",
    }
)
_RUN_SHELL = frozenset(
    {
        "os.system",
        "os.popen",
        "asyncio.create_subprocess_shell",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
    }
)
_CLOUD_MODULES = ("boto3", "botocore", "google.cloud", "googleapiclient", "azure")
_DELETE_METHOD = re.compile(
    r"^(?:begin_)?(?:delete|terminate|destroy|purge|drop|remove)(?:_\w+)?$|^batch_delete"
)
# A file can hold a finding only if it names one of these: a subprocess or asyncio subprocess call, shutil's
# rmtree, a cloud SDK; an os call (system, popen, exec*, spawnvp) together with the word os; sh's Command
# with the word sh. An alias (`from os import system as run`) still names the function in its import.
# Most files name none, and are not parsed (`os` alone was in 430 of ansible's 1,554 Python files, these
# in 159).
_NAMES_ALWAYS = re.compile(
    r"\b(?:subprocess|create_subprocess_\w+|rmtree|boto3|botocore|google|googleapiclient|azure)\b"
)
_ALWAYS_WORDS = ("subprocess", "rmtree", "boto", "google", "azure")  # each alternative above contains one
_OS_WORDS = ("system", "popen", "exec", "spawnvp")
_OS_CALLS = re.compile(r"\b(?:system|popen|execvp?|spawnvp)\b")
_OS = re.compile(r"\bos\b")
_SH = re.compile(r"\bsh\b")

# Findings per file version: a change's base versions are the same for every branch on that base, and
# each was parsed once per change (11 s of the 23 s a cold TUI spent scoring the ansible scenario).
_memo: ContentMemo[tuple[list[Finding] | str, int]] = ContentMemo(2048)  # (findings or why not, work units)
# What offer_scans worked out for a version read from a blob: its memo key, or None when its text names
# nothing to find. The analysis thread then neither runs the pre-filter nor hashes that version again
# (1.2 s of its time in the ansible scenario's cold analysis). A blob id names its content, so the
# verdict holds wherever the same path and blob are read; kept until the analysis ends (drop_offered_scans).
_verdicts: dict[tuple[str, str], tuple[str, bytes] | None] = {}
_UNKNOWN = ("", b"")
_ROUTINE_DELETES = frozenset(
    {
        "delete_object",
        "delete_message",
        "delete_message_batch",
        "delete_item",
        "delete_blob",
        "delete_objects_versions",
        "delete_entity",
        "delete_document",
        "delete_key",
        "delete_row",
        "delete_session",
    }
)


def _imports(nodes: list[ast.AST]) -> tuple[set[str], dict[str, str]]:
    """Names bound to cloud SDK modules or classes, and local aliases of subprocess/os functions."""
    cloud: set[str] = set()
    aliases: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(_CLOUD_MODULES):
                    cloud.add((alias.asname or alias.name).split(".")[0])
                elif alias.name in ("subprocess", "os", "asyncio", "shutil") and alias.asname:
                    aliases[alias.asname] = alias.name  # import subprocess as sp
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                local = alias.asname or alias.name
                if node.module.startswith(_CLOUD_MODULES):
                    cloud.add(local)
                elif node.module in ("subprocess", "os", "asyncio", "shutil"):
                    aliases[local] = f"{node.module}.{alias.name}"
    return cloud, aliases


def _tainted(nodes: list[ast.AST], cloud: set[str]) -> set[str]:
    """Names that hold a cloud client or something obtained from one (two passes reach a fixpoint for
    ordinary code: a client made at module level and used inside functions)."""
    names = set(cloud)
    for _ in range(2):
        for node in nodes:
            if isinstance(node, ast.Assign) and root_name(node.value) in names:
                for target in node.targets:
                    for leaf in ast.walk(target):
                        if isinstance(leaf, ast.Name):
                            names.add(leaf.id)
            elif (
                isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)) and root_name(node.iter) in names
            ):
                for leaf in ast.walk(node.target):
                    if isinstance(leaf, ast.Name):
                        names.add(leaf.id)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if root_name(item.context_expr) in names and isinstance(item.optional_vars, ast.Name):
                        names.add(item.optional_vars.id)
    return names


def _argv(node: ast.expr, known: dict[str, str]) -> list[str] | None:
    if isinstance(node, (ast.List, ast.Tuple)):
        words = []
        for element in node.elts:
            if isinstance(element, ast.Starred):
                words.append(shell_placeholder(element.value))
                continue
            value = string_value(element, shell_placeholder, known)
            words.append(value if value is not None else shell_placeholder(element))
        return words
    if isinstance(node, ast.Name) and node.id in known:
        return None
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def _command_verdicts(call: ast.Call, name: str, known: dict[str, str]) -> list[shell.Verdict]:
    if not call.args:
        return []
    first = call.args[0]
    shell_kw = _keyword(call, "shell")
    as_shell = name in _RUN_SHELL or (isinstance(shell_kw, ast.Constant) and shell_kw.value is True)
    if name in ("os.execvp", "os.execv", "os.spawnvp") and len(call.args) > 1:
        first = call.args[1]
    argv = _argv(first, known)
    if argv is not None:
        return shell.judge_argv(argv)
    if name in ("asyncio.create_subprocess_exec", "sh.Command"):
        words = [string_value(a, shell_placeholder, known) or shell_placeholder(a) for a in call.args]
        return shell.judge_argv(words)
    text = string_value(first, shell_placeholder, known)
    if text is None:
        return []
    if as_shell:
        return [verdict for _, verdict in shell.script_verdicts(text)]
    return shell.judge_argv(text.split())


def may_run_or_delete(text: str) -> bool:
    """Whether the text names anything scan_python_calls can find (else it finds nothing). Substring
    tests first: a regex of alternatives with word edges over every file version was 0.9 s of the
    ansible scenario's cold analysis."""
    if any(word in text for word in _ALWAYS_WORDS) and _NAMES_ALWAYS.search(text):
        return True
    if any(word in text for word in _OS_WORDS) and _OS_CALLS.search(text) and _OS.search(text):
        return True
    if "Command" in text and _SH.search(text):
        return True
    return tls.python_may_turn_off(text)


def scan_python_calls(text: str, path: str, work: Work, blob: str | None = None) -> list[Finding]:
    """The findings in one version of a Python file; `blob`: the id of the blob `text` was read from,
    if it was (not a working-tree file)."""
    key = _verdicts.get((path, blob), _UNKNOWN) if blob else _UNKNOWN
    if key is None:
        return []
    if key is _UNKNOWN:
        if not may_run_or_delete(text):
            return []  # no module that runs commands or deletes cloud resources is named: nothing to walk
        key = memo_key(text, path)
    found, units = _memo.get_or_compute(key, lambda: scan_answer(text, path))
    work.add(units)  # the work the scan did when it ran
    if isinstance(found, str):
        raise ParseFailure(found)
    return list(found)


def memo_key(text: str, path: str) -> tuple[str, bytes]:
    return ContentMemo.key(path, text.encode("utf-8", "surrogatepass"))


def scan_answer(text: str, path: str, tree: ast.Module | None = None) -> tuple[list[Finding] | str, int]:
    """What the memo keeps for a version: its findings (or why it could not be parsed) and the work done.
    Module-level so that a worker process can compute it (see offer_scans). `tree`: `ast.parse(text)`, where
    the caller has it (a task that parses the version for the blast radius too: graph.scan_defs_and_metrics)."""
    counted = Work()
    try:
        return _scan(text, path, counted, tree), counted.units
    except ParseFailure as exc:
        return str(exc), counted.units


# (text, path, blob id) -> the future of a task that gives this version's scan_answer among other answers
# from one parse, if the caller started one (else None: a scan task of its own is started)
Together = Callable[[str, str, str], "Future[Any] | None"]


def offer_scans(versions: Iterable[tuple[str, str, str]], submit: Submit, *,
                digests: Mapping[str, bytes] | None = None, together: Together | None = None) -> None:
    """Start scanning these (text, path, blob id it was read from) versions in worker processes, ahead
    of the scan that reads them: `submit(fn, *args)` returns a future. Versions that name nothing to
    find are not sent. What was worked out for each is kept for scan_python_calls (_verdicts).
    `digests`: memo.digest of a blob's bytes, where the caller hashed them already. `together`: asked
    first for each version to scan; a future it gives is offered instead of a scan task's."""
    for text, path, blob in versions:
        if not may_run_or_delete(text):
            _verdicts[(path, blob)] = None
            continue
        known = digests.get(blob) if digests is not None else None
        # valid UTF-8 (no replacement character) is its own encoding: the key of the bytes is the text's
        key = (path, known) if known is not None and "\ufffd" not in text else memo_key(text, path)
        _verdicts[(path, blob)] = key
        if _memo.wants(key):
            joint = together(text, path, blob) if together is not None else None
            _memo.offer(key, joint if joint is not None else submit(scan_answer, text, path))


def judged(path: str, blob: str) -> bool:
    """Whether offer_scans has seen this version already (another change has it too): nothing to read again."""
    return (path, blob) in _verdicts


def drop_offered_scans() -> None:
    _memo.drop_offers()
    _verdicts.clear()


def _scan(text: str, path: str, work: Work, tree: ast.Module | None = None) -> list[Finding]:
    tree = parse_python(text, work, tree)
    nodes = list(ast.walk(tree))  # one walk, read several times below
    work.add(len(nodes))
    cloud, aliases = _imports(nodes)
    tainted = _tainted(nodes, cloud) if cloud else set()
    known = string_assignments(nodes, shell_placeholder)
    lines = Lines(text)
    findings: list[Finding] = []
    names: dict[int, str] = {}  # id(call) -> its callee, for the TLS detector
    for node in nodes:
        if not isinstance(node, ast.Call):
            continue
        name = dotted(node.func)
        first, _, rest = name.partition(".")
        name = aliases.get(name) or (f"{aliases[first]}.{rest}" if rest and first in aliases else name)
        names[id(node)] = name
        verdicts: list[shell.Verdict] = []
        if name in _RUN_ARGV or name in _RUN_SHELL:
            if "." in name:  # a bare run() or call() not imported from subprocess is someone else's function
                verdicts = _command_verdicts(node, name, known)
        elif name == "shutil.rmtree" and node.args:
            target = string_value(node.args[0], shell_placeholder, known) or shell_placeholder(node.args[0])
            verdicts = shell.judge_argv(["rm", "-rf", target])
        elif isinstance(node.func, ast.Attribute) and tainted:
            verdicts = _cloud_verdicts(node, tainted, known)
        for verdict in verdicts:
            findings.append(
                Finding(
                    verdict.kind,
                    path,
                    node.lineno,
                    verdict.target,
                    verdict.reason,
                    lines.text_of(node.lineno),
                    detector="python",
                    key=f"{verdict.kind}:{verdict.target}",
                )
            )
        if len(findings) >= MAX_FINDINGS_PER_FILE:
            break
    if tls.python_may_turn_off(text):
        findings.extend(tls.python_findings(nodes, names, path, lines))
    return sorted(findings, key=lambda f: f.line or 0)[:MAX_FINDINGS_PER_FILE]


def _cloud_verdicts(call: ast.Call, tainted: set[str], known: dict[str, str]) -> list[shell.Verdict]:
    assert isinstance(call.func, ast.Attribute)
    method = call.func.attr
    if not _DELETE_METHOD.match(method) or method in _ROUTINE_DELETES:
        return []
    if root_name(call.func.value) not in tainted:
        return []
    receiver = dotted(call.func.value) or "a cloud client"
    what = method.removeprefix("begin_")
    for prefix in ("delete_", "terminate_", "destroy_", "purge_", "drop_", "remove_", "batch_delete_"):
        what = what.removeprefix(prefix)
    arguments = [string_value(a, shell_placeholder, known) for a in call.args[:1]]
    arguments += [string_value(kw.value, shell_placeholder, known) for kw in call.keywords[:2]]
    named = next((a for a in arguments if a), "")
    subject = (
        f"{what.replace('_', ' ')} {named}".strip()
        if what not in ("delete", "terminate", "destroy", "purge")
        else f"{receiver} {named}".strip()
    )
    return [shell.Verdict("cloud-delete", subject, f"{receiver}.{method}() deletes a cloud resource")]
