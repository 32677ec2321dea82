"""`make bench`: measures the assistant beside a plain `rasa init` assistant, in
the same run, and writes a table, `bench-results/bench.json` and a PNG chart.

Measured for each: time from start to ready and resident memory of each
process; NLU parse latency (/model/parse); whole-turn latency over REST for one
user over ~12-turn conversations; throughput and p95 with 20 and 50 concurrent
conversations; turn latency at turns 1-10 and 190-200 of one long conversation;
training time from scratch; (ours) the held-out accuracy; and (ours) another
user's turn latency while adversarial messages are sent (:func:`under_attack`).
Both run with the HTTP API on (with a token) only so that /model/parse can be
timed; ours has its REST channel on, with a token (as `make run`), and its rate
limits off, so that what is measured is capacity, not the limits. Traffic goes
to 127.0.0.1 only; every loop is bounded.

``bench/bench.py --only adversarial`` measures just that last row, against the
model already trained in models/ (`make train`), and writes
``bench-results/bench-adversarial.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
OUT = ROOT / "bench-results"
TOKEN = "bench-" + uuid.uuid4().hex
REST_TOKEN = "bench-rest-" + uuid.uuid4().hex
ENV = {
    **os.environ,
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "RASA_TELEMETRY_ENABLED": "false",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
}

OURS = [  # ~12 turns: guidance questions and a complete indicator check
    "hi",
    "what is cuckooing",
    "what's the threshold for a reasonable grounds decision",
    "/start_check",
    "/deny",
    "/affirm",
    "he keeps going missing and has two phones",
    "/affirm",
    "/deny",
    "/deny",
    "/deny",
    "/affirm",
    "/deny",
    "none of these",
]
PARSE_TEXTS = ["what is cuckooing", "he keeps going missing"]
PLAIN = [  # the same length against rasa init's mood bot
    "hi",
    "I am sad",
    "yes",
    "bye",
    "hello",
    "great",
    "goodbye",
    "hey",
    "not good",
    "no",
    "are you a bot?",
    "bye",
    "hi",
    "I am happy",
]


REDIS_URL = os.environ.get("CCE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
WORKERS = 2  # this machine's cores


def redis_reachable(url: str) -> bool:
    import socket
    from urllib.parse import urlparse

    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def post(url: str, body: dict, timeout: float = 120, headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def wait_ready(url: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} not ready in {timeout} s")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pss_mb(pid: int) -> float:
    """Proportional set size: resident memory with each page shared between
    processes (a forked Sanic worker's, a library's) divided among them, so that
    the figures of several processes add up to what they really use together."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        path = task / "children"
        if path.exists():
            found += [int(c) for c in path.read_text().split()]
    return found


class Server:
    def __init__(
        self, name: str, command: list[str], cwd: Path, port: int, env: dict, ours: bool = True
    ) -> None:
        self.name, self.port = name, port
        self.url = f"http://127.0.0.1:{port}"
        # Ours takes its tokens in headers only; plain rasa takes the API's in the URL.
        self.headers = {"Authorization": f"Bearer {REST_TOKEN}"} if ours else {}
        self.parse_url = f"{self.url}/model/parse" + ("" if ours else f"?token={TOKEN}")
        self.parse_headers = {"Authorization": f"Bearer {TOKEN}"} if ours else {}
        self.log = (OUT / f"{name}.log").open("w")
        started = time.monotonic()
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_ready(f"{self.url}/")
        self.ready_seconds = time.monotonic() - started

    def memory(self) -> dict[str, float]:
        pids: list[int] = []
        todo = [self.process.pid]
        while todo:  # every descendant: Sanic workers are the Rasa server's children
            pid = todo.pop()
            pids.append(pid)
            todo += children(pid)
        usage: dict[str, float] = {}
        for pid in pids:
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
            except OSError:
                continue
            role = (
                "action server"
                if "rasa_sdk" in cmd or "actions_run" in cmd
                else "redaction worker"  # bot/privacy/offload.py (and its resource tracker)
                if "multiprocessing" in cmd
                else "rasa server"
                if " run" in cmd
                else "wrapper"
            )
            usage[role] = round(usage.get(role, 0) + rss_mb(pid), 1)
            usage[f"{role} PSS"] = round(usage.get(f"{role} PSS", 0) + pss_mb(pid), 1)
        return usage

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


def turn(server: Server, sender: str, message: str) -> float:
    started = time.perf_counter()
    post(
        f"{server.url}/webhooks/rest/webhook",
        {"sender": sender, "message": message},
        headers=server.headers,
    )
    return time.perf_counter() - started


def measure(server: Server, script: list[str], parse_texts: list[str]) -> dict:
    parse = []
    for text in parse_texts * 5:
        started = time.perf_counter()
        post(server.parse_url, {"text": text}, headers=server.parse_headers)
        parse.append(time.perf_counter() - started)
    one_user = []
    for n in range(8):
        one_user += [turn(server, f"one-{n}-{uuid.uuid4().hex}", m) for m in script]
    results = {
        "ready_s": round(server.ready_seconds, 1),
        "parse_p50_ms": round(statistics.median(parse) * 1000, 1),
        "parse_p95_ms": round(percentile(parse, 0.95) * 1000, 1),
        "turn_p50_ms": round(statistics.median(one_user) * 1000, 1),
        "turn_p95_ms": round(percentile(one_user, 0.95) * 1000, 1),
        "latencies_ms": [round(x * 1000, 1) for x in one_user],
    }
    for users in (20, 50):
        latencies: list[float] = []

        def conversation(n: int, users: int = users) -> list[float]:
            sender = f"c{users}-{n}-{uuid.uuid4().hex}"
            return [turn(server, sender, m) for m in script]

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=users) as pool:
            for result in pool.map(conversation, range(users)):
                latencies += result
        elapsed = time.perf_counter() - started
        results[f"throughput_{users}_turns_s"] = round(len(latencies) / elapsed, 1)
        results[f"p95_{users}_ms"] = round(percentile(latencies, 0.95) * 1000, 1)
    sender = f"long-{uuid.uuid4().hex}"
    growth = [turn(server, sender, script[i % len(script)]) for i in range(200)]
    results["growth_turn_ms"] = [round(x * 1000, 1) for x in growth]
    results["turns_1_10_ms"] = round(statistics.median(growth[:10]) * 1000, 1)
    results["turns_190_200_ms"] = round(statistics.median(growth[189:200]) * 1000, 1)
    results["memory_mb"] = server.memory()
    return results


# Adversarial messages: what stalled every user (200,000 characters without a space,
# posted to REST), its kin, and the same shapes at the message limit, which are read.
LIMIT = 10_000  # CCE_MAX_MESSAGE_CHARS's default, which the benchmarked server keeps
ADVERSARIAL = [
    "x" * 200_000, "@" * 200_000, "([{" * 33_333, "\U0001f622" * 20_000,
    "x" * LIMIT, "@" * LIMIT, "([{" * (LIMIT // 3), "\U0001f622" * LIMIT, "a@b." * (LIMIT // 4),
]  # fmt: skip
ATTACKERS = 4  # threads sending adversarial messages back to back
ATTACK_SECONDS = 60.0


def under_attack(server: Server, script: list[str]) -> dict:
    """Another user's turn latency (``script``, one turn after another) while
    ATTACKERS threads send ADVERSARIAL messages, each from a new sender."""
    stop = threading.Event()
    outcomes: Counter[str] = Counter()

    def attack(n: int) -> None:
        for i in range(1_000_000):
            if stop.is_set():
                return
            message = ADVERSARIAL[(n + i) % len(ADVERSARIAL)]
            try:
                post(
                    f"{server.url}/webhooks/rest/webhook",
                    {"sender": f"attacker-{n}-{i}", "message": message},
                    headers=server.headers,
                )
                outcomes["answered"] += 1
            except urllib.error.HTTPError as error:
                outcomes[str(error.code)] += 1
            except OSError as error:  # no answer in time, or the connection dropped
                outcomes[type(error).__name__] += 1

    attackers = [threading.Thread(target=attack, args=(n,)) for n in range(ATTACKERS)]
    for thread in attackers:
        thread.start()
    time.sleep(2.0)  # the attack is under way before the other user starts
    latencies: list[float] = []
    deadline = time.monotonic() + ATTACK_SECONDS
    n = 0
    while time.monotonic() < deadline:
        sender = f"other-{n}-{uuid.uuid4().hex}"
        latencies += [turn(server, sender, m) for m in script]
        n += 1
    stop.set()
    for thread in attackers:
        thread.join(timeout=180)
    return {
        "other_user_turns": len(latencies),
        "other_user_p50_ms": round(statistics.median(latencies) * 1000, 1),
        "other_user_p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "other_user_max_ms": round(max(latencies) * 1000, 1),
        "adversarial_sent": dict(outcomes),
        "attackers": ATTACKERS,
    }


def heldout_accuracy(server: Server) -> float:
    """The held-out questions' section accuracy, parsed by the running server."""
    import yaml

    from bot.knowledge.evaluation import evaluate

    data = yaml.safe_load((ROOT / "tests/data/heldout_questions.yml").read_text())
    report = evaluate(
        data, lambda text: post(server.parse_url, {"text": text}, headers=server.parse_headers)
    )
    return float(report["section_accuracy"])


def ours_env(work: Path) -> dict[str, str]:
    """Ours as `make run` starts it, with the API on for /model/parse and no rate limits."""
    return {
        **ENV,
        "CCE_ENABLE_API": "true",
        "CCE_API_TOKEN": TOKEN,
        "CCE_ENABLE_REST": "1",
        "CCE_REST_TOKEN": REST_TOKEN,
        "CCE_RATE_LIMIT_CLIENT": "off",
        "CCE_RATE_LIMIT_CONVERSATION": "off",
        "CCE_PORT": "5705",
        "CCE_ACTION_PORT": "5755",
        "CCE_VAR_DIR": str(work / "var"),
    }


def adversarial_only() -> int:
    """``--only adversarial``: the row alone, against models/cce.tar.gz."""
    if not (ROOT / "models" / "cce.tar.gz").exists():
        print("No trained model in models/: run `make train` first.", file=sys.stderr)
        return 2
    OUT.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="cce-bench-"))
    try:
        server = Server("ours-adversarial", [PY, "-m", "bot", "serve"], ROOT, 5705, ours_env(work))
        try:
            row = under_attack(server, OURS)
        finally:
            server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_attack(row)
    (OUT / "bench-adversarial.json").write_text(json.dumps(row, indent=2))
    print(f"Written {OUT / 'bench-adversarial.json'}")
    return 0


def print_attack(row: dict) -> None:
    print(
        f"other user's turns under attack ({row['attackers']} senders of adversarial messages): "
        f"p50 {row['other_user_p50_ms']} ms, p95 {row['other_user_p95_ms']} ms, "
        f"max {row['other_user_max_ms']} ms over {row['other_user_turns']} turns "
        f"(target p95 < 1000 ms); adversarial requests {row['adversarial_sent']}"
    )


def train(command: list[str], cwd: Path) -> float:
    started = time.monotonic()
    subprocess.run(
        command, cwd=cwd, env=ENV, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return round(time.monotonic() - started, 1)


def chart(ours: dict, plain: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
    left.hist(
        [plain["latencies_ms"], ours["latencies_ms"]], bins=30, label=["plain rasa init", "ours"]
    )
    left.set_xlabel("turn latency, one user (ms)")
    left.set_ylabel("turns")
    left.legend()
    right.plot(plain["growth_turn_ms"], label="plain rasa init")
    right.plot(ours["growth_turn_ms"], label="ours")
    right.set_xlabel("turn number in one conversation")
    right.set_ylabel("latency (ms)")
    right.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def main() -> int:
    OUT.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="cce-bench-"))
    try:
        # Ours: training from scratch, then the assistant as `make run` starts it.
        ours_train = train(
            [
                PY,
                "-m",
                "rasa",
                "train",
                "--force",
                "--fixed-model-name",
                "cce",
                "--out",
                str(work / "models"),
            ],
            ROOT,
        )
        env = {**ours_env(work), "CCE_MODELS_DIR": str(work / "models")}
        ours_server = Server("ours", [PY, "-m", "bot", "serve"], ROOT, 5705, env)
        try:
            ours = measure(ours_server, OURS, PARSE_TEXTS)
            ours["heldout_section_accuracy"] = heldout_accuracy(ours_server)
            ours["under_attack"] = under_attack(ours_server, OURS)
        finally:
            ours_server.stop()
        ours["train_s"] = ours_train
        # The same, scaled out as the README describes: Sanic workers (one per core)
        # with the Redis lock store, when a Redis server is reachable.
        scaled = None
        if redis_reachable(REDIS_URL):
            scaled_env = {**env, "CCE_WORKERS": str(WORKERS), "CCE_REDIS_URL": REDIS_URL,
                          "CCE_VAR_DIR": str(work / "var-scaled")}  # fmt: skip
            serve = [PY, "-m", "bot", "serve"]
            scaled_server = Server("ours-workers", serve, ROOT, 5705, scaled_env)
            try:
                scaled = measure(scaled_server, OURS, PARSE_TEXTS)
            finally:
                scaled_server.stop()
            scaled["train_s"] = ours_train
        else:
            print(f"No Redis at {REDIS_URL}: the scaled-out run is skipped.")
        # Plain Rasa 3.6: `rasa init` in a temporary folder, measured the same way.
        plain_dir = work / "plain"
        plain_dir.mkdir()
        plain_train = train(
            [PY, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(plain_dir)], work
        )
        plain_server = Server(
            "plain",
            [PY, "-m", "rasa", "run", "--enable-api", "--auth-token", TOKEN, "--port", "5706"],
            plain_dir,
            5706,
            ENV,
            ours=False,
        )
        try:
            plain = measure(plain_server, PLAIN, ["hello there", "I am sad"])
        finally:
            plain_server.stop()
        plain["train_s"] = plain_train  # `rasa init` trains as part of its set-up
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = [
        ("ready (s)", "ready_s"),
        ("train from scratch (s)", "train_s"),
        ("parse p50 (ms)", "parse_p50_ms"),
        ("parse p95 (ms)", "parse_p95_ms"),
        ("turn p50, 1 user (ms)", "turn_p50_ms"),
        ("turn p95, 1 user (ms)", "turn_p95_ms"),
        ("throughput, 20 users (turns/s)", "throughput_20_turns_s"),
        ("p95, 20 users (ms)", "p95_20_ms"),
        ("throughput, 50 users (turns/s)", "throughput_50_turns_s"),
        ("p95, 50 users (ms)", "p95_50_ms"),
        ("turns 1-10 (ms)", "turns_1_10_ms"),
        ("turns 190-200 (ms)", "turns_190_200_ms"),
    ]
    scaled_head = f" {f'ours {WORKERS}w':>10} {f'{WORKERS}w/plain':>9}" if scaled else ""
    print(f"{'measure':34} {'plain':>10} {'ours':>10} {'ours/plain':>11}{scaled_head}")
    for label, key in rows:
        ratio = ours[key] / plain[key] if plain[key] else float("nan")
        line = f"{label:34} {plain[key]:>10} {ours[key]:>10} {ratio:>11.2f}"
        if scaled:
            line += f" {scaled[key]:>10} {scaled[key] / plain[key]:>9.2f}"
        print(line)
    print(f"{'memory (MB)':34} {plain['memory_mb']} / ours {ours['memory_mb']}")
    if scaled:
        print(f"{'memory, ours ' + str(WORKERS) + ' workers (MB)':34} {scaled['memory_mb']}")
    print(f"held-out section accuracy (ours): {ours['heldout_section_accuracy']}")
    print_attack(ours["under_attack"])
    results = {"ours": ours, "plain": plain, **({"ours_workers": scaled} if scaled else {})}
    (OUT / "bench.json").write_text(json.dumps(results, indent=2))
    chart(ours, plain, OUT / "bench.png")
    print(f"Written {OUT / 'bench.json'} and {OUT / 'bench.png'}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", choices=["adversarial"], help="measure one row only (see the module's text)"
    )
    sys.exit(adversarial_only() if parser.parse_args().only == "adversarial" else main())
