"""The files a change of one file reaches in the dependency graph, by both graphs (whole and lazy): the member
tests of every language build a repository of sources, change one file and compare what each graph says."""

from __future__ import annotations

from collections.abc import Mapping

from app.core.git.repo import GitRepo
from app.core.impact.graph import GRAPH_SUFFIXES, blast_radius, build_graph
from app.core.impact.lazy_graph import lazy_graph_in_process
from tests.conftest import ALICE


def reach(make_repo, sources: Mapping[str, str], path: str, new_text: str) -> list[set]:
    """For the whole graph, then the lazy one: the files the change of `path` to `new_text` reaches directly, then
    its transitive counts ({0} when it reaches nothing)."""
    builder = make_repo()
    commit = builder.commit("base", dict(sources), author=ALICE)
    files = GitRepo(builder.path).tree_files(commit, GRAPH_SUFFIXES)
    change = [(path, path, new_text.encode(), sources[path].encode())]
    out: list[set] = []
    for graph in (build_graph(files), lazy_graph_in_process(files)):
        result = blast_radius(graph, change)
        out.append({c.split(":", 1)[0] for s in result.symbols for c in s.direct})
        out.append({s.transitive for s in result.symbols} or {0})
    return out
