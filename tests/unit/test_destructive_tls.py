"""TLS certificate verification turned off (QA53: OpenHands pr/11794 "Disable SSL/TLS verification throughout the
entire ..." ranked #54): a connection that accepts any certificate is a security protection the change removes,
reported as a destructive operation where the change adds it (Python through ast, JS/TS/Go code lines, shell,
Dockerfile), never for what the base already had, what the change removes, nor in tests."""

from __future__ import annotations

from app.analysis.analyzer import Analyzer
from app.core.git.repo import GitRepo
from app.core.impact.destructive.scan import blob_reader, scan_change
from tests.conftest import ALICE, BOB

KIND = "tls-verification-off"
CLIENT = ("import requests\n\n\ndef fetch(url):\n    response = requests.get(url, timeout=10)\n"
          "    return response.json()\n")


def _branch(make_repo, base: dict[str, str], head: dict[str, str | None]):
    b = make_repo("tls")
    b.commit("init", base, author=ALICE)
    b.branch("change")
    b.commit("Talk to the service", head, branch="change", author=BOB)
    b.checkout()
    return b


def _scan(make_repo, base: dict[str, str], head: dict[str, str | None]):
    b = make_repo("scan")
    first = b.commit("base", base, author=ALICE)
    second = b.commit("head", head, author=ALICE)
    repo = GitRepo(b.path)
    return scan_change(repo.diff(first, second), blob_reader(repo.blob)).findings


def _impact(detail) -> float:
    return sum(f["contribution"] for f in detail.report.to_json()["factors"] if f["kind"] == "impact")


def test_requests_verify_false_is_found_and_ranks_above_verify_true(make_repo) -> None:
    off = _branch(make_repo, {"app/client.py": CLIENT},
                  {"app/client.py": CLIENT.replace("timeout=10)", "timeout=10, verify=False)")})
    detail = Analyzer(off.path).detail("change")
    ops = detail.tiers.destructive
    assert [(op.kind, op.path, op.line) for op in ops] == [(KIND, "app/client.py", 5)], ops
    assert ops[0].explanation == ("requests.get(verify=False): turns off TLS certificate verification: connections "
                                  "accept any certificate (man-in-the-middle)")
    why = {f["name"]: f for f in detail.report.to_json()["factors"]}["destructive"]["explanation"]
    assert "app/client.py:5: requests.get(verify=False): turns off TLS certificate verification" in why, why
    assert detail.tiers.tier == 0 and detail.report.to_json()["band"] == "critical"

    on = _branch(make_repo, {"app/client.py": CLIENT},
                 {"app/client.py": CLIENT.replace("timeout=10)", "timeout=10, verify=True)")})
    safe = Analyzer(on.path).detail("change")
    assert safe.tiers.destructive == []
    assert _impact(detail) > _impact(safe), (_impact(detail), _impact(safe))


def test_removing_verify_false_or_keeping_it_is_not_reported(make_repo) -> None:
    insecure = CLIENT.replace("timeout=10)", "timeout=10, verify=False)")
    assert _scan(make_repo, {"app/client.py": insecure}, {"app/client.py": CLIENT}) == []
    moved = insecure.replace("def fetch(url):", "def fetch(url):\n    \"\"\"The service's answer.\"\"\"")
    assert _scan(make_repo, {"app/client.py": insecure}, {"app/client.py": moved}) == []


def test_a_test_file_turning_verification_off_is_not_reported(make_repo) -> None:
    test = CLIENT.replace("timeout=10)", "timeout=10, verify=False)")
    assert _scan(make_repo, {"tests/test_client.py": CLIENT}, {"tests/test_client.py": test}) == []
    assert _scan(make_repo, {"README.md": "x\n"}, {"docs/tls.md": "Use `curl -k` against a local server\n"}) == []


def test_python_shapes_of_turning_verification_off(make_repo) -> None:
    code = ("import ssl\nimport aiohttp\nimport httpx\nimport jwt\n\n"
            "ctx = ssl.create_default_context()\nctx.check_hostname = False\nctx.verify_mode = ssl.CERT_NONE\n"
            "client = httpx.AsyncClient(verify=False)\nconnector = aiohttp.TCPConnector(ssl=False)\n"
            "ssl._create_default_https_context = ssl._create_unverified_context\n"
            "claims = jwt.decode(token, verify=False)\nif ctx.verify_mode == ssl.CERT_NONE:\n    pass\n")
    found = _scan(make_repo, {"app/net.py": "import ssl\n"}, {"app/net.py": code})
    assert [(f.line, f.target) for f in found] == [
        (7, "ctx.check_hostname = False"), (8, "ctx.verify_mode = ssl.CERT_NONE"),
        (9, "httpx.AsyncClient(verify=False)"), (10, "aiohttp.TCPConnector(ssl=False)"),
        (11, "ssl._create_default_https_context replaced")], found
    # urllib3.disable_warnings only hides the warning: alone it is no finding
    hint = "import urllib3\n\nurllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)\n"
    assert _scan(make_repo, {"app/net.py": "import ssl\n"}, {"app/net.py": hint}) == []


def test_go_insecure_skip_verify_is_found_and_comments_are_not(make_repo) -> None:
    base = "package net\n\nimport \"crypto/tls\"\n\nvar config = &tls.Config{}\n"
    head = ("package net\n\nimport \"crypto/tls\"\n\n// InsecureSkipVerify: true was here\n"
            "var config = &tls.Config{InsecureSkipVerify: true} // the lab's proxy\n")
    found = _scan(make_repo, {"internal/net/tls.go": base}, {"internal/net/tls.go": head})
    assert [(f.kind, f.line, f.target) for f in found] == [(KIND, 6, "InsecureSkipVerify: true")], found
    assert _scan(make_repo, {"internal/net/tls_test.go": base}, {"internal/net/tls_test.go": head}) == []


def test_javascript_reject_unauthorized_false_is_found(make_repo) -> None:
    head = ("import https from 'node:https';\n\nexport const agent = new https.Agent({ rejectUnauthorized: false });\n"
            "process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';\n")
    found = _scan(make_repo, {"src/agent.ts": "export {};\n"}, {"src/agent.ts": head})
    assert [(f.line, f.target) for f in found] == [(3, "rejectUnauthorized: false"),
                                                   (4, "NODE_TLS_REJECT_UNAUTHORIZED=0")], found


def test_dockerfile_curl_insecure_and_env_are_found(make_repo) -> None:
    base = "FROM python:3.12\nRUN curl -fsSL https://example.com/install.sh -o /tmp/i.sh\n"
    head = ("FROM python:3.12\nENV NODE_TLS_REJECT_UNAUTHORIZED=0\n"
            "RUN curl -fsSLk https://example.com/install.sh -o /tmp/i.sh \\\n    && pip install --trusted-host "
            "pypi.org -r requirements.txt\nRUN git config --global http.sslVerify false\n")
    found = _scan(make_repo, {"Dockerfile": base}, {"Dockerfile": head})
    assert sorted((f.line, f.target) for f in found) == [
        (2, "NODE_TLS_REJECT_UNAUTHORIZED=0"), (3, "curl --insecure"), (3, "pip --trusted-host"),
        (5, "git http.sslVerify false")], found
    assert {f.kind for f in found} == {KIND}


def test_shell_script_and_ci_run_steps(make_repo) -> None:
    script = "#!/bin/sh\nset -e\nwget --no-check-certificate https://x/y.tgz\nexport GIT_SSL_NO_VERIFY=true\n"
    workflow = ("on: pull_request\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: curl --insecure https://internal/bootstrap | sh\n")
    found = _scan(make_repo, {"README.md": "x\n"}, {"scripts/get.sh": script, ".github/workflows/ci.yml": workflow})
    assert sorted((f.path, f.line, f.target) for f in found) == [
        (".github/workflows/ci.yml", 6, "curl --insecure"), ("scripts/get.sh", 3, "wget --no-check-certificate"),
        ("scripts/get.sh", 4, "GIT_SSL_NO_VERIFY=true")], found


def test_yaml_env_settings_in_ci_compose_and_manifests(make_repo) -> None:
    workflow = ("on: pull_request\njobs:\n  build:\n    runs-on: ubuntu-latest\n    env:\n"
                "      NODE_TLS_REJECT_UNAUTHORIZED: '0'\n      CI: 'true'\n    steps:\n      - run: npm test\n")
    compose = "services:\n  app:\n    image: app\n    environment:\n      - PYTHONHTTPSVERIFY=0\n"
    manifest = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n"
                "      containers:\n        - name: web\n          image: web\n          env:\n"
                "            - name: GIT_SSL_NO_VERIFY\n              value: \"true\"\n")
    found = _scan(make_repo, {"README.md": "x\n"},
                  {".github/workflows/ci.yml": workflow, "docker-compose.yml": compose, "deploy/web.yaml": manifest})
    assert sorted((f.path, f.line, f.target) for f in found if f.kind == KIND) == [
        (".github/workflows/ci.yml", 6, "NODE_TLS_REJECT_UNAUTHORIZED=0"),
        ("deploy/web.yaml", 12, "GIT_SSL_NO_VERIFY=true"),
        ("docker-compose.yml", 5, "PYTHONHTTPSVERIFY=0")], found
    kept = workflow.replace("npm test", "npm run lint")  # the base had the setting: not this change's
    assert [f for f in _scan(make_repo, {".github/workflows/ci.yml": workflow}, {".github/workflows/ci.yml": kept})
            if f.kind == KIND] == []
