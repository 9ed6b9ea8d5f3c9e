"""A Helm chart's values that lose data (QA66): `persistence.enabled` turned off (the workload writes to an
emptyDir from the next rollout) and `fullnameOverride` changed to another name (every object renamed: a StatefulSet
starts on new, empty volumes). Values files were read only for shell commands and TLS settings, so both passed
as safe; a size change, or a values file's other keys, stay quiet."""

from __future__ import annotations

import json

from click.testing import CliRunner

from app.cli import cli
from tests.conftest import ALICE

VALUES = '''fullnameOverride: orders-db
primary:
  resources:
    limits:
      memory: 2Gi
  persistence:
    enabled: true
    size: 8Gi
'''
TEMPLATE = '''apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ .Values.fullnameOverride }}
'''


def test_helm_values_that_lose_data_are_destructive(make_repo) -> None:
    repo = make_repo()
    repo.commit("chart", {"charts/db/Chart.yaml": "apiVersion: v2\nname: db\nversion: 1.0.0\n",
                          "charts/db/templates/statefulset.yaml": TEMPLATE, "charts/db/values.yaml": VALUES,
                          "charts/db/values-prod.yaml": VALUES}, author=ALICE)
    edits = {
        "no-persistence": {"charts/db/values-prod.yaml": VALUES.replace("enabled: true", "enabled: false")},
        "rename": {"charts/db/values.yaml": VALUES.replace("orders-db", "orders-db-v2")},
        "drop-override": {"charts/db/values.yaml": VALUES.replace("fullnameOverride: orders-db\n", "")},
        "null-override": {"charts/db/values.yaml": VALUES.replace("orders-db", "null")},
        "resize": {"charts/db/values.yaml": VALUES.replace("8Gi", "16Gi").replace("2Gi", "4Gi")},
    }
    for branch, files in edits.items():
        repo.branch(branch, "main")
        repo.commit(branch, files, branch=branch, author=ALICE)
    result = CliRunner().invoke(cli, ["list", "--repo", str(repo.path), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    listed = {item["id"]: item for item in json.loads(result.stdout)}
    ops = {branch: [(op["kind"], op["path"], op["line"], op["side"], op["explanation"])
                    for op in item["destructive_ops"]] for branch, item in listed.items()}
    assert ops["resize"] == []
    assert ops["no-persistence"] == [(
        "helm-persistence-off", "charts/db/values-prod.yaml", 7, "new",
        "primary.persistence: enabled true -> false: the workload's data goes to an emptyDir from "
        "the next rollout (lost on every restart) and the volume it had is no longer mounted")]
    assert ops["rename"] == [(
        "helm-renamed", "charts/db/values.yaml", 1, "new",
        'fullnameOverride: "orders-db" -> "orders-db-v2": every object the chart makes is renamed: the upgrade '
        "deletes the old ones and creates new ones, and a StatefulSet renamed starts on new, empty volumes")]
    # unset, the chart's own default name applies, which is not read here: grafana/helm-charts 9b576e194 set
    # promtail's nameOverride "promtail" -> null, the chart's name, and renamed nothing
    assert ops["drop-override"] == [] and ops["null-override"] == []
    assert {listed[b]["band"] for b in ("no-persistence", "rename")} == {"critical"}
