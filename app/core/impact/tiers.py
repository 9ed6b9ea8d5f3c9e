"""Critical-path tiers of paths: the glob rules that say how much damage a path can do.

A tier says how much damage a path can do (SPEC "Words"): 0 = safety, money, identity, infrastructure
that can take the service down; 1 = core service code and what it is built and shipped with; 2 = ordinary
code (the default); 3 = docs, tests, tooling.

Tiers come from glob rules, the built-in DEFAULT_RULES first and then the repository's `[[tiers.rules]]`
from `.review-tui.toml`; the last rule that matches a path decides (as in .gitignore and CODEOWNERS).

Choices, documented because they are judgement calls:
- Infrastructure as code (Terraform, Helm, Kubernetes manifests, deploy/ YAML, infra/) is Tier 0: a bad
  apply deletes databases and load balancers. Container build files (Dockerfile) are Tier 1: a bad one breaks
  the build or the rollout, it does not destroy state. A compose file is Tier 2 (it starts services for
  development and CI; the image ships from the Dockerfile), unless its name says production
  (docker-compose.prod.yml: Tier 1).
- Tests and docs rules come last, so they win: `payments/auth/tests/test_tokens.py` is Tier 3, because a
  test or a README cannot take the service down. A team that disagrees adds its own rule after them.
- Examples, samples and fixtures rank with tests (Tier 3), and so do tests and docs under a critical path:
  `examples/auth/login.py` and `src/auth/fixtures/user.json` show or feed the auth code, they are not it.
  Their reason says what they sit under ("a test or example of tier-0 code") so the reviewer still sees it.
- `crypto/` is Tier 1, not 0: in a library a `crypto/` package is usually algorithms (ciphers, hashes,
  number theory) whose bugs are ordinary bugs; the damage that makes Tier 0 comes from handling identity,
  money and secrets, which the auth/payments/billing/secret rules keep at Tier 0. A service whose `crypto/`
  holds key management adds `{ glob = "**/crypto/**", tier = 0 }`.
- Matching ignores case, always (not per platform): a repository moves between case-sensitive and
  case-insensitive file systems, and a reviewer expects `src/Auth/login.py` to be covered by `**/auth/**`.
- The review policy file itself (`.review-tui.toml`) is Tier 0: a change to it can lower the bar for every
  later change. CODEOWNERS is Tier 1.

Destructive operations (app/core/impact/destructive/) raise a whole change to Tier 0; the two are
joined in app/core/impact/assess.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from app.core.globs import GlobError, GlobSet, compile_glob
from app.core.planner.model import (
    AGENT_RULES_GLOBS,
    EF_MODEL_GLOBS,
    INSTALLED_ENV_GLOBS,
    SCHEMA_DUMP_GLOBS,
    TRANSLATION_GLOBS,
)
from app.core.settings import SectionReader
from app.core.text import visible_path
from app.errors import ConfigError

NO_TIER_RULE = "matches no tier rule"  # in a tier reason: the change's tier is the configured default

MIN_TIER = 0
MAX_TIER = 3
BUILT_IN = "built-in"  # the `source` of the default rules



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
        return f"{visible_path(path)} matches '{self.glob}' ({self.source}): tier {self.tier}{why}"


def _rules(tier: int, reason: str, globs: str) -> list[TierRule]:
    """Rules of one tier and reason; `globs` is whitespace-separated (no default glob has a space)."""
    return [TierRule(glob, tier, reason) for glob in globs.split()]


# The project's notes by their conventional names, bare or as text; not `LICENSE*`, which matched LicenseValidator.java,
# NoticeService.java or authors_controller.rb: tier 3 documentation (QA58 F7). A bare name still covers a directory of
# that name (globs match parent directories, as in .gitignore).
_PROJECT_NOTES = tuple(
    f"{name}{suffix}" for name in ("LICENSE", "LICENCE", "COPYING", "NOTICE", "AUTHORS", "CHANGELOG", "CHANGES")
    for suffix in ("", ".txt", ".md", ".markdown", ".rst", ".adoc", "-*")
) + ("COPYING.LIB", "COPYING.LESSER", "LICENSE.APACHE", "LICENSE.MIT", "LICENSE.BSD",
       "changelogs/", "changelog.d/")  # change-history fragments (ansible's, towncrier's)


# Broad rules first, specific and "cannot hurt production" rules last: the last match wins.
# An ansible/ directory is infrastructure by its playbooks, inventories and templates, not by any Python
# in it: the Ansible project keeps its own source in lib/ansible/, and every one of its pull requests
# was tier 0 "infrastructure as code" while the rule named the whole directory.
_DEPENDENCIES = "dependency manifest or lock file: changes what code runs in production"
_LOCK_FILES = """Pipfile.lock poetry.lock uv.lock package-lock.json npm-shrinkwrap.json yarn.lock pnpm-lock.yaml go.sum
    Cargo.lock Gemfile.lock gradle.lockfile composer.lock *.lock bun.lockb packages.lock.json"""
"""Lock files: the versions (and hashes) a package manager resolved for the manifest beside them."""

DEFAULT_RULES: tuple[TierRule, ...] = tuple(
    _rules(1, _DEPENDENCIES, """
        requirements*.txt requirements/ constraints*.txt pyproject.toml setup.py setup.cfg Pipfile package.json
        go.mod Gopkg.toml glide.yaml Cargo.toml Gemfile *.gemspec pom.xml build.gradle build.gradle.kts settings.gradle
        settings.gradle.kts composer.json jsr.json jsr.jsonc deno.json deno.jsonc .npmrc .yarnrc .yarnrc.yml
        """ + _LOCK_FILES)
    # .NET: a project file's PackageReferences, central package management, NuGet's lock files and sources, the SDK
    # pin and the local tools (QA62: bitwarden/server's 77 .csproj, 70 packages.lock.json and Directory.Build.props
    # were tier 2 beside package-lock.json at tier 1). A test project's own ones are tier 3 by the tests rules below.
    + _rules(1, _DEPENDENCIES, """
        *.csproj *.fsproj *.vbproj Directory.Packages.props Directory.Build.props Directory.Build.targets
        packages.lock.json packages.config nuget.config .config/dotnet-tools.json global.json""")
    # Gradle declares dependencies in any build script, not only build.gradle: Apache Fineract's versions live in
    # buildSrc/.../org.apache.fineract.dependencies.gradle and each module's dependencies.gradle, and a Spring Boot
    # bump there (pr/3224) was tier 2 and scored 0.7 while a patch bump of actions/checkout was tier 1 (QA58)
    + _rules(1, "build script or dependency catalogue: changes what code is built and runs in production", """
        *.gradle *.gradle.kts *.versions.toml gradle-wrapper.properties maven-wrapper.properties gradle.properties
        /buildSrc/""")
    # Rust: Cargo compiles and runs a crate's build.rs on every build, on every developer's machine and CI runner (it
    # links native code, generates sources, can fetch); .cargo/config.toml sets the linker, rustflags and a runner, the
    # toolchain file picks the compiler, cargo-deny's deny.toml is the gate on advisories, licences and sources. In
    # astral-sh/uv all five were tier 2 "matches no tier rule" (QA61) beside Cargo.toml at tier 1. A build.rs inside
    # src/ is a module named build (uv's crates/uv-pypi-types/src/build.rs): the rule after this one.
    + _rules(1, "Rust build script, Cargo or toolchain configuration: code run at build time, or how code is built",
             """build.rs **/.cargo/config.toml **/.cargo/config rust-toolchain rust-toolchain.toml deny.toml""")
    + _rules(2, "a Rust module named build.rs inside a source tree: code, not Cargo's build script",
             "**/src/**/build.rs")
    # what dependency updates are proposed, and how often (QA51 #5: dependabot.yml was tier 2)
    + _rules(1, "dependency update automation: decides which dependency updates come in", """
        /.github/dependabot.yml /.github/dependabot.yaml renovate.json renovate.json5 .renovaterc
        .renovaterc.json /.github/renovate.json /.github/renovate.json5""")
    # A project's setup.py sits at its root, beside src/ or lib/; one inside them is a module (ansible's
    # lib/ansible/modules/setup.py gathers facts) and ranks as the code it is.
    + _rules(2, "a module named setup.py inside a source tree: code, not a package manifest",
             "**/src/**/setup.py **/lib/**/setup.py")
    + _rules(1, "container build: changes the image that ships", """
        Dockerfile Dockerfile.* *.dockerfile Containerfile""")
    # A compose file starts the app's services for developers and CI (rubygems.org's binds postgres, memcached and
    # opensearch to 127.0.0.1; QA57 F17): the image ships from the Dockerfile. One named for production deploys.
    + _rules(2, "compose file: starts services for development and CI, ships no image (a production one says so "
             "by its name: docker-compose.prod.yml)", """
        docker-compose*.yml docker-compose*.yaml compose.yml compose.yaml compose.*.yml compose.*.yaml""")
    + _rules(1, "production compose file: which services run in production, and how", """
        docker-compose*prod*.yml docker-compose*prod*.yaml compose*prod*.yml compose*prod*.yaml""")
    # A dev container builds a developer's environment and ships nothing (terraform-aws-eks pr/1920, QA55 F9)
    + _rules(2, "development container: builds a developer's environment, ships nothing", ".devcontainer/")
    + _rules(1, "CI/CD configuration: decides what is tested and what is deployed", """
        .github/workflows/ .github/actions/ .gitlab-ci.yml .gitlab/ci/ Jenkinsfile .circleci/
        azure-pipelines*.yml .buildkite/ bitbucket-pipelines.yml .travis.yml .drone.yml""")
    + _rules(0, "infrastructure as code: an apply can destroy or expose production resources", """
        *.tf *.tf.json *.tfvars *.tfvars.json *.hcl terraform/ infra/ infrastructure/ helm/ Chart.yaml
        **/charts/*/templates/** **/charts/*/values*.yaml k8s/ kubernetes/ kustomization.yaml
        kustomization.yml **/deploy/**/*.yaml **/deploy/**/*.yml **/deployments/**/*.yaml
        **/deployments/**/*.yml **/ansible/**/*.yml **/ansible/**/*.yaml **/ansible/**/*.j2 **/ansible/**/*.ini
        **/ansible/**/*.cfg Pulumi.yaml Pulumi.*.yaml cloudformation/ serverless.yml
        **/*manifests*/**/*.yaml **/*manifests*/**/*.yml **/*manifests*/**/*.json *manifests*.yaml
        *manifests*.yml kustomize/ helm-chart/ helm-charts/
        **/chart/templates/** argocd/ argo-cd/ flux/ fluxcd/ *.tftpl *user[-_]data*.tpl *userdata*.tpl
        *user[-_]data*.sh *userdata*.sh **/deploy/**/*.yaml.erb **/deploy/**/*.yml.erb""")
    # A Java, Kotlin, Scala or C# package named infrastructure (or infra) is a layer of the application (domain-driven
    # design's persistence, messaging and configuration code), not what an apply runs: Apache Fineract's
    # org/apache/fineract/infrastructure/ holds 1,321 of its 5,697 files, all tier 0 "infrastructure as code" (QA58).
    # The security, tenant and money rules below still take what is critical in it.
    + _rules(2, "code in a package named infrastructure: a layer of the program, not infrastructure as code",
             """**/infrastructure/**/*.java **/infrastructure/**/*.kt **/infrastructure/**/*.scala
             **/infrastructure/**/*.groovy **/infrastructure/**/*.cs **/infra/**/*.java **/infra/**/*.kt
             **/infra/**/*.scala **/infra/**/*.cs""")
    # Inside a source tree (lib/, src/) an ansible/ directory is a Python package named ansible, and its YAML
    # and templates are that package's data: lib/ansible/config/base.yml, the galaxy role skeletons.
    + _rules(2, "data of a Python package named ansible (in a source tree), not playbooks", """
        **/lib/ansible/**/*.yml **/lib/ansible/**/*.yaml **/lib/ansible/**/*.j2 **/lib/ansible/**/*.ini
        **/lib/ansible/**/*.cfg **/src/ansible/**/*.yml **/src/ansible/**/*.yaml **/src/ansible/**/*.j2
        **/src/ansible/**/*.ini **/src/ansible/**/*.cfg""")
    # An online shop's checkout is where the customer pays: saleor's saleor/checkout/ (complete_checkout.py charges
    # the payment and creates the order) and its API's saleor/graphql/checkout/ were tier 2 "matches no tier rule"
    # beside saleor/payment/ at tier 0 (QA64). Before the migrations rule: saleor/checkout/migrations/ are migrations
    + _rules(0, "money: a shop's checkout charges the customer and creates the order", """
        **/checkout/** **/checkouts/**""")
    # A migration/ directory (singular) of SQL files is one too: memos keeps store/migration/{mysql,postgres,sqlite}/
    # 0.29/00__group.sql and each driver's LATEST.sql there, and its 122 files were tier 2 (QA60). Only its SQL: code in
    # a package named migration (a Java or Go migrator) ranks as the code it is.
    + _rules(0, "schema migration: runs once against production data and is hard to undo", """
        **/migrations/** db/migrate/ alembic/versions/ db/**/*.sql **/migration/**/*.sql""")
    # DbUp's migration scripts, as .NET services keep them (QA62: bitwarden/server's 540 util/Migrator/DbScripts/*.sql,
    # run against its production SQL Server, were tier 2, while the EF Core migrations beside them were tier 0)
    + _rules(0, "schema migration: runs once against production data and is hard to undo", """
        **/dbscripts/**/*.sql **/dbscripts_*/**/*.sql **/migrator/**/*.sql""")
    # Rails' SQL schema dump, as db/schema.rb (no rule: tier 2) is its Ruby one: written from the migrations, read with
    # the one that writes it (planner/builder.py _with_migrations); `db/**/*.sql` made it a tier-0 migration (FIX102)
    + _rules(2, "schema dump: Rails writes it from the migrations, which are read for what runs",
             " ".join(SCHEMA_DUMP_GLOBS))
    # EF Core's .Designer.cs and model snapshot beside a C# migration: the model as it stands, written by
    # `dotnet ef migrations add`; the migration's Up and Down are what runs (QA62)
    + _rules(2, "EF Core model snapshot: `dotnet ef` writes it beside the migration, which is read for what runs",
             " ".join(EF_MODEL_GLOBS))
    + _rules(1, "cryptography code: core code, but usually algorithms rather than key or identity handling",
             "**/crypto/** crypto.* *[-_]crypto.* crypto[-_]*")
    # Who may call, from where, with which cookies: a bug opens the service wider than meant, but the
    # identity checks themselves are the tier-0 rules below (QA51 #4: hono's cors/ and ip-restriction/ were tier 2)
    + _rules(1, "web request guards (CORS, IP restriction, cookies): decide who may call and what the client keeps",
             """cors cors.* *[-_]cors *[-_]cors.* cors[-_]* *ip[-_]restriction* cookie cookies cookie[-_.]*
             cookies[-_.]* *[-_]cookie *[-_]cookies *[-_]cookie[-_.]* *[-_]cookies[-_.]*
             **/initializers/rack_attack.rb **/initializers/content_security_policy.rb""")
    # A Rails app's production settings (QA57: rubygems.org's config/environments/production.rb was tier 2)
    + _rules(1, "production configuration: how the service runs in production",
             "**/config/environments/production.rb **/config/environments/production.*.rb")
    # config/application.rb is read in every environment, production's too, before production.rb (QA65)
    + _rules(1, "production configuration: how the service runs in production", "**/config/application.rb")
    # Rack's config.ru boots a Ruby web application: the middleware every request passes through (FIX102's leftover)
    + _rules(1, "Rack's boot file: the middleware every request of the application passes through", "config.ru")
    # The route table of a web framework decides which controller actions and views are reachable from outside:
    # `resources :x` added to an unauthenticated scope opens them (QA65 F3: maybe-finance/maybe's config/routes.rb, 17
    # changes in 90 days, was tier 2). Rails' config/routes.rb and the files it draws (config/routes/*.rb), Laravel's
    # routes/*.php, and Django's URLconfs. A module named urls.py is a URLconf only near the root (saleor/urls.py,
    # netbox/dcim/urls.py): deeper it is as often a helper of URLs (saleor/core/cleaners/urls.py cleans them,
    # pip's src/pip/_internal/utils/urls.py converts them). The tier-0 rules below keep what sits under identity or
    # money code (payments/urls.py) tier 0.
    + _rules(1, "route table: decides which controller actions and views are reachable from outside", """
        **/config/routes.rb **/config/routes/**/*.rb **/routes/*.php /*/urls.py /*/*/urls.py""")
    # A PHP application's config/*.php (Laravel, Symfony, CakePHP; BookStack keeps Laravel's in app/Config/): read on
    # every request in production, from the environment (QA59: all 19 of BookStack's were tier 2). Its identity
    # settings (auth.php, session.php, hashing.php, saml2.php, oidc.php) are tier 0 by the rules below.
    + _rules(1, "production configuration: how the service runs in production", "**/config/*.php")
    # Laravel's trusted proxies and hosts decide the client's address and the Host it may claim; EncryptCookies
    # which cookies the client may read and forge
    + _rules(1, "web request guards (CORS, IP restriction, cookies): decide who may call and what the client keeps",
             "*trustproxies* *trusthosts* *encryptcookies*")
    # A Node service's content security policy and rate limiter, as Rails' content_security_policy.rb and rack_attack.rb
    # above (QA63: outline's server/middlewares/csp.ts and rateLimiter.ts were tier 2)
    + _rules(1, "web request guards (content security policy, rate limits): what a page may load, how often a client "
             "may call", """csp csp.* *[-_]csp.* csp[-_]* *contentsecuritypolicy* *content[-_]security[-_]policy*
             *ratelimit* *rate[-_]limit*""")
    # A package named for auth with its project's prefix or a suffix (uv's crates/uv-auth/, auth-client/,
    # oauth2/) is the same code as an auth/ directory (QA50: 45 changes to uv's credential middleware were tier 2)
    # A file named for auth is the code too: hono's src/utils/basic-auth.ts parses the Authorization header
    # (QA51 #4). No word ends in "auth" but auth ones (oauth, useAuth), so `*auth.*` names no other file.
    # Spelt out, authentication/ is the same code (QA56: netbox's REST API token check,
    # netbox/netbox/api/authentication.py, and its netbox/authentication/ package were tier 2). Not "authorization":
    # a card payment's authorization (the payments sample's generated SDK, models/authorization.py) as often.
    # Tokens (JWT, JWK, JWS, JWE, JOSE), CSRF and security headers guard identity as auth does; these
    # acronyms sit inside no word. Web sessions are identity, but "session" alone names chat, sandbox, database
    # and client sessions far more often: every one of the 197 session paths openai-agents-python's pull
    # requests touch (memory/*_session.py, sandbox/session/, realtime/session.py), ansible's 44 (consul, network
    # devices, STS tokens), uv's agent hooks (session-start.sh). So only what names a web session: a session
    # middleware, a session cookie, and the session code of the web frameworks by its place (Django, Flask,
    # Rack, Laravel, Spring, a Rails session_store initializer). None of those five repositories has such a path.
    # Laravel's (QA59: BookStack keeps its identity code in app/Access/, its authorization in app/Permissions/: its
    # LDAP, SAML2 and OIDC login, LoginController, Forgot/ResetPasswordController, RegisterController, session and
    # API token guards, Authenticate middleware, MFA and API tokens were tier 2: 76 of its files are tier 0 now) by
    # its names:
    # single sign-on and directory login (LDAP, SAML, OIDC, OpenID, Socialite), login code, the Authenticate
    # middleware, guards and user providers, API tokens, MFA, and the session and password hashing settings.
    # The identity code of web apps by its conventional names (QA57: rubygems.org's sessions, passwords, MFA, TOTP,
    # WebAuthn and API key controllers, its 57 Pundit policies under app/policies/ and its Clearance and Devise
    # setup were tier 2: 51 of the 109 pending changes touching them asked for one approval, not a senior's)
    + _rules(0, "security-sensitive code (auth, tokens, CSRF, payments, billing, secrets)", """
        **/app/policies/** *sessions[-_]controller* *passwords[-_]controller* *registrations[-_]controller*
        *multifactor* *mfa[-_.]* *[-_]mfa *totp* *webauthn* *two[-_]factor* *api[-_]key*
        **/initializers/devise.rb **/initializers/clearance.rb **/initializers/doorkeeper.rb
        *ldap* *saml* *oidc* *openid* *login* *password*controller* *registercontroller* *register[-_]controller*
        *authenticat* **/guards/** *sessionguard* *session[-_]guard* *tokenguard* *token[-_]guard* *userprovider*
        *api[-_]token* *apitoken* *socialauth* *socialite* **/mfa/** mfa*.* **/app/permissions/**
        **/config/session.php **/config/hashing.php""")
    # Who may call what without signing in, and who signs in where (QA60, memos: server/router/api/v1/acl_config.go
    # lists the API methods open to anonymous callers, and pr/6054 "Adding Llama support" opened three LLM calls in
    # it, at tier 2; authz.go, user_service_access_tokens.go, internal/idp/ (identity providers) and store/idp.go were
    # tier 2 too): access control lists, authorization code named authz, access tokens, identity providers. Not a bare
    # `*acl*`, which is inside "oracle".
    + _rules(0, "security-sensitive code (auth, tokens, CSRF, payments, billing, secrets)", """
        acl.* acls.* acl[-_]* *[-_]acl.* *[-_]acls.* *[-_]acl[-_]* **/acl/** authz.* authz[-_]* *[-_]authz.*
        *access[-_]token* *accesstoken* **/idp/** idp.* idp[-_]* *[-_]idp.*""")
    # What a user, a program or an AI agent may run, read or write, as an ACL says it of API callers (QA crush: its
    # internal/permission/ decides which of the agent's shell commands and file writes need the user's consent, and
    # shellconfig/permissions.go what runs unasked, at tier 2): permissions, allow and deny lists. A sandbox is the
    # isolation such code runs in, tier 1: a sandbox/ package holds its providers' clients and sessions too
    # (openai-agents-python's sandbox/session/, docker, e2b), more plumbing than policy.
    + _rules(1, "sandbox: the isolation an untrusted program or an AI agent's commands run in", """
        **/sandbox/** **/sandboxing/** *sandbox.* sandbox[-_]*""")
    + _rules(0, "access control: what a user, a program or an AI agent may run, read or write", """
        **/permission/** **/permissions/** *permission.* *permissions.* permission[-_]* permissions[-_]*
        *allowlist* *allow[-_]list* *denylist* *deny[-_]list* *whitelist* *blacklist*""")
    # An identity/ or identityserver/ directory is the sign-in service (QA62: 53 of bitwarden/server's 63
    # src/Identity/ files, its IdentityServer grant validators, persisted grant store and SSO controller, were tier 2)
    + _rules(0, "security-sensitive code (auth, tokens, CSRF, payments, billing, secrets)", """
        **/auth/** **/authn/** **/authz/** **/oauth/** **/iam/** **/payment*/** **/billing/**
        **/*-auth/** **/*_auth/** **/auth-*/** **/auth_*/** **/oauth2*/** *auth.* auth[-_]*.* oauth*.*
        **/authentication/** *authentication.* **/identity/** **/identityserver/**
        *jwt* *jwk* *jws* *jwe* jose jose.* *[-_]jose *[-_]jose.* jose[-_]* *csrf* *xsrf*
        *secure[-_]headers* *secureheaders* **/middleware/*session*/** **/middleware/*session*
        *session[-_]cookie* *cookie[-_]session* **/contrib/sessions/** **/flask/sessions.py **/rack/session/**
        **/illuminate/session/** **/springframework/session/** **/config/initializers/session_store.rb
        **/security/** *secret* *credential* *.pem""")
    # Authorization written as policy modules by a JavaScript or TypeScript server, as Rails' app/policies/ above:
    # outline's server/policies/ says who may read, update, share or delete each model (cancan-style
    # `allow(User, "update", Document, ...)`), and 29 of its files were tier 2. Passport.js is the Node
    # authentication middleware, passkeys are WebAuthn credentials; API keys and OAuth code by their camelCase names
    # (`*api[-_]key*` missed apiKey.ts and ApiKey.ts; server/routes/api/oauthClients/index.ts was tier 2 beside its
    # oauthClients.ts at tier 0) (QA63)
    + _rules(0, "authorization and identity code: who may do what (policies), how a caller signs in (Passport, "
             "passkeys, API keys, OAuth)", """
        **/policies/**/*.ts **/policies/**/*.js **/policies/**/*.mts **/policies/**/*.cts
        passport passport.* passport[-_]* *passkey* *apikey* **/oauth*/**""")
    # Rails' app/models/security/ is the namespace of a model named Security: in a finance app (maybe-finance/maybe) a
    # traded security, its prices and their importers; `**/security/**` made those six files tier 0 "security-sensitive
    # code" (QA65). Security code in a Rails app lives in its controllers, concerns, policies and initializers.
    + _rules(2, "a Rails model named Security (its namespace: a traded security in a finance app), not security code",
             "**/app/models/security/**")
    # Payment and bank-account providers by name: Stripe and the like charge customers, Plaid holds access tokens to
    # their bank accounts and imports their transactions (QA65: maybe-finance/maybe's provider/stripe/, its Stripe
    # event job, plaid_item.rb, plaid_account/ processors and config/initializers/plaid.rb were tier 2). Not
    # `*stripe*`, which is inside "striped".
    + _rules(0, "money: a payment or bank-account provider's integration (Stripe, Plaid, PayPal, Braintree, Adyen) "
             "charges customers or reaches their bank accounts", """
        stripe stripe.* stripe[-_]* *[-_]stripe *[-_]stripe.* *[-_]stripe[-_]* *plaid* *paypal* *braintree*
        *adyen*""")
    # Acting as another user: an admin's impersonation skips that user's sign-in (QA65: maybe-finance/maybe's
    # impersonation_session.rb and impersonatable.rb concern were tier 2 beside its sessions controllers at tier 0)
    + _rules(0, "security-sensitive code (auth, tokens, CSRF, payments, billing, secrets)", "*impersonat*")
    # Rails' identity code by Devise's and the Rails 8 generator's conventional names (QA65): OmniAuth's sign-in
    # callbacks, account confirmation and unlocking (maybe-finance/maybe's email_confirmations_controller.rb confirms a
    # changed e-mail: an account takeover if wrong), the generator's app/models/session.rb (a signed-in session, not
    # the chat or sandbox sessions a bare `session` names elsewhere), an authorization concern of controllers, and the
    # controllers that receive webhooks (Stripe's, Plaid's: trusted by their signature alone)
    + _rules(0, "security-sensitive code (auth, tokens, CSRF, payments, billing, secrets)", """
        *omniauth* *confirmations[-_]controller* *unlocks[-_]controller* **/app/models/session.rb
        **/app/controllers/concerns/authoriz* **/app/controllers/*webhook* **/app/controllers/webhooks/**""")
    # Rails' standard initializers for what is secret: the keys that encrypt columns (`encrypts :access_token`), and
    # which parameters (passwords, tokens) are kept out of the logs; permissions_policy.rb is the Permissions-Policy
    # header (camera, geolocation), a browser guard as content_security_policy.rb is, not access control (QA65)
    + _rules(0, "security-sensitive code (auth, tokens, CSRF, payments, billing, secrets)",
             "**/initializers/active_record_encryption.rb")
    + _rules(1, "web request guards (CORS, IP restriction, cookies): decide who may call and what the client keeps",
             "**/initializers/permissions_policy.rb")
    + _rules(1, "log filtering: which secrets (passwords, tokens) are kept out of the logs",
             "**/initializers/filter_parameter_logging.rb")
    # A picture is no identity code whatever its name or directory: BookStack's login buttons' icons,
    # resources/icons/auth/github.svg, oidc.svg, saml2.svg and login.svg, made a pull request that adds an icon tier 0,
    # two approvals and a senior's (QA59)
    + _rules(2, "images, icons and fonts: pictures, whatever their names or directories say", """
        *.svg *.png *.jpg *.jpeg *.gif *.ico *.webp *.bmp *.woff *.woff2 *.ttf *.otf *.eot""")
    # Key stores and private keys hold what *.pem does (QA58: Apache Fineract pr/3600 added
    # fineract-provider/src/main/resources/keystore.jks, the service's TLS key store, at tier 2)
    + _rules(0, "key store or private key: the identity of the service", """
        *.jks *.jceks *.keystore *.p12 *.pfx *.p8 *.key *.ppk id_rsa id_dsa id_ecdsa id_ed25519""")
    # Money as a banking or bookkeeping system keeps it: double-entry accounting, ledgers, and the arithmetic of amounts
    # (rounding, currencies). QA58 (Apache Fineract): its accounting/ (journal entries, GL accounts, closures) and
    # organisation/monetary/ (Money, rounding) were tier 2 beside payments/ at tier 0.
    + _rules(0, "money: accounting, ledgers and the arithmetic of amounts", """
        **/accounting/** **/ledger/** **/ledgers/** **/monetary/** **/money/** **/journalentry/**
        **/journal[-_]entr*/**""")
    # Whose data: the tenant resolution and per-tenant database connections of a multi-tenant service. A bug serves
    # one tenant's data to another, or points every tenant at one database (Fineract's infrastructure/core/service/
    # tenant/ and its tenant-store schema).
    + _rules(0, "tenant isolation: which tenant's database a request reaches", """
        **/tenant/**/*.java **/tenants/**/*.java **/tenant/**/*.kt **/multitenan*/** *DataSourcePerTenant*
        **/tenant-store/**""")
    # a submodule's URL: where the code it pins comes from (QA44: a .gitmodules pointing at another host was tier 2)
    + _rules(1, "submodule sources: where the code a submodule pins is fetched from", "/.gitmodules")
    # terraform init writes it: provider versions and hashes, under an IaC path (and named *.hcl)
    + _rules(1, _DEPENDENCIES, ".terraform.lock.hcl")
    # Loans, savings and deposits: a core banking system's products, whose code moves the customers' money on
    # every transaction, schedule and interest posting (QA58: Fineract's portfolio/loanaccount/ and portfolio/savings/,
    # a quarter of its Java, were tier 2 "matches no tier rule")
    + _rules(1, "core banking products (loans, savings, deposits): their code moves customers' money", """
        **/loan/** **/loans/** **/loanaccount/** **/loanaccounts/** **/loanproduct/** **/savings/** **/deposit/**
        **/deposits/**""")
    + _rules(3, "editor and tooling settings", ".editorconfig .vscode/ .idea/ .pre-commit-config.yaml")
    + _rules(3, "documentation", """
        docs/ doc/ *.md *.markdown *.rst *.adoc""" + " " + " ".join(_PROJECT_NOTES))
    # after the security rules: lang/de/auth.php is the login page's strings in German, not auth code (QA59)
    + _rules(3, "translations: the strings the application shows, in each language; prose, not code",
             " ".join(TRANSLATION_GLOBS))
    # A Liquibase changelog is a schema migration, though its folder is named as a project's change history is:
    # `CHANGELOG*` above read every one of Apache Fineract's 212 db/changelog/ files as tier 3 documentation (QA58)
    + _rules(0, "schema migration (Liquibase changelog): runs once against production data and is hard to undo", """
        **/db/*changelog*/**/*.xml **/db/*changelog*/**/*.yaml **/db/*changelog*/**/*.yml **/db/*changelog*/**/*.json
        **/db/*changelog*/**/*.sql **/liquibase/**/*.xml **/liquibase/**/*.yaml **/liquibase/**/*.yml
        **/liquibase/**/*.sql *changelog-master.xml *changelog-master.yaml *changelog-master.yml""")
    # A lock file is dependency metadata whatever directory it sits in: the manifest beside it says what a change adds
    # (and ranks with its directory: services/auth/package.json is tier 0), the lock file the versions the package
    # manager resolved for it. Under auth/, payments/, infra/ ... the rules above made every lock file tier 0: a
    # transitive bump asked for two approvals, a senior's, and weighed as critical code in the score (FIX117).
    # After every tier-0 rule (the Liquibase one matches **/liquibase/**/*.yaml), before the tests' and benchmarks'.
    + _rules(1, _DEPENDENCIES, _LOCK_FILES)
    # AGENTS.md and CLAUDE.md are documentation by their suffix; Cursor's, Zed's, Cline's ... files say the same
    + _rules(3, "instructions to AI coding agents: prose", " ".join(AGENT_RULES_GLOBS))
    # Go names a package after its directory: cobra's doc/ is the `doc` package (GenMarkdownTree), compiled
    # into every program that imports it, and was tier 3 "documentation"
    + _rules(2, "Go code in a doc/ directory: a package of the module, not documentation",
             "**/doc/**/*.go **/docs/**/*.go")
    + _rules(3, "tests", """
        tests/ test/ __tests__/ testdata/ *-tests/ *_tests/ test_*.py *_test.py conftest.py *_test.go *.spec.ts
        *.spec.tsx
        *.spec.js *.spec.jsx *.test.ts *.test.tsx *.test.js *.test.jsx *_spec.rb *Test.java *Tests.java
        *Test.kt""")
    # Jest's and Vitest's stored snapshots (QA63: outline's 13 __snapshots__/*.test.ts.snap files were tier 2, two of
    # them tier 0 under oauth* names): what a test compares against, written by the test runner
    + _rules(3, "tests", "__snapshots__/ *.snap")
    + _rules(3, "examples, samples and fixtures: they show or feed the code, they do not run in production", """
        examples/ example/ samples/ sample/ fixtures/ __fixtures__/ __mocks__/""")
    # after the manifests: a benchmark's own package.json or lock file is no production dependency (QA51 #18: hono's
    # queue top, a one-line perf change, was tier 1 "changes what code runs in production" by benchmarks/fetch/)
    + _rules(3, "benchmarks and test harnesses: run by hand or in CI, never shipped", """
        benchmarks/ benchmark/ benches/ perf-measures/ runtime-tests/ runtime_tests/ e2e/ **/test-utils/**
        vitest.config.* jest.config.* playwright.config.*""")
    + _rules(3, "an installed Python virtual environment: other projects' packages, not this repository's code",
             " ".join(INSTALLED_ENV_GLOBS))
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
        return GlobSet(rule.glob.lower() for rule in self.effective_rules)

    @cached_property
    def _critical(self) -> tuple[tuple[TierRule, ...], GlobSet]:
        # every rule but the tier-3 ones, so that a rule taking a path back to ordinary code (a Java package named
        # infrastructure) also takes back "a test of tier-0 code": the last of them to match decides
        rules = tuple(rule for rule in self.effective_rules if rule.tier < MAX_TIER)
        return rules, GlobSet(rule.glob.lower() for rule in rules)

    def rule_for(self, path: str) -> TierRule | None:
        """The rule that decides `path` (the last one matching, case ignored), or None."""
        index = self._matcher.last_match(path.lower())
        return None if index is None else self.effective_rules[index]

    def explain(self, rule: TierRule, path: str) -> str:
        """`rule.describe(path)`, plus what critical path it sits under when a lower-tier-wins rule (tests,
        docs, examples) took it out of a critical tier: "a test, doc or example of tier-0 code (...)"."""
        line = rule.describe(path)
        if rule.tier < MAX_TIER or rule.source != BUILT_IN:  # tier 3: tests, docs, examples, tooling
            return line
        rules, matcher = self._critical
        index = matcher.last_match(path.lower())
        if index is None or rules[index].tier >= self.default_tier:
            return line
        under = rules[index]
        return f"{line}; a test, doc or example of tier-{under.tier} code ('{under.glob}')"

    @classmethod
    def from_reader(cls, reader: SectionReader) -> TierConfig:
        """Read `[tiers]`. A bad glob, an out-of-range tier or a rule without its glob or tier raises
        ConfigError, as a wrong type does: a rule left out would lower a path's tier, and with it what
        `check` asks of a change. An unknown key is a warning on `reader.warnings`."""
        use_defaults = reader.get("use_defaults", bool, True)
        default_tier = reader.get("default_tier", int, 2)
        if not MIN_TIER <= default_tier <= MAX_TIER:
            raise ConfigError(f"{reader.where('default_tier')}: {default_tier} is outside {MIN_TIER}..{MAX_TIER}")
        skip: list[str] = []
        for i, pattern in enumerate(reader.get_list_of("skip_destructive", str, [])):
            try:
                compile_glob(pattern)
            except GlobError as exc:
                raise ConfigError(f"{reader.where('skip_destructive')}[{i}]: {exc}") from None
            skip.append(pattern)
        rules: list[TierRule] = []
        for i, table in enumerate(reader.get_list_of("rules", dict, [])):
            where = f"{reader.section}.rules[{i}]"
            rules.append(_read_rule(SectionReader(table, reader.source, where, reader.warnings)))
        reader.finish()
        return cls(tuple(rules), use_defaults, default_tier, tuple(skip))


def _read_rule(reader: SectionReader) -> TierRule:
    glob = reader.get("glob", str, None)
    tier = reader.get("tier", int, None)
    reason = reader.get("reason", str, "")
    reader.finish()  # an unknown key (a typo such as "reasn") is reported; the rule still applies
    if glob is None or tier is None:
        raise ConfigError(f"{reader.where('glob' if glob is None else 'tier')}: missing (a tier rule needs "
                          "a glob and a tier)")
    if not MIN_TIER <= tier <= MAX_TIER:
        raise ConfigError(f"{reader.where('tier')}: tier {tier} is outside {MIN_TIER}..{MAX_TIER}")
    try:
        compile_glob(glob)
    except GlobError as exc:
        raise ConfigError(f"{reader.where('glob')}: {exc}") from None
    return TierRule(glob, tier, reason, reader.source)


def tier_of(path: str, config: TierConfig) -> tuple[int, str]:
    """The tier of `path` and a one-line reason naming the rule that decided it."""
    rule = config.rule_for(path)
    if rule is None:
        return config.default_tier, f"{visible_path(path)} matches no tier rule: default tier {config.default_tier}"
    return rule.tier, config.explain(rule, path)

