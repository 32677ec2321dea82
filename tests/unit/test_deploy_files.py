"""The deploy files, checked here without a container engine: the image's build
context and instructions (tests/integration/test_image_build.py runs its steps),
the Compose file (rendered by docker-compose, which refuses it without its
secrets) and the nginx configuration (against the app's own limits, and by nginx
itself; tests/integration/test_deploy_smoke.py runs it in front of two instances).
The Kubernetes manifests are in test_kubernetes_manifests.py."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import yaml

from bot.channels import rest, web
from bot.channels.teams import activities
from bot.channels.teams.channel import DRAIN_SECONDS
from bot.config import PROJECT_ROOT, Settings
from tests import build_context

DEPLOY = PROJECT_ROOT / "deploy"
SETTINGS_SOURCE = (PROJECT_ROOT / "bot" / "config.py").read_text()
KNOWN_SETTINGS = set(re.findall(r'"(CCE_[A-Z_]+)"', SETTINGS_SOURCE))
RASA = ["python", "-m", "bot", "serve", "--only", "rasa"]
ACTIONS = ["python", "-m", "bot", "serve", "--only", "actions"]
COMPOSE = DEPLOY / "docker-compose.yml"
SANIC_GRACE = 15  # seconds the web server waits for open requests when stopping
NGINX = (DEPLOY / "nginx.conf").read_text()
REQUIRED = ("CCE_SECRET_KEY", "POSTGRES_PASSWORD", "REDIS_PASSWORD")
SECRETS = {
    "CCE_SECRET_KEY": "k" * 64,
    "POSTGRES_PASSWORD": "pg-secret-1",
    "REDIS_PASSWORD": "redis-secret-2",
}


def compose_services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


# --------------------------------------------------------------------- compose


def test_compose_runs_two_rasa_servers_actions_storage_a_purge_and_the_proxy():
    services = compose_services()
    assert set(services) == {"postgres", "redis", "actions", "rasa-1", "rasa-2", "purge", "proxy"}
    assert services["actions"]["command"] == ACTIONS
    for name in ("actions", "rasa-1", "rasa-2", "purge"):
        service = services[name]
        assert service["image"] == services["actions"]["image"]
        environment = service["environment"]
        assert set(environment) <= KNOWN_SETTINGS, set(environment) - KNOWN_SETTINGS
        assert environment["CCE_TRACKER_DB_URL"].startswith("postgresql://")
        assert environment["CCE_REDIS_URL"].startswith("redis://:${REDIS_PASSWORD")
        # Read-only, unprivileged: only /tmp is written.
        assert service["read_only"] is True and service["tmpfs"] == ["/tmp"]
        assert service["cap_drop"] == ["ALL"]
        # Time to finish its requests and the Teams turns it accepted, before a kill.
        assert int(service["stop_grace_period"].rstrip("s")) >= SANIC_GRACE + DRAIN_SECONDS
    for name in ("rasa-1", "rasa-2"):
        environment = services[name]["environment"]
        assert services[name]["command"] == RASA
        assert environment["CCE_PORT"] == str(Settings().port)
        assert environment["CCE_ACTION_SERVER_URL"] == (
            f"http://actions:{Settings().action_port}/webhook"
        )


def test_every_long_running_service_has_a_health_check_and_starts_after_what_it_needs():
    services = compose_services()
    for name, service in services.items():
        if name == "purge":  # a loop, not a server: nothing to ask
            assert service["healthcheck"] == {"disable": True}
            continue
        assert service["healthcheck"]["test"][0] == "CMD", name
    health = {
        name: services[name]["healthcheck"]["test"][1:] for name in services if name != "purge"
    }
    assert health["rasa-1"] == ["python", "-m", "bot", "healthcheck", "--ready"]
    assert health["actions"] == ["python", "-m", "bot", "healthcheck", "--actions"]
    assert health["postgres"][0] == "pg_isready" and health["redis"] == ["redis-cli", "ping"]
    assert services["redis"]["environment"]["REDISCLI_AUTH"].startswith("${REDIS_PASSWORD")
    for waiting, needs in {
        "rasa-1": {"postgres", "redis", "actions"},
        "proxy": {"rasa-1", "rasa-2"},
    }.items():
        depends = services[waiting]["depends_on"]
        assert set(depends) == needs
        assert all(d == {"condition": "service_healthy"} for d in depends.values())


def test_redis_requires_its_password_and_keeps_nothing_on_disk():
    command = " ".join(compose_services()["redis"]["command"])
    assert '--requirepass "$$REDIS_PASSWORD"' in command
    assert "--save ''" in command and "--appendonly no" in command


def test_the_purge_runs_daily_and_carries_on_after_a_failure():
    command = compose_services()["purge"]["command"]
    assert command[:2] == ["sh", "-c"]
    assert "while true; do if python -m bot purge; then sleep 86400;" in command[2]
    assert "else" in command[2] and "sleep 3600" in command[2]


def test_the_proxy_serves_tls_with_the_documented_certificate_folder():
    proxy = compose_services()["proxy"]
    assert "443:443" in proxy["ports"] and "80:80" in proxy["ports"]
    assert "./nginx.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    assert "${CCE_TLS_DIR:-./tls}:/etc/nginx/tls:ro" in proxy["volumes"]
    assert "ssl_certificate /etc/nginx/tls/fullchain.pem;" in NGINX
    assert "ssl_certificate_key /etc/nginx/tls/privkey.pem;" in NGINX


def docker_compose(tmp_path, env: dict[str, str]) -> subprocess.CompletedProcess:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail(
            "Debian's docker-compose is not installed: run `make deploy-tools` (make test does)."
        )
    empty = tmp_path / "empty.env"  # so that a developer's deploy/.env plays no part
    empty.write_text("")
    return subprocess.run(
        [binary, "--env-file", str(empty), "-f", str(COMPOSE), "config"],
        env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.mark.parametrize("missing", REQUIRED)
def test_compose_refuses_to_start_without_each_secret(tmp_path, missing):
    env = {name: value for name, value in SECRETS.items() if name != missing}
    result = docker_compose(tmp_path, env)
    assert result.returncode != 0
    assert f"Set {missing}" in result.stderr, result.stderr


def test_compose_with_its_secrets_renders_them_where_they_are_used(tmp_path):
    result = docker_compose(tmp_path, SECRETS)
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    environment = services["rasa-2"]["environment"]
    assert environment["CCE_SECRET_KEY"] == SECRETS["CCE_SECRET_KEY"]
    assert environment["CCE_REDIS_URL"] == "redis://:redis-secret-2@redis:6379/1"
    assert environment["CCE_TRACKER_DB_URL"] == "postgresql://cce:pg-secret-1@postgres:5432/cce"
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"] == "pg-secret-1"
    assert services["redis"]["environment"]["REDIS_PASSWORD"] == "redis-secret-2"


# ----------------------------------------------------------------------- nginx


def location_block(prefix: str) -> str:
    """A location's block in the https server (the last one of that name)."""
    start = NGINX.rindex(f"location {prefix} {{")
    return NGINX[start : NGINX.index("\n    }", start)]


def size_in_bytes(block: str) -> int:
    value = re.search(r"client_max_body_size (\d+)k;", block)
    assert value, block
    return int(value.group(1)) * 1024


def test_nginx_proxies_to_both_rasa_servers_of_compose():
    upstream = NGINX[NGINX.index("upstream cce_rasa {") :].split("}")[0]
    servers = re.findall(r"^\s*server (\S+)", upstream, flags=re.M)
    assert servers == [f"rasa-1:{Settings().port}", f"rasa-2:{Settings().port}"]
    assert "keepalive" not in upstream  # a stopping server must not drop a request it was sent


@pytest.mark.parametrize(("location", "limit"), [
    ("= /webhooks/rest/webhook", rest.MAX_BODY),
    ("/webhooks/web/", web.MAX_BODY),
    ("/webhooks/teams/", activities.MAX_BODY),
])  # fmt: skip
def test_each_webhook_is_rate_limited_and_takes_bodies_up_to_its_channels_limit(location, limit):
    block = location_block(location)
    assert size_in_bytes(block) == limit
    assert re.search(r"limit_req zone=cce_(chat|teams) burst=\d+ nodelay;", block)
    assert "proxy_pass http://cce_rasa;" in block


def test_a_limited_client_gets_429_with_retry_after_and_a_reason():
    assert "limit_req_status 429;" in NGINX and "error_page 429 @too_many_requests;" in NGINX
    block = location_block("@too_many_requests")
    assert "add_header Retry-After 1 always;" in block
    body = re.search(r"return 429 '(.*)';", block)
    assert body and "wait a second" in json.loads(body.group(1))["error"]
    # Per client address: the zones are keyed by it (or by nothing, for listed addresses).
    assert re.search(r"limit_req_zone \$cce_client zone=cce_chat:\S+ rate=\d+r/s;", NGINX)
    assert "0 $binary_remote_addr;" in NGINX


def test_tls_only_with_hsts_everywhere_a_response_is_made():
    assert "listen 443 ssl;" in NGINX and "return 301 https://$host$request_uri;" in NGINX
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in NGINX
    hsts = 'add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;'
    # add_header is not inherited into a location with its own: each named location repeats it.
    for name in ("@too_many_requests", "@too_large", "@unavailable"):
        assert hsts in location_block(name), name
    assert NGINX.count(hsts) == 4


def test_when_no_instance_answers_the_page_still_gives_the_emergency_number():
    from bot import bootstrap

    number = bootstrap.app().knowledge.locality["emergency_number"]
    block = location_block("@unavailable")
    assert f'call <a href="tel:{number}">{number}</a>' in block
    assert "error_page 502 503 504 @unavailable;" in NGINX


def test_only_the_public_paths_are_proxied():
    https_server = NGINX[NGINX.index("listen 443 ssl;") :]
    blocks = re.findall(r"location ([^{]+?) \{(.*?)\n    \}", https_server, flags=re.S)
    proxied = sorted(name for name, body in blocks if "proxy_pass" in body)
    assert proxied == [
        "/health/", "/webhooks/teams/", "/webhooks/web/", "= /", "= /webhooks/rest/webhook",
        "~ ^/(privacy|accessibility|assets/page\\.css)$",
    ]  # fmt: skip
    assert "return 404;" in location_block("/")


def test_nginx_accepts_the_shipped_configuration():
    from tests.integration.proxy import Proxy, nginx_binary

    if nginx_binary() is None:
        pytest.fail("Debian's nginx is not installed: run `make deploy-tools` (make test does).")
    proxy = Proxy([5005, 5006])
    checked = proxy._nginx("-t")
    proxy.stop()  # removes its folder
    assert checked.returncode == 0, checked.stderr


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


def test_the_image_listens_on_its_own_interface():
    """The servers listen on 127.0.0.1 unless CCE_HOST says otherwise; a container's
    proxy reaches them on the container's interface."""
    assert Settings().host == "127.0.0.1"
    assert build_context.environment()["CCE_HOST"] == "0.0.0.0"
