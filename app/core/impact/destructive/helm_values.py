"""A Helm chart's values file that loses data, compared between the change's two versions (QA66).

A chart's templates are Go templates (not read here), so what an upgrade does to its volumes is decided by
its values:
- `persistence.enabled` (at any depth: `primary.persistence`, `master.persistence`...) turned from true to
  false: the workload mounts an emptyDir from the next rollout, so what it writes is lost on every restart,
  and what the volume held is no longer mounted (a StatefulSet's claim template cannot change in place: the
  upgrade fails until someone deletes the StatefulSet);
- `fullnameOverride` / `nameOverride` changed from one name to another: every object the chart makes is
  renamed, so the upgrade deletes the old ones and creates new ones; a StatefulSet's claims are named after
  it, so the renamed one starts on new, empty volumes. Set or unset (null) is passed by: what the chart
  names things without it (Chart.yaml's name, the release's) is not read here.
A values file is `values.yaml`, `values-<env>.yaml` or `values.<env>.yaml` (`.yml` too).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from app.core.impact.destructive.model import Finding, Lines
from app.core.impact.destructive.yamlnodes import Node

_VALUES_FILE = re.compile(r"^values(?:[-.][\w.-]+)?\.ya?ml$")
_RENAMES = ("fullnameOverride", "nameOverride")
MAX_DEPTH = 6  # persistence sits at most a few levels down (`primary.persistence`, `server.data.persistence`)


def is_values_file(path: str) -> bool:
    return bool(_VALUES_FILE.match(posixpath.basename(path).lower()))


def _on(node: Node | None) -> bool:
    return node is not None and (node.value or "").strip().lower() == "true"


def _persistence(base: Node, head: Node, where: str, depth: int = 0) -> Iterator[tuple[str, Node]]:
    """(dotted path, head's `enabled` node) of each `persistence` mapping turned off between base and head."""
    if depth > MAX_DEPTH or base.items is None or head.items is None:
        return
    for key, old in base.items.items():
        new = head.items.get(key)
        if new is None:
            continue
        path = f"{where}.{key}" if where else key
        if key == "persistence" and _on(old.get("enabled")):
            enabled = new.get("enabled")
            if enabled is not None and enabled.value is not None and not _on(enabled):
                yield path, enabled
            continue
        yield from _persistence(old, new, path, depth + 1)


def values_findings(path: str, base: Node | None, head: Node | None, old: Lines, new: Lines) -> list[Finding]:
    """What a change of one values file loses (the two versions' first documents; `old`, `new`: their text)."""
    if base is None or head is None or base.items is None or head.items is None:
        return []
    findings = []
    for where, enabled in _persistence(base, head, ""):
        findings.append(Finding(
            "helm-persistence-off", path, enabled.line, where,
            f"enabled true -> {enabled.value}: the workload's data goes to an emptyDir from the next rollout "
            "(lost on every restart) and the volume it had is no longer mounted",
            new.text_of(enabled.line), detector="yaml:helm", key=f"helm-persistence-off:{where}"))
    for name in _RENAMES:
        was, now = _name(base, name), _name(head, name)
        if not was or not now or was == now:
            continue  # set or unset: the chart's own default name is not read here (promtail's "promtail" -> null)
        line = head.key_lines.get(name, head.items[name].line)
        findings.append(Finding(
            "helm-renamed", path, line, name,
            f'"{was}" -> "{now}": every object the chart makes is renamed: the upgrade deletes the old ones '
            "and creates new ones, and a StatefulSet renamed starts on new, empty volumes",
            new.text_of(line), detector="yaml:helm", key=f"helm-renamed:{name}:{now}"))
    return findings


def _name(values: Node, key: str) -> str:
    """A name override as set, "" when absent or null."""
    text = values.text(key).strip()
    return "" if text in ("null", "~", "Null", "NULL") else text
