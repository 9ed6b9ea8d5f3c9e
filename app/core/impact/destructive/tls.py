"""TLS certificate verification turned off: a security protection the change removes from its connections.

A connection that does not verify the server's certificate accepts any certificate, so whoever sits on the
path (a proxy, a hostile network) reads and rewrites the traffic. The shapes, by language:
- Python (through `ast`, with the other calls of python_calls): a literal `verify=False` (requests, httpx),
  `verify_ssl=False`, `ssl_verify=False`, `verify_certs=False` (Elasticsearch), `validate_certs=False` in any
  call but a JWT decode's, `ssl=False` in an aiohttp call of a file that imports aiohttp, `x.verify = False`
  (a requests Session), `ssl._create_unverified_context`, `ssl.CERT_NONE` assigned or passed
  (`ctx.verify_mode = ssl.CERT_NONE`, `cert_reqs=ssl.CERT_NONE`),
  `ctx.check_hostname = False`, and `os.environ[...]` setting one of the variables below.
  `urllib3.disable_warnings(...)` only hides the warning: it is not a finding alone.
- JavaScript/TypeScript, Go, Rust (code lines, comments skipped; no parser of these here):
  `rejectUnauthorized: false`, `NODE_TLS_REJECT_UNAUTHORIZED` set to 0, `InsecureSkipVerify: true`,
  `danger_accept_invalid_certs(true)`.
- YAML: CI `env:`, compose `environment:`, Kubernetes container `env` setting one of the variables below.
- Commands (shell scripts, Dockerfile RUN/ENV, CI scripts, subprocess argv): `curl -k/--insecure`,
  `wget --no-check-certificate`, `pip --trusted-host`, `git config http.sslVerify false`, `git -c
  http.sslVerify=false`, `npm/yarn config set strict-ssl false`, and the variables GIT_SSL_NO_VERIFY,
  PYTHONHTTPSVERIFY=0, NODE_TLS_REJECT_UNAUTHORIZED=0 set.
Tests and docs are not scanned (scan.py): a test talking to a local server without verification is normal.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Sequence

from app.core.impact.destructive.model import Finding, Lines, Work
from app.core.impact.destructive.pyast import dotted
from app.core.impact.destructive.yamlnodes import Node

KIND = "tls-verification-off"
REASON = "turns off TLS certificate verification: connections accept any certificate (man-in-the-middle)"

# -- environment variables ------------------------------------------------------------------------------------
_ENV_OFF = {"NODE_TLS_REJECT_UNAUTHORIZED": "0", "PYTHONHTTPSVERIFY": "0"}
_ENV_ANY = frozenset({"GIT_SSL_NO_VERIFY"})  # set to anything non-empty


def env_turns_off(name: str, value: str) -> bool:
    """Whether setting environment variable `name` to `value` turns verification off."""
    value = value.strip().strip("'\"").strip()
    if name in _ENV_ANY:
        return value.lower() not in ("", "0", "false", "no")
    return name in _ENV_OFF and value == _ENV_OFF[name]


# -- commands -------------------------------------------------------------------------------------------------
_ASSIGNMENT = re.compile(r"^([A-Za-z_]\w*)=(.*)$", re.S)


def assignments_off(words: Sequence[str]) -> str | None:
    """The `NAME=value` among these words (a command's prefix, `export`'s operands) that turns verification off."""
    for word in words:
        match = _ASSIGNMENT.match(word)
        if match and env_turns_off(match.group(1), match.group(2)):
            return f"{match.group(1)}={match.group(2)}"
    return None


def _git_off(args: Sequence[str]) -> bool:
    lowered = [a.lower() for a in args]
    for index, word in enumerate(lowered):
        if word.startswith("http.sslverify=") and word.split("=", 1)[1] in ("false", "0", "no", "off"):
            return True  # git -c http.sslVerify=false
        if word == "http.sslverify" and index + 1 < len(lowered) and lowered[index + 1] in ("false", "0", "no", "off"):
            return "config" in lowered[:index]
    return False


def argv_off(tool: str, rest: Sequence[str]) -> str | None:
    """What in one command turns verification off ("curl -k"), or None."""
    if tool == "curl":
        if "--insecure" in rest or any(re.fullmatch(r"-[A-Za-z]*k[A-Za-z]*", a) for a in rest):
            return "curl --insecure"
    elif tool == "wget":
        if "--no-check-certificate" in rest:
            return "wget --no-check-certificate"
    elif tool in ("pip", "pip3") or (tool in ("uv", "python", "python3") and "pip" in rest[:2]):
        if any(a == "--trusted-host" or a.startswith("--trusted-host=") or a.endswith("trusted-host") for a in rest):
            return "pip --trusted-host"
    elif tool == "git":
        if _git_off(rest):
            return "git http.sslVerify false"
    elif tool in ("npm", "yarn", "pnpm"):
        lowered = [a.lower() for a in rest]
        if "strict-ssl" in lowered and "false" in lowered[lowered.index("strict-ssl"):]:
            return f"{tool} strict-ssl false"
    elif tool == "export":
        found = assignments_off(rest)
        return found
    return None


# -- JavaScript / TypeScript / Go / Rust lines ---------------------------------------------------------------
_CODE_SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx", ".go", ".rs")
_CODE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\brejectUnauthorized[\"']?\s*:\s*false\b"), "rejectUnauthorized: false"),
    (re.compile(r"\bNODE_TLS_REJECT_UNAUTHORIZED\b[\"'\]]*\s*(?:=|:)\s*[\"']?0\b"), "NODE_TLS_REJECT_UNAUTHORIZED=0"),
    (re.compile(r"\bInsecureSkipVerify\s*(?::|=)\s*true\b"), "InsecureSkipVerify: true"),
    (re.compile(r"\bdanger_accept_invalid_(?:certs|hostnames)\s*\(\s*true\s*\)"), "danger_accept_invalid_certs(true)"),
)
_CODE_WORDS = ("rejectUnauthorized", "NODE_TLS_REJECT_UNAUTHORIZED", "InsecureSkipVerify", "danger_accept_invalid")


def reads_code(path: str) -> bool:
    """Whether scan_code reads this file (JavaScript, TypeScript, Go, Rust)."""
    return path.lower().endswith(_CODE_SUFFIXES)


def _code_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, text) of the lines that are not whole-line or block comments."""
    in_block = False
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if in_block:
            if "*/" in stripped:
                in_block = False
                stripped = stripped.split("*/", 1)[1].strip()
            else:
                continue
        if stripped.startswith("/*"):
            in_block = "*/" not in stripped[2:]
            continue
        if not stripped or stripped.startswith(("//", "* ")) or stripped == "*":
            continue
        yield number, stripped


def scan_code(text: str, path: str, work: Work) -> list[Finding]:
    """The lines of a JavaScript, TypeScript, Go or Rust file that turn verification off."""
    if not any(word in text for word in _CODE_WORDS):
        return []
    work.add(len(text))
    lines = Lines(text)
    findings: list[Finding] = []
    for number, stripped in _code_lines(text):
        code = stripped.split(" //", 1)[0]
        for pattern, what in _CODE_PATTERNS:
            if pattern.search(code):
                findings.append(finding(path, number, what, lines.text_of(number), "regex:code"))
                break
    return findings


def finding(path: str, line: int | None, what: str, text: str, detector: str) -> Finding:
    return Finding(KIND, path, line, what, REASON, text, detector=detector, key=f"{KIND}:{what}")


# -- Python ---------------------------------------------------------------------------------------------------
_OFF_KEYWORDS = frozenset({"verify", "verify_ssl", "ssl_verify", "verify_certs", "validate_certs"})
_NOT_TLS = re.compile(r"jwt|jose|\bdecode\b", re.I)  # jwt.decode(verify=False) skips a signature check, not TLS
_PY_HINT = re.compile(
    r"\b(?:verify|verify_ssl|ssl_verify|verify_certs|validate_certs|ssl|check_hostname)\s*=\s*False\b|CERT_NONE"
    r"|_create_unverified_context|NODE_TLS_REJECT_UNAUTHORIZED|PYTHONHTTPSVERIFY|GIT_SSL_NO_VERIFY"
)
# each alternative of _PY_HINT holds one of these: most files hold none, and the regex does not read them
_PY_WORDS = ("verify", "ssl", "validate_certs", "check_hostname", "CERT_NONE", "NODE_TLS", "PYTHONHTTPSVERIFY",
             "GIT_SSL")


def python_may_turn_off(text: str) -> bool:
    """Whether a Python text names anything python_findings reports (substring tests first, then one regex)."""
    return any(word in text for word in _PY_WORDS) and _PY_HINT.search(text) is not None


def _is_false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _cert_none(node: ast.expr | None) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "CERT_NONE") or (
        isinstance(node, ast.Name) and node.id == "CERT_NONE")


# aiohttp's `ssl=False`: its connector, session and request calls (elsewhere `ssl=False` means plain TCP)
_AIOHTTP_CALLS = frozenset({"TCPConnector", "ClientSession", "request", "get", "post", "put", "patch", "delete",
                            "head", "options", "ws_connect"})


def _call_off(call: ast.Call, name: str, aiohttp: bool) -> str | None:
    for keyword in call.keywords:
        if keyword.arg is None:
            continue
        aiohttp_off = keyword.arg == "ssl" and aiohttp and name.rsplit(".", 1)[-1] in _AIOHTTP_CALLS
        off = (_is_false(keyword.value) and (keyword.arg in _OFF_KEYWORDS or aiohttp_off)) or _cert_none(keyword.value)
        if off and not _NOT_TLS.search(name):
            callee = name.rsplit(".", 2)[-2:] if name else ["a call"]
            return f"{'.'.join(callee)}({keyword.arg}={'False' if _is_false(keyword.value) else 'ssl.CERT_NONE'})"
    return None


def _assign_off(node: ast.Assign | ast.AnnAssign) -> str | None:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        if isinstance(target, ast.Attribute):
            where = dotted(target) or f".{target.attr}"
            if target.attr in ("verify", "check_hostname") and _is_false(node.value):
                return f"{where} = False"
            if target.attr in ("verify_mode", "cert_reqs") and _cert_none(node.value):
                return f"{where} = ssl.CERT_NONE"
            if target.attr == "_create_default_https_context":
                return "ssl._create_default_https_context replaced"
        if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
            name, value = target.slice.value, node.value
            if (isinstance(name, str) and isinstance(value, ast.Constant) and isinstance(value.value, str)
                    and env_turns_off(name, value.value)):
                return f"{name}={value.value}"
    return None


def _node_off(node: ast.AST, name_of: dict[int, str], aiohttp: bool) -> str | None:
    if isinstance(node, ast.Call):
        return _call_off(node, name_of.get(id(node), ""), aiohttp)
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        return _assign_off(node)
    if isinstance(node, ast.Attribute) and node.attr == "_create_unverified_context":
        return "ssl._create_unverified_context"
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            off_key = isinstance(key, ast.Constant) and key.value in _OFF_KEYWORDS
            if _cert_none(value) or (off_key and _is_false(value)):
                named = str(key.value) if isinstance(key, ast.Constant) else "a setting"
                return f"{named}: {'False' if _is_false(value) else 'ssl.CERT_NONE'}"
    return None


def _imports_aiohttp(nodes: Sequence[ast.AST]) -> bool:
    for node in nodes:
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "aiohttp" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "aiohttp":
            return True
    return False


def python_findings(nodes: Sequence[ast.AST], names: dict[int, str], path: str, lines: Lines) -> list[Finding]:
    """Where a Python module turns verification off, one finding a line. `names`: id(call) -> its dotted callee."""
    aiohttp = _imports_aiohttp(nodes)
    found: dict[int, Finding] = {}
    for node in nodes:
        line = getattr(node, "lineno", None)
        if line is None or line in found:
            continue
        what = _node_off(node, names, aiohttp)
        if what is not None:
            found[line] = finding(path, line, what, lines.text_of(line), "python")
    return [found[line] for line in sorted(found)]


# -- YAML: CI env, compose environment, Kubernetes container env ----------------------------------------------
def _env_setting(node: Node) -> tuple[str, int] | None:
    """(NAME=value, line) where a YAML node sets a variable that turns verification off: a mapping's key
    (`env: {NODE_TLS_REJECT_UNAUTHORIZED: "0"}`), a container's `{name: ..., value: ...}`, a `NAME=value` item."""
    if node.items is not None:
        name, value = node.get("name"), node.get("value")
        if name is not None and name.value and value is not None and value.value is not None and env_turns_off(
                name.value, value.value):
            return f"{name.value}={value.value}", name.line
        for key, child in node.items.items():
            if child.value is not None and env_turns_off(key, child.value):
                return f"{key}={child.value}", node.key_lines.get(key, child.line)
    elif node.value is not None and "=" in node.value and (found := assignments_off([node.value.strip()])):
        return found, node.line
    return None


def yaml_findings(path: str, docs: Sequence[Node], text: str) -> list[Finding]:
    """Where YAML documents set NODE_TLS_REJECT_UNAUTHORIZED=0, PYTHONHTTPSVERIFY=0 or GIT_SSL_NO_VERIFY."""
    if not any(name in text for name in (*_ENV_OFF, *_ENV_ANY)):
        return []
    lines = Lines(text)
    found: list[Finding] = []
    stack = list(docs)
    while stack:
        node = stack.pop()
        setting = _env_setting(node)
        if setting is not None:
            found.append(finding(path, setting[1], setting[0], lines.text_of(setting[1]), "yaml"))
        stack.extend(list((node.items or {}).values()) + (node.children or []))
    return sorted(found, key=lambda f: f.line or 0)
