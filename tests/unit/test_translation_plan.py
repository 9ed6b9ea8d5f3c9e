"""Translation pull requests as a maintainer reads them (QA59 F7): the source language's catalogues read as prose,
every other language one skimmed chunk per language directory, a look per file; code in a Laravel catalogue read as
code. Real git repositories, the analyzer's own plan."""

from __future__ import annotations

from app.analysis.analyzer import Analyzer
from tests.conftest import ALICE, BOB


def _catalogue(prefix: str, count: int, extra: str = "") -> str:
    entries = "".join(f"    '{prefix}_{i}' => 'Text {i} of :name, <strong>{prefix}</strong>',\n" for i in range(count))
    return f"<?php\n/**\n * Entity text\n */\nreturn [\n{entries}{extra}];\n"


def _crowdin_repo(make_repo, name: str, settings: dict[str, str], code: str = ""):
    """main: a Laravel app's lang/ in three languages; the branch: Crowdin's update of every language's catalogues
    (and `code`, a line that is not an entry, added to lang/ru/auth.php)."""
    b = make_repo(name)
    base = {"app/Http/Controllers/BookController.php": "<?php\nclass BookController {}\n", **settings}
    for locale in ("en", "ru", "de"):
        base |= {f"lang/{locale}/entities.php": _catalogue("entity", 40),
                 f"lang/{locale}/auth.php": _catalogue("auth", 30)}
    b.commit("init", base, author=ALICE)
    b.branch("crowdin")
    head = {f"lang/{locale}/entities.php": _catalogue("entity", 40).replace("Text", f"Texte {locale}")
            for locale in ("en", "ru", "de")}
    head |= {f"lang/{locale}/auth.php": _catalogue("auth", 30, extra=code if locale == "ru" else "").replace(
        "Text", f"Texte {locale}") for locale in ("en", "ru", "de")}
    b.commit("New translations entities.php (Russian)", head, branch="crowdin", author=BOB)
    b.checkout()
    return b


def test_other_languages_are_skimmed_one_chunk_a_language_the_source_is_read(make_repo) -> None:
    """BookStack pr/1958 (31,064 lines of 231 catalogues) was 119 chunks and a 26-hour floor at the docs rate, and
    cut catalogues mid-file; now the source language (crowdin.yml's `source`: lang/en) is read as prose and every
    other language is one chunk, 30 s a file."""
    crowdin = "files:\n  - source: /lang/en/*.php\n    translation: /lang/%two_letters_code%/%original_file_name%\n"
    b = _crowdin_repo(make_repo, "bookstack", {"crowdin.yml": crowdin})
    plan = Analyzer(b.path).detail("crowdin").plan
    by_title = {c.title: c for c in plan.chunks}
    assert set(by_title) >= {"Translations: lang/ru (2 files)", "Translations: lang/de (2 files)"}, list(by_title)
    ru = by_title["Translations: lang/ru (2 files)"]
    assert ru.kind == "collapsed" and ru.floor_seconds == 60 and ru.tier == 3, ru
    assert "placeholders" in ru.notes[0] and "the source language's (en)" in ru.notes[0], ru.notes
    english = [c for c in plan.chunks if any(f.startswith("lang/en/") for f in c.files)]
    assert english and all(c.kind == "code" and "docs lines" in c.floor_derivation for c in english), english
    assert sum(c.changed_lines for c in english) == 140


def test_the_source_language_is_laravels_fallback_locale_without_crowdin(make_repo) -> None:
    """No crowdin.yml: config/app.php's fallback_locale names the language the others are made from."""
    app = "<?php\nreturn [\n    'fallback_locale' => env('APP_FALLBACK_LOCALE', 'de'),\n];\n"
    b = _crowdin_repo(make_repo, "german", {"config/app.php": app})
    titles = [c.title for c in Analyzer(b.path).detail("crowdin").plan.chunks]
    assert "Translations: lang/en (2 files)" in titles and "Translations: lang/ru (2 files)" in titles, titles
    assert not any(t.startswith("Translations: lang/de") for t in titles), titles


def test_code_in_a_catalogue_is_read_as_code(make_repo) -> None:
    """A Laravel catalogue is PHP that runs: a line that is not a `'key' => 'string',` entry is code hiding among
    the strings. Its file is read, not skimmed, and that line at the code rate."""
    b = _crowdin_repo(make_repo, "hidden", {}, code="    'token' => file_get_contents('/etc/passwd'),\n")
    plan = Analyzer(b.path).detail("crowdin").plan
    holder = next(c for c in plan.chunks if "lang/ru/auth.php" in c.files)
    assert holder.kind == "code" and holder.floor_derivation.startswith("1 code line T3"), holder.floor_derivation
    assert any("1 changed line of this catalogue not a `'key' => 'text',` entry" in note for note in holder.notes)
    assert any(c.title == "Translations: lang/ru (1 file)" for c in plan.chunks)  # entities.php still skimmed


def test_languages_and_catalogue_lines_read_from_paths_and_text() -> None:
    from app.core.planner.translations import code_flags, locale_of, source_locales

    assert locale_of("resources/lang/de_informal/settings.php") == ("resources/lang/de_informal", "de_informal")
    assert locale_of("config/locales/devise.fr.yml") == ("config/locales/fr", "fr")
    assert locale_of("locale/pt_BR/LC_MESSAGES/django.po") == ("locale/pt_BR", "pt_BR")
    assert locale_of("frontend/src/i18n/translation.json") is None  # one file for every language: read
    assert locale_of("lang/vendor/pkg/de/x.php") is None
    assert locale_of("src/i18n/ui/en.json") == ("src/i18n/en", "en")  # a file named for its language
    # Rails keeps a language's files across the catalogue's directories: one language, one chunk (QA65)
    assert locale_of("config/locales/views/settings/tr.yml") == ("config/locales/tr", "tr")
    assert source_locales({}) == {"en"}
    lines = ["<?php", "return [", "    'a' => 'b',", "    'c' => 'd',    'e' => 'f',",
             "    'long' => 'first line", "        it\\'s the second',",
             "    'nested' => [", "        'x' => \"y's\",", "    ],", "    'empty' => [],", "    'y' => 'a' . 'b',",
             "    'z' => env('X'),", "    /*", "    | Validation Language Lines", "    | the validator's messages",
             "    */", "];", "system('id');"]
    assert [text for text, flag in zip(lines, code_flags(lines), strict=True) if flag] == [
        "    'y' => 'a' . 'b',", "    'z' => env('X'),", "system('id');"]


def test_a_new_string_in_every_language_is_one_look_at_them_all(make_repo) -> None:
    """A feature that adds one string to each language (BookStack pr/4157: 37 languages) is not 37 decisions: the
    languages with a small edit each are one chunk together, each file a look, or its few lines at the docs rate."""
    b = _crowdin_repo(make_repo, "feature", {})
    b.branch("feature")
    added = {f"lang/{locale}/auth.php": _catalogue("auth", 30, extra="    'new_key' => 'New text',\n")
             for locale in ("en", "ru", "de")}
    b.commit("Add a key", added, branch="feature", author=BOB)
    b.checkout()
    plan = Analyzer(b.path).detail("feature").plan
    packed = [c for c in plan.chunks if c.title == "Translations: 2 languages in lang/ (2 files)"]
    assert len(packed) == 1, [c.title for c in plan.chunks]
    assert packed[0].floor_seconds == 6 and "de, ru: small edits of 2 languages" in packed[0].notes[0], packed[0]
    assert any(c.kind == "code" and c.files == ["lang/en/auth.php"] for c in plan.chunks)


def test_small_languages_are_packed_up_to_one_sitting(make_repo) -> None:
    """Crowdin's e176aae94 put 206 files of 34 languages' small edits in one chunk of 1h 12m: past one sitting.
    Packed languages are cut to fit one (max_chunk_seconds), each chunk saying what to skim for."""
    from app.core.planner.model import ChunkConfig
    from app.core.planner.translations import ROLE_TRANSLATIONS
    from tests.unit.test_chunks import plan_for

    b = make_repo("many")
    locales = [f"l{a}{c}" for a in "abcdefgh" for c in "xyz"]  # 24 languages of 3 letters
    b.commit("init", {f"lang/{loc}/f{i}.php": _catalogue("k", 5) for loc in locales for i in range(4)}, author=ALICE)
    b.branch("crowdin")
    b.commit("New translations", {f"lang/{loc}/f{i}.php": _catalogue("k", 5, extra="    'n' => 'x',\n" * 12)
                                  for loc in locales for i in range(4)}, branch="crowdin", author=BOB)
    b.checkout()
    plan, _files = plan_for(b.path, "main", "crowdin", config=ChunkConfig(max_chunk_seconds=600.0))
    packed = [c for c in plan.chunks if c.role == ROLE_TRANSLATIONS]
    assert len(packed) > 1 and all(c.floor_seconds <= 600 for c in packed), [(c.title, c.floor_seconds) for c in packed]
    assert sum(len(c.files) for c in packed) == 96 and packed[0].title.startswith("Translations: "), packed[0].title
