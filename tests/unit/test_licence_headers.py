"""Licence headers of new files are skimmed, not read at the code rate (QA58 F2: 6,286 of 133,908 added lines of
fineract's 193 pending changes were the ASF header of new files; pr/3994 1,248 of 3,031). Real git repositories,
the planner's own plan, the diff view's dimmed lines and `chunks`' table."""

from __future__ import annotations

from click.testing import CliRunner

from app.cli import cli
from app.core.planner.model import ChunkConfig
from app.core.planner.whitespace import file_whitespace_lines
from tests.conftest import ALICE, BOB
from tests.unit.test_chunks import assert_partition, plan_for

ASF = """/**
 * Licensed to the Apache Software Foundation (ASF) under one
 * or more contributor license agreements. See the NOTICE file
 * distributed with this work for additional information
 * regarding copyright ownership. The ASF licenses this file
 * to you under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License. You may obtain a copy of the License at
 *
 * http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing,
 * software distributed under the License is distributed on an
 * "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY
 * KIND, either express or implied. See the License for the
 * specific language governing permissions and limitations
 * under the License.
 */
"""
CODE = ("package org.apache.fineract.note;\n\npublic class NoteService {\n"
        + "".join(f"    public int note{i}(int a) {{\n        if (a > {i}) {{\n            return a;\n        }}\n"
                  f"        return {i};\n    }}\n" for i in range(6)) + "}\n")
XML = ('<?xml version="1.0" encoding="UTF-8"?>\n<!--\n\n'
       '    Licensed to the Apache Software Foundation (ASF) under one\n'
       '    or more contributor license agreements.\n\n-->\n<databaseChangeLog>\n  <changeSet id="1" author="a">\n'
       '    <createTable tableName="m_note"/>\n  </changeSet>\n</databaseChangeLog>\n')
DOC = "/**\n * Keeps the notes of a loan: who wrote them, and when.\n * Licence checks happen elsewhere.\n */\n"
NOTE = "src/main/java/org/apache/fineract/note/NoteService.java"


def _repo(make_repo):
    b = make_repo("fineract")
    b.commit("init", {"README.md": "x\n", "src/main/java/Old.java": ASF + "class Old {}\n"}, author=ALICE)
    b.branch("notes")
    b.commit("Add notes", {NOTE: ASF + CODE, "src/main/resources/db/0001_note.xml": XML,
                           "src/main/java/org/apache/fineract/note/Doc.java": DOC + "class Doc {}\n",
                           "src/main/java/Old.java": ASF.replace("NOTICE", "NOTICE.txt") + "class Old {}\n"},
             branch="notes", author=BOB)
    b.checkout()
    return b


def test_a_new_files_licence_header_is_skimmed_and_said(make_repo) -> None:
    b = _repo(make_repo)
    plan, files = plan_for(b.path, "main", "notes", config=ChunkConfig())
    assert_partition(plan, files)
    chunk = next(c for c in plan.chunks if NOTE in c.files)
    header = ASF.count("\n")
    assert chunk.licence_lines == header + 6, chunk  # the Java header and the XML changelog's (6 lines)
    assert "licence header lines (the licence text new files open with: skimmed) at 4000/h" in chunk.floor_derivation
    # every other line is still read at the code rate: the code, the XML declaration and changeSet, the doc comment
    # and the modified file's header
    derivation = chunk.floor_derivation
    assert derivation.startswith(f"{chunk.changed_lines - header - 6} code lines T2"), derivation
    by_path = {fd.path: fd for fd in files}
    assert sorted(file_whitespace_lines(by_path[NOTE])[0]) == list(range(header))  # dimmed in the diff view
    xml = sorted(file_whitespace_lines(by_path["src/main/resources/db/0001_note.xml"])[0])
    assert xml == [1, 2, 3, 4, 5, 6], xml  # after the XML declaration, to the comment's close
    # a leading comment that is not licence text, and a modified file's header, are read
    assert not any(file_whitespace_lines(by_path["src/main/java/org/apache/fineract/note/Doc.java"]))
    assert not any(file_whitespace_lines(by_path["src/main/java/Old.java"]))
    result = CliRunner().invoke(cli, ["chunks", "notes", "--repo", str(b.path), "--width", "250"],
                                catch_exceptions=False)
    assert "lines only re-indented or licence text of new files" in result.output, result.output
