"""The Kubernetes manifests (deploy/kubernetes: a kustomize base and two overlays),
rendered by ``kubectl kustomize`` as ``kubectl apply -k`` would, each resource
validated offline against the Kubernetes API's schemas (kubernetes-validate,
strict: an unknown or misspelt field fails), then held to what the assistant
needs: probes on its health endpoints, resources, an unprivileged read-only
container, secrets by reference, a purge, network policies, and per overlay
SQLite on one volume or PostgreSQL and Redis for several servers."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from functools import cache

import pytest
import yaml

from bot.channels.teams.channel import DRAIN_SECONDS
from bot.cli.healthcheck import ACTION_SERVER_PATH, LIVE_PATH, READY_PATH
from bot.config import PROJECT_ROOT, Settings
from tests import build_context

KUBERNETES = PROJECT_ROOT / "deploy" / "kubernetes"
OVERLAYS = ("single", "scaled")
SCHEMA_VERSION = "1.28.0"  # the newest kubernetes-validate 1.28.3 holds (rasa pins its jsonschema)
KNOWN_SETTINGS = set(
    re.findall(r'"(CCE_[A-Z_]+)"', (PROJECT_ROOT / "bot" / "config.py").read_text())
)
SECRET_KEYS = {"secret-key", "database-url", "redis-url", "teams-app-password"}
IMAGE_USER = 10001


@cache
def rendered(overlay: str) -> tuple[dict, ...]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.fail("kubectl is not installed: it renders the kustomize overlays.")
    result = subprocess.run([kubectl, "kustomize", str(KUBERNETES / "overlays" / overlay)],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def of_kind(overlay: str, kind: str) -> dict[str, dict]:
    return {r["metadata"]["name"]: r for r in rendered(overlay) if r["kind"] == kind}


def pod_specs(overlay: str) -> dict[str, dict]:
    specs = {
        name: d["spec"]["template"]["spec"] for name, d in of_kind(overlay, "Deployment").items()
    }
    for name, job in of_kind(overlay, "CronJob").items():
        specs[name] = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return specs


def env_of(container: dict) -> dict[str, dict]:
    return {e["name"]: e for e in container.get("env", [])}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_overlay_renders_and_every_resource_passes_the_api_schema(overlay):
    import kubernetes_validate

    kinds = sorted(r["kind"] for r in rendered(overlay))
    assert {"Deployment", "Service", "Ingress", "CronJob", "NetworkPolicy", "ConfigMap"} <= set(
        kinds
    )
    for resource in rendered(overlay):
        kubernetes_validate.validate(resource, SCHEMA_VERSION, strict=True)


def test_the_validator_rejects_a_misspelt_field():
    import kubernetes_validate

    deployment = copy.deepcopy(of_kind("single", "Deployment")["cce-assistant"])
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["readinesProbe"] = container.pop("readinessProbe")
    with pytest.raises(kubernetes_validate.ValidationError, match="readinesProbe"):
        kubernetes_validate.validate(deployment, SCHEMA_VERSION, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_is_unprivileged_read_only_and_bounded(overlay):
    for name, spec in pod_specs(overlay).items():
        assert spec["automountServiceAccountToken"] is False, name
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True and pod["runAsUser"] == IMAGE_USER, name
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}
        for container in spec["containers"]:
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["allowPrivilegeEscalation"] is False
            assert security["capabilities"] == {"drop": ["ALL"]}
            for bound in ("requests", "limits"):
                assert set(container["resources"][bound]) == {"cpu", "memory"}, (name, bound)
            # What a read-only root leaves writable: /tmp and the data folder.
            mounts = {m["mountPath"] for m in container["volumeMounts"]}
            assert mounts == {"/tmp", build_context.environment()["CCE_VAR_DIR"]}
            assert container["image"] == "registry.example.org/cce-assistant:0.1.0"
    assert f"USER {IMAGE_USER}:{IMAGE_USER}" in build_context.DOCKERFILE.read_text()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_servers_are_probed_on_their_health_endpoints(overlay):
    for name, spec in pod_specs(overlay).items():
        if name == "cce-purge":
            continue
        container = spec["containers"][0]
        probes = {kind: container[kind]["httpGet"]["path"]
                  for kind in ("startupProbe", "livenessProbe", "readinessProbe")}  # fmt: skip
        if name == "cce-assistant":
            # A stopping server finishes its requests and its accepted Teams turns first.
            assert spec["terminationGracePeriodSeconds"] >= 15 + DRAIN_SECONDS
            assert probes == {"startupProbe": LIVE_PATH, "livenessProbe": LIVE_PATH,
                              "readinessProbe": READY_PATH}  # fmt: skip
            assert container["ports"] == [{"name": "http", "containerPort": Settings().port}]
        else:
            assert set(probes.values()) == {ACTION_SERVER_PATH}, name
            assert container["ports"][0]["containerPort"] == Settings().action_port


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_settings_are_known_and_secrets_come_only_from_the_secret(overlay):
    settings = next(iter(of_kind(overlay, "ConfigMap").values()))
    assert set(settings["data"]) <= KNOWN_SETTINGS
    for spec in pod_specs(overlay).values():
        for container in spec["containers"]:
            env = env_of(container)
            assert set(env) <= KNOWN_SETTINGS, set(env) - KNOWN_SETTINGS
            assert env["CCE_SECRET_KEY"]["valueFrom"]["secretKeyRef"]["key"] == "secret-key"
            for entry in env.values():
                if "valueFrom" in entry:
                    ref = entry["valueFrom"]["secretKeyRef"]
                    assert ref["name"] == "cce-secrets" and ref["key"] in SECRET_KEYS
                else:  # plain values are never secrets
                    assert not re.search(r"KEY|PASSWORD|_URL$", entry["name"]) or (
                        entry["name"] == "CCE_ACTION_SERVER_URL"
                    ), entry
    assert not of_kind(overlay, "Secret")  # created by the council, never shipped


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_purge_runs_daily_one_at_a_time(overlay):
    job = of_kind(overlay, "CronJob")["cce-purge"]
    assert job["spec"]["schedule"] == "15 3 * * *" and job["spec"]["concurrencyPolicy"] == "Forbid"
    container = pod_specs(overlay)["cce-purge"]["containers"][0]
    assert container["command"] == ["python", "-m", "bot", "purge"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pod_has_a_network_policy_and_only_the_ingress_controller_reaches_the_servers(
    overlay,
):
    policies = of_kind(overlay, "NetworkPolicy")
    covered = {p["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/component"]
               for p in policies.values()}  # fmt: skip
    components = {d["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"]
                  for d in of_kind(overlay, "Deployment").values()} | {"purge"}  # fmt: skip
    assert covered == components
    for policy in policies.values():
        assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
    servers = policies["cce-assistant"]["spec"]["ingress"]
    assert servers == [{
        "from": [{"namespaceSelector": {"matchLabels": {
            "kubernetes.io/metadata.name": "ingress-nginx"}}}],
        "ports": [{"port": "http", "protocol": "TCP"}],
    }]  # fmt: skip
    assert policies["cce-purge"]["spec"]["ingress"] == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_ingress_routes_only_the_public_paths_over_tls(overlay):
    paths = set()
    for ingress in of_kind(overlay, "Ingress").values():
        assert ingress["spec"]["tls"][0]["secretName"] == "cce-tls"
        annotations = ingress["metadata"]["annotations"]
        assert annotations["nginx.ingress.kubernetes.io/ssl-redirect"] == "true"
        assert int(annotations["nginx.ingress.kubernetes.io/limit-rps"]) > 0
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                paths.add((path["path"], path["pathType"]))
                assert path["backend"]["service"]["name"] == "cce-assistant"
    assert paths == {("/", "Exact"), ("/privacy", "Exact"), ("/accessibility", "Exact"),
                     ("/assets/page.css", "Exact"), ("/webhooks/rest/webhook", "Exact"),
                     ("/webhooks/web", "Prefix"), ("/webhooks/teams", "Prefix")}  # fmt: skip


def test_single_is_one_replaced_server_on_sqlite_on_a_volume_shared_with_the_purge():
    deployment = of_kind("single", "Deployment")["cce-assistant"]
    assert deployment["spec"]["replicas"] == 1 and deployment["spec"]["strategy"] == {
        "type": "Recreate"
    }
    assert set(of_kind("single", "Deployment")) == {"cce-assistant"}
    specs = pod_specs("single")
    assert specs["cce-assistant"]["containers"][0]["command"] == ["python", "-m", "bot", "serve"]
    claim = of_kind("single", "PersistentVolumeClaim")["cce-var"]
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    for name in ("cce-assistant", "cce-purge"):
        volumes = {v["name"]: v for v in specs[name]["volumes"]}
        assert volumes["var"] == {"name": "var", "persistentVolumeClaim": {"claimName": "cce-var"}}
        env = env_of(specs[name]["containers"][0])
        assert not {"CCE_TRACKER_DB_URL", "CCE_DATABASE_URL", "CCE_REDIS_URL"} & set(env)
    affinity = specs["cce-purge"]["affinity"]["podAffinity"]
    term = affinity["requiredDuringSchedulingIgnoredDuringExecution"][0]
    assert term["topologyKey"] == "kubernetes.io/hostname"
    assert term["labelSelector"]["matchLabels"]["app.kubernetes.io/component"] == "rasa"


def test_scaled_is_several_rasa_servers_and_action_servers_on_postgresql_and_redis():
    deployments = of_kind("scaled", "Deployment")
    assert deployments["cce-assistant"]["spec"]["replicas"] >= 2
    assert deployments["cce-actions"]["spec"]["replicas"] >= 2
    assert deployments["cce-assistant"]["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    specs = pod_specs("scaled")
    rasa = specs["cce-assistant"]["containers"][0]
    actions = specs["cce-actions"]["containers"][0]
    assert rasa["command"] == ["python", "-m", "bot", "serve", "--only", "rasa"]
    assert actions["command"] == ["python", "-m", "bot", "serve", "--only", "actions"]
    env = env_of(rasa)
    service = of_kind("scaled", "Service")["cce-actions"]
    assert env["CCE_ACTION_SERVER_URL"]["value"] == (
        f"http://cce-actions:{service['spec']['ports'][0]['port']}/webhook"
    )
    assert service["spec"]["ports"][0]["port"] == Settings().action_port
    for name, key in {"CCE_TRACKER_DB_URL": "database-url", "CCE_DATABASE_URL": "database-url",
                      "CCE_REDIS_URL": "redis-url"}.items():  # fmt: skip
        assert env[name]["valueFrom"]["secretKeyRef"]["key"] == key
    assert env_of(actions)["CCE_DATABASE_URL"]["valueFrom"]["secretKeyRef"]["key"] == "database-url"
    purge = env_of(specs["cce-purge"]["containers"][0])
    assert {"CCE_TRACKER_DB_URL", "CCE_DATABASE_URL"} <= set(purge)
    budgets = of_kind("scaled", "PodDisruptionBudget")
    assert {b["spec"]["minAvailable"] for b in budgets.values()} == {1} and len(budgets) == 2
    egress = of_kind("scaled", "NetworkPolicy")["cce-assistant"]["spec"]["egress"]
    ports = {p["port"] for rule in egress for p in rule["ports"]}
    assert {53, 443, Settings().action_port, 5432, 6379} <= ports
