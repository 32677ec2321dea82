"""The Compose file and the Helm values cannot run here (no container engine);
keep them honest: they parse, and they name the same image, ports, commands and
settings as the local configuration."""

from __future__ import annotations

import re

import yaml

from bot.config import PROJECT_ROOT, Settings
from tests import build_context

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


# ------------------------------------------------------------------- the image


FORBIDDEN = [  # what no image may hold, wherever a developer's machine has it
    "var/secret.key", "var/tracker.db", "var/cce.db-wal", ".git/config", ".venv/bin/python",
    "models/cce.tar.gz", "results/live-5005.log", "tests/e2e/node_modules/axe-core/axe.min.js",
    "bot/channels/static/node_modules/x.js", ".env", "deploy/.env", "deploy/tls/privkey.pem",
    "deploy/tls/fullchain.pem", "content/server.key", "dist/cce-teams.zip", ".rasa/cache/cache.db",
    "bot/__pycache__/config.cpython-310.pyc", "bench-results/bench.json", "tests/unit/test_x.py",
]  # fmt: skip
NEEDED = [  # what the build and the assistant read
    "bot/config.py", "bot/channels/static/widget.js", "actions/check.py",
    "content/guidance/nel-cce-guidance.txt", "content/locality.yml", "data/nlu/x.yml",
    "config.yml", "domain.yml", "endpoints.yml", "credentials.yml", "requirements.lock",
]  # fmt: skip


def test_the_build_context_keeps_out_local_data_secrets_and_tools(tmp_path):
    (tmp_path / ".dockerignore").write_text((PROJECT_ROOT / ".dockerignore").read_text())
    for name in FORBIDDEN + NEEDED:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    included = build_context.context_paths(tmp_path)
    assert not [name for name in FORBIDDEN if name in included]
    assert [name for name in NEEDED if name not in included] == []


def test_this_checkouts_build_context_holds_no_local_data():
    top = {path.split("/")[0] for path in build_context.context_paths()}
    assert top <= {"actions", "bot", "content", "data", "config.yml", "domain.yml",
                   "endpoints.yml", "credentials.yml", "requirements.lock", ".dockerignore",
                   "deploy"}, top  # fmt: skip
    assert not [p for p in build_context.context_paths() if "__pycache__" in p]


def test_the_image_trains_as_make_train_does_runs_unprivileged_and_checks_its_health():
    steps = build_context.instructions()
    names = [name for name, _ in steps]
    assert steps[0] == ("FROM", "python:3.10-slim-bookworm")
    assert (PROJECT_ROOT / ".python-version").read_text().strip() == "3.10"
    runs = build_context.run_commands()
    assert "pip install -r requirements.lock" in runs  # the runtime lock, not the dev one
    assert not [run for run in runs if "requirements-dev" in run or "pytest" in run]
    assert "python -m bot train" in runs
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    model_recipe = makefile.split("$(MODEL): ")[1].split("\n\n")[0]
    assert "\t$(PY) -m bot train\n" in model_recipe  # one training command for both
    # The model is trained after the project is copied in, and the user is switched after.
    assert names.index("USER") > names.index("COPY") and ("USER", "10001:10001") in steps
    assert ("CMD", '["python", "-m", "bot", "serve"]') in steps
    healthcheck = dict(steps)["HEALTHCHECK"]
    assert healthcheck.endswith('CMD ["python", "-m", "bot", "healthcheck"]')
    assert dict(steps)["EXPOSE"] == f"{Settings().port} {Settings().action_port}"
    env = build_context.environment()
    assert env["PYTHONPATH"] == "/app" and env["CCE_VAR_DIR"] == "/app/var"


def test_the_runtime_lock_holds_no_dev_tool_and_the_dev_lock_adds_them():
    def names(path):
        lines = (PROJECT_ROOT / path).read_text().splitlines()
        return {line.split("==")[0].lower() for line in lines if "==" in line}

    runtime, dev = names("requirements.lock"), names("requirements-dev.lock")
    tools = {"pytest", "pytest-timeout", "hypothesis", "ruff", "mypy", "playwright"}
    assert not runtime & tools and tools <= dev
    assert not runtime & dev
    assert "-r requirements.lock" in (PROJECT_ROOT / "requirements-dev.lock").read_text()
    assert {"rasa", "rasa-sdk", "psycopg2-binary", "redis", "sqlalchemy"} <= runtime
