"""The scaled-out deployment of deploy/docker-compose.yml, made of real parts on
this machine: PostgreSQL (a fresh database on the local server), Redis with a
password (a redis-server of its own on a free port), one action server, Rasa
servers (``python -m bot serve --only ...``, as the compose services run them)
and the shipped nginx configuration in front (tests/integration/proxy.py). Used
by the deploy smoke test and by bench/deploy_throughput.py."""

from __future__ import annotations

import contextlib
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.integration.live import LiveAssistant, free_port
from tests.integration.proxy import Proxy


class PasswordRedis:
    """``redis-server`` on a free port of 127.0.0.1, requiring a password, keeping nothing."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (Debian's package redis-server).")
        self.binary = binary
        self.port = free_port()
        self.password = secrets.token_hex(16)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def start(self) -> PasswordRedis:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--requirepass", self.password, "--dir", tempfile.gettempdir()],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        import redis

        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis.from_url(self.url, socket_timeout=1).ping()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.1)

    def refuses_without_password(self) -> bool:
        import redis

        try:
            redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1).ping()
        except redis.AuthenticationError:
            return True
        except redis.ResponseError as error:  # older servers: "NOAUTH Authentication required"
            return "NOAUTH" in str(error)
        return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@contextlib.contextmanager
def scaled_out(
    project_root: Path, database_url: str, instances: int = 2, env: dict[str, str] | None = None
) -> Iterator[dict]:
    """Redis, the action server, ``instances`` Rasa servers and nginx in front of them."""
    redis_server = PasswordRedis().start()
    var_dir = Path(tempfile.mkdtemp(prefix="cce-deploy-"))
    shared = {
        "CCE_TRACKER_DB_URL": database_url,
        "CCE_DATABASE_URL": database_url,
        "CCE_REDIS_URL": redis_server.url,
        "CCE_SECRET_KEY": secrets.token_hex(32),
        **(env or {}),
    }
    started: list[LiveAssistant] = []
    proxy: Proxy | None = None
    try:
        actions = LiveAssistant(project_root, env=shared, var_dir=var_dir, only="actions")
        started.append(actions)
        actions.start()
        shared["CCE_ACTION_SERVER_URL"] = f"http://127.0.0.1:{actions.action_port}/webhook"
        nodes = [
            LiveAssistant(project_root, env=shared, var_dir=var_dir, only="rasa")
            for _ in range(instances)
        ]
        for node in nodes:
            started.append(node)
            node.start()
        proxy = Proxy([node.port for node in nodes]).start()
        yield {"proxy": proxy, "nodes": nodes, "actions": actions, "redis": redis_server,
               "env": shared, "var_dir": var_dir}  # fmt: skip
    finally:
        if proxy is not None:
            proxy.stop()
        for process in reversed(started):
            process.stop()
        redis_server.stop()
        shutil.rmtree(var_dir, ignore_errors=True)
