"""Kubernetes fields the API server refuses to change in place (FIX134): a StatefulSet's volumeClaimTemplates,
serviceName, selector and podManagementPolicy, a Deployment's selector, a Service's clusterIP between two
addresses, a Job's pod template. The apply fails and the way through is deleting the object, so each is a
destructive finding weighing a reshape's 0.5; what may change in place (replicas, the pod template of a
StatefulSet) and what a Helm template computes (`{{ .Values.x }}`) stay quiet."""

from __future__ import annotations

import json

from click.testing import CliRunner

from app.cli import cli
from tests.conftest import ALICE

STATEFULSET = '''apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: orders-db
spec:
  serviceName: orders-db
  replicas: 3
  selector:
    matchLabels:
      app: orders-db
  template:
    metadata:
      labels:
        app: orders-db
    spec:
      containers:
        - name: postgres
          image: postgres:15
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 10Gi
---
apiVersion: v1
kind: Service
metadata:
  name: orders-db
spec:
  clusterIP: 10.0.0.10
  ports:
    - port: 5432
---
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    spec:
      containers:
        - name: migrate
          image: orders:1
      restartPolicy: Never
'''
POLICY = "  podManagementPolicy: "
CHART = "charts/db/templates/statefulset.yaml"
TEMPLATE = '''{{- if .Values.enabled }}
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ include "db.fullname" . }}
  labels:
    {{- include "db.labels" . | nindent 4 }}
spec:
  serviceName: {{ include "db.fullname" . }}-headless
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      {{- include "db.selectorLabels" . | nindent 6 }}
      component: primary
  template:
    spec:
      containers:
        {{- with .Values.extraContainers }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
        - name: db
          image: "{{ .Values.image }}"
  volumeClaimTemplates:
    - metadata:
        name: data
        labels:
          {{- include "db.labels" . | nindent 10 }}
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: {{ .Values.size }}
{{- end }}
'''


def test_immutable_fields_changed_are_destructive(make_repo) -> None:
    repo = make_repo()
    repo.commit("manifests", {"deploy/db.yaml": STATEFULSET, "charts/db/templates/statefulset.yaml": TEMPLATE},
                author=ALICE)
    edits = {
        "storage": {"deploy/db.yaml": STATEFULSET.replace("10Gi", "50Gi")},
        "service-name": {"deploy/db.yaml": STATEFULSET.replace("serviceName: orders-db", "serviceName: db")},
        "parallel": {"deploy/db.yaml": STATEFULSET.replace("  replicas: 3", f"  replicas: 3\n{POLICY}Parallel")},
        "default-written": {"deploy/db.yaml": STATEFULSET.replace(
            "  replicas: 3", f"  replicas: 3\n{POLICY}OrderedReady")},
        "cluster-ip": {"deploy/db.yaml": STATEFULSET.replace("10.0.0.10", "10.0.0.20")},
        "cluster-ip-unset": {"deploy/db.yaml": STATEFULSET.replace("  clusterIP: 10.0.0.10\n", "")},
        "job": {"deploy/db.yaml": STATEFULSET.replace("orders:1", "orders:2")},
        "claim-kind": {"deploy/db.yaml": STATEFULSET.replace(
            "    - metadata:\n", "    - apiVersion: v1\n      kind: PersistentVolumeClaim\n      metadata:\n")},
        "in-place": {"deploy/db.yaml": STATEFULSET.replace("replicas: 3", "replicas: 5").replace(":15", ":16")},
        "chart-selector": {"charts/db/templates/statefulset.yaml": TEMPLATE.replace("primary", "main")},
        "chart-selector-computed": {"charts/db/templates/statefulset.yaml": TEMPLATE.replace(
            '      {{- include "db.selectorLabels" . | nindent 6 }}', "      app: db")},
        "chart-access": {"charts/db/templates/statefulset.yaml": TEMPLATE.replace("Once]", "Many]")},
        "chart-claim-labels-removed": {"charts/db/templates/statefulset.yaml": TEMPLATE.replace(
            '        labels:\n          {{- include "db.labels" . | nindent 10 }}\n', "")},
        "chart-claim-annotations-if": {"charts/db/templates/statefulset.yaml": TEMPLATE.replace(
            "        name: data\n", "        name: data\n        {{- with .Values.claimAnnotations }}\n"
            "        annotations:\n          {{- toYaml . | nindent 10 }}\n        {{- end }}\n")},
        "chart-computed": {"charts/db/templates/statefulset.yaml": TEMPLATE.replace(
            "{{ .Values.size }}", "{{ .Values.persistence.size }}").replace("-headless", "-hl")},
    }
    for branch, files in edits.items():
        repo.branch(branch, "main")
        repo.commit(branch, files, branch=branch, author=ALICE)
    result = CliRunner().invoke(cli, ["list", "--repo", str(repo.path), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    listed = {item["id"]: item for item in json.loads(result.stdout)}
    ops = {branch: [(op["path"], op["line"], op["explanation"].split(": immutable")[0])
                    for op in item["destructive_ops"] if op["kind"] == "k8s-immutable-changed"]
           for branch, item in listed.items()}
    assert ops["storage"] == [("deploy/db.yaml", 19, "StatefulSet orders-db spec.volumeClaimTemplates")]
    assert ops["service-name"] == [("deploy/db.yaml", 6, "StatefulSet orders-db spec.serviceName")]
    assert ops["parallel"] == [("deploy/db.yaml", 8, "StatefulSet orders-db spec.podManagementPolicy")]
    assert ops["cluster-ip"] == [("deploy/db.yaml", 33, "Service orders-db spec.clusterIP")]
    assert ops["job"] == [("deploy/db.yaml", 42, "Job migrate spec.template")]
    assert ops["chart-selector"] == [("charts/db/templates/statefulset.yaml", 11,
                                      'StatefulSet {{ include "db.fullname" . }} spec.selector')]
    assert ops["chart-access"] == [("charts/db/templates/statefulset.yaml", 23,
                                    'StatefulSet {{ include "db.fullname" . }} spec.volumeClaimTemplates')]
    # labels every install's claims had, removed (grafana/helm-charts 2b234c451)
    assert ops["chart-claim-labels-removed"] == [
        (CHART, 23, 'StatefulSet {{ include "db.fullname" . }} spec.volumeClaimTemplates')]
    # the default written out, the address left for the server to keep, what may change in place, and what the
    # template computes (another value's name, another suffix on a computed name, labels an include wrote that
    # may be the ones written out instead) are not judged
    # a claim template given the apiVersion and kind the server fills in (grafana/helm-charts 7870c399d) too
    # (annotations only a value renders: grafana/helm-charts 64cdf5b19)
    for branch in ("default-written", "cluster-ip-unset", "claim-kind", "in-place", "chart-computed",
                   "chart-selector-computed", "chart-claim-annotations-if"):
        assert ops[branch] == [], branch
    storage = next(op for op in listed["storage"]["destructive_ops"] if op["kind"] == "k8s-immutable-changed")
    assert storage["explanation"] == (
        "StatefulSet orders-db spec.volumeClaimTemplates: immutable: the apply fails until the StatefulSet is deleted "
        "(with --cascade=orphan its pods keep running; without, they all stop) and created again; existing "
        "PersistentVolumeClaims keep the old template: the change reaches only claims made after it")
    assert listed["storage"]["band"] == "critical"
    destructive = next(f for f in listed["storage"]["factors"] if f["name"] == "destructive")
    assert destructive["normalised"] == 0.5  # a reshape's weight: the apply fails, no data is lost by it
