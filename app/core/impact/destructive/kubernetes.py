"""Kubernetes manifests that destroy: containers that run destructive commands, stateful objects
removed from the manifests, volumes set to be deleted with their claims, pruning switched on.

- Containers (Pod, Deployment, StatefulSet, DaemonSet, Job, CronJob, ReplicaSet templates): `command`
  plus `args` is an argv, judged by the shell detector; `sh -c "..."` is judged as a script. A Job
  running `kubectl delete namespace prod` is found however its list is written.
- A Namespace, PersistentVolumeClaim, PersistentVolume or StatefulSet in the base manifests of the
  change and in none of its head manifests: with pruning (kubectl apply --prune, Argo CD, Flux) the
  cluster deletes it, and its volumes with it. Moved to another file of the change, it passes.
- persistentVolumeReclaimPolicy / reclaimPolicy turned to Delete; Argo CD automated prune turned on.
- A field the API server refuses to change in place, changed between the file's two versions (FIX134): a
  StatefulSet's volumeClaimTemplates, serviceName, selector or podManagementPolicy, a Deployment's or
  DaemonSet's selector, a Service's clusterIP from one address to another, a Job's pod template. The apply
  fails, and the way through is deleting the object and creating it again. Only plain values count: in a
  Helm template (read when its YAML parses once each `{{ ... }}` stands for a token) a value the template
  computes is not judged.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from app.core.impact.destructive import shell
from app.core.impact.destructive.model import SIDE_OLD, Finding, Lines, Work
from app.core.impact.destructive.reshape import RESHAPE_WEIGHT
from app.core.impact.destructive.yamlnodes import Node

_STATEFUL = {
    "Namespace": "namespace",
    "PersistentVolumeClaim": "persistent volume claim",
    "PersistentVolume": "persistent volume",
    "StatefulSet": "statefulset",
}


@dataclass(frozen=True)
class Resource:
    kind: str
    namespace: str
    name: str
    line: int
    path: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.namespace, self.name)


def is_manifest(doc: Node) -> bool:
    return doc.items is not None and "apiVersion" in doc.items and "kind" in doc.items


def resources(path: str, docs: Sequence[Node]) -> list[Resource]:
    out = []
    for doc in docs:
        if not is_manifest(doc):
            continue
        if doc.text("kind") == "List":
            items = doc.get("items")
            out.extend(resources(path, items.children or []) if items else [])
            continue
        meta = doc.get("metadata") or Node(doc.line)
        out.append(
            Resource(doc.text("kind"), meta.text("namespace", "default"), meta.text("name"), doc.line, path)
        )
    return out


def _pod_specs(doc: Node) -> list[Node]:
    kind = doc.text("kind")
    spec = doc.get("spec")
    if spec is None:
        return []
    if kind == "Pod":
        return [spec]
    if kind == "CronJob":
        job = spec.get("jobTemplate")
        spec = job.get("spec") if job else None
    template = spec.get("template") if spec else None
    pod = template.get("spec") if template else None
    return [pod] if pod is not None else []


def _container_findings(path: str, doc: Node, lines: Lines) -> list[Finding]:
    findings = []
    for pod in _pod_specs(doc):
        for group in ("initContainers", "containers"):
            containers = pod.get(group)
            for container in (containers.children or []) if containers else []:
                command = container.get("command")
                args = container.get("args")
                argv = (command.strings() if command else []) + (args.strings() if args else [])
                if not argv:
                    continue
                line = (command or args or container).line
                owner = f"{doc.text('kind')} {(doc.get('metadata') or Node(0)).text('name')}".strip()
                for verdict in shell.judge_argv(argv):
                    findings.append(
                        Finding(
                            verdict.kind,
                            path,
                            line,
                            verdict.target,
                            f"{verdict.reason} (run by {owner})",
                            lines.text_of(line),
                            detector="yaml:kubernetes",
                            key=f"{verdict.kind}:{verdict.target}",
                        )
                    )
    return findings


def _setting_findings(path: str, doc: Node, lines: Lines) -> list[Finding]:
    findings = []
    kind = doc.text("kind")
    name = (doc.get("metadata") or Node(0)).text("name")
    spec = doc.get("spec")
    policy_node = (
        spec.get("persistentVolumeReclaimPolicy")
        if spec and kind == "PersistentVolume"
        else doc.get("reclaimPolicy")
        if kind == "StorageClass"
        else None
    )
    if policy_node is not None and (policy_node.value or "").lower() == "delete":
        findings.append(
            Finding(
                "k8s-reclaim-delete",
                path,
                policy_node.line,
                f"volumes of {kind} {name}",
                "reclaim policy Delete: releasing the claim deletes the volume and its data",
                lines.text_of(policy_node.line),
                detector="yaml:kubernetes",
                key=f"reclaim:{kind}:{name}",
            )
        )
    sync = spec.get("syncPolicy") if spec and kind == "Application" else None
    automated = sync.get("automated") if sync else None
    prune = automated.get("prune") if automated else None
    if prune is not None and (prune.value or "").lower() == "true":
        findings.append(
            Finding(
                "k8s-prune",
                path,
                prune.line,
                f"resources of Application {name}",
                "automated prune: resources removed from git are deleted from the cluster",
                lines.text_of(prune.line),
                detector="yaml:kubernetes",
                key=f"prune:{name}",
            )
        )
    return findings


def manifest_findings(path: str, text: str, docs: Sequence[Node], work: Work) -> list[Finding]:
    """Destructive commands and settings in one version of a manifest file."""
    lines = Lines(text)
    findings: list[Finding] = []
    for doc in docs:
        if not is_manifest(doc):
            continue
        work.add()
        findings.extend(_container_findings(path, doc, lines))
        findings.extend(_setting_findings(path, doc, lines))
    return findings


def removed_resources(base: Sequence[Resource], head: Sequence[Resource]) -> list[Finding]:
    """Stateful objects in the base manifests of the change and in none of its head manifests."""
    remaining = {r.key for r in head}
    findings = []
    for resource in base:
        what = _STATEFUL.get(resource.kind)
        if what is None or resource.key in remaining:
            continue
        scope = (
            ""
            if resource.kind in ("Namespace", "PersistentVolume")
            else f" in namespace {resource.namespace}"
        )
        findings.append(
            Finding(
                "k8s-resource-removed",
                resource.path,
                resource.line,
                f"{what} {resource.name}{scope}",
                "removed from the manifests: applied with pruning (kubectl apply --prune, Argo CD, "
                "Flux) the cluster deletes it and the data in its volumes",
                side=SIDE_OLD,
                detector="yaml:kubernetes",
                key=f"removed:{resource.kind}:{resource.name}",
            )
        )
    return findings


# Fields the API server refuses to update (apps/v1 StatefulSet, Deployment, DaemonSet; v1 Service; batch/v1
# Job), and the value an absent one means ("" when absence is a value of its own).
_IMMUTABLE: dict[str, tuple[tuple[str, str], ...]] = {
    "StatefulSet": (("volumeClaimTemplates", "[]"), ("serviceName", ""), ("selector", ""),
                    ("podManagementPolicy", "OrderedReady")),
    "Deployment": (("selector", ""),),
    "DaemonSet": (("selector", ""),),
    "Job": (("template", ""),),
}
# Failing the apply loses no data by itself; the delete that gets past it stops the workload: a reshape's weight
IMMUTABLE_WEIGHT = RESHAPE_WEIGHT
_TOKEN = "__helm_tpl_"
_ACTION = re.compile(r"\{\{.*?\}\}", re.S)
_ACTIONS_ONLY = re.compile(r"^(\s*)(?:\{\{.*?\}\}\s*)+$")
# an action that writes nothing: a branch, a loop, a variable, a comment
_CONTROL = re.compile(r"\{\{-?\s*(?:if\b|else\b|end\b|with\b|range\b|define\b|block\b|/\*|\$\w+\s*:?=)")


@dataclass(frozen=True)
class Template:
    """A Helm template read as YAML: the text, each token's action, and the lines only some values render."""

    text: str
    actions: dict[str, str]
    conditional: frozenset[int]


_OPENS = re.compile(r"\{\{-?\s*(?:if|with|range|define|block)\b")
_ENDS = re.compile(r"\{\{-?\s*end\b")


def _conditional(lines: list[str]) -> frozenset[int]:
    """1-based lines inside an `if`, `with` or `range` opened within their document (one around a whole
    document, `{{- if .Values.enabled }}` ... `---`, renders it or not: not counted)."""
    depth, floor, started, inside = 0, 0, False, set()
    for number, line in enumerate(lines, 1):
        if line.startswith("---"):
            floor, started = depth, False
            continue
        yaml_line = bool(line.strip()) and not _ACTIONS_ONLY.match(line) and not line.lstrip().startswith("#")
        if yaml_line and not started:
            floor, started = depth, True
        if yaml_line and depth > floor:
            inside.add(number)
        depth = max(0, depth + len(_OPENS.findall(line)) - len(_ENDS.findall(line)))
    return frozenset(inside)


def template_yaml(text: str) -> Template:
    """A Helm template as YAML that may parse, and each token's action. A line of control actions only
    (`{{- if ... }}`, `{{- end }}`) becomes an empty comment: both branches are read; a line writing what the
    template computes (`{{- include "x.labels" . | nindent 4 }}`) a `token: token` entry at its indentation;
    every other action a token. Tokens name the action's text, so two versions compare equal only where it is
    the same. Line numbers are kept."""
    actions: dict[str, str] = {}

    def token(match: re.Match[str]) -> str:
        name = f"{_TOKEN}{hashlib.sha1(match.group(0).encode()).hexdigest()[:10]}__"
        actions[name] = match.group(0)
        return name

    def spanning(match: re.Match[str]) -> str:  # an action over several lines (a `{{/* ... */}}` comment) keeps them
        breaks = "\n" * match.group(0).count("\n")
        return breaks if _CONTROL.match(match.group(0)) else token(match) + breaks

    raw = re.sub(r"\{\{[^}]*\n.*?\}\}", spanning, text, flags=re.S).split("\n")
    conditional = _conditional(raw)
    lines: list[str] = []
    for number, line in enumerate(raw):
        alone = _ACTIONS_ONLY.match(line)
        if alone and len(_ACTION.findall(line)) == len(_CONTROL.findall(line)):
            line = "#"
        elif alone:
            name = _ACTION.sub(token, line.strip()).split()[0]
            indent = alone.group(1)
            # among a list's items it writes items; elsewhere entries
            near = [_nearest(reversed(raw[:number]), len(indent)), _nearest(raw[number + 1:], len(indent))]
            item = any(other.startswith(indent + "- ") for other in near)
            line = f"{indent}- {name}" if item else f"{indent}{name}: {name}"
        lines.append(line)
    return Template(_ACTION.sub(token, "\n".join(lines)), actions, conditional)


def _nearest(lines: Iterable[str], indent: int) -> str:
    """The first of these lines at this indentation or less, YAML's own (comments, blanks and actions aside)."""
    for line in lines:
        stripped = line.lstrip()
        if stripped and not stripped.startswith("#") and not _ACTIONS_ONLY.match(line) \
                and len(line) - len(stripped) <= indent:
            return line
    return ""


_PLAIN: tuple[frozenset[int], frozenset[int]] = (frozenset(), frozenset())


def _differs(old: Node | None, new: Node | None, ifs: tuple[frozenset[int], frozenset[int]] = _PLAIN) -> bool | None:
    """True when the two differ in a plain value, None when they differ only where a template computes it or
    decides it (`ifs`: the base's and the head's lines inside a template's conditions)."""
    if old is None or new is None:  # a key written on one side only, whatever its value: the spec differs
        return old is not new
    if old.value is not None or new.value is not None:
        if old.value == new.value:
            return False
        return None if _templated(old) or _templated(new) else True
    verdicts: list[bool | None] = []
    if old.items is not None and new.items is not None:
        # a key on one side only may be what the other side's computed entries write
        computed = any(_TOKEN in key for key in [*old.items, *new.items])
        for key in {*old.items, *new.items}:
            alone = key not in old.items or key not in new.items
            decided = old.key_lines.get(key) in ifs[0] or new.key_lines.get(key) in ifs[1]
            verdicts.append(None if alone and (computed or decided)
                            else _differs(old.items.get(key), new.items.get(key), ifs))
    elif old.children is not None and new.children is not None:
        size = max(len(old.children), len(new.children))
        for index in range(size):
            was, now = _at(old.children, index), _at(new.children, index)
            single = was if now is None else now if was is None else None
            # an item on one side only that a template writes, or writes when a value says so, is not judged
            verdicts.append(None if single is not None and (_templated(single) or single.line in ifs[was is None])
                            else _differs(was, now, ifs))
    else:
        return None if _templated(old) or _templated(new) else True
    return True if True in verdicts else None if None in verdicts else False


def _at(nodes: list[Node], index: int) -> Node | None:
    return nodes[index] if index < len(nodes) else None


def _templated(node: Node) -> bool:
    keys = any(_TOKEN in key for item in _mappings(node) for key in item.items or {})
    return keys or any(_TOKEN in (scalar.value or "") for scalar in node.scalars())


def _mappings(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        item = stack.pop()
        if item.items is not None:
            yield item
        stack.extend([*(item.items or {}).values(), *(item.children or [])])


def _objects(docs: Sequence[Node]) -> Iterator[tuple[tuple[str, str, str], Node]]:
    for doc in docs:
        if is_manifest(doc):
            meta = doc.get("metadata") or Node(doc.line)
            yield (doc.text("kind"), meta.text("namespace", "default"), meta.text("name")), doc


def _recreated_each_time(doc: Node) -> bool:
    """A Job the tool deletes and creates anew (a Helm or Argo CD hook, generateName, Argo CD's Replace)."""
    meta = doc.get("metadata") or Node(doc.line)
    notes = meta.get("annotations")
    keys = " ".join((notes.items or {}).keys()) if notes else ""
    values = " ".join(n.value or "" for n in (notes.items or {}).values()) if notes else ""
    return "helm.sh/hook" in keys or "argocd.argoproj.io/hook" in keys or "Replace=true" in values \
        or meta.get("generateName") is not None


def _reason(kind: str, field: str) -> str:
    if kind == "StatefulSet":
        said = ("existing PersistentVolumeClaims keep the old template: the change reaches only claims made "
                "after it" if field == "volumeClaimTemplates" else "")
        return ("immutable: the apply fails until the StatefulSet is deleted (with --cascade=orphan its pods "
                "keep running; without, they all stop) and created again" + (f"; {said}" if said else ""))
    if kind == "Service":
        return ("immutable: the apply fails until the Service is deleted and created again, under a new "
                "address: clients that kept the old one lose it")
    if kind == "Job":
        return ("immutable: the apply fails until the Job is deleted and created again, and the new Job runs "
                "its pods again")
    return (f"immutable: the apply fails until the {kind} is deleted and created again (its pods stop "
            "meanwhile, unless deleted with --cascade=orphan)")


def immutable_changes(path: str, base_docs: Sequence[Node], head_docs: Sequence[Node], new: Lines,
                      templates: tuple[Template, Template] | None = None) -> list[Finding]:
    """Fields the API server refuses to change in place, changed between one manifest file's two versions
    (`templates`: a Helm template's two readings, for the actions its tokens stand for and its conditions)."""
    actions = {**templates[0].actions, **templates[1].actions} if templates else {}
    ifs = (templates[0].conditional, templates[1].conditional) if templates else _PLAIN
    before = dict(_objects(base_docs))
    findings = []
    for key, doc in _objects(head_docs):
        old = before.get(key)
        kind, _, name = key
        spec, old_spec = doc.get("spec"), old.get("spec") if old is not None else None
        if old is None or spec is None or old_spec is None:
            continue
        fields = _IMMUTABLE.get(kind, ())
        if kind == "Service":
            was, now = old_spec.get("clusterIP"), spec.get("clusterIP")
            # between two values only: set or unset lets the server keep or choose one
            fields = (("clusterIP", ""),) if was is not None and now is not None and was.value and now.value else ()
        if kind == "Job" and (_recreated_each_time(doc) or _recreated_each_time(old)):
            continue
        for field, default in fields:
            was, now = old_spec.get(field), spec.get(field)
            if field == "volumeClaimTemplates":
                was, now = _claims(was), _claims(now)
            if default and (was is None) != (now is None):
                written = was or now
                if written is not None and (written.value == default or (default == "[]" and written.children == [])):
                    continue  # the default written out, or left to be the default
            if (was is None) != (now is None) and (
                    old_spec.key_lines.get(field) in ifs[0] or spec.key_lines.get(field) in ifs[1]):
                continue  # written or left out as a value decides
            if not _differs(was, now, ifs):
                continue
            line = spec.key_lines.get(field, doc.key_lines.get("spec", doc.line))  # removed: its spec's line
            findings.append(Finding(
                "k8s-immutable-changed", path, line, f"{kind} {_written(name, actions)} spec.{field}",
                _reason(kind, field),
                new.text_of(line), detector="yaml:kubernetes", key=f"immutable:{kind}:{key[1]}:{name}:{field}",
                weight=IMMUTABLE_WEIGHT))
    return findings


def _claims(templates: Node | None) -> Node | None:
    """Claim templates without what the server fills in and leaves out of the comparison: a template given its
    apiVersion and kind (grafana/helm-charts 7870c399d, against Argo CD's drift) changes nothing."""
    if templates is None or templates.children is None:
        return templates
    return Node(templates.line, children=[
        Node(claim.line, items={k: v for k, v in claim.items.items() if k not in ("apiVersion", "kind", "status")},
             key_lines=claim.key_lines) if claim.items is not None else claim for claim in templates.children])


def _written(name: str, actions: dict[str, str]) -> str:
    return re.sub(_TOKEN + r"\w{10}__", lambda m: actions.get(m.group(0), m.group(0)), name)
