"""Java and PHP in the dependency graph, at file level (graph.py reads JavaScript and Go at import level the same way):
a Java or PHP file is one class, named by its package or namespace and its file name, and its dependents are the
files that name it. Read from the text, comments and string literals left out, never run.

Java: `import a.b.C;` (and `import static a.b.C.m;`) names a.b.C; every other capitalised word names a class of the
file's own package if one is in the repository, else one of a `import a.b.*;` package (as the compiler looks them up:
single-type imports, then the package, then on-demand imports). A class is found by its path ending with its
package's directories (`org/x/Foo.java`), the nearest to the naming file where several do.

C#: a file declares types in a namespace (`namespace Bit.Core.Services;` or a block), and names a type by its bare
word where its namespace, a parent of it or a `using` one holds it. A word is found as the file named for it
(`UserService.cs`, the convention of one type a file); where several are, the one whose path holds the most parts of
the naming file's namespace and usings (`using Bit.Infrastructure.EntityFramework.Models;`), then the nearest.
Dependency injection makes a service's callers name its interface (`IUserService`): they depend on IUserService.cs.

PHP: `use A\\B\\C [as D];` (and `use A\\{B, C as D};`) names A\\B\\C; a class name in the code is read as PHP reads it
(`\\A\\B` fully qualified; `D\\E` through the `use` alias D, else in the file's namespace; a bare `Foo` in the
namespace). A class is found by composer.json's PSR-4 `autoload` and `autoload-dev` prefixes (its directory in the
repository), else by the path ending with its name's last parts (two or more). A Blade template (`*.blade.php`) names
the classes it writes fully qualified, and the views it includes or extends (`@include('books.parts.x')`); a PHP
file names the views it renders (`view('books.show')`): `resources/views/books/show.blade.php`.

Ruby (Rails' Zeitwerk autoloading, no `require`): `app/models/account/syncer.rb` defines `Account::Syncer`, its path
under an autoload root (each `app/*/` directory, its `concerns/`, and `lib/`) read as constant names; a file names it
as `Account::Syncer`, `::Account::Syncer`, or `Syncer` inside `class Account` (each enclosing namespace is tried,
innermost first, then the top level; `Account::Syncer::Error` is in syncer.rb). Names are compared without case or
underscores, so `APIKey` finds `api_key.rb` whatever the app's inflections. An association (`has_many :entries`,
`belongs_to :owner, class_name: "Family::Member"`) names its model as ASSOCIATION_OWNER: the declaring model depends
on it, a dependent the walk to transitive dependents does not go on from (Graph.fan_in): associations run both ways
between a Rails app's models, and through them every model reached the same 320 of maybe-finance/maybe's 1,014
files (QA65 F1), its direct dependents telling changes apart and the reach not. The code is read by
tree-sitter-ruby: a constant in a comment or a string is none, one in an interpolation is. A test file
(`test/models/account/syncer_test.rb`, `spec/.../x_spec.rb`) also names the constant its path mirrors: the controller
a request test exercises by its routes. A controller names the views it renders as Rails reads `render` there (a bare
name in its own views directory: `render :confirm` a template, `render partial: "form"` a partial), and a routes file
(config/routes.rb, config/routes/*.rb) the controllers it routes to (`route_refs`, its blocks parsed as Rails'
route mapper reads them). A Jbuilder view is a view: `render :show` may name show.json.jbuilder, `json.partial!` a
partial. A controller's name reaches its view in every format (show.html.erb and show.json.jbuilder: Rails picks by
the request's), a view's the partial of its own format where there is one.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable, Sequence
from typing import Any

from app.core.impact.members import heir_word

JAVA_PACKAGE_KEY = "<java package>"  # a Java file's summary: imports[JAVA_PACKAGE_KEY] is its package
PSR4_KEY = "<psr-4>"  # a composer.json's summary: imports[PSR4_KEY + prefix] is the prefix's directories, one a line
CS_NAMESPACE_KEY = "<c# namespace>"  # a C# file's summary: imports[CS_NAMESPACE_KEY] is its namespace
JAVA_REF, JAVA_NAME, PHP_REF, VIEW_REF, CS_NAME, RB_NAME = "java:", "java~", "php:", "view:", "cs~", "rb~"
STIMULUS_REF, PARTIAL_REF = "stimulus:", "partial:"  # a Stimulus controller's identifier; a Rails view's partial
ASSOCIATION_OWNER = "<association>"  # the owner of a Rails association's reference: the walk to dependents stops there
MAX_NAMES = 2_000  # class names read per file
WORDS_KEY = "<words>"  # a Java or Ruby file's summary: imports[WORDS_KEY] is the words its code writes, space-separated
HEIRS_KEY = "<heirs>"  # a Ruby file's summary: the references (lines) of the constants it derives from or mixes in
ALL_WORDS = "*"  # a file's words when they are cut or unknown: it may name any member (graph.Graph.words)
MAX_WORDS = 5_000  # words kept per Java or Ruby file (members.py: which dependents name an altered member)

# comments and string literals, each string's loop unrolled (`"[^"\\]*(?:\\.[^"\\]*)*"`): three times faster
_JAVA_NOISE = re.compile(r'"""[\s\S]*?"""|"[^"\\\n]*(?:\\.[^"\\\n]*)*"|\'[^\'\\\n]*(?:\\.[^\'\\\n]*)*\''
                         r"|//[^\n]*|/\*[\s\S]*?\*/")
_JAVA_PACKAGE = re.compile(r"^\s*package\s+([\w.]+)\s*;", re.M)
_JAVA_IMPORT = re.compile(r"^\s*import\s+(static\s+)?([\w.]+?)(\.\*)?\s*;", re.M)
_CLASS_WORD = re.compile(r"\b[A-Z]\w*")
_JAVA_WORD = re.compile(r"\b[A-Za-z_$][\w$]*")
# C#'s verbatim strings (`@"C:\\dir\\"`: a backslash escapes nothing) and its other strings, chars and comments
_CS_NOISE = re.compile(r'@\$?"[^"]*(?:""[^"]*)*"|\$?@"[^"]*(?:""[^"]*)*"|"""[\s\S]*?"""|"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
                       r"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'|//[^\n]*|/\*[\s\S]*?\*/")
_CS_NAMESPACE = re.compile(r"^\s*namespace\s+([\w.]+)\s*[;{]?", re.M)
_CS_USING = re.compile(r"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:(\w+)\s*=\s*)?([\w.]+)(?:<[^;>]*>)?\s*;", re.M)
_PHP_NOISE = re.compile(r"'[^'\\]*(?:\\.[^'\\]*)*'|\"[^\"\\]*(?:\\.[^\"\\]*)*\"|//[^\n]*|#(?!\[)[^\n]*|/\*[\s\S]*?\*/")
_PHP_NAMESPACE = re.compile(r"^\s*namespace\s+([\w\\]+)\s*[;{]", re.M)
_PHP_USE = re.compile(r"^use\s+(function\s+|const\s+)?([^;]+);", re.M)  # at the top level: a trait's `use` is indented
_PHP_NAME = re.compile(r"(?<![\w\\$])(?<!->)(?<!::)\\?[A-Za-z_]\w*(?:\\[A-Za-z_]\w*)*")
_PHP_QUALIFIED = re.compile(r"(?<![\w\\])\\[A-Za-z_]\w*(?:\\[A-Za-z_]\w*)+")
_VIEW = re.compile(r"""(?:@(?:include|includeIf|extends|component|each|includeFirst)|\bview|View::make)"""
                   r"""\s*\(\s*\[?\s*['"]([\w.\-/]+)['"]""")
_BLADE_SUFFIX = ".blade.php"
_TEST_DIR = re.compile(r"(?:^|/)(?:test|spec)/")  # a Ruby file there defines no application constant
RUBY_SUFFIXES = (".rb", ".rake", ".erb", ".jbuilder")
# ERB's Ruby: `<% code %>`, `<%= code %>`, `<%- code -%>`; not a `<%# comment %>` or an escaped `<%%`
_ERB_CODE = re.compile(rb"<%(?![#%])[=-]?(.*?)-?%>", re.S)
# Stimulus identifiers as views and components write them: `data-controller="a b"`, `controller: "a"`,
# `data[:controller] = ["DS--dialog", ...]`, `data-action="click->a#go"`, `action: "a#go"`, `data-a-target`,
# `a_target:` (each opens with a literal, or is looked for only where its literal is: a scan of maybe's 1,128 Ruby
# and ERB files in 0.1 s, not 0.6)
_STIMULUS_ATTRIBUTE = re.compile(
    r"""(controller|action)["']?\]?\s*(?:[:=]>?|=>)\s*(?:\[([^\]]{0,500})\]|["']([^"']+)["'])""")
_QUOTED = re.compile(r"""["']([^"']+)["']""")
_STIMULUS_NAMESPACED = re.compile(r"""["'](\w+--[\w-]+)["']""")
_STIMULUS_TARGET = re.compile(r"""(?:["']?data-|["'])([a-z][\w-]*?)-target\b|([a-z]\w*?)_target:""")
_STIMULUS_FILE = re.compile(r"(?:^|/)(?:controllers|components)/(.+?)[-_]controller\.[jt]s$")
_RENDER = re.compile(r"""render\s*\(?\s*(?:partial:\s*)?["']([\w/]+)["']""")
# `render @entries`, `render entry`, `render @items.sort_by(...)` in a view's code: the object's partial, by Rails'
# convention `entries/_entry` (its model's name, read from the variable's: most views name them so, QA65 F7)
_RENDER_OBJECT = re.compile(r"\brender(?:[ \t]+|[ \t]*\([ \t]*)@?([a-z]\w*)(?=[ \t]*(?:[,)]|$)"
                            r"|\.(?:sort_by|order|includes|where|limit|reverse|select|reject)\b)", re.M)
_VIEWS_ROOT = re.compile(r"(?:^|/)app/views/")
# what a controller renders, as Rails reads it there: `render :edit`, `render "edit"`, `render action: :edit`,
# `render template: "accounts/edit"` a template; `render partial: "form"` (a Turbo Stream's `partial:` too) a partial;
# a bare name is in the controller's own views directory
_CONTROLLER_RENDER = re.compile(r"""\brender\s*\(?\s*(?:(partial|template|action):\s*)?(?::(\w+)|["']([\w/]+)["'])""")
_JBUILDER_PARTIAL = re.compile(r"""\bpartial!\s*\(?\s*(?:partial:\s*)?["']([\w/]+)["']""")  # `json.partial! "x"`
_PARTIAL_OPTION = re.compile(r"""(?<!render)(?<!render )\bpartial:\s*["']([\w/]+)["']""")
# config/routes.rb: `namespace :settings do`, `scope module: :import do`, `resources :accounts, only: ...`,
# `resource :profile, controller: "x", module: :m`, and `"pages#dashboard"` targets (graph: routes.rb depends on each
# controller it routes to, as a removed action breaks its route)
_ROUTES_FILE = re.compile(r"(?:^|/)config/routes(?:/.+)?\.rb$")
_ROUTE_VERBS = frozenset({"get", "post", "put", "patch", "delete", "match", "root"})  # a route to an action
_ROUTE_BLOCKS = frozenset({"namespace", "scope", "resources", "resource", "controller"})
_RAILS_CONTROLLER = re.compile(r"(?:^|/)app/controllers/(.+)_controller\.rb$")
_ACTION = re.compile(r"^[ \t]*def[ \t]+([a-z_]\w*)\b(?![?!=])", re.M)
_APP_DIR = re.compile(r"(?:^|/)app/")
_RUBY_APP_ROOT = re.compile(r"(?:^|/)app/[^/]+/")  # app/models/, app/controllers/, app/jobs/ ... (Zeitwerk's roots)
_RUBY_LIB_ROOT = re.compile(r"(?:^|/)lib/")
_RUBY_TEST = re.compile(r"(?:^|/)(?:test|spec)/(?:[^/]+/)?(.+?)_(?:test|spec)\.rb$")  # what its path mirrors
_RUBY_CONSTANT = re.compile(r"(?:::)?[A-Z]\w*(?:::[A-Z]\w*)*")
_RUBY_ASSOCIATIONS = {"belongs_to": False, "has_one": False, "has_many": True, "has_and_belongs_to_many": True}
_RUBY_QUERY = """(constant) @name (scope_resolution) @name
(call method: (identifier) @call arguments: (argument_list . (simple_symbol) @model))
(superclass [(constant) (scope_resolution)] @heir)
(call method: (identifier) @mixin (#any-of? @mixin "include" "extend" "prepend")
      arguments: (argument_list [(constant) (scope_resolution)] @heir))
(call method: (identifier) @sender (#any-of? @sender "send" "public_send" "__send__" "try" "try!" "method"
                                                  "instance_method")
      arguments: (argument_list . (_) @value))"""
_RUBY_WORD = re.compile(r"@{0,2}[A-Za-z_]\w*(?:[?!](?!=))?")  # what names a method (members.py)
_REST_ACTIONS = ("index", "show", "new", "create", "edit", "update", "destroy")  # `resources :a` routes them unnamed
_MODULE = "<module>"  # graph.MODULE_LEVEL: a reference of the file's top level
_ruby_reader: list[tuple[object, object]] = []  # (parser, query), made on first use (in each worker process)


# -- one file -----------------------------------------------------------------------------------------------------
def java_refs(path: str, text: str) -> tuple[str, list[str], list[str], list[str]]:
    """(package, references, on-demand imported packages, the words its code writes) of a Java file."""
    code = _JAVA_NOISE.sub(" ", text)
    found = _JAVA_PACKAGE.search(code)
    package = found.group(1) if found else ""
    refs: list[str] = []
    stars: list[str] = []
    imported: set[str] = set()
    last = code.rfind("import ")  # the package and imports come first: the regexes read only that far
    end = code.find(";", last) + 1 if last >= 0 else (found.end() if found else 0)
    head, body = code[:end], code[end:]
    for match in _JAVA_IMPORT.finditer(head):
        name = match.group(2)
        if match.group(3) and not match.group(1):
            stars.append(name)
            continue
        refs.append(JAVA_REF + name)
        if not match.group(1):
            imported.add(name.rsplit(".", 1)[-1])
    own = posixpath.basename(path).removesuffix(".java")
    words = dict.fromkeys(_CLASS_WORD.findall(body))
    refs.extend(JAVA_NAME + word for word in list(words)[:MAX_NAMES] if word not in imported and word != own)
    written = list(dict.fromkeys(_JAVA_WORD.findall(body)))
    return package, list(dict.fromkeys(refs)), stars, written[:MAX_WORDS]


def csharp_refs(path: str, text: str) -> tuple[str, list[str], list[str]]:
    """(namespace, the type words it names, the namespaces it uses) of a C# file."""
    code = _CS_NOISE.sub(" ", text)
    found = _CS_NAMESPACE.search(code)
    namespace = found.group(1) if found else ""
    usings: list[str] = []
    refs: list[str] = []
    for match in _CS_USING.finditer(code):
        if match.group(1):  # `using Alias = A.B.Type;`: the alias names the type
            refs.append(CS_NAME + match.group(2).rsplit(".", 1)[-1])
        else:
            usings.append(match.group(2))
    own = posixpath.basename(path).removesuffix(".cs")
    words = dict.fromkeys(_CLASS_WORD.findall(_CS_USING.sub(" ", code)))
    refs.extend(CS_NAME + word for word in list(words)[:MAX_NAMES] if word != own)
    return namespace, list(dict.fromkeys(refs)), usings


def _ruby_key(name: str) -> str:
    """A constant path compared as Zeitwerk's inflections would allow: `Account::APIKey` -> `account::apikey`."""
    return name.replace("_", "").lower().strip(":")


def _singular(word: str) -> str:
    """`entries` -> `entry`, `addresses` -> `address`, `accounts` -> `account`: a has_many's model (most English)."""
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _plural(word: str) -> str:
    """`entry` -> `entries`, `address` -> `addresses`, `account` -> `accounts`: a model's views directory."""
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "o", "u"):
        return word[:-1] + "ies"
    return word + "es" if word.endswith(("ss", "x", "ch", "sh")) else word + "s"


def _ruby_nesting(node: Any) -> str:
    """The namespaces a Ruby node is written in (`module Provider; class Plaid` -> `provider::plaid`)."""
    names: list[str] = []
    parent = node.parent
    while parent is not None:
        if parent.type in ("class", "module") and (name := parent.child_by_field_name("name")) is not None:
            names.append(name.text.decode("utf-8", "replace"))
        parent = parent.parent
    return _ruby_key("::".join(reversed(names)))


def _ruby_name(node: Any) -> str | None:
    """The constant path a `constant` or `scope_resolution` node names, whole (not a part of a longer one), or None:
    a class's or module's own name, `self.class::FOO`."""
    parent = node.parent
    if parent is not None and (parent.type == "scope_resolution" or (
            parent.type in ("class", "module") and parent.child_by_field_name("name") == node)):
        return None
    found = _RUBY_CONSTANT.match(node.text.decode("utf-8", "replace"))
    return found.group() if found else None


def _association(call: Any, symbol: Any) -> str | None:
    """The model an association names: `has_many :entries` -> `Entry`; its `class_name: "X"` where given."""
    plural = _RUBY_ASSOCIATIONS.get(call.text.decode("utf-8", "replace"))
    if plural is None:
        return None
    for pair in symbol.parent.named_children:
        key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
        if pair.type == "pair" and key is not None and key.text.lstrip(b":") == b"class_name" and (
                value is not None and value.type == "string" and value.named_child_count == 1):
            return str(value.named_children[0].text.decode("utf-8", "replace"))
    word = symbol.text.decode("utf-8", "replace").lstrip(":")
    return _singular(word) if plural else word


def _ruby_parser() -> tuple[Any, Any]:
    """tree-sitter-ruby's parser and the constants' query, made on first use (in each worker process)."""
    if not _ruby_reader:
        import tree_sitter
        import tree_sitter_ruby

        language = tree_sitter.Language(tree_sitter_ruby.language())
        _ruby_reader.append((tree_sitter.Parser(language), tree_sitter.Query(language, _RUBY_QUERY)))
    return _ruby_reader[0]


def ruby_refs(path: str, data: bytes) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """(owner, reference) of each constant a Ruby file names, with the namespaces it is named in (the module doc), as
    RB_NAME references `nesting|name`: owner `<module>`, or ASSOCIATION_OWNER for an association's model; and the
    words that may name a method of what it names (members.py): every word it writes, `<syncer` for a constant it
    derives from or mixes in (members.heir_word), ALL_WORDS for a method named by a value (`public_send(kind)`); and
    the references of the constants it derives from or mixes in (its code runs with the file's objects: Graph.words
    adds their words to its own)."""
    parser, query = _ruby_parser()
    import tree_sitter

    refs: list[tuple[str, str]] = []
    heirs: list[str] = []
    text = data.decode("utf-8", "replace")
    words = list(dict.fromkeys(_RUBY_WORD.findall(text)))
    if path.endswith((".erb", ".rb", ".jbuilder")):
        refs.extend((_MODULE, ref) for ref in _view_refs(path, data.decode("utf-8", "replace")))
    if _ROUTES_FILE.search(path):
        refs.extend((_MODULE, ref) for ref in route_refs(data)[:MAX_NAMES])
        words.extend(_REST_ACTIONS)
    if path.endswith(".erb"):
        data = b"\n".join(_ERB_CODE.findall(data))
    tree = parser.parse(data)
    if (mirrored := _RUBY_TEST.search(path)) is not None:
        refs.append((_MODULE, f"{RB_NAME}|{_ruby_key(mirrored.group(1).replace('/', '::'))}"))
    for _pattern, found in tree_sitter.QueryCursor(query).matches(tree.root_node):
        if "sender" in found:
            if _literal(found["value"][0]) is None:  # a method named by a value, not a word: it may call any
                words.append(ALL_WORDS)  # `send(kind)`, `try("#{x}_balance")`
            continue
        if "heir" in found:  # `class X < Account`, `include Syncable`
            heir = found["heir"][0]
            derived = (heir.text or b"").decode("utf-8", "replace")
            words.append(heir_word(derived))
            root = "::" if derived.startswith("::") else ""
            heirs.append(f"{RB_NAME}{'' if root else _ruby_nesting(heir)}|{root}{_ruby_key(derived)}")
            continue
        if "name" in found:
            name = _ruby_name(found["name"][0])
            node, owner = found["name"][0], _MODULE
        else:
            node, owner = found["call"][0], ASSOCIATION_OWNER
            name = _association(node, found["model"][0])
        if name:
            absolute = "::" if name.startswith("::") else ""
            refs.append((owner, f"{RB_NAME}{'' if absolute else _ruby_nesting(node)}|{absolute}{_ruby_key(name)}"))
        if len(refs) >= MAX_NAMES:
            words.append(ALL_WORDS)  # the constants it derives from may be past here
            break
    words = words[:MAX_WORDS - 1] + [ALL_WORDS] if len(words) >= MAX_WORDS else words
    return list(dict.fromkeys(refs)), words, list(dict.fromkeys(heirs))


def _view_refs(path: str, text: str) -> list[str]:
    """The Stimulus controllers a view or component names by identifier, and the partials a view or app/ code renders
    (`render "shared/money_field"`: app/views/shared/_money_field.*; a view's `render "form"` beside it, its
    `render @entries` or `render entry`: app/views/entries/_entry.*)."""
    words: list[str] = []
    for kind, listed, quoted in _STIMULUS_ATTRIBUTE.findall(text):
        value = " ".join(_QUOTED.findall(listed)) if listed else quoted  # `["DS--dialog", "hotkey", data[:x]]`
        if kind == "controller":
            words.extend(value.split())
        else:  # `click->a#go keydown->b#stop`: the identifier between an event's `->` and the `#`
            words.extend(action.rpartition("->")[2].partition("#")[0] for action in value.split() if "#" in action)
    if "--" in text:
        words.extend(_STIMULUS_NAMESPACED.findall(text))
    if "target" in text:  # `data-a-target`, a data hash's `"a-target"` or `a_target:` (Rails writes a-target)
        words.extend(dashed or underscored.replace("_", "-") for dashed, underscored in _STIMULUS_TARGET.findall(text))
    return [STIMULUS_REF + word.lower() for word in words if word] + _render_refs(path, text)


def _render_refs(path: str, text: str) -> list[str]:
    """The partials and templates a view or app/ code renders (_view_refs)."""
    refs: list[str] = []
    root = _VIEWS_ROOT.search(path)
    app = _APP_DIR.search(path) if root is None else None
    views = path[:root.end()] if root is not None else f"{path[:app.end()]}views/" if app is not None else None
    if views is None:
        return refs
    controller = _RAILS_CONTROLLER.search(path)
    found = [] if controller is not None else _RENDER.findall(text)
    if path.endswith(".jbuilder"):
        found.extend(_JBUILDER_PARTIAL.findall(text))
    for name in [*found, *(_PARTIAL_OPTION.findall(text) if "partial:" in text else ())]:
        directory, _, base = name.rpartition("/")
        if root is not None and not directory:  # `render "form"`: the partial beside the view
            directory = posixpath.dirname(path[root.end():])
        elif not directory and controller is not None:  # `partial: "form"`: the controller's own views
            directory = controller.group(1)
        elif not directory:
            continue  # a helper's bare name: the view directory depends on who calls it
        refs.append(f"{PARTIAL_REF}{views}{directory}/_{base}".replace("//", "/"))
    if path.endswith(".erb") and "render" in text:
        code = "\n".join(part.decode("utf-8", "replace") for part in _ERB_CODE.findall(text.encode("utf-8", "replace")))
        for word in _RENDER_OBJECT.findall(code):
            single = _singular(word)
            refs.append(f"{PARTIAL_REF}{views}{_plural(word) if single == word else word}/_{single}")
    if controller is not None:
        for kind, symbol, quoted in _CONTROLLER_RENDER.findall(text):
            directory, _, base = (symbol or quoted).rpartition("/")
            underscore = "_" if kind == "partial" else ""
            refs.append(f"{PARTIAL_REF}{views}{directory or controller.group(1)}/{underscore}{base}")
        # an action renders its template unnamed: AccountsController#show is app/views/accounts/show.html.erb's
        # dependent (a view's change otherwise reached nothing, QA65)
        refs.extend(f"{PARTIAL_REF}{views}{controller.group(1)}/{action}" for action in _ACTION.findall(text))
    return refs


def _literal(node: Any) -> str | None:
    """The word a symbol or a plain string writes (`:accounts`, `"accounts"`, `%i[a]`'s `a`), else None."""
    if node.type in ("simple_symbol", "hash_key_symbol"):
        return str(node.text.decode("utf-8", "replace").lstrip(":"))
    if node.type in ("string", "bare_symbol", "bare_string") and node.named_child_count == 1 and (
            node.named_children[0].type == "string_content"):
        return str(node.named_children[0].text.decode("utf-8", "replace"))
    return None


def _route_arguments(call: Any) -> tuple[list[str], dict[str, Any]]:
    """A routing call's leading names (`resources :a, :b`) and its options by key (`controller: :x`, and a
    `"path" => "c#a"` pair under the key "=>")."""
    names: list[str] = []
    options: dict[str, Any] = {}
    arguments = call.child_by_field_name("arguments")
    for node in arguments.named_children if arguments is not None else ():
        if node.type == "pair":
            key, value = node.child_by_field_name("key"), node.child_by_field_name("value")
            word = _literal(key) if key is not None and key.type in ("hash_key_symbol", "simple_symbol") else None
            options["=>" if word is None else word] = value
        elif node.type in ("hash", "argument_list"):
            continue
        elif (word := _literal(node)) is not None and not options:
            names.append(word)
    return names, options


def _route_option(options: dict[str, Any], key: str) -> str:
    value = options.get(key)
    return (_literal(value) or "") if value is not None else ""


def _routes(node: Any, modules: tuple[str, ...], controller: str, found: list[str]) -> None:
    """Walk a routes file's calls in their blocks as Rails' route mapper reads them: a namespace or a scope's
    `module:` adds a module, a resource or `controller :x` block is the controller of the bare verbs inside it."""
    for child in node.named_children:
        if child.type != "call" or child.child_by_field_name("receiver") is not None:
            _routes(child, modules, controller, found)
            continue
        method = child.child_by_field_name("method")
        verb = method.text.decode("utf-8", "replace") if method is not None else ""
        block = child.child_by_field_name("block")
        if verb not in _ROUTE_BLOCKS | _ROUTE_VERBS:
            _routes(child, modules, controller, found)
            continue
        names, options = _route_arguments(child)
        module = [part for part in _route_option(options, "module").split("/") if part]
        own = _route_option(options, "controller")
        inner_modules, inner_controller = modules, controller
        if verb == "namespace":
            inner_modules, inner_controller = (*modules, *names[:1]), ""
        elif verb == "scope":
            inner_modules = (*modules, *module)
            inner_controller = "/".join([*inner_modules, own]) if own else controller
        elif verb == "controller":
            inner_controller = "/".join([*modules, *names[:1]])
        elif verb in ("resources", "resource"):
            inner_modules = (*modules, *module)
            for word in names[:1] if own else names:
                plural = word if word.endswith("s") or verb == "resources" else _plural(word)
                inner_controller = "/".join([*inner_modules, own or plural])
                found.append(inner_controller)
        else:  # a verb: `to: "c#a"`, `"path" => "c#a"`, `controller:`, else the block's (or namespace's) controller
            target = _route_option(options, "to") or _route_option(options, "=>") or next(
                (name for name in names if "#" in name), "")
            if "#" in target:
                found.append("/".join([*modules, *module, target.partition("#")[0]]))
            elif own:
                found.append("/".join([*modules, *module, own]))
            elif controller or modules:
                found.append(controller or "/".join(modules))
            elif names and "/" in names[0]:  # `get "photos/search"`: photos#search
                found.append(names[0].rpartition("/")[0])
        if block is not None:
            _routes(block, inner_modules, inner_controller, found)


def route_refs(data: bytes) -> list[str]:
    """The controllers a Rails routes file routes to (`resources :accounts` -> AccountsController, inside
    `namespace :settings do` -> Settings::..., `resource :profile` -> ProfilesController, `"pages#x"` ->
    PagesController, a namespace's bare `post "plaid"` -> its own controller), as absolute RB_NAME references. Read
    by tree-sitter-ruby: blocks are blocks however the file is indented."""
    parser, _query = _ruby_parser()
    found: list[str] = []
    _routes(parser.parse(data).root_node, (), "", found)
    return list(dict.fromkeys(f"{RB_NAME}|::{_ruby_key(name.replace('/', '::'))}controller" for name in found))


def stimulus_identifier(path: str) -> str | None:
    """The identifier Stimulus registers a controller file under: `controllers/auto_submit_form_controller.js` ->
    `auto-submit-form`, `components/DS/dialog_controller.js` -> `ds--dialog`."""
    found = _STIMULUS_FILE.search(path)
    return found.group(1).replace("/", "--").replace("_", "-").lower() if found else None


def ruby_constants(path: str) -> list[str]:
    """The constants (keys: `_ruby_key`) a Ruby file under an autoload root defines by its path: `app/models/
    account/syncer.rb` -> `account::syncer`; `app/models/concerns/syncable.rb` -> `syncable` (and `concerns::
    syncable`, as Zeitwerk would read it under app/models/)."""
    if not path.endswith(".rb"):
        return []
    rests = []
    if (app := _RUBY_APP_ROOT.search(path)) is not None:
        rests.append(path[app.end():])
        if rests[0].startswith("concerns/"):
            rests.append(rests[0][len("concerns/"):])
    elif (lib := _RUBY_LIB_ROOT.search(path)) is not None:
        rests.append(path[lib.end():])
    return [_ruby_key(rest.removesuffix(".rb").replace("/", "::")) for rest in rests]


def _php_uses(clause: str) -> dict[str, str]:
    """A `use` statement's aliases (lower-cased, as PHP compares class names) -> the full names they stand for."""
    out: dict[str, str] = {}
    group = re.fullmatch(r"\s*\\?([\w\\]*?)\\?\{([^}]*)\}\s*", clause)
    parts = [f"{group.group(1)}\\{p.strip()}" for p in group.group(2).split(",")] if group else clause.split(",")
    for part in parts:
        name, _, alias = part.strip().partition(" as ")
        name = name.strip().lstrip("\\")
        if name:
            out[(alias.strip() or name.rsplit("\\", 1)[-1]).lower()] = name
    return out


def php_refs(path: str, text: str) -> list[str]:
    """The classes and views a PHP file (or Blade template) names (the module doc)."""
    if path.endswith(_BLADE_SUFFIX):
        names = [m.group().lstrip("\\") for m in _PHP_QUALIFIED.finditer(text)]
        views = [VIEW_REF + view for view in _VIEW.findall(text)]
        return list(dict.fromkeys([*(PHP_REF + name for name in names[:MAX_NAMES]), *views]))
    views = _VIEW.findall(text)
    code = _PHP_NOISE.sub(" ", text)
    found = _PHP_NAMESPACE.search(code)
    namespace = found.group(1).strip("\\") if found else ""
    aliases: dict[str, str] = {}
    for match in _PHP_USE.finditer(code):
        if not match.group(1):
            aliases.update(_php_uses(match.group(2)))
    own = f"{namespace}\\{posixpath.basename(path).removesuffix('.php')}".lstrip("\\").lower()
    refs = [PHP_REF + name for name in aliases.values()]
    body = _PHP_USE.sub(" ", _PHP_NAMESPACE.sub(" ", code))
    for name in list(dict.fromkeys(_PHP_NAME.findall(body)))[:MAX_NAMES]:
        if name.startswith("\\"):
            full = name[1:]
        elif not (name[0].isupper() or "\\" in name):
            continue  # a function, a keyword, a constant's lower-case name
        else:
            first, _, rest = name.partition("\\")
            alias = aliases.get(first.lower())
            full = (f"{alias}\\{rest}" if rest else alias) if alias else f"{namespace}\\{name}".lstrip("\\")
        if full.lower() != own:
            refs.append(PHP_REF + full)
    refs.extend(VIEW_REF + view for view in views)
    return list(dict.fromkeys(refs))


def psr4(path: str, data: bytes) -> dict[str, str]:
    """A composer.json's PSR-4 prefixes -> their directories in the repository (one a line), as summary imports."""
    try:
        manifest = json.loads(data.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return {}
    root = posixpath.dirname(path)
    out: dict[str, list[str]] = {}
    for section in ("autoload", "autoload-dev"):
        table = manifest.get(section) if isinstance(manifest, dict) else None
        mapping = table.get("psr-4") if isinstance(table, dict) else None
        for prefix, dirs in mapping.items() if isinstance(mapping, dict) else ():
            for directory in dirs if isinstance(dirs, list) else [dirs]:
                if isinstance(directory, str):
                    out.setdefault(str(prefix).strip("\\"), []).append(
                        posixpath.normpath(posixpath.join(root, directory)).lstrip("./") if directory.strip("./")
                        else root)
    return {PSR4_KEY + prefix: "\n".join(dirs) for prefix, dirs in out.items()}


# -- finding the file a name names ---------------------------------------------------------------------------------
class ClassFiles:
    """The Java and PHP files of a graph by their file name, and composer's PSR-4 prefixes: finds the file a
    reference names (the module doc)."""

    def __init__(self, paths: Iterable[str], layout: Iterable[dict[str, str]]) -> None:
        self.paths = set(paths)
        self.by_name: dict[str, list[str]] = {}
        for path in sorted(self.paths):  # in order: a tie between two files of a name goes the same way every run
            if path.endswith((".java", ".php", ".cs")):
                self.by_name.setdefault(posixpath.basename(path), []).append(path)
        prefixes: dict[str, list[str]] = {}
        for imports in layout:
            for key, dirs in imports.items():
                if key.startswith(PSR4_KEY):
                    prefixes.setdefault(key[len(PSR4_KEY):], []).extend(dirs.splitlines())
        self.psr4 = sorted(prefixes.items(), key=lambda item: -len(item[0]))
        self.ruby: dict[str, list[str]] = {}  # a constant's key (`_ruby_key`) -> the files that define it by path
        self.ruby_endings: dict[str, list[str]] = {}  # the last two or more parts of a Ruby file's path, as a key
        self.stimulus: dict[str, str] = {}  # a Stimulus controller's identifier -> its file
        self.partials: dict[str, list[str]] = {}  # a view's path without its formats (`app/views/a/_b`) -> its views
        for path in sorted(self.paths):  # in order: the same lists every run
            if (identifier := stimulus_identifier(path)) is not None:
                self.stimulus.setdefault(identifier, path)
            elif path.endswith((".erb", ".jbuilder")) and _VIEWS_ROOT.search(path):
                directory, base = posixpath.split(path)
                self.partials.setdefault(f"{directory}/{base.split('.', 1)[0]}", []).append(path)
            if path.endswith(".rb") and not _TEST_DIR.search(path):
                for key in ruby_constants(path):
                    self.ruby.setdefault(key, []).append(path)
                parts = _ruby_key(path.removesuffix(".rb").replace("/", "::")).split("::")
                for start in range(len(parts) - 1):
                    self.ruby_endings.setdefault("::".join(parts[start:]), []).append(path)

    def _ending(self, parts: Sequence[str], suffix: str, near: str) -> str | None:
        """The file whose path ends with these directories and name, the nearest to `near` where several do."""
        tail = "/".join(parts) + suffix
        found = [p for p in self.by_name.get(parts[-1] + suffix, ()) if p == tail or p.endswith("/" + tail)]
        if len(found) > 1:
            found.sort(key=lambda p: -len(posixpath.commonpath([p, near])))
        return found[0] if found else None

    def java(self, summary_path: str, name: str, package: str, stars: Sequence[str]) -> str | None:
        if name.startswith(JAVA_NAME):
            word = name[len(JAVA_NAME):]
            for owner in (package, *stars):
                found = self._ending([*owner.split("."), word] if owner else [word], ".java", summary_path)
                if found is not None:
                    return found
            return None
        parts = name[len(JAVA_REF):].split(".")
        for width in range(len(parts), 1, -1):  # a.b.C.Inner, a.b.C.member: the class is a.b.C
            found = self._ending(parts[:width], ".java", summary_path)
            if found is not None:
                return found
        return None

    def csharp(self, summary_path: str, name: str, namespace: str, usings: Sequence[str]) -> str | None:
        """The file a C# type word names (the module doc)."""
        found = self.by_name.get(name[len(CS_NAME):] + ".cs", ())
        if len(found) <= 1:
            return found[0] if found else None
        parts = {part.lower() for owner in (namespace, *usings) for part in owner.split(".")}

        def closeness(path: str) -> tuple[int, int]:
            segments = {piece.lower() for segment in path.split("/")[:-1] for piece in segment.split(".")}
            return len(parts & segments), len(posixpath.commonpath([path, summary_path]))

        return max(found, key=closeness)

    def ruby_files(self, summary_path: str, name: str) -> list[str]:
        """The files a Ruby reference names: a view's in each of its formats (a controller's `render :show`:
        show.html.erb and show.json.jbuilder; a view's `render "form"`: _form in its own format, else in each); else
        the one file of a Stimulus identifier, or of a constant (`nesting|name`): the name in each enclosing
        namespace, innermost first, then at the top level; the longest part of the name a file defines (the module
        doc)."""
        if name.startswith(PARTIAL_REF):
            views = self.partials.get(name[len(PARTIAL_REF):], [])
            if not summary_path.endswith((".erb", ".jbuilder")):  # a controller renders the request's format
                return views
            formats = "." + posixpath.basename(summary_path).split(".", 1)[-1]  # a view renders its own format
            return [view for view in views if view.endswith(formats)] or views
        found = self._ruby_file(summary_path, name)
        return [] if found is None else [found]

    def _ruby_file(self, summary_path: str, name: str) -> str | None:
        if name.startswith(STIMULUS_REF):
            return self.stimulus.get(name[len(STIMULUS_REF):])
        nesting, _, constant = name[len(RB_NAME):].partition("|")
        parts = constant.strip(":").split("::")
        scopes = [] if constant.startswith("::") or not nesting else nesting.split("::")
        for index in (self.ruby, self.ruby_endings):  # an autoload root's file, else a path ending with the name
            for depth in range(len(scopes), -1, -1):
                for width in range(len(parts), 1 if index is self.ruby_endings else 0, -1):
                    found = index.get("::".join([*scopes[:depth], *parts[:width]]))
                    if found:
                        return found[0] if len(found) == 1 else max(
                            found, key=lambda p: len(posixpath.commonpath([p, summary_path])))
        return None

    def php(self, summary_path: str, name: str) -> str | None:
        if name.startswith(VIEW_REF):
            view = name[len(VIEW_REF):]
            parts = ["views", *re.split(r"[./]", view)]
            return None if "::" in view else self._ending(parts, _BLADE_SUFFIX, summary_path)
        full = name[len(PHP_REF):]
        for prefix, dirs in self.psr4:
            if full.lower().startswith(prefix.lower() + "\\") or not prefix:
                rest = full[len(prefix):].strip("\\").replace("\\", "/") + ".php"
                return next((p for p in (posixpath.join(d, rest) for d in dirs) if p in self.paths), None)
        parts = full.split("\\")
        for start in range(len(parts) - 1):  # no PSR-4 prefix: the path ends with two or more of its parts
            found = self._ending(parts[start:], ".php", summary_path)
            if found is not None:
                return found
        return None
