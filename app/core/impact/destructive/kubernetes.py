"""Kubernetes manifests that destroy: containers that run destructive commands, stateful objects
removed from the manifests, volumes set to be deleted with their claims, pruning switched on.

- Containers (Pod, Deployment, StatefulSet, DaemonSet, Job, CronJob, ReplicaSet templates): `command`
  plus `args` is an argv, judged by the shell detector; `sh -c "..."` is judged as a script. A Job
  running `kubectl delete namespace prod` is found however its list is written.
- A Namespace, PersistentVolumeClaim, PersistentVolume or StatefulSet in the base manifests of the
  change and in none of its head manifests: with pruning (kubectl apply --prune, Argo CD, Flux) the
  cluster deletes it, and its volumes with it. Moved to another file of the change, it passes.
- persistentVolumeReclaimPolicy / reclaimPolicy turned to Delete; Argo CD automated prune turned on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.core.impact.destructive import shell
from app.core.impact.destructive.model import SIDE_OLD, Finding, Lines, Work
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
