"""The Compose file and the Helm values cannot run here (no container engine);
keep them honest: they parse, and they name the same image, ports, commands and
settings as the local configuration."""

from __future__ import annotations

import re

import yaml

from bot.config import PROJECT_ROOT, Settings

DEPLOY = PROJECT_ROOT / "deploy"
SETTINGS_SOURCE = (PROJECT_ROOT / "bot" / "config.py").read_text()
KNOWN_SETTINGS = set(re.findall(r'"(CCE_[A-Z_]+)"', SETTINGS_SOURCE))
RASA = ["python", "-m", "bot", "serve", "--only", "rasa"]
ACTIONS = ["python", "-m", "bot", "serve", "--only", "actions"]


def test_compose_has_two_rasa_servers_one_action_server_postgres_redis_and_a_proxy():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "actions", "rasa-1", "rasa-2", "proxy"}
    assert services["actions"]["command"] == ACTIONS
    for name in ("rasa-1", "rasa-2"):
        assert services[name]["command"] == RASA
        assert services[name]["image"] == services["actions"]["image"]
        environment = services[name]["environment"]
        assert set(environment) <= KNOWN_SETTINGS, set(environment) - KNOWN_SETTINGS
        assert environment["CCE_PORT"] == str(Settings().port)
        assert (
            environment["CCE_ACTION_SERVER_URL"]
            == f"http://actions:{Settings().action_port}/webhook"
        )
        assert environment["CCE_TRACKER_DB_URL"].startswith("postgresql://")
        assert environment["CCE_REDIS_URL"].startswith("redis://redis:6379/")
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert "server rasa-1:5005;" in nginx and "server rasa-2:5005;" in nginx


def test_helm_values_match_the_image_ports_and_settings():
    values = yaml.safe_load((DEPLOY / "helm" / "values.yaml").read_text())
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    image = compose["services"]["actions"]["image"]
    assert f"{values['image']['name']}:{values['image']['tag']}" == image
    action_image = values["rasa-action-server"]["image"]
    assert f"{action_image['name']}:{action_image['tag']}" == image
    assert values["replicaCount"] >= 2
    assert values["command"] == RASA and values["rasa-action-server"]["command"] == ACTIONS
    assert values["applicationSettings"]["port"] == Settings().port
    assert values["rasa-action-server"]["applicationSettings"]["port"] == Settings().action_port
    assert values["applicationSettings"]["enableAPI"] is False
    assert values["applicationSettings"]["cors"] != "*"
    names = {e["name"] for e in values["extraEnv"] + values["rasa-action-server"]["extraEnv"]}
    assert names <= KNOWN_SETTINGS, names - KNOWN_SETTINGS
    assert {"CCE_TRACKER_DB_URL", "CCE_REDIS_URL", "CCE_SECRET_KEY"} <= names


def test_dockerfile_runs_the_same_python_and_ports():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "FROM python:3.10" in dockerfile
    assert (PROJECT_ROOT / ".python-version").read_text().strip() == "3.10"
    assert "EXPOSE 5005 5055" in dockerfile
    assert "requirements.lock" in dockerfile


def test_the_image_listens_on_its_own_interface():
    """The servers listen on 127.0.0.1 unless CCE_HOST says otherwise; a container's
    proxy reaches them on the container's interface."""
    assert Settings().host == "127.0.0.1"
    assert re.search(r"\bCCE_HOST=0\.0\.0\.0\b", (DEPLOY / "Dockerfile").read_text())
