"""Start the assistant: the Rasa server with its channels, and our actions in it
(or, with ``CCE_ACTIONS=server``, the action server and then the Rasa server).

They run as child processes of this one; stopping this command (Ctrl+C or
SIGTERM) stops them. Ports, the address they listen on (``CCE_HOST``, this machine
only by default) and paths come from :mod:`bot.config`. Secrets (the HTTP API's
token, the REST channel's, the action server's) reach the children in their
environment, never on a command line, where every user of the machine could
read them with ``ps``.

Each server started here counts for ``/metrics`` in a folder of its own under
``CCE_METRICS_DIR`` (``PROMETHEUS_MULTIPROC_DIR`` for its processes: its Sanic
workers, and the action server started with it), emptied first: counts start at
zero with each start, as Prometheus expects of a restarted target.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bot import bootstrap
from bot.config import (
    ACTIONS_SERVER,
    LOG_JSON,
    MIN_TOKEN_CHARS,
    PROJECT_ROOT,
    REST_LOCAL,
    REST_ON,
)


def _model_path(models_dir: Path) -> Path:
    model = models_dir / "cce.tar.gz"
    if not model.exists():
        raise SystemExit(f"No trained model at {model}. Run `make train` (or `make run`) first.")
    return model


def metrics_folder(name: str) -> Path:
    """An empty folder for the counts of one server's processes."""
    folder = bootstrap.app().settings.metrics_dir / name
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    return folder


def child_environment(actions: str | None = None) -> dict[str, str]:
    """The children's environment; ``actions`` overrides where the actions run."""
    settings = bootstrap.app().settings
    env = dict(os.environ)
    env["CCE_ACTIONS"] = actions or settings.actions
    env["CCE_ACTION_SERVER_URL"] = settings.action_server_url
    if settings.workers > 1 and not settings.redis_url:
        raise SystemExit(
            f"CCE_WORKERS={settings.workers} needs CCE_REDIS_URL: several Rasa processes "
            "must lock each conversation in Redis. Set CCE_REDIS_URL (e.g. "
            "redis://127.0.0.1:6379/1) or unset CCE_WORKERS."
        )
    env["SANIC_WORKERS"] = str(max(1, settings.workers))  # rasa's own variable
    # TensorFlow's native code writes its own lines to stderr (e.g. "TF-TRT Warning"),
    # which would break JSON logs: with them, it keeps quiet.
    if settings.log_format == LOG_JSON:
        env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    else:
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["SANIC_HOST"] = settings.host  # where rasa-sdk's action server listens
    from bot.channels.rest_tokens import rest_token
    from bot.rasa_patches.action_auth import ENV as ACTION_SECRET_ENV
    from bot.rasa_patches.action_auth import action_secret

    env[ACTION_SECRET_ENV] = action_secret()  # endpoints.yml sends it; the action server checks it
    if settings.rest_enabled:
        env["CCE_REST_TOKEN"] = rest_token(settings)
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return env


def endpoints_file() -> Path:
    """endpoints.yml with the action endpoint `serve` uses, written to var/.

    endpoints.yml itself works for plain Rasa commands with no environment variable
    set; the servers started here also need the action server's address
    (``CCE_ACTION_SERVER_URL``) and its shared secret as a header. Both stay
    references to the environment, which :func:`child_environment` sets, so no
    secret is written to disk."""
    import yaml

    from bot.rasa_patches.action_auth import ENV as ACTION_SECRET_ENV
    from bot.rasa_patches.action_auth import HEADER

    config = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    action = dict(config.get("action_endpoint") or {})
    action["url"] = "${CCE_ACTION_SERVER_URL}"
    action["headers"] = {**(action.get("headers") or {}), HEADER: "${" + ACTION_SECRET_ENV + "}"}
    config["action_endpoint"] = action
    folder = bootstrap.app().settings.var_dir
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "endpoints.yml"
    text = "# Written by `python -m bot serve` from endpoints.yml: do not edit.\n"
    path.write_text(text + yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def actions_command(action_port: int) -> list[str]:
    return [
        sys.executable, "-m", "bot.entrypoints.actions_run",
        "--actions", "actions", "--port", str(action_port),
    ]  # fmt: skip


def rasa_command(port: int, model: Path) -> list[str]:
    settings = bootstrap.app().settings
    command = [
        sys.executable, "-m", "bot.entrypoints.rasa_run", "run",
        "--model", str(model),
        "--port", str(port),
        "--credentials", str(PROJECT_ROOT / "credentials.yml"),
        "--endpoints", str(endpoints_file()),
    ]  # fmt: skip
    command += ["--interface", settings.host]
    if settings.enable_api:
        if len(settings.api_token) < MIN_TOKEN_CHARS:
            raise SystemExit(
                "CCE_ENABLE_API is on but CCE_API_TOKEN is unset or shorter than "
                f"{MIN_TOKEN_CHARS} characters: set a long random token (the API must never "
                "be open)."
            )
        # The token stays in the environment (bot.rasa_patches.api_auth reads it there).
        command += ["--enable-api"]
    if settings.rest == REST_ON and len(settings.rest_token) < MIN_TOKEN_CHARS:
        raise SystemExit(
            "CCE_ENABLE_REST is on but CCE_REST_TOKEN is unset or shorter than "
            f"{MIN_TOKEN_CHARS} characters: set a long random token, or use "
            f"CCE_ENABLE_REST={REST_LOCAL} on a machine of your own (the token is then "
            "generated into var/rest.token)."
        )
    if settings.widget_origins:  # never "*": bot.config drops it
        command += ["--cors", *settings.widget_origins]
    return command


def start(port: int, action_port: int, model: Path) -> list[subprocess.Popen]:
    env = child_environment()  # may refuse before anything starts
    commands = [rasa_command(port, model)]
    # prometheus_client reads it when first imported, in every process.
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_folder(f"serve-{port}"))
    if not bootstrap.app().settings.actions_in_process:
        commands.insert(0, actions_command(action_port))
    return [subprocess.Popen(command, cwd=PROJECT_ROOT, env=env) for command in commands]


def local_url(host: str, port: int) -> str:
    """Where this machine reaches a server listening on ``host``."""
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def wait_until_ready(url: str, timeout: float, processes: list[subprocess.Popen]) -> bool:
    """Polls ``url`` until it answers 200, a process dies, or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


# Seconds a stopping server is given before it is killed: it finishes its requests
# (the web server waits up to 15 s) and the Teams turns it accepted (up to 25 s).
STOP_SECONDS = 45


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()


def main(args: argparse.Namespace) -> int:
    settings = bootstrap.app().settings
    port = args.port or settings.port
    if args.only:
        # One process only (scaled-out deployments run one action server and several
        # Rasa servers): this process becomes it, so signals reach it directly.
        if args.only == "actions":
            command = actions_command(settings.action_port)
            name = f"actions-{settings.action_port}"
        else:
            command = rasa_command(port, _model_path(settings.models_dir))
            name = f"rasa-{port}"
        env = child_environment(ACTIONS_SERVER)  # may refuse before anything starts
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_folder(name))
        os.chdir(PROJECT_ROOT)
        # A Rasa server started alone uses the action server at CCE_ACTION_SERVER_URL.
        os.execve(command[0], command, env)
    processes = start(port, settings.action_port, _model_path(settings.models_dir))

    def _terminate(signum: int, _frame: object) -> None:
        stop(processes)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _terminate)
    try:
        if wait_until_ready(f"{local_url(settings.host, port)}/", 180, processes):
            print(f"The assistant is ready on {local_url(settings.host, port)}/ (Ctrl+C stops it).")
            if settings.rest_enabled and not settings.rest_token:
                print(f"REST channel on; its bearer token is in {settings.var_dir / 'rest.token'}.")
        while all(p.poll() is None for p in processes):
            time.sleep(1)
        print("A server stopped; stopping the assistant.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop(processes)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, help="Rasa server port (default CCE_PORT or 5005)")
    parser.add_argument(
        "--only",
        choices=["actions", "rasa"],
        help="run only the action server, or only a Rasa server (using CCE_ACTION_SERVER_URL)",
    )
    parser.set_defaults(func=main)
