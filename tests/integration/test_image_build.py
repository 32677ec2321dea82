"""The image's build, step by step, without a container engine: the build context
(.dockerignore applied as docker applies it) copied to a folder, a clean virtual
environment with the Dockerfile's own ``pip install`` commands (the runtime lock
only), the Dockerfile's training command (``python -m bot train``, the one
``make train`` runs) under the Dockerfile's environment, then the assistant
started from that folder on a read-only root filesystem (bubblewrap; only /tmp
and the data folder writable, as the Kubernetes manifests and compose run it)
and asked a question. It proves the build's training
step and that the runtime lock is enough to train and to run; about three
minutes (most of it pip, from its cache)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from tests import build_context
from tests.integration.live import free_port

pytestmark = [pytest.mark.model, pytest.mark.live]
DEV_TOOLS = ("pytest", "ruff", "mypy", "hypothesis", "playwright", "kubernetes-validate")


def lock_pins(path: Path) -> set[str]:
    return {
        line.strip().lower()
        for line in path.read_text().splitlines()
        if line.strip() and not line.startswith(("#", "-r"))
    }


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    """The built 'image': its /app (the context), its Python, its environment."""
    root = tmp_path_factory.mktemp("image")
    app, tmp, venv = root / "app", root / "tmp", root / "venv"
    build_context.copy_context(PROJECT_ROOT, app)
    tmp.mkdir()
    assert not (app / "models").exists(), "the context must not bring a model"
    # The real interpreter, not this venv's link to it: run on a read-only root with a
    # fresh /tmp, the image's venv must not lead back into a clone that lives in /tmp.
    base_python = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    subprocess.run([base_python, "-m", "venv", str(venv)], check=True, timeout=120)
    env = {
        key: value.replace("/app", str(app)).replace("/tmp", str(tmp))
        for key, value in build_context.environment().items()
    }
    env.pop("PIP_NO_CACHE_DIR", None)  # the image keeps no cache; here it saves downloads
    env["PATH"] = f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin"
    log = root / "build.log"
    with log.open("w") as out:
        for command in build_context.run_commands():
            if command.startswith("pip install"):
                subprocess.run(command, shell=True, cwd=app, env=env, check=True,
                               stdout=out, stderr=subprocess.STDOUT, timeout=900)  # fmt: skip
    yield {"app": app, "venv": venv, "env": env, "root": root, "log": log}
    shutil.rmtree(venv, ignore_errors=True)  # 2.8 GB: pytest keeps its last three runs' folders


def test_the_image_installs_the_runtime_lock_and_no_dev_tools(image):
    python = str(image["venv"] / "bin" / "python")
    check = subprocess.run([python, "-m", "pip", "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    frozen = subprocess.run([python, "-m", "pip", "freeze"], capture_output=True, text=True,
                            check=True).stdout  # fmt: skip
    installed = {line.strip().lower() for line in frozen.splitlines() if "==" in line}
    assert installed == lock_pins(PROJECT_ROOT / "requirements.lock")
    names = {pin.split("==")[0] for pin in installed}
    assert not names & set(DEV_TOOLS)


def test_the_images_training_step_is_make_trains_and_produces_the_model(image):
    train = [c for c in build_context.run_commands() if "bot train" in c]
    assert train == ["python -m bot train"], train
    started = time.monotonic()
    result = subprocess.run(train[0].split(), cwd=image["app"], env=image["env"],
                            capture_output=True, text=True, timeout=900)  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Training the model into" in result.stdout  # it says what it is doing
    model = image["app"] / "models" / "cce.tar.gz"
    assert model.exists() and model.stat().st_mtime >= started - 1


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def read_only_root(image: dict) -> list[str]:
    """bubblewrap: the whole filesystem read-only, as the Kubernetes manifests and compose
    run the image, but a fresh /tmp and the data folder (the built folder's var/)."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        pytest.fail("bubblewrap is not installed: run `make deploy-tools` (make test does).")
    app, venv = str(image["app"]), str(image["venv"])
    return [
        bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
        "--ro-bind", app, app, "--ro-bind", venv, venv, "--bind", f"{app}/var", f"{app}/var",
        "--ro-bind", sys.base_prefix, sys.base_prefix,  # the interpreter, wherever it is
        "--unshare-pid", "--die-with-parent", "--chdir", app, "--",
    ]  # fmt: skip


@pytest.fixture(scope="module")
def running(image):
    """The image's default command (``python -m bot serve``) from the built folder, on a
    read-only root filesystem with the image's environment (its /app: the built folder)."""
    if not (image["app"] / "models" / "cce.tar.gz").exists():
        pytest.skip("the training step did not produce a model (see the training test)")
    port = free_port()
    var = image["app"] / "var"
    var.mkdir(exist_ok=True)  # as the Dockerfile makes /app/var
    env = {key: value.replace("/app", str(image["app"]))
           for key, value in build_context.environment().items()}  # fmt: skip
    env.update({"PATH": image["env"]["PATH"], "CCE_PORT": str(port)})
    env.pop("PIP_NO_CACHE_DIR")
    python = str(image["venv"] / "bin" / "python")
    log = (image["root"] / "serve.log").open("w")
    prefix = read_only_root(image)
    process = subprocess.Popen([*prefix, python, "-m", "bot", "serve"],
                               env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240
    while _get(f"{url}/") != 200:
        assert process.poll() is None, (image["root"] / "serve.log").read_text()[-3000:]
        assert time.monotonic() < deadline, "the built assistant was not ready in 240 s"
        time.sleep(0.5)
    yield {"url": url, "env": env, "python": python, "var": var, "prefix": prefix,
           "log": image["root"] / "serve.log"}  # fmt: skip
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    log.close()


def test_the_built_assistant_answers_with_its_source(running):
    """Through the widget's channel, which the image serves by default (REST is off)."""

    def post(path: str, data: dict) -> dict:
        request = urllib.request.Request(f"{running['url']}/webhooks/web/{path}",
                                         data=json.dumps(data).encode(),
                                         headers={"Content-Type": "application/json"})  # fmt: skip
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    token = post("session", {})["token"]
    replies = post("message", {"token": token, "text": "what is cuckooing"})["messages"]
    assert "Source: NEL CCE guidance" in "\n".join(r.get("text") or "" for r in replies)
    # It ran on a read-only root: what it wrote is in the data folder (SQLite) only.
    assert (running["var"] / "tracker.db").exists()
    assert "Read-only file system" not in running["log"].read_text()


def test_the_images_healthcheck_passes_on_the_running_server(running):
    healthcheck = [c for c in build_context.instructions() if c[0] == "HEALTHCHECK"]
    assert healthcheck and '["python", "-m", "bot", "healthcheck"]' in healthcheck[0][1]
    result = subprocess.run([*running["prefix"], running["python"], "-m", "bot", "healthcheck"],
                            env=running["env"], capture_output=True, text=True,
                            timeout=30)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
