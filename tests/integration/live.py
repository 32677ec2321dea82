"""Starting the whole assistant (the Rasa server with the actions in it, or with
CCE_ACTIONS=server also the action server; or one of them) for live tests."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bot.cli.converse import Send, rest_sender


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveAssistant:
    """``python -m bot serve`` on free ports, as a deployer would run it."""

    def __init__(
        self,
        project_root: Path,
        env: dict[str, str] | None = None,
        var_dir: Path | None = None,
        only: str | None = None,
    ) -> None:
        self.only = only
        self.port = free_port()
        self.action_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = project_root / "results" / f"live-{self.port}.log"
        # The REST channel is off unless enabled, and then needs a token: on here.
        self.rest_token = "test-rest-" + secrets.token_hex(16)
        self._root = project_root
        # Its own data folder (SQLite tracker store, records, secret) unless given one.
        self.var_dir = var_dir or Path(tempfile.mkdtemp(prefix="cce-live-"))
        self._env = {
            **os.environ,
            "CCE_PORT": str(self.port),
            "CCE_ACTION_PORT": str(self.action_port),
            "CCE_VAR_DIR": str(self.var_dir),
            # Every incremental tracker result is checked against rasa's own (stop() reads the log).
            "CCE_VERIFY_TRACKER_MEMO": "1",
            "CCE_ENABLE_REST": "1",
            "CCE_REST_TOKEN": self.rest_token,
            # The tests send hundreds of turns a minute from one address; the rate
            # limits have tests of their own, which set them.
            "CCE_RATE_LIMIT_CLIENT": "off",
            "CCE_RATE_LIMIT_CONVERSATION": "off",
        }
        self._env.pop("CCE_ACTION_SERVER_URL", None)  # serve derives it from the port
        self._env.update(env or {})
        self.rest_token = self._env.get("CCE_REST_TOKEN", "")  # a test may give its own
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 240) -> None:
        self.log.parent.mkdir(exist_ok=True)
        self._log_file = self.log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", *(["--only", self.only] if self.only else [])],
            cwd=self._root,
            env=self._env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        action_server = f"http://127.0.0.1:{self.action_port}/health"
        urls = {
            # the actions run in the Rasa server unless CCE_ACTIONS=server
            None: [f"{self.url}/"]
            + ([action_server] if self._env.get("CCE_ACTIONS") == "server" else []),
            "rasa": [f"{self.url}/"],
            "actions": [action_server],
        }[self.only]
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The assistant exited; see {self.log}")
            if all(self._ok(url) for url in urls):
                return
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"The assistant was not ready in {timeout} s; see {self.log}")

    def rest(self, timeout: float = 30.0) -> Send:
        """Sends a message over the REST channel, with the token."""
        return rest_sender(self.url, self.rest_token, timeout=timeout)

    @property
    def rest_headers(self) -> dict[str, str]:
        return {"Content-Type": "application/json", "Authorization": f"Bearer {self.rest_token}"}

    @staticmethod
    def _ok(url: str) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def kill(self) -> None:
        """SIGKILL, as a crashed machine would stop."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, 9)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
        if hasattr(self, "_log_file"):
            self._log_file.close()
        if "bot.rasa_patches.tracker_memo:" in self.log_text():
            raise AssertionError(f"The tracker memo differed from rasa's own; see {self.log}")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""
