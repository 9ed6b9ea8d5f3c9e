"""A gettext catalogue's lines its tools write are skimmed, not read (QA56 F4: netbox's "Release v4.6.5" changed
31,130 .po lines, 18,524 of them `#:` source references `makemessages` shifts (`forms.py:123` -> `:125`), read as
prose: 25.9 of the plan's 26.2 hours of floor; the daily "Update source translation strings" commit is 204 `#:` lines
of 206). `#:` references, `#,` flags, `#|` previous msgids and the header's two dates are skimmed as re-indented lines
are; a translator's `# ` comment and the msgid/msgstr lines are read. The chunks still partition the diff exactly."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from app.cli import cli
from app.core.git.diff import DiffLine, FileDiff, Hunk
from app.core.planner.builder import build_plan
from app.core.planner.model import ChunkConfig
from app.core.planner.whitespace import file_whitespace_lines, tool_written
from tests.conftest import ALICE, BOB
from tests.unit.test_chunks import assert_bound, assert_partition, plan_for
from tests.unit.test_reindented import _hunk


def test_the_lines_gettext_writes_are_told_from_the_lines_a_person_reads() -> None:
    lines, origins = _hunk([
        ("-", '"POT-Creation-Date: 2026-11-30 05:02+0000\\n"'), ("+", '"POT-Creation-Date: 2026-12-01 05:02+0000\\n"'),
        ("+", '"PO-Revision-Date: 2026-12-01 05:02+0000\\n"'),
        (" ", ""),
        ("+", "# Translators: keep it short"),  # a person's comment: read
        ("-", "#: netbox/dcim/forms.py:123"), ("+", "#: netbox/dcim/forms.py:125"),
        ("+", "#, python-format"), ("-", "#, fuzzy"), ("+", '#| msgid "Old text"'),
        ("+", 'msgid "Site %(name)s"'), ("+", 'msgstr "Standort %(name)s"'),
        (" ", "#: netbox/dcim/tables.py:9"),  # context: not a changed line
    ])
    assert tool_written(lines, origins, "netbox/translations/de/LC_MESSAGES/django.po") == [0, 1, 2, 5, 6, 7, 8, 9]
    assert tool_written(lines, origins, "locale/django.pot") == [0, 1, 2, 5, 6, 7, 8, 9]
    assert tool_written(lines, origins, "docs/notes.md") == []  # only a catalogue's


def _catalogue(shift: int, language: str = "de", entries: int = 60) -> str:
    head = ('msgid ""\nmsgstr ""\n"Project-Id-Version: demo\\n"\n'
            f'"POT-Creation-Date: 2026-12-0{1 + shift % 8} 05:02+0000\\n"\n"Language: {language}\\n"\n\n')
    body = "".join(f"#: app/forms.py:{100 + 3 * k + shift}\n#: app/views.py:{40 + k + shift}\n"
                   + ("#, python-format\n" if k % 5 == 0 else "")
                   + f'msgid "Label {k}"\nmsgstr "Etikett {k}"\n\n' for k in range(entries))
    return head + body


def test_a_catalogue_of_mostly_reference_churn_is_floored_at_its_messages(make_repo) -> None:
    """The shape of netbox 43fe81f9e: `makemessages` shifts every `#:` line number and the header's date; one message
    is new. The floor is that message's two lines at the docs rate, the rest skimmed at 4,000 lines an hour, and the
    derivation says why; the diff view dims the same lines; `chunks` says how many."""
    b = make_repo("catalogue")
    path = "app/locale/en/LC_MESSAGES/django.po"  # the source language: read (another is skimmed whole)
    b.commit("init", {path: _catalogue(0), "app/forms.py": "LABEL = 'x'\n"}, author=ALICE)
    b.branch("strings")
    text = _catalogue(2).replace('msgid "Label 7"\n', '# Translators: a site\nmsgid "Label 7"\n')
    text += '#: app/forms.py:999\nmsgid "New label"\nmsgstr ""\n'
    b.commit("Update source translation strings", {path: text}, branch="strings", author=BOB)
    b.checkout()
    plan, files = plan_for(b.path, "main", "strings", config=ChunkConfig())
    assert_partition(plan, files)
    [chunk] = plan.chunks
    [fd] = files
    read = [line for hunk in fd.hunks for line in hunk.lines if line.origin in "+-"
            and not re.match(r'#[:,|]|"POT-Creation-Date', line.text)]
    assert [line.text for line in read] == ["# Translators: a site", 'msgid "New label"', 'msgstr ""']
    written = chunk.changed_lines - len(read)
    assert written > 200 and chunk.whitespace_lines == written
    assert chunk.floor_derivation.startswith(
        f"3 docs lines at 1200/h = 9s; {written} tool-written lines (gettext references, flags and dates "
        "makemessages rewrites: skimmed) at 4000/h = ")
    assert chunk.floor_seconds == int(3 / 1200 * 3600 + written / 4000 * 3600)
    assert sum(len(lines) for lines in file_whitespace_lines(fd)) == written  # dimmed in the diff view
    assert plan.notes and plan.notes[0].startswith(f"{written:,} of {chunk.changed_lines:,} changed lines only "
                                                   "re-indented or tool-written")
    result = CliRunner().invoke(cli, ["chunks", "strings", "--repo", str(b.path), "--width", "200"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"{written:,} of {chunk.changed_lines:,} lines only re-indented or tool-written" in result.output
    data = CliRunner().invoke(cli, ["chunks", "strings", "--repo", str(b.path), "--json"], catch_exceptions=False)
    [row] = json.loads(data.stdout)["chunks"]
    assert row["whitespace_lines"] == written


def test_a_new_catalogue_reads_its_messages_and_skims_its_references(make_repo) -> None:
    """A catalogue added whole (no deleted line to pair a re-indented one with) still skims what the tool wrote."""
    b = make_repo("new-catalogue")
    b.commit("init", {"app/forms.py": "LABEL = 'x'\n"}, author=ALICE)
    b.branch("fr")
    b.commit("English", {"app/locale/en/LC_MESSAGES/django.po": _catalogue(0, "en", entries=10)}, branch="fr",
             author=BOB)
    b.checkout()
    plan, _files = plan_for(b.path, "main", "fr", config=ChunkConfig())
    [chunk] = plan.chunks
    assert chunk.whitespace_lines == 10 * 2 + 2 + 1  # references, flags, the header's date
    assert chunk.floor_derivation.startswith(f"{chunk.changed_lines - 23} docs lines at 1200/h")


@st.composite
def catalogue_files(draw: st.DrawFn) -> list[FileDiff]:
    """Random catalogue hunks: reference lines shifted, some messages changed, some lines re-indented."""
    files = []
    for f in range(draw(st.integers(1, 3))):
        hunks, old_no, new_no = [], 1, 1
        for _ in range(draw(st.integers(1, 3))):
            old_no += draw(st.integers(0, 20))
            new_no += draw(st.integers(0, 20))
            start_old, start_new = old_no, new_no
            lines: list[DiffLine] = []
            for k in range(draw(st.integers(1, 120))):
                kind = draw(st.sampled_from(["ref", "ref", "ref", "flag", "msg", "indent", "context"]))
                if kind == "context":
                    lines.append(DiffLine(" ", old_no, new_no, f'msgid "m{k}"'))
                    old_no, new_no = old_no + 1, new_no + 1
                    continue
                old, new = {"ref": (f"#: a.py:{k}", f"#: a.py:{k + 2}"), "flag": ("#, fuzzy", "#, python-format"),
                            "msg": (f'msgstr "a{k}"', f'msgstr "b{k}"'), "indent": (f'"x{k}"', f'  "x{k}"')}[kind]
                lines.append(DiffLine("-", old_no, None, old))
                lines.append(DiffLine("+", None, new_no, new))
                old_no, new_no = old_no + 1, new_no + 1
            hunks.append(Hunk(start_old, old_no - start_old, start_new, new_no - start_new, "", lines))
        path = f"locale/l{f}/django.{'po' if f % 2 else 'pot'}"
        fd = FileDiff("modified", path, path, hunks=hunks)
        fd.additions = sum(h.additions for h in hunks)
        fd.deletions = sum(h.deletions for h in hunks)
        files.append(fd)
    return files


@settings(max_examples=60, deadline=None)
@given(catalogue_files(), st.integers(10, 200))
def test_catalogue_diffs_are_still_partitioned_exactly(files: list[FileDiff], target: int) -> None:
    plan = build_plan(files, config=ChunkConfig(target_lines=target, data_min_lines=10**9))
    assert_partition(plan, files)
    assert_bound(plan, target)
    assert plan.total_floor_seconds == sum(c.floor_seconds for c in plan.chunks)
    assert sum(c.whitespace_lines for c in plan.chunks) == sum(len(lines) for fd in files
                                                              for lines in file_whitespace_lines(fd))
    for chunk in plan.chunks:
        assert 0 <= chunk.whitespace_lines <= chunk.changed_lines
