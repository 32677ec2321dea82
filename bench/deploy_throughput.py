"""Turns per second through nginx, with one assistant instance and with two.

The deployment is the deploy smoke test's (tests/integration/deployment.py): the
shipped nginx configuration (TLS, rate limits) in front of Rasa servers started
as compose starts them (``serve --only rasa``), one action server, PostgreSQL and
Redis with a password. nginx is first pointed at one instance, then at both (a
reload), and each time 20 concurrent users hold conversations over REST through
nginx's https port for a fixed time. Each conversation comes from its own client
address on 127.0.0.0/8, as practitioners do, so the per-client rate limit applies
as it would (429s are counted, not hidden). A report, not a test: it asserts
nothing about speed. Writes bench-results/deploy_throughput.json.

    .venv/bin/python bench/deploy_throughput.py [--seconds 30] [--users 20]

Traffic goes to 127.0.0.0/8 only; every loop is bounded by time.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCRIPT = [  # ~10 turns: guidance questions and a started check, then a new conversation
    "what is cuckooing", "/start_check", "/deny", "/affirm", "what is a graft phone",
    "/deny", "/deny", "/deny", "who do I report modern slavery to", "/deny",
]  # fmt: skip
HOLDING = "send your message again"
CONVERSATIONS_PER_USER = 5  # each its own client address


def cpu_seconds(pid: int | str, children: bool = False) -> float:
    """User and system CPU seconds of a process (all its threads) and, with
    ``children``, of the processes it started (nginx's workers); a name instead of
    an id counts every process of that name (PostgreSQL's, shared with the machine)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name, fields = (entry / "stat").read_text().rsplit(")", 1)
        except OSError:
            continue
        fields = fields.split()  # [1]: the parent's id; [11], [12]: user and system ticks
        if isinstance(pid, str):
            chosen = name.split("(", 1)[1] == pid
        else:
            chosen = int(entry.name) == pid or (children and int(fields[1]) == pid)
        if chosen:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.turns: list[tuple[float, float]] = []  # (finished at, seconds)
        self.holding = self.limited = self.errors = 0


def user(proxy, index: int, stop_at: float, tally: Tally) -> None:
    """One user thread: its conversations in turn, each on its own address and connection."""
    conversations = []
    for n in range(CONVERSATIONS_PER_USER):
        number = index * CONVERSATIONS_PER_USER + n
        address = f"127.0.{1 + number // 250}.{1 + number % 250}"
        conversations.append({"address": address, "connection": None, "turn": 0, "round": 0})
    for conversation in itertools.cycle(conversations):
        if time.monotonic() >= stop_at:
            break
        message = SCRIPT[conversation["turn"] % len(SCRIPT)]
        sender = f"{conversation['address']}-{conversation['round']}"
        body = json.dumps({"sender": sender, "message": message}).encode()
        started = time.monotonic()
        try:
            if conversation["connection"] is None:
                conversation["connection"] = proxy.connection(conversation["address"], timeout=60)
            connection = conversation["connection"]
            connection.request("POST", "/webhooks/rest/webhook", body=body,
                               headers={"Content-Type": "application/json"})  # fmt: skip
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            conversation["connection"] = None
            with tally.lock:
                tally.errors += 1
            continue
        with tally.lock:
            if response.status == 429:
                tally.limited += 1
                continue
            if response.status != 200:
                tally.errors += 1
                continue
            replies = json.loads(data)
            if not replies or any(HOLDING in (r.get("text") or "") for r in replies):
                tally.holding += 1
                continue
            tally.turns.append((time.monotonic(), time.monotonic() - started))
        conversation["turn"] += 1
        if conversation["turn"] % len(SCRIPT) == 0:
            conversation["round"] += 1


def measure(proxy, users: int, seconds: float, warmup: float, processes: dict) -> dict:
    tally = Tally()
    begin = time.monotonic()
    stop_at = begin + warmup + seconds
    threads = [threading.Thread(target=user, args=(proxy, i, stop_at, tally)) for i in range(users)]
    for thread in threads:
        thread.start()
    time.sleep(warmup)
    cpu_before = {name: cpu_seconds(pid, name == "nginx") for name, pid in processes.items()}
    load_before = os.getloadavg()[0]
    for thread in threads:
        thread.join(timeout=seconds + warmup + 120)
    # Cores each part kept busy over the measured time (the machine has 2).
    cores = {name: round((cpu_seconds(pid, name == "nginx") - cpu_before[name]) / seconds, 2)
             for name, pid in processes.items()}  # fmt: skip
    # The machine's 1-minute load before and after: other work on its 2 cores counts too.
    load = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    window = [took for done, took in tally.turns if done >= begin + warmup]
    window.sort()
    return {
        "turns_per_second": round(len(window) / seconds, 1),
        "turns": len(window),
        "p50_ms": round(statistics.median(window) * 1000, 1) if window else None,
        "p95_ms": round(window[int(len(window) * 0.95)] * 1000, 1) if window else None,
        "rate_limited_429": tally.limited,
        "holding_messages": tally.holding,
        "errors": tally.errors,
        "cores_busy": cores,
        "load_average_1min": load,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="measured time per setting")
    parser.add_argument("--warmup", type=float, default=5.0, help="unmeasured time first")
    parser.add_argument("--users", type=int, default=20, help="concurrent users")
    args = parser.parse_args()

    from tests.integration.deployment import scaled_out
    from tests.storage_urls import postgres_database

    results = {}
    # As deployed: no verification of the tracker memo, the default turn timeout.
    env = {"CCE_VERIFY_TRACKER_MEMO": "0"}
    with postgres_database() as database_url, scaled_out(ROOT, database_url, 2, env) as deployment:
        proxy, nodes = deployment["proxy"], deployment["nodes"]
        processes = {"client (this script)": os.getpid(), "nginx": proxy.process.pid,
                     "action server": deployment["actions"].process.pid}  # fmt: skip
        processes.update({f"rasa {n + 1}": node.process.pid for n, node in enumerate(nodes)})
        processes.update({"redis": deployment["redis"].process.pid,
                          "postgresql (all of the machine's)": "postgres"})  # fmt: skip
        for count in (1, 2):
            proxy.point_at([node.port for node in nodes[:count]])
            print(f"Measuring through nginx with {count} instance(s): {args.users} users, "
                  f"{args.warmup:.0f} s warm-up, {args.seconds:.0f} s measured...",
                  flush=True)  # fmt: skip
            results[f"{count}_instance{'s' if count > 1 else ''}"] = figures = measure(
                proxy, args.users, args.seconds, args.warmup, processes
            )
            print(f"  {json.dumps(figures)}", flush=True)
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "deploy_throughput.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"Written to {out / 'deploy_throughput.json'}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
