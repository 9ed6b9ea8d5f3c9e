"""Tier rules, glob matching and destructive-operation detectors (issue 3)."""

from __future__ import annotations

import time
import tomllib

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.core.git.diff import DiffLine, FileDiff, Hunk
from app.core.git.repo import GitRepo
from app.core.globs import GlobError, GlobSet, compile_glob
from app.core.impact.assess import assess
from app.core.impact.destructive.legacy import detect_destructive
from app.core.impact.destructive.ops import MAX_TEXT, DestructiveOp
from app.core.impact.tiers import DEFAULT_RULES, TierConfig, TierRule, tier_of
from app.core.settings import SectionReader
from app.errors import ConfigError
from app.samples import load

# ==================================================================================================
# helpers
# ==================================================================================================


def make_diff(path: str, lines: list[str], *, status: str = "modified", old_path: str | None = None,
              header: str = "", old_start: int = 1, new_start: int = 1) -> FileDiff:
    """A FileDiff of one hunk from unified-diff style lines ("+added", "-deleted", " context")."""
    old_no, new_no = old_start, new_start
    diff_lines = []
    for raw in lines:
        origin, text = raw[0], raw[1:]
        if origin == "+":
            diff_lines.append(DiffLine("+", None, new_no, text))
            new_no += 1
        elif origin == "-":
            diff_lines.append(DiffLine("-", old_no, None, text))
            old_no += 1
        else:
            diff_lines.append(DiffLine(" ", old_no, new_no, text))
            old_no += 1
            new_no += 1
    hunk = Hunk(old_start, old_no - old_start, new_start, new_no - new_start, header, diff_lines)
    fd = FileDiff(status=status,
                  old_path=None if status == "added" else (old_path or path),
                  new_path=None if status == "deleted" else path,
                  hunks=[hunk])
    fd.additions = hunk.additions
    fd.deletions = hunk.deletions
    return fd


def added(path: str, *lines: str) -> FileDiff:
    return make_diff(path, ["+" + line for line in lines], status="added")


def kinds(ops: list[DestructiveOp]) -> list[str]:
    return [op.kind for op in ops]


def config_from_toml(text: str, source: str = ".review-tui.toml") -> tuple[TierConfig, list[str]]:
    data = tomllib.loads(text)
    reader = SectionReader(data.get("tiers", {}), source, "tiers")
    return TierConfig.from_reader(reader), reader.warnings


# ==================================================================================================
# globs
# ==================================================================================================

GLOB_TABLE = [
    # pattern, path, expected
    ("*.tf", "infra/x/main.tf", True),  # no slash: basename at any depth
    ("*.tf", "main.tf", True),
    ("*.tf", "main.tfvars", False),
    ("*.tf", "main.tf.json", False),
    ("*", "a/b/c.py", True),
    ("a/*.py", "a/b/c.py", False),  # `*` never crosses a slash
    ("a/*.py", "a/c.py", True),
    ("a/*", "a/b/c.py", True),  # ... but a matched directory covers what is under it (gitignore)
    ("?.py", "x.py", True),
    ("?.py", "xy.py", False),
    ("?.py", "/.py", False),
    ("[abc].py", "b.py", True),
    ("[abc].py", "d.py", False),
    ("[!abc].py", "d.py", True),
    ("[^abc].py", "a.py", False),
    ("[a-c]x", "bx", True),
    ("[]]", "]", True),
    ("\\*.py", "*.py", True),
    ("\\*.py", "a.py", False),
    ("docs/", "docs/guide/intro.md", True),  # trailing slash: the directory and everything under it
    ("docs/", "src/docs/x.md", True),
    ("docs/", "docs", False),  # a file named docs is not a directory
    ("docs", "docs", True),
    ("docs", "a/docs/b.md", True),
    ("/docs/", "docs/x.md", True),  # leading slash anchors at the root
    ("/docs/", "src/docs/x.md", False),
    ("/Makefile", "Makefile", True),
    ("/Makefile", "sub/Makefile", False),
    ("db/*.sql", "db/1.sql", True),  # a slash in the middle anchors too
    ("db/*.sql", "x/db/1.sql", False),
    ("**/migrations/**", "migrations/0001.sql", True),  # ** matches zero directories
    ("**/migrations/**", "svc/db/migrations/0001.sql", True),
    ("**/migrations/**", "migrations", False),
    ("**/migrations/**", "migrationsx/1.sql", False),
    ("a/**/b", "a/b", True),
    ("a/**/b", "a/x/y/b", True),
    ("a/**/b", "a/x/y/bc", False),
    ("a/**", "a/x/y", True),
    ("a/**", "b/a/x", False),
    ("**", "any/path/at/all.txt", True),
    ("deploy/**/*.yaml", "deploy/prod/api.yaml", True),
    ("deploy/**/*.yaml", "deploy/api.yaml", True),
    ("deploy/**/*.yaml", "deploy/api.yml", False),
    ("**/payment*/**", "src/payments/retry.py", True),
    ("**/payment*/**", "src/payment.py", False),
    ("*secret*", "config/secrets/x.py", True),
    ("*secret*", "app/my_secret_store.py", True),
    ("a**b", "axxb", True),  # ** inside a segment is an ordinary *
    ("a**b", "ax/xb", False),
    ("*a*a*b", "x/aaaaaaab", True),
    ("*a*a*b", "ab", False),
    ("**/a/**/a/**/b", "x/a/y/a/z/b", True),
    ("**/a/**/a/**/b", "x/a/y/z/b", False),
    ("Dockerfile", "services/api/Dockerfile", True),
    ("Dockerfile", "services/api/Dockerfile.dev", False),
    ("README.md", "./README.md", True),
    ("new\nline", "new\nline", True),
]


@pytest.mark.parametrize(("pattern", "path", "expected"), GLOB_TABLE)
def test_glob_semantics(pattern: str, path: str, expected: bool) -> None:
    assert compile_glob(pattern).match(path) is expected
    assert GlobSet([pattern]).matches(path) is expected  # the fast paths agree with the regex


@pytest.mark.parametrize(("pattern", "problem"), [
    ("", "empty pattern"),
    ("   ", "empty pattern"),
    ("[abc", "unbalanced '['"),
    ("src/[ab/c", "unbalanced '['"),
    ("a//b", "empty path segment"),
    ("/", "matches no path"),
    ("!secret", "negation"),
    ("abc\\", "trailing backslash"),
    ("[z-a]", "bad character class"),
    ("x" * 2000, "longer than"),
])
def test_invalid_globs_raise_glob_error(pattern: str, problem: str) -> None:
    with pytest.raises(GlobError) as caught:
        compile_glob(pattern)
    assert problem in str(caught.value)
    assert str(caught.value).startswith("invalid glob ")


def test_compiled_globs_are_cached() -> None:
    assert compile_glob("**/auth/**") is compile_glob("**/auth/**")


def test_hostile_pattern_cannot_hang_the_matcher() -> None:
    """Repository config is untrusted: star-heavy patterns must not backtrack catastrophically."""
    start = time.perf_counter()
    assert not compile_glob("*a*a*a*a*a*a*a*a*a*b").match("a" * 5000)
    assert not compile_glob("**/a/**/a/**/a/**/a/**/b").match("/".join(["a"] * 3000))
    assert not GlobSet(["*a*a*a*a*a*a*a*a*a*b", "**/a/**/a/**/a/**/b"]).matches("a/" * 2000 + "a" * 3000)
    assert time.perf_counter() - start < 1.0


def test_globset_last_match_wins_and_agrees_with_single_globs() -> None:
    patterns = ["*.py", "payments/", "/payments/auth/**", "test_*.py", "*secret*"]
    globs = GlobSet(patterns)
    assert globs.last_match("payments/auth/tokens.py") == 2
    assert globs.last_match("payments/auth/test_tokens.py") == 3
    assert globs.last_match("payments/secret_keys.py") == 4
    assert globs.last_match("lib/util.py") == 0
    assert globs.last_match("README") is None
    assert GlobSet([]).last_match("x") is None


_SEGMENTS = st.sampled_from(["a", "b", "ab", "x.tf", "a.py", "docs", "tests", "migrations", ".github"])
_PATTERN_PARTS = st.sampled_from(["a", "b", "*", "**", "?", "a*", "*b", "[ab]", "*.tf", "docs", "x.tf",
                                  "*.py",
                                  "migrations", "ab"])


@st.composite
def _patterns(draw: st.DrawFn) -> str:
    parts = draw(st.lists(_PATTERN_PARTS, min_size=1, max_size=4))
    pattern = "/".join(parts)
    if draw(st.booleans()):
        pattern = "/" + pattern
    if draw(st.booleans()):
        pattern += "/"
    return pattern


@given(patterns=st.lists(_patterns(), min_size=1, max_size=6),
       paths=st.lists(st.lists(_SEGMENTS, min_size=1, max_size=5).map("/".join), min_size=1, max_size=8))
def test_globset_equals_last_matching_single_glob(patterns: list[str], paths: list[str]) -> None:
    """The dictionary fast paths of GlobSet give exactly the answer of the per-glob regexes."""
    globs = GlobSet(patterns)
    singles = [compile_glob(p) for p in patterns]
    for path in paths:
        expected = None
        for index, glob in enumerate(singles):
            if glob.match(path):
                expected = index
        assert globs.last_match(path) == expected, (patterns, path)


@given(st.text(max_size=60))
def test_compile_glob_raises_only_glob_error(pattern: str) -> None:
    try:
        glob = compile_glob(pattern)
    except GlobError:
        return
    glob.match("some/path/file.py")  # and a compiled glob matches without raising


# ==================================================================================================
# tier rules and config
# ==================================================================================================

DEFAULT_TIERS = [
    ("infra/terraform/main.tf", 0),
    ("modules/vpc/variables.tfvars", 0),
    ("deploy/prod/api.yaml", 0),
    ("ansible/site.yml", 0),
    ("ops/ansible/roles/db/tasks/main.yaml", 0),
    ("ansible/roles/web/templates/nginx.conf.j2", 0),
    ("ansible/inventory/prod.ini", 0),
    ("lib/ansible/module_utils/basic.py", 2),  # the Ansible project's own source is code, not a playbook
    ("k8s/api/deployment.yaml", 0),
    ("charts/api/templates/deployment.yaml", 0),
    # microservices-demo's layout (QA43 #7): what it deploys sat at tier 2 "matches no tier rule"
    ("kubernetes-manifests/cartservice.yaml", 0),
    ("istio-manifests/frontend-gateway.yaml", 0),
    ("release/kubernetes-manifests.yaml", 0),
    ("kustomize/base/cartservice.yaml", 0),
    ("helm-chart/templates/cartservice.yaml", 0),
    ("argocd/app.yaml", 0),
    ("src/app/manifests/loader.py", 2),  # a Python package named manifests is code
    ("infra/.terraform.lock.hcl", 1),  # terraform init's provider lock file (QA43 #11)
    ("migrations/0004_drop_legacy.sql", 0),
    ("db/schema/views.sql", 0),
    # QA60: memos keeps each driver's migrations in store/migration/<driver>/<version>/ (singular): tier 2
    ("store/migration/sqlite/0.29/01__fix_memo_visibility.sql", 0),
    ("store/migration/postgres/LATEST.sql", 0),
    ("store/migrator.go", 2),  # the Go code that runs them is code
    ("internal/migration/runner.go", 2),
    # QA60: memos' list of the API methods anonymous callers may use, its authorization checks, access tokens and
    # identity providers were tier 2
    ("server/router/api/v1/acl_config.go", 0),
    ("server/router/api/v1/authz.go", 0),
    ("server/router/api/v1/user_service_access_tokens.go", 0),
    ("internal/idp/idp.go", 0),
    ("store/idp.go", 0),
    ("proto/api/v1/idp_service.proto", 0),
    ("server/router/api/v1/authz_test.go", 3),
    ("src/db/oracle.py", 2),  # "acl" inside a word
    ("lib/oracle_client/pool.go", 2),
    # QA64: saleor's checkout (where the customer pays) and its permission package were tier 2 beside payment/
    ("saleor/checkout/complete_checkout.py", 0),
    ("saleor/graphql/checkout/mutations/checkout_complete.py", 0),
    ("saleor/checkout/tests/test_checkout.py", 3),
    ("saleor/permission/enums.py", 0),
    ("saleor/graphql/core/permissions.py", 0),
    ("api/permissions.py", 0),
    ("docs/permissions.md", 3),
    ("payments/auth/tokens.py", 0),
    ("payments/retry.py", 0),
    ("src/billing/invoice.py", 0),
    ("config/secrets.yaml", 0),
    (".review-tui.toml", 0),
    (".github/workflows/ci.yml", 1),
    (".gitlab-ci.yml", 1),
    ("Jenkinsfile", 1),
    ("requirements.txt", 1),
    ("requirements-dev.txt", 1),
    ("web/package-lock.json", 1),
    ("go.mod", 1),
    ("Dockerfile", 1),
    ("docker-compose.prod.yml", 1),
    ("compose.production.yaml", 1),
    # QA57 F17: rubygems.org's docker-compose.yml starts postgres and opensearch on 127.0.0.1 for developers
    ("docker-compose.yml", 2),
    ("docker-compose.override.yml", 2),
    ("compose.yaml", 2),
    ("compose.dev.yml", 2),
    # FIX102's leftover: Rack's config.ru is the middleware every request passes through; Rake and Guard are tools
    ("config.ru", 1),
    ("my_gem.gemspec", 1),
    ("Rakefile", 2),
    ("Guardfile", 2),
    ("app/views/api/v1/gems/show.json.jbuilder", 2),
    ("CODEOWNERS", 1),
    ("app/views.py", 2),
    ("Makefile", 2),
    ("README.md", 3),
    ("docs/runbook.rst", 3),
    ("infra/terraform/README.md", 3),  # docs win over infrastructure: a README cannot take anything down
    ("tests/test_refunds.py", 3),
    ("payments/auth/tests/test_tokens.py", 3),  # tests win over the security paths they test
    ("web/src/cart.spec.ts", 3),
    ("pkg/ledger/ledger_test.go", 3),
    ("LICENSE", 3),
    ("LICENSE-APACHE", 3),
    ("COPYING.LESSER", 3),
    ("NOTICE.txt", 3),
    ("CHANGES.rst", 3),
    # QA58 F7: `LICENSE*` and `NOTICE*` read Java classes and a Rails controller as documentation
    ("src/main/java/org/acme/catalog/LicenseValidator.java", 2),
    ("src/main/java/org/acme/NoticeService.java", 2),
    ("app/controllers/authors_controller.rb", 2),
    # QA51 #18: a benchmark's or test harness's own manifest ships nothing (hono's benchmarks/fetch/package.json)
    ("benchmarks/fetch/package.json", 3),
    ("benchmarks/jsx/yarn.lock", 3),
    ("runtime-tests/deno/deno.lock", 3),
    ("crates/uv-bench/benches/uv.rs", 3),
    ("vitest.config.ts", 3),
    ("src/test-utils/setup-vitest.ts", 3),
    ("packages/web/package.json", 1),  # a package of the product stays a manifest
    # issue 12: examples, fixtures, tests and docs under a critical path are not the critical code
    ("examples/auth/login.py", 3),
    ("src/auth/fixtures/user.json", 3),
    ("auth/tests/test_x.py", 3),
    ("docs/auth/setup.py", 3),
    # a project's setup.py is its manifest; one inside a source tree is a module (ansible's setup module)
    ("setup.py", 1),
    ("packages/client/setup.py", 1),
    ("lib/ansible/modules/setup.py", 2),
    ("src/pkg/setup.py", 2),
    ("src/auth/setup.py", 0),
    # ansible/ holds playbooks, except as a Python package in a source tree (the Ansible project's own)
    ("deploy/ansible/site.yml", 0),
    ("ansible/roles/db/templates/pg_hba.conf.j2", 0),
    ("lib/ansible/config/base.yml", 2),
    ("lib/ansible/galaxy/data/default/role/meta/main.yml.j2", 2),
    ("src/ansible/auth/policy.yml", 0),  # the security rules still win
    ("src/crypto/maths.py", 1),  # crypto/ in a library is algorithms; key handling stays tier 0 below
    ("src/crypto/secret_store.py", 0),
    # an auth package with a prefix or suffix (QA50: uv's crates/uv-auth/ was tier 2)
    ("crates/uv-auth/src/middleware.rs", 0),
    ("packages/auth-client/src/index.ts", 0),
    ("src/user_auth/views.py", 0),
    ("lib/oauth2_provider/tokens.py", 0),
    # spelt out (QA56: netbox's REST API token check and its authentication package were tier 2)
    ("netbox/netbox/api/authentication.py", 0),
    ("netbox/netbox/authentication/misc.py", 0),
    ("sdk/acmepay_sdk/models/authorization.py", 2),  # a card payment's authorization, not access control
    ("netbox/netbox/tests/test_authentication.py", 3),
    ("crates/uv-author/src/lib.rs", 2),  # a name that only starts with "auth"
    ("src/authority/rules.py", 2),
    # QA51 #4 (hono): token, CSRF and security-header code, and auth *files*, are tier 0 like auth/ ...
    ("src/middleware/jwt/jwt.ts", 0),
    ("src/middleware/jwk/jwk.ts", 0),
    ("src/utils/jwt/jws.ts", 0),
    ("src/utils/jwt/types.ts", 0),
    ("lib/verifyJWT.js", 0),
    ("src/middleware/csrf/index.ts", 0),
    ("app/xsrf_token.py", 0),
    ("src/middleware/secure-headers/secure-headers.ts", 0),
    ("src/utils/basic-auth.ts", 0),  # parses the Authorization header
    ("src/auth.py", 0),
    ("routes/oauth_callback.py", 0),
    ("web/src/hooks/useAuth.ts", 0),
    ("src/middleware/session/index.ts", 0),
    ("django/contrib/sessions/backends/db.py", 0),
    # web sessions by what names them one: a session middleware, a session cookie, a framework's session code
    ("starlette/middleware/sessions.py", 0),
    ("src/middleware/cookie-session/index.ts", 0),
    ("lib/action_dispatch/middleware/session/cookie_store.rb", 0),
    ("app/session_cookie.py", 0),
    ("src/cookie-session.js", 0),  # the session rule wins over the cookie one
    ("src/flask/sessions.py", 0),
    ("lib/rack/session/cookie.rb", 0),
    ("src/Illuminate/Session/Store.php", 0),
    ("spring-session-core/src/main/java/org/springframework/session/MapSession.java", 0),
    ("config/initializers/session_store.rb", 0),
    # ... requests guards and a crypto *file* are tier 1 ...
    ("src/middleware/cors/index.ts", 1),
    ("app/cors.py", 1),
    ("src/middleware/ip-restriction/index.ts", 1),
    ("src/helper/cookie/index.ts", 1),
    ("src/utils/cookie.ts", 1),
    ("lib/signed_cookies.rb", 1),
    ("src/utils/crypto.ts", 1),
    ("src/middleware/jwt/cookie.ts", 0),  # the token rule wins
    # ... and their tests, examples and docs stay tier 3
    ("src/middleware/jwt/index.test.ts", 3),
    ("src/utils/basic-auth.test.ts", 3),
    ("examples/jwt/app.ts", 3),
    ("docs/middleware/csrf.md", 3),
    ("src/middleware/cors/README.md", 3),
    # QA57 (rubygems.org, Rails): identity controllers, Pundit policies and auth initializers are tier 0, request
    # throttling and production settings tier 1, ERB Kubernetes manifests infrastructure; their tests stay tier 3
    ("app/controllers/sessions_controller.rb", 0),
    ("app/controllers/passwords_controller.rb", 0),
    ("app/controllers/multifactor_auths_controller.rb", 0),
    ("app/controllers/totps_controller.rb", 0),
    ("app/controllers/webauthn_verifications_controller.rb", 0),
    ("app/controllers/concerns/require_mfa.rb", 0),
    ("app/models/api_key.rb", 0),
    ("app/policies/rubygem_policy.rb", 0),
    ("app/Policies/PostPolicy.php", 0),  # Laravel's
    ("config/initializers/clearance.rb", 0),
    ("config/initializers/devise.rb", 0),
    ("config/initializers/rack_attack.rb", 1),
    ("config/initializers/content_security_policy.rb", 1),
    ("config/environments/production.rb", 1),
    ("config/deploy/production/web.yaml.erb", 0),
    ("config/environments/development.rb", 2),
    ("app/models/user.rb", 2),
    ("lib/hotpatch.py", 2),
    ("test/controllers/sessions_controller_test.rb", 3),
    ("spec/policies/rubygem_policy_spec.rb", 3),
    # a word inside another word is not the word
    ("src/obsession.py", 2),
    ("src/agents/sandbox/session/manager.py", 1),  # a sandbox (tier 1), not a login (openai-agents-python)
    ("src/agents/memory/session.py", 2),
    # "session" alone names chat, sandbox, client and device sessions (the mirrors' 240 session paths)
    ("src/agents/extensions/memory/redis_session.py", 2),
    ("src/agents/realtime/session.py", 2),
    ("web_agent/sessions.py", 2),
    ("src/tbc_caldero/sessions/store.py", 2),
    ("lib/ansible/modules/clustering/consul_session.py", 2),
    ("agents/hooks/session-start.sh", 2),
    ("requests/sessions.py", 2),  # an HTTP client's session
    ("lib/sqlalchemy/orm/session.py", 2),
    ("src/utils/ipaddr.ts", 2),
    ("cookiecutter/main.py", 2),
    ("src/decors.py", 2),
    ("src/corsair.py", 2),
    ("src/exceptions/UnauthorizedException.ts", 2),
    ("lib/josephine.py", 2),
    ("crates/uv-cryptography-notes/src/lib.rs", 2),
    # QA51 #5: JavaScript, Deno and JSR manifests and lock files, and what proposes dependency updates
    ("jsr.json", 1),
    ("jsr.jsonc", 1),
    ("deno.json", 1),
    ("deno.jsonc", 1),
    ("deno.lock", 1),
    ("bun.lockb", 1),
    ("bun.lock", 1),
    (".npmrc", 1),
    (".yarnrc.yml", 1),
    (".github/dependabot.yml", 1),
    ("renovate.json", 1),
    ("config/dependabot.yml", 2),  # only where GitHub reads it
    # case ignored, always
    ("src/Auth/login.py", 0),
    ("src/Middleware/JWT/Verify.TS", 0),
    ("SRC/PAYMENTS/charge.py", 0),
    ("Docs/Guide.MD", 3),
    ("dockerfile", 1),
    # QA55 F9 (terraform-aws-eks): node bootstrap templates a .tf renders run as root on every node at boot;
    # a dev container ships nothing
    ("modules/_user_data/templates/linux_user_data.tpl", 0),
    ("templates/userdata.sh.tpl", 0),
    ("templates/al2023_user_data.tftpl", 0),
    ("scripts/user-data.sh", 0),
    ("app/views/templates/page.tpl", 2),
    ("app/userdata.py", 2),
    (".devcontainer/Dockerfile", 2),
    (".devcontainer/devcontainer.json", 2),
    # QA58 (Apache Fineract): a Liquibase changelog folder is no change history; a Java package named infrastructure
    # is application code; money, tenants, loans and savings are what a core banking system is for
    ("fineract-provider/src/main/resources/db/changelog/tenant/parts/0125_report.xml", 0),
    ("src/main/resources/db/changelog/db.changelog-master.yaml", 0),
    ("src/main/resources/liquibase/changes/001.sql", 0),
    ("src/test/resources/db/changelog/test-data.xml", 3),
    ("CHANGELOG.md", 3),
    ("changelogs/fragments/123-fix.yml", 3),  # ansible's change-history fragments stay documentation
    ("fineract-core/src/main/java/org/apache/fineract/infrastructure/core/service/DateUtils.java", 2),
    ("src/Infrastructure/Persistence/OrderRepository.cs", 2),
    ("fineract-provider/src/main/java/org/apache/fineract/infrastructure/security/filter/X.java", 0),
    ("infrastructure/modules/db/main.tf", 0),
    ("infrastructure/prod.yaml", 0),
    ("fineract-accounting/src/main/java/org/apache/fineract/accounting/glaccount/domain/GLAccount.java", 0),
    ("fineract-core/src/main/java/org/apache/fineract/organisation/monetary/domain/Money.java", 0),
    ("fineract-core/src/main/java/org/apache/fineract/infrastructure/core/service/tenant/TenantMapper.java", 0),
    ("fineract-loan/src/main/java/org/apache/fineract/portfolio/loanaccount/domain/Loan.java", 1),
    ("fineract-core/src/main/java/org/apache/fineract/portfolio/savings/SavingsInterestCalculationType.java", 1),
    ("fineract-loan/src/test/java/org/apache/fineract/portfolio/loanaccount/domain/LoanTest.java", 3),
    ("src/loader/index.ts", 2),
    ("buildSrc/src/main/groovy/org.apache.fineract.dependencies.gradle", 1),
    ("fineract-client/dependencies.gradle", 1),
    ("gradle/libs.versions.toml", 1),
    # Rust build scripts and Cargo/toolchain configuration (QA61, astral-sh/uv's paths)
    ("crates/uv-python/build.rs", 1),
    ("build.rs", 1),
    (".cargo/config.toml", 1),
    ("crates/uv-trampoline/.cargo/config.toml", 1),
    ("rust-toolchain.toml", 1),
    ("crates/uv-build/deny.toml", 1),
    ("crates/uv-pypi-types/src/build.rs", 2),
    ("crates/uv/tests/build/build.rs", 3),
    ("gradle/wrapper/gradle-wrapper.properties", 1),
    ("oauth2-tests/dependencies.gradle", 3),
    ("integration-tests/src/main/java/org/apache/fineract/integrationtests/common/Utils.java", 3),
    ("fineract-provider/src/main/resources/keystore.jks", 0),
    ("certs/server.p12", 0),
    ("deploy/keys/server.key", 0),
    ("android/app/release.keystore", 0),
    ("src/test/resources/keystore.jks", 3),  # a test's key store stays a test's
]


def test_tests_and_examples_under_a_critical_path_say_what_they_sit_under() -> None:
    tier, reason = tier_of("examples/auth/login.py", TierConfig())
    assert tier == 3
    assert reason.endswith("; a test, doc or example of tier-0 code ('**/auth/**')")
    assert "; a test" not in tier_of("tests/test_views.py", TierConfig())[1]
    assert "; a test" not in tier_of("src/auth/login.py", TierConfig())[1]
    assert "; a test" not in tier_of("lib/ansible/modules/setup.py", TierConfig())[1]


def test_repository_rules_match_case_insensitively_and_keep_winning() -> None:
    config = TierConfig(rules=(TierRule("examples/auth/**", 0, "runs in the demo", ".review-tui.toml"),
                               TierRule("Vendor/**", 1, "", ".review-tui.toml")))
    assert tier_of("examples/auth/login.py", config)[0] == 0
    assert tier_of("Examples/AUTH/login.py", config)[0] == 0
    assert tier_of("vendor/lib.py", config)[0] == 1
    assert "; a test" not in tier_of("examples/auth/login.py", config)[1]


@pytest.mark.parametrize(("path", "tier"), DEFAULT_TIERS)
def test_default_rules_without_config(path: str, tier: int) -> None:
    assert tier_of(path, TierConfig())[0] == tier


def test_tier_reason_names_rule_source_and_reason() -> None:
    tier, reason = tier_of("infra/terraform/main.tf", TierConfig())
    assert tier == 0
    assert reason.startswith("infra/terraform/main.tf matches '")
    assert "(built-in): tier 0 — infrastructure as code" in reason
    assert tier_of("app/views.py", TierConfig()) == (2, "app/views.py matches no tier rule: default tier 2")


def test_default_rules_through_globset_equal_a_plain_last_match_loop() -> None:
    rules = TierConfig().effective_rules
    for path, _ in DEFAULT_TIERS + [("a/b/c.py", 2), ("svc/deploy/x/values.yaml", 0), ("charts/a/b.txt", 2)]:
        expected = None
        for rule in rules:
            if compile_glob(rule.glob.lower()).match(path.lower()):  # case ignored
                expected = rule
        assert TierConfig().rule_for(path) == expected, path


def test_every_default_rule_has_a_reason() -> None:
    assert all(rule.reason and rule.source == "built-in" for rule in DEFAULT_RULES)


def test_repo_rules_override_defaults_last_match_wins() -> None:
    config, warnings = config_from_toml('''
[tiers]
default_tier = 2

[[tiers.rules]]
glob = "payments/**"
tier = 1
reason = "core payment flow"

[[tiers.rules]]
glob = "payments/gateway/**"
tier = 0
reason = "talks to the card network"
''')
    assert warnings == []
    assert tier_of("payments/retry.py", config) == (
        1, "payments/retry.py matches 'payments/**' (.review-tui.toml): tier 1 — core payment flow")
    assert tier_of("payments/gateway/stripe.py", config)[0] == 0
    assert tier_of("payments/tests/test_retry.py", config)[0] == 1  # a repo rule after the defaults wins
    assert tier_of("infra/main.tf", config)[0] == 0  # defaults still apply elsewhere


def test_use_defaults_false_and_default_tier() -> None:
    config, warnings = config_from_toml('''
[tiers]
use_defaults = false
default_tier = 1
[[tiers.rules]]
glob = "*.md"
tier = 3
''')
    assert warnings == []
    assert tier_of("infra/main.tf", config) == (1, "infra/main.tf matches no tier rule: default tier 1")
    assert tier_of("README.md", config) == (3, "README.md matches '*.md' (.review-tui.toml): tier 3")


def test_an_unknown_key_in_a_rule_is_a_warning_and_the_rule_applies() -> None:
    config, warnings = config_from_toml('''
[tiers]
use_default = false
[[tiers.rules]]
glob = "services/ledger/**"
tier = 0
reason = "money"
[[tiers.rules]]
glob = "scripts/**"
tier = 3
reasn = "typo"
''', source="/repo/.review-tui.toml")
    assert warnings == ["/repo/.review-tui.toml: tiers.rules[1].reasn: unknown key (ignored)",
                        "/repo/.review-tui.toml: tiers.use_default: unknown key (ignored)"]
    assert tier_of("services/ledger/post.py", config)[0] == 0
    assert tier_of("scripts/release.py", config)[0] == 3


@pytest.mark.parametrize(("toml", "error"), [
    ('[[tiers.rules]]\nglob = "[abc"\ntier = 1\n', "tiers.rules[0].glob: invalid glob '[abc' (unbalanced '[')"),
    ('[[tiers.rules]]\nglob = "tools/**"\ntier = 7\n', "tiers.rules[0].tier: tier 7 is outside 0..3"),
    ('[[tiers.rules]]\ntier = 1\n', "tiers.rules[0].glob: missing (a tier rule needs a glob and a tier)"),
    ('[tiers]\ndefault_tier = 9\n', "tiers.default_tier: 9 is outside 0..3"),
    ('[tiers]\nskip_destructive = ["scripts/dev-*.sh", "[bad"]\n',
     "tiers.skip_destructive[1]: invalid glob '[bad' (unbalanced '[')"),
])
def test_a_rule_that_cannot_apply_is_an_error(toml, error) -> None:
    # ignored with a warning, a tier-0 rule with a typo let `check` ask one approval of a payments change
    with pytest.raises(ConfigError) as raised:
        config_from_toml(toml)
    assert str(raised.value) == f".review-tui.toml: {error}"


@pytest.mark.parametrize(("toml", "where"), [
    ('[[tiers.rules]]\nglob = "x/**"\ntier = "high"\n', ".review-tui.toml: tiers.rules[0].tier"),
    ('[[tiers.rules]]\nglob = "x/**"\ntier = true\n', ".review-tui.toml: tiers.rules[0].tier"),
    ('[[tiers.rules]]\nglob = 3\ntier = 1\n', ".review-tui.toml: tiers.rules[0].glob"),
    ('[[tiers.rules]]\nglob = "x"\ntier = 1\nreason = 5\n', ".review-tui.toml: tiers.rules[0].reason"),
    ('[tiers]\nrules = ["x/**"]\n', ".review-tui.toml: tiers.rules[0]"),
    ('[tiers]\nrules = "x/**"\n', ".review-tui.toml: tiers.rules"),
    ('[tiers]\ndefault_tier = "2"\n', ".review-tui.toml: tiers.default_tier"),
    ('[tiers]\nuse_defaults = "yes"\n', ".review-tui.toml: tiers.use_defaults"),
])
def test_wrong_types_raise_config_error_naming_file_and_key(toml: str, where: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_toml(toml)
    assert str(caught.value).startswith(where + ": expected")


def test_tier_rule_validates_itself() -> None:
    with pytest.raises(ValueError):
        TierRule("x/**", 4, "")
    with pytest.raises(GlobError):
        TierRule("[x", 1, "")


# ==================================================================================================
# destructive operations: each detector positive, with a near miss that must stay silent
# ==================================================================================================


def test_terraform_force_destroy_added() -> None:
    fd = make_diff("infra/s3.tf", [' resource "aws_s3_bucket" "logs" {', '+  force_destroy = true', ' }'])
    (op,) = detect_destructive([fd])
    assert op == DestructiveOp(
        "terraform-force-destroy", "infra/s3.tf", 2, "force_destroy = true",
        "force_destroy = true on aws_s3_bucket.logs: destroying it also deletes all its contents "
        "(every object in a bucket)", "new")
    near_miss = make_diff("infra/s3.tf", [' resource "aws_s3_bucket" "logs" {', '+  force_destroy = false',
                                          ' }'])
    assert detect_destructive([near_miss]) == []


def test_terraform_prevent_destroy_removed_or_false() -> None:
    removed = make_diff("infra/db.tf", [
        ' resource "aws_db_instance" "main" {', '   lifecycle {', '-    prevent_destroy = true', '   }',
        ' }'])
    (op,) = detect_destructive([removed])
    assert (op.kind, op.line, op.side) == ("terraform-prevent-destroy-removed", 3, "old")
    assert op.explanation == ("prevent_destroy = true removed from aws_db_instance.main: terraform may now "
                              "destroy it")
    turned_off = make_diff("infra/db.tf", [' resource "aws_db_instance" "main" {', '   lifecycle {',
                                           '-    prevent_destroy = true', '+    prevent_destroy = false',
                                           '   }'])
    assert kinds(detect_destructive([turned_off])) == ["terraform-prevent-destroy-removed"]


def test_terraform_prevent_destroy_moved_but_kept_is_silent() -> None:
    within_block = make_diff("infra/db.tf", [
        ' resource "aws_db_instance" "main" {', '-  lifecycle { prevent_destroy = true }', '   engine = "pg"',
        '+  lifecycle { prevent_destroy = true }', ' }'])
    assert detect_destructive([within_block]) == []
    # The whole resource moved from main.tf to db.tf: not destroyed, still protected.
    old_file = make_diff("infra/main.tf", [
        '-resource "aws_db_instance" "main" {', '-  lifecycle { prevent_destroy = true }', '-}'])
    new_file = added("infra/db.tf", 'resource "aws_db_instance" "main" {',
                     '  lifecycle { prevent_destroy = true }',
                     '}')
    assert detect_destructive([old_file, new_file]) == []


def test_a_removed_block_quotes_its_own_line_not_the_new_files(make_repo) -> None:
    """The finding quoted line 1 of the new file (`resource "aws_s3_bucket" "b" {`) as the removed database."""
    import json

    from click.testing import CliRunner

    from app.cli import cli
    from tests.conftest import ALICE

    db = 'resource "aws_db_instance" "main" {\n  engine = "pg"\n}\n'
    bucket = 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n'
    repo = make_repo("tf")
    repo.commit("base", {"infra2/main.tf": db + bucket}, author=ALICE)
    repo.branch("tfmod")
    repo.commit("drop the db", {"infra2/main.tf": bucket}, branch="tfmod", author=ALICE)
    found = json.loads(CliRunner().invoke(cli, ["explain", "tfmod", "--repo", str(repo.path), "--json"]).stdout)
    ops = [(op["kind"], op["line"], op["side"], op["text"]) for op in found["destructive_ops"]]
    assert ("terraform-resource-deleted", 1, "old", 'resource "aws_db_instance" "main" {') in ops, ops


def test_terraform_resource_block_deleted() -> None:
    fd = make_diff("infra/s3.tf", [' # buckets', '-resource "aws_s3_bucket" "audit" {',
                                   '-  bucket = "audit"', '-}'])
    (op,) = detect_destructive([fd])
    assert (op.kind, op.line, op.side, op.text) == ("terraform-resource-deleted", 2, "old",
                                                    'resource "aws_s3_bucket" "audit" {')
    assert op.explanation == "resource aws_s3_bucket.audit deleted: terraform will destroy it"
    module = make_diff("infra/main.tf", ['-module "vpc" {', '-  source = "./vpc"', '-}'])
    assert [op.explanation for op in detect_destructive([module])] == [
        "module.vpc deleted: terraform will destroy every resource in it"]


def test_terraform_rename_with_moved_block_and_data_source_deletion_are_silent() -> None:
    renamed = make_diff("infra/s3.tf", [
        '-resource "aws_s3_bucket" "audit" {', '+resource "aws_s3_bucket" "audit_logs" {',
        '   bucket = "audit"',
        ' }', '+moved {', '+  from = aws_s3_bucket.audit', '+  to   = aws_s3_bucket.audit_logs', '+}'])
    assert detect_destructive([renamed]) == []
    data = make_diff("infra/s3.tf", ['-data "aws_caller_identity" "me" {}'])
    assert detect_destructive([data]) == []


def test_terraform_create_before_destroy_off_and_deletion_protection_off() -> None:
    fd = make_diff("infra/db.tf", [' resource "aws_db_instance" "main" {', '+  deletion_protection = false',
                                   '+  lifecycle { create_before_destroy = false }', ' }'])
    assert kinds(detect_destructive([fd])) == ["terraform-deletion-protection-off",
                                               "terraform-create-before-destroy-off"]


def test_terraform_commands_in_scripts_ci_and_makefiles_but_not_docs() -> None:
    makefile = make_diff("Makefile", [" reset:", "+\tterraform -chdir=infra destroy -auto-approve"])
    workflow = make_diff(".github/workflows/deploy.yml", [
        "       - run: terraform apply -replace=aws_instance.web -auto-approve",
        "+      - run: terraform taint aws_instance.db"])
    assert kinds(detect_destructive([makefile])) == ["terraform-destroy-command"]
    assert [op.explanation for op in detect_destructive([workflow])] == [
        "terraform taint aws_instance.db: the next apply destroys and recreates it"]
    replace = make_diff("deploy.sh", ["+terraform apply -replace=aws_instance.web -auto-approve"])
    assert [op.explanation for op in detect_destructive([replace])] == [
        "terraform -replace=aws_instance.web: destroys and recreates it (its data goes with it)"]
    plan = make_diff("scripts/plan.sh", ["+terraform plan -destroy -out=tfplan", "+terraform apply tfplan"])
    assert kinds(detect_destructive([plan])) == ["terraform-destroy-command"]
    runbook = make_diff("docs/runbook.md", ["+Run `terraform destroy` only in staging."])
    assert detect_destructive([runbook]) == []


def test_sql_drop_truncate_and_alter_drop_column() -> None:
    fd = added("migrations/0007_cleanup.sql",
               "DROP TABLE legacy_payments;",
               "DROP TABLE IF EXISTS public.\"Old Refunds\";",
               "TRUNCATE TABLE audit_log;",
               "ALTER TABLE users DROP COLUMN ssn;",
               "DROP SCHEMA reporting CASCADE;")
    ops = detect_destructive([fd])
    assert [(op.kind, op.line) for op in ops] == [("sql-drop", 1), ("sql-drop", 2), ("sql-truncate", 3),
                                                  ("sql-drop-column", 4), ("sql-drop", 5)]
    assert ops[0].explanation == "DROP TABLE legacy_payments: the table and all its data are deleted"
    assert ops[3].explanation == "ALTER TABLE users DROP COLUMN ssn: its data is deleted"


def test_sql_near_misses_are_silent() -> None:
    fd = added("migrations/0008_indexes.sql",
               "DROP INDEX idx_payments_created;",
               "ALTER TABLE users DROP CONSTRAINT users_email_key;",
               "ALTER TABLE users ALTER COLUMN name DROP NOT NULL;",
               "-- DROP TABLE users; (kept for history)",
               "INSERT INTO notes (body) VALUES ('we never DROP TABLE users');",
               "DELETE FROM sessions WHERE id = 1;",
               "UPDATE accounts SET frozen = true WHERE id IN (SELECT id FROM flagged);",
               "INSERT INTO totals (k, v) VALUES (1, 2) ON CONFLICT (k) DO UPDATE SET v = excluded.v;",
               "SELECT * FROM accounts FOR UPDATE;",
               "CREATE TEMP TABLE scratch (id int);",
               "DROP TABLE scratch;")
    assert detect_destructive([fd]) == []


def test_sql_multiline_delete_without_where() -> None:
    fd = added("db/migrations/0009.sql",
               "DELETE",
               "  FROM sessions",
               "  -- WHERE expires_at < now()",
               ";",
               "DELETE FROM tokens",
               "  WHERE revoked;")
    (op,) = detect_destructive([fd])
    assert (op.kind, op.line, op.text) == ("sql-delete-all", 1, "DELETE")
    assert op.explanation == "DELETE FROM sessions without WHERE: deletes every row"


def test_sql_update_without_where_and_where_only_in_subquery() -> None:
    fd = added("sql/backfill.sql",
               "UPDATE accounts SET balance = (SELECT sum(x) FROM entries WHERE entries.a = accounts.id);")
    assert [op.explanation for op in detect_destructive([fd])] == [
        "UPDATE accounts without WHERE: changes every row"]


def test_sql_deleting_the_where_clause_is_destructive() -> None:
    fd = make_diff("migrations/0003.sql", [" DELETE FROM sessions", "-  WHERE expires_at < now()", " ;"])
    (op,) = detect_destructive([fd])
    assert (op.kind, op.line, op.side) == ("sql-delete-all", 1, "new")


def test_sql_down_migrations_are_not_destructive() -> None:
    down_file = added("migrations/0004_payments.down.sql", "DROP TABLE payments;")
    goose = added("db/migrations/0005_refunds.sql", "-- +goose Up", "CREATE TABLE refunds (id int);",
                  "-- +goose Down", "DROP TABLE refunds;")
    assert detect_destructive([down_file, goose]) == []


def test_unchanged_destructive_context_is_not_reported() -> None:
    fd = make_diff("migrations/0001.sql", [" TRUNCATE audit_log;", "+CREATE INDEX i ON t (c);"])
    assert detect_destructive([fd]) == []


def test_alembic_and_django_drops_outside_downgrade() -> None:
    alembic = added("alembic/versions/3f2a_drop_legacy.py",
                    "def upgrade() -> None:",
                    '    op.drop_table("legacy_payments")',
                    '    op.execute("DELETE FROM sessions")',
                    '    """We truncate the cache table in a later step."""',
                    "",
                    "def downgrade() -> None:",
                    '    op.drop_table("refund_webhooks")')
    ops = detect_destructive([alembic])
    assert [(op.kind, op.line) for op in ops] == [("migration-drop", 2), ("sql-delete-all", 3)]
    assert ops[1].explanation == "DELETE FROM sessions without WHERE: deletes every row"
    django = make_diff("shop/migrations/0012_remove_order_legacy.py", [
        "     operations = [", "+        migrations.RemoveField(model_name='order', name='legacy'),",
        "     ]"])
    assert kinds(detect_destructive([django])) == ["migration-drop"]
    creates = added("alembic/versions/1a_create.py", "def upgrade():", '    op.create_table("refunds")',
                    "def downgrade():", '    op.drop_table("refunds")')
    assert detect_destructive([creates]) == []


def test_sql_in_a_triple_quoted_string_in_migration_code() -> None:
    fd = added("migrations/0010_purge.py", "def upgrade():", '    op.execute("""',
               "        DELETE FROM events",
               "        WHERE created < '2020-01-01'", '    """)', '    op.execute("""',
               "        UPDATE users",
               "        SET tier = 'free'", '    """)')
    (op,) = detect_destructive([fd])
    assert (op.kind, op.line) == ("sql-update-all", 7)


@pytest.mark.parametrize(("line", "kind"), [
    ("kubectl -n prod delete deployment api", "kubectl-delete"),
    ("kubectl delete namespace payments", "kubectl-delete"),
    ("helm uninstall payments-api --namespace prod", "helm-uninstall"),
    ("helm delete payments-api", "helm-uninstall"),
    ('rm -rf "$BUILD_DIR/"*', "rm-rf"),
    ("rm -rf /", "rm-rf"),
    ("sudo rm -fr ~/", "rm-rf"),
    ("rm -r -f ${STEAMROOT}/", "rm-rf"),
    ("rm -rf $(OUT_DIR)/*", "rm-rf"),
    ("rm --recursive --force --no-preserve-root /srv/x", "rm-rf"),
    ("git push --force origin main", "git-force-push"),
    ("git push -f", "git-force-push"),
    ("git push origin +main", "git-force-push"),
    ("git push --force-with-lease origin HEAD", "git-force-push"),
    ("dropdb payments_prod", "sql-drop"),
])
def test_shell_commands_in_scripts(line: str, kind: str) -> None:
    ops = detect_destructive([make_diff("scripts/ops.sh", [" set -eu", "+" + line])])
    assert kinds(ops) == [kind]
    assert ops[0].line == 2 and ops[0].text == line


@pytest.mark.parametrize("line", [
    "kubectl get pods | grep delete",
    "kubectl apply -f k8s/",
    "helm upgrade --install api ./chart",
    "rm -rf build dist .pytest_cache",
    "rm -rf /var/lib/apt/lists/*",
    'rm -rf "${TMPDIR:?}/build"',
    'rm -rf "$WORKDIR"',  # an empty variable here is `rm -rf ""`: an error, not a wipe
    "rm -rf $HOME/.cache/pip",
    "rm -f /tmp/lock",
    "git push origin main",
    "git push --follow-tags -u origin main",
    "# rm -rf / (never do this)",
    "echo done",
])
def test_shell_near_misses_are_silent(line: str) -> None:
    assert detect_destructive([make_diff("scripts/ops.sh", ["+" + line])]) == []


def test_continued_command_lines_are_joined() -> None:
    fd = added(".gitlab-ci.yml", "release:", "  script:", "    - git push origin main \\", "        --force")
    (op,) = detect_destructive([fd])
    assert (op.kind, op.line) == ("git-force-push", 3)


def test_docs_and_tests_are_not_scanned() -> None:
    readme = added("README.md", "To start over: `rm -rf /` (just kidding), `kubectl delete ns x`")
    test_file = added("tests/test_reset.py", 'os.system("rm -rf $ROOT/")', 'db.execute("DROP TABLE users")')
    fixture = added("tests/fixtures/reset.sql", "DROP TABLE users;")
    assert detect_destructive([readme, test_file, fixture]) == []


def test_skip_destructive_globs() -> None:
    fd = added("scripts/dev-reset.sh", "rm -rf $DATA/")
    assert detect_destructive([fd], skip=["scripts/dev-*.sh"]) == []
    config, warnings = config_from_toml('[tiers]\nskip_destructive = ["scripts/dev-*.sh"]\n')
    assert warnings == []
    assert assess([fd], config).destructive == []


def test_ci_test_step_removed() -> None:
    fd = make_diff(".github/workflows/ci.yml", [
        "     steps:", "       - uses: actions/checkout@v4", "-      - name: Run tests",
        "-        run: pytest -q",
        "       - name: Build", "         run: python -m build"])
    (op,) = detect_destructive([fd])
    assert op == DestructiveOp("ci-protection-removed", ".github/workflows/ci.yml", 3, "- name: Run tests",
                               "CI step 'Run tests' removed from .github/workflows/ci.yml", "old")


def test_ci_branch_protection_setting_and_codeql_removed() -> None:
    settings_file = make_diff(".github/settings.yml", [
        " branches:", "   - name: main", "     protection:", "-      required_pull_request_reviews:",
        "-        required_approving_review_count: 2"])
    assert kinds(detect_destructive([settings_file])) == ["ci-protection-removed"]
    codeql = make_diff(".github/workflows/codeql.yml", ["-      - uses: github/codeql-action/analyze@v3"])
    assert kinds(detect_destructive([codeql])) == ["ci-protection-removed"]


def test_ci_step_edited_moved_or_commented_is_silent() -> None:
    edited = make_diff(".github/workflows/ci.yml", [
        "-      - name: Run tests", "-        run: pytest -q", "+      - name: Run unit tests",
        "+        run: pytest -q -n auto"])
    renamed = make_diff(".gitlab-ci.yml", ["-unit-tests:", "-  script: pytest", "+tests:",
                                           "+  script: pytest"])
    comment = make_diff(".github/workflows/ci.yml", ["-      # run the tests below", "       - run: pytest"])
    unrelated = make_diff(".github/workflows/ci.yml", ["-      - name: Upload artifact",
                                                       "-        uses: actions/upload-artifact@v4"])
    assert detect_destructive([edited, renamed, comment, unrelated]) == []


def test_ci_job_and_stage_removed_report_one_step_each() -> None:
    gitlab = make_diff(".gitlab-ci.yml", [
        " stages: [test, deploy]", "-unit-tests:", "-  stage: test", "-  script:", "-    - pip install -e .",
        "-    - pytest -q", " deploy:", "   script: ./deploy.sh"])
    jenkins = make_diff("Jenkinsfile", [
        "   stages {", "-    stage('Unit tests') {", '-      steps { sh "make test" }', "-    }",
        "     stage('Deploy') {"])
    assert [op.explanation for op in detect_destructive([gitlab, jenkins])] == [
        "CI step 'unit-tests' removed from .gitlab-ci.yml",
        "CI step 'Unit tests' removed from Jenkinsfile",
    ]


def test_ci_workflow_file_deleted() -> None:
    fd = make_diff(".github/workflows/ci.yml", [
        "-on: [pull_request]", "-jobs:", "-  test:", "-    steps:", "-      - name: Lint",
        "-        run: ruff check .",
        "-      - name: Tests", "-        run: pytest"], status="deleted")
    (op,) = detect_destructive([fd])
    assert op.explanation == "CI config .github/workflows/ci.yml deleted: it ran Lint, Tests"
    assert (op.line, op.side) == (5, "old")


def test_binary_files_and_huge_lines() -> None:
    binary = FileDiff("modified", "infra/state.tfstate", "infra/state.tfstate", binary=True)
    huge = added("scripts/gen.sh", "x" * 100_000 + " ; rm -rf /", "rm -rf / " + "y" * 100_000)
    ops = detect_destructive([binary, huge])
    assert [(op.kind, op.line) for op in ops] == [("rm-rf", 2)]  # the first line is clipped before its rm
    assert len(ops[0].text) <= MAX_TEXT


_PATHS = st.sampled_from(["infra/main.tf", "migrations/0001.sql", "alembic/versions/x.py", "db/q.sql",
                          ".github/workflows/ci.yml", ".gitlab-ci.yml", "scripts/run.sh", "Makefile",
                          "app.py",
                          "main.tf.json"])
_LINE_TEXT = st.one_of(
    st.text(max_size=120),
    st.lists(st.sampled_from(['resource "a" "b" {', "}", "prevent_destroy = true", "DROP", "TABLE", "DELETE",
                              "FROM", "WHERE", ";", "'", '"""', "(", ")", "--", "UPDATE", "SET", "rm", "-rf",
                              "$X/", "git", "push", "-f", "- name: test", "run: pytest", "def downgrade():",
                              "\\", "moved {", "from =", "kubectl", "delete", "-- +goose Down"]),
             max_size=12).map(" ".join),
)


@given(files=st.lists(st.tuples(_PATHS, st.lists(st.tuples(st.sampled_from("+- "), _LINE_TEXT), max_size=15),
                                st.sampled_from(["modified", "added", "deleted"]), st.text(max_size=30)),
                      max_size=4))
def test_detect_destructive_never_raises(files: list[tuple[str, list[tuple[str, str]], str, str]]) -> None:
    diffs = [make_diff(path, [origin + text for origin, text in lines], status=status, header=header)
             for path, lines, status, header in files]
    ops = detect_destructive(diffs)
    for op in ops:
        assert op.kind and op.explanation and len(op.text) <= MAX_TEXT
        assert op.side in ("new", "old")
    assess(diffs, TierConfig())


# ==================================================================================================
# assessment
# ==================================================================================================


def test_empty_change_has_the_least_critical_tier() -> None:
    result = assess([], TierConfig(default_tier=1))  # not the default tier of paths that match no rule
    assert (result.tier, result.reasons, result.file_tiers, result.destructive) == (
        3, ["no file changed: nothing to review"], {}, [])


def test_docs_only_change_is_tier_3() -> None:
    result = assess([added("README.md", "hello"), added("docs/guide.md", "x")], TierConfig())
    assert result.tier == 3
    assert result.reasons == ["README.md matches '*.md' (built-in): tier 3 — documentation (+1 more)"]


def test_assessment_takes_the_most_critical_file_and_explains_it() -> None:
    files = [added("app/views.py", "x = 1"), added("tests/test_views.py", "def test(): pass"),
             make_diff("payments/auth/tokens.py", [" a", "+b"]), make_diff(".github/workflows/ci.yml",
                                                                           ["+# ok"])]
    result = assess(files, TierConfig())
    assert result.tier == 0
    assert result.file_tiers == {"app/views.py": 2, "tests/test_views.py": 3, "payments/auth/tokens.py": 0,
                                 ".github/workflows/ci.yml": 1}
    assert result.reasons == ["payments/auth/tokens.py matches '**/payment*/**' (built-in): tier 0 — "
                              "security-sensitive code (auth, tokens, CSRF, payments, billing, secrets)"]
    assert result.destructive == []


def test_destructive_operation_raises_an_ordinary_change_to_tier_0() -> None:
    files = [added("scripts/cleanup.sh", "rm -rf $OUT/"), added("app/views.py", "x = 1")]
    result = assess(files, TierConfig())
    assert result.tier == 0
    assert result.file_tiers == {"scripts/cleanup.sh": 0, "app/views.py": 2}
    assert result.reasons[0] == ("scripts/cleanup.sh:1: rm -rf $OUT/: if OUT is empty or unset this "
                                 "deletes from the filesystem root")
    assert result.reasons[1].endswith("matches no tier rule: default tier 2 (+1 more)")
    as_dict = result.to_dict()
    assert as_dict["destructive"][0]["kind"] == "rm-rf" and as_dict["destructive"][0]["line"] == 1


def test_rename_out_of_a_critical_directory_keeps_the_old_tier() -> None:
    moved = make_diff("lib/tokens.py", [" x"], status="renamed", old_path="payments/auth/tokens.py")
    assert assess([moved], TierConfig()).file_tiers == {"lib/tokens.py": 0}


def test_assessment_through_a_real_repository_diff(tmp_path) -> None:
    samples = load()
    alice = samples.Person("Alice", "alice@example.com")
    builder = samples.RepoBuilder(tmp_path / "repo")
    base = builder.commit("initial", {
        "infra/s3.tf": 'resource "aws_s3_bucket" "audit" {\n  bucket = "audit"\n  lifecycle {\n'
                       '    prevent_destroy = true\n  }\n}\n\nresource "aws_s3_bucket" "logs" {\n'
                       '  bucket = "logs"\n}\n',
        "migrations/0001_init.sql": "CREATE TABLE payments (id int);\n",
        "README.md": "# svc\n",
    }, author=alice)
    builder.branch("infra/recreate")
    head = builder.commit("recreate", {
        "infra/s3.tf": 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n  force_destroy = true\n}\n',
        "migrations/0002_purge.sql": "-- purge old data\nDELETE FROM payments\n;\n",
        "README.md": "# svc\n\nRun `rm -rf /` never.\n",
    }, branch="infra/recreate", author=alice)
    files = GitRepo(tmp_path / "repo").diff(base, head)
    result = assess(files, TierConfig())
    found = {(op.kind, op.path, op.line, op.side) for op in result.destructive}
    assert found == {
        ("terraform-resource-deleted", "infra/s3.tf", 1, "old"),
        ("terraform-force-destroy", "infra/s3.tf", 3, "new"),
        ("sql-delete-all", "migrations/0002_purge.sql", 2, "new"),
    }
    assert result.tier == 0
    assert result.file_tiers == {"README.md": 3, "infra/s3.tf": 0, "migrations/0002_purge.sql": 0}
    assert result.reasons[:3] == [
        "infra/s3.tf:1: resource aws_s3_bucket.audit deleted: terraform will destroy it",
        "infra/s3.tf:3: force_destroy = true on aws_s3_bucket.logs: destroying it also deletes all its "
        "contents (every object in a bucket)",
        "migrations/0002_purge.sql:2: DELETE FROM payments without WHERE: deletes every row",
    ]


_COMMAND_PIECES = st.sampled_from([
    # whole commands the patterns find, and pieces that make near misses and joins
    "rm -rf /", "rm -rf $HOME", "terraform destroy", "terraform apply -replace=aws_db.main", "terraform taint x",
    "kubectl delete ns prod", "helm uninstall web", "git push --force origin main", "dropdb app",
    "terraform", " destroy", " apply", " -destroy", "kubectl", " delete", "helm3", " push", " --force", "rm",
    " -rf", " /", " ~", "$(x)", ";", "|", "&&", "`", "'", '"', "(", ")", " ", "\\", "Terraform", "RM", "form",
    "pushd", "x",
])


@example(["rm -rf /", "terraform destroy", "kubectl delete ns prod", "helm uninstall web",
          "git push --force origin main", "dropdb app"])  # each command alone on its line
@settings(max_examples=300)
@given(st.lists(st.lists(_COMMAND_PIECES, min_size=1, max_size=4).map("".join), min_size=1, max_size=6))
def test_the_command_word_check_never_hides_a_command(lines: list[str]) -> None:
    """A line is searched for destructive commands only if it holds a word one of them needs: the
    operations found are those of searching every line."""
    from app.core.impact.destructive import legacy

    fd = added("deploy/run.sh", *lines)
    found = detect_destructive([fd])
    words = legacy._COMMAND_WORDS
    legacy._COMMAND_WORDS = ("",)  # every line holds "": every line searched
    try:
        assert found == detect_destructive([fd])
    finally:
        legacy._COMMAND_WORDS = words


@pytest.mark.parametrize(("config", "signers"), [
    (b"", ".review-tui-signers"),
    (b'[policy]\nallowed_signers_file = "ops/review-signers"\n', "ops/review-signers"),
    (b'[tiers]\nuse_defaults = false\n[[tiers.rules]]\nglob = "**"\ntier = 3\n', ".review-tui-signers"),
])
def test_the_allowed_signers_file_is_tier_0_whatever_the_rules(config: bytes, signers: str) -> None:
    """The file naming whose signatures count was tier 2: one approval by anyone let a branch add a key
    that signs as the senior. It is the review's trust root, tier 0 like `.review-tui.toml`."""
    from app.config import parse_repo_config

    tiers = parse_repo_config(config, ".review-tui.toml").tiers
    rule = tiers.rule_for(signers)
    assert rule is not None and rule.tier == 0 and "trust root" in rule.reason
    assert tiers.rule_for(f"docs/{signers}") is None or tiers.rule_for(f"docs/{signers}").tier != 0


def test_go_code_in_a_doc_directory_is_code_and_its_tests_are_tests() -> None:
    """cobra's doc/ is the `doc` Go package (GenMarkdownTree): tier 3 "documentation" made its code
    cost nothing. Its tests and its markdown stay tier 3."""
    from app.core.impact.tiers import TierConfig

    tiers = TierConfig()
    assert tiers.rule_for("doc/md_docs.go").tier == 2
    assert tiers.rule_for("doc/md_docs_test.go").tier == 3
    assert tiers.rule_for("doc/README.md").tier == 3


def test_gitmodules_is_tier_1_like_a_dependency_manifest() -> None:
    """QA44 21g: pointing a submodule at https://evil.example/x.git was tier 2, score 0."""
    rule = TierConfig().rule_for(".gitmodules")
    assert rule is not None and rule.tier == 1 and "submodule" in rule.reason
    assert TierConfig().rule_for("vendor/.gitmodules") is None  # only the repository's own, at its root


def test_laravel_identity_code_by_its_names_is_tier_0_and_its_config_tier_1() -> None:
    """QA59: BookStack keeps its identity code in app/Access/ and its authorization in app/Permissions/; its LDAP,
    SAML2 and OIDC login, LoginController, password reset, API token guard, Authenticate middleware and permission
    evaluation were tier 2, and its app/Config/*.php (Laravel's config/) too."""
    config = TierConfig()
    tier_0 = ["app/Access/LdapService.php", "app/Access/Saml2Service.php", "app/Access/Oidc/OidcService.php",
              "app/Access/Controllers/LoginController.php", "app/Access/Controllers/ResetPasswordController.php",
              "app/Access/Controllers/ForgotPasswordController.php", "app/Access/Controllers/RegisterController.php",
              "app/Access/Guards/ExternalBaseSessionGuard.php", "app/Api/ApiTokenGuard.php", "app/Api/ApiToken.php",
              "app/Http/Middleware/Authenticate.php", "app/Http/Middleware/ApiAuthenticate.php",
              "app/Access/Mfa/MfaSession.php", "app/Access/Controllers/MfaController.php",
              "app/Access/SocialAuthService.php", "app/Access/ExternalBaseUserProvider.php",
              "app/Permissions/PermissionApplicator.php", "app/Config/session.php", "app/Config/saml2.php",
              "config/hashing.php"]
    assert {path: tier_of(path, config)[0] for path in tier_0} == dict.fromkeys(tier_0, 0)
    tier_1 = ["app/Config/app.php", "config/database.php", "app/Http/Middleware/TrustProxies.php",
              "app/Http/Middleware/EncryptCookies.php"]
    assert {path: tier_of(path, config)[0] for path in tier_1} == dict.fromkeys(tier_1, 1)
    # tests of that code, its translations and a Rails config/ stay what they were
    others = {"tests/Auth/LdapTest.php": 3, "lang/de/passwords.php": 3, "config/storage.yml": 2,
              "app/Entities/Tools/PageContent.php": 2}
    assert {path: tier_of(path, config)[0] for path in others} == others


def test_an_icon_is_no_identity_code_whatever_its_name_or_directory() -> None:
    """QA59: BookStack's login buttons' icons (resources/icons/auth/github.svg, oidc.svg, saml2.svg, login.svg) were
    tier 0 by '**/auth/**', '*oidc*', '*saml*' and '*login*': a pull request adding an icon asked for two approvals,
    one senior. An image under docs/ stays tier 3; the code beside the icons stays tier 0."""
    config = TierConfig()
    paths = {"resources/icons/auth/github.svg": 2, "resources/icons/oidc.svg": 2, "resources/icons/saml2.svg": 2,
             "public/login-bg.PNG": 2, "src/auth/fonts/icons.woff2": 2, "docs/auth/flow.png": 3,
             "src/auth/login.ts": 0, "app/Access/Oidc/OidcService.php": 0}
    assert {path: tier_of(path, config)[0] for path in paths} == paths


def test_what_an_agent_or_a_user_may_run_or_write_is_access_control_at_tier_0() -> None:
    """QA (charmbracelet/crush): the agent's permission layer (internal/permission/, which decides which shell
    commands and file writes need the user's consent; shellconfig/permissions.go, what runs unasked) was tier 2
    while an ACL or authz file is tier 0. Permissions, sandboxes, allow and deny lists are access control; their
    tests and docs stay tier 3, an icon tier 2, and a file merely near them keeps its tier. A sandbox, the isolation
    such code runs in (its package holds providers' clients and sessions too), is tier 1."""
    config = TierConfig()
    tier_0 = ["internal/permission/permission.go", "internal/shellconfig/permissions.go",
              "internal/backend/permission.go", "config/command_allowlist.yaml", "net/ip_whitelist.py",
              "app/Permissions/Grant.php"]
    assert {path: tier_of(path, config)[0] for path in tier_0} == dict.fromkeys(tier_0, 0)
    tier_1 = ["src/agents/sandbox/docker.py", "codex-rs/sandboxing/seatbelt.rs", "lib/sandbox.ts"]
    assert {path: tier_of(path, config)[0] for path in tier_1} == dict.fromkeys(tier_1, 1)
    reason = tier_of("internal/permission/permission.go", config)[1]
    assert "access control: what a user, a program or an AI agent may run, read or write" in reason
    others = {"internal/permission/permission_test.go": 3, "docs/permissions.md": 3, "icons/permission.svg": 2,
              "internal/agent/tools/bash.go": 2, "internal/agent/tools/safe.go": 2}
    assert {path: tier_of(path, config)[0] for path in others} == others


def test_a_change_that_commits_programs_says_so_in_its_tier_reasons(make_repo) -> None:
    """QA (charmbracelet/crush): pr/1398 added seven 100755 scripts, pr/647 a build script, each tier 2 without a
    word. A file added executable or made executable is named in the tier reasons (a binary one as a program whose
    source is not in the change); an executable deleted, or one already executable and edited, is not."""
    import json

    from click.testing import CliRunner

    from app.cli import cli
    from tests.conftest import ALICE

    repo = make_repo("programs")
    gone = "#!/usr/bin/env python3\nimport sys\nsys.exit(2)\n"  # unlike install.sh: no rename pairs them
    repo.commit("base", {"README.md": "r\n", "scripts/old.sh": ("#!/bin/sh\necho 1\n", 0o100755),
                         "scripts/gone.sh": (gone, 0o100755), "tool.py": "print(1)\n"}, author=ALICE)
    repo.branch("work")
    repo.commit("work", {"scripts/install.sh": ("#!/bin/sh\ncurl x | sh\n", 0o100755),
                         "scripts/old.sh": ("#!/bin/sh\necho 3\n", 0o100755), "scripts/gone.sh": None,
                         "tool.py": ("print(2)\n", 0o100755),
                         "bin/helper": (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)), 0o100755)},
                branch="work", author=ALICE)
    repo.checkout("main")
    result = CliRunner().invoke(cli, ["explain", "work", "--repo", str(repo.path), "--json"])
    assert result.exit_code == 0, result.output
    reasons = json.loads(result.stdout)["tier_reasons"]
    assert ("scripts/install.sh, tool.py: committed as an executable script: anyone with a checkout can run it "
            "(mode 100755)") in reasons, reasons
    assert ("bin/helper: binary committed as an executable program (its source is not in the change) "
            "(mode 100755)") in reasons, reasons
    assert not any("old.sh" in reason or "gone.sh" in reason for reason in reasons), reasons
def test_a_node_servers_authorization_policies_and_identity_code_by_camelcase_names() -> None:
    """QA63: outline's server/policies/ (who may read, update, share or delete each model) was tier 2 beside Rails'
    app/policies/ at tier 0; so were its Passport.js middleware, its API keys (apiKey.ts, ApiKey.ts, apiKeys/: the
    rule read only api_key and api-key), its passkeys and an oauthClients/ directory's index.ts beside its
    oauthClients.ts at tier 0; its content security policy and rate limiter were tier 2, as Rails' are not."""
    config = TierConfig()
    paths = {"server/policies/document.ts": 0, "server/policies/cancan.ts": 0, "server/policies/index.js": 0,
             "server/middlewares/passport.ts": 0, "server/models/ApiKey.ts": 0, "server/routes/api/apiKeys/index.ts": 0,
             "server/models/UserPasskey.ts": 0, "server/routes/api/oauthClients/index.ts": 0,
             "server/middlewares/csp.ts": 1, "server/middlewares/rateLimiter.ts": 1, "server/utils/RateLimiter.ts": 1,
             # their tests and docs stay tier 3; a policy's YAML is no code of it; a Python module named policies
             "server/policies/document.test.ts": 3, "docs/policies/README.md": 3, "server/policies/x.yml": 2,
             "rl/policies.py": 2, "server/middlewares/rateLimiter.test.ts": 3}
    assert {path: tier_of(path, config)[0] for path in paths} == paths


def test_a_test_runners_stored_snapshots_are_tests() -> None:
    """QA63: outline's __snapshots__/*.test.ts.snap were tier 2, and tier 0 under an oauth* name."""
    config = TierConfig()
    paths = {"server/routes/api/users/__snapshots__/users.test.ts.snap": 3,
             "server/routes/api/oauthClients/__snapshots__/oauthClients.test.ts.snap": 3,
             "src/__snapshots__/view.tsx.snap": 3}
    assert {path: tier_of(path, config)[0] for path in paths} == paths
    snapshot = "server/routes/api/oauthClients/__snapshots__/oauthClients.test.ts.snap"
    rule = config.rule_for(snapshot)
    assert rule is not None and "tier-0 code" in config.explain(rule, snapshot)


def test_a_checkout_migration_says_it_is_a_migration() -> None:
    tier, reason = tier_of("saleor/checkout/migrations/0071_checkout_total.py", TierConfig())
    assert tier == 0
    assert "schema migration" in reason


LOCK_FILES = ("package-lock.json", "yarn.lock", "pnpm-lock.yaml", "Cargo.lock", "poetry.lock", "uv.lock",
              "Gemfile.lock", "go.sum", "composer.lock", "packages.lock.json", "npm-shrinkwrap.json", "bun.lockb",
              "Pipfile.lock", "gradle.lockfile")


@pytest.mark.parametrize("directory", ["services/auth", "payments", "src/billing", "shop/checkout", "infra",
                                       "app/security", "db/migrations/tool", ""])
def test_a_lock_file_is_dependency_metadata_under_a_critical_directory_too(directory: str) -> None:
    """FIX117: services/auth/package-lock.json, payments/Cargo.lock ... were tier 0 by their directory, in every
    ecosystem: a transitive bump asked two approvals, a senior's, and weighed as critical code. A lock file is tier 1
    as at the root; the manifest beside it keeps its directory's tier, the tests' and benchmarks' theirs."""
    config = TierConfig()
    for name in LOCK_FILES:
        path = f"{directory}/{name}".lstrip("/")
        tier, reason = tier_of(path, config)
        assert tier == 1, (path, reason)
        assert "dependency manifest or lock file: changes what code runs in production" in reason, reason
    if directory and directory != "db/migrations/tool":
        assert tier_of(f"{directory}/package.json", config)[0] == 0  # the manifest: what the change adds
    assert tier_of(f"{directory}/tests/Cargo.lock".lstrip("/"), config)[0] == 3
    assert tier_of(f"benchmarks/{directory}/yarn.lock".replace("//", "/"), config)[0] == 3


def test_a_lock_file_bump_in_the_auth_service_is_a_tier_1_change(make_repo) -> None:
    """The change's tier, through `explain`, on a real repository: a lock-only bump under services/auth/ is tier 1;
    the same bump with the service's manifest is tier 0 by the manifest."""
    import json

    from click.testing import CliRunner

    from app.cli import cli
    from tests.conftest import ALICE

    repo = make_repo("locks")
    lock = '{\n  "name": "auth",\n  "lockfileVersion": 3,\n  "packages": {"node_modules/jose": {"version": "%s"}}\n}\n'
    repo.commit("base", {"README.md": "r\n", "services/auth/package.json": '{"dependencies": {"jose": "^5"}}\n',
                         "services/auth/package-lock.json": lock % "5.1.0", "payments/Cargo.lock": "# v 1\n"},
                author=ALICE)
    repo.branch("lock-only")
    repo.commit("bump jose", {"services/auth/package-lock.json": lock % "5.2.0", "payments/Cargo.lock": "# v 2\n"},
                branch="lock-only", author=ALICE)
    repo.checkout("main")
    repo.branch("manifest")
    repo.commit("jose 6", {"services/auth/package.json": '{"dependencies": {"jose": "^6"}}\n',
                           "services/auth/package-lock.json": lock % "6.0.0"}, branch="manifest", author=ALICE)
    repo.checkout("main")
    for branch, tier in (("lock-only", 1), ("manifest", 0)):
        result = CliRunner().invoke(cli, ["explain", branch, "--repo", str(repo.path), "--json"])
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        assert report["tier"] == tier, report["tier_reasons"]


def test_a_committed_sqlite_database_is_named_in_the_tier_reasons(make_repo, tmp_path) -> None:
    """FIX117: a SQLite database in a change was unremarked: binary, and often real records or credentials (an app's
    db.sqlite3 with its users' password hashes). It is named where the tier is explained, as a committed program is;
    a `.db` only with SQLite's header (Windows' Thumbs.db is none). Its tier stays its path's: a test's fixture
    database is tier 3, the app's one the default tier."""
    import json
    import sqlite3

    from click.testing import CliRunner

    from app.cli import cli
    from tests.conftest import ALICE

    def database(name: str) -> bytes:
        with sqlite3.connect(tmp_path / name) as db:
            db.execute("CREATE TABLE auth_user (username TEXT, password TEXT)")
            db.execute("INSERT INTO auth_user VALUES ('admin', 'pbkdf2_sha256$600000$x$y')")
        db.close()
        return (tmp_path / name).read_bytes()

    repo = make_repo("databases")
    repo.commit("base", {"README.md": "r\n", "app.py": "x = 1\n"}, author=ALICE)
    repo.branch("dev-db")
    repo.commit("add db", {"db.sqlite3": database("db.sqlite3"), "app.py": "x = 2\n"}, branch="dev-db", author=ALICE)
    repo.checkout("main")
    repo.branch("fixture")
    repo.commit("fixture", {"tests/fixtures/users.db": database("users.db"),
                            "tests/test_users.py": "def test_x():\n    assert True\n",
                            "assets/Thumbs.db": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)},
                branch="fixture", author=ALICE)
    repo.checkout("main")
    found = {}
    for branch in ("dev-db", "fixture"):
        result = CliRunner().invoke(cli, ["explain", branch, "--repo", str(repo.path), "--json"])
        assert result.exit_code == 0, result.output
        found[branch] = json.loads(result.stdout)
    said = ("SQLite database committed: binary, so the diff shows none of what it holds, often real records or "
            "credentials (open it, `sqlite3 FILE .dump`, before approving)")
    assert f"db.sqlite3: {said}" in found["dev-db"]["tier_reasons"], found["dev-db"]["tier_reasons"]
    assert found["dev-db"]["tier"] == 2
    assert f"tests/fixtures/users.db: {said}" in found["fixture"]["tier_reasons"], found["fixture"]["tier_reasons"]
    assert not any("Thumbs.db" in reason and "SQLite" in reason for reason in found["fixture"]["tier_reasons"])
    assert found["fixture"]["tier"] == 2  # Thumbs.db: no rule; the fixture database alone would be tier 3


def test_a_rails_finance_apps_payment_providers_impersonation_and_secret_initializers() -> None:
    """QA65 (maybe-finance/maybe): its Stripe billing and Plaid bank connections, admin impersonation and column
    encryption keys were tier 2, while its Security model (a traded stock: prices and their importers)
    was tier 0 "security-sensitive code" by `**/security/**`, and the Permissions-Policy header initializer tier 0
    "access control"."""
    config = TierConfig()
    paths = {"app/models/provider/stripe/subscription_event_processor.rb": 0, "app/jobs/stripe_event_handler_job.rb": 0,
             "app/models/provider/stripe.rb": 0, "app/models/plaid_item.rb": 0, "config/initializers/plaid.rb": 0,
             "app/models/plaid_account/transactions/processor.rb": 0, "app/models/impersonation_session.rb": 0,
             "app/controllers/concerns/impersonatable.rb": 0, "config/initializers/active_record_encryption.rb": 0,
             "lib/money/arithmetic.rb": 0,
             "config/initializers/permissions_policy.rb": 1, "config/initializers/filter_parameter_logging.rb": 1,
             "config/application.rb": 1,
             # Devise's and the Rails 8 authentication generator's names, and the controllers receiving webhooks
             "app/controllers/users/omniauth_callbacks_controller.rb": 0, "config/initializers/omniauth.rb": 0,
             "app/controllers/email_confirmations_controller.rb": 0, "app/controllers/users/unlocks_controller.rb": 0,
             "app/models/session.rb": 0, "app/controllers/concerns/authorization.rb": 0,
             "app/controllers/webhooks_controller.rb": 0, "app/controllers/webhooks/stripe_controller.rb": 0,
             "app/models/chat/session.rb": 2,
             "app/models/security/price/importer.rb": 2, "app/models/security.rb": 2,
             "app/assets/stylesheets/table-striped.css": 2, "app/models/account.rb": 2,
             # their tests, fixtures, docs and translations stay tier 3
             "test/models/plaid_item_test.rb": 3, "spec/jobs/stripe_event_handler_job_spec.rb": 3,
             "docs/hosting/plaid.md": 3, "config/locales/views/impersonation_sessions/en.yml": 3}
    assert {path: tier_of(path, config)[0] for path in paths} == paths


def test_a_web_frameworks_route_table_is_tier_1_unless_it_sits_under_critical_code() -> None:
    """QA65 F3: maybe-finance/maybe's config/routes.rb decides which controller actions are reachable from outside
    and was tier 2. Rails', Laravel's and Django's route tables are tier 1; a urls.py deep in a package is a helper
    of URLs (saleor's core/cleaners/urls.py), and one under payments/ or a test directory keeps that tier."""
    config = TierConfig()
    paths = {"config/routes.rb": 1, "config/routes/admin.rb": 1, "engines/billing_ui/config/routes.rb": 1,
             "routes/web.php": 1, "routes/api.php": 1, "saleor/urls.py": 1, "netbox/dcim/urls.py": 1,
             "saleor/core/cleaners/urls.py": 2, "src/pip/_internal/utils/urls.py": 2, "config/routes.js": 2,
             "saleor/payment/urls.py": 0, "tests/urls.py": 3, "spec/routing/accounts_routing_spec.rb": 3}
    assert {path: tier_of(path, config)[0] for path in paths} == paths
    assert tier_of("config/routes.rb", config)[1].endswith(
        "tier 1 — route table: decides which controller actions and views are reachable from outside")
