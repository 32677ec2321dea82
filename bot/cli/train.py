"""Train the model: ``python -m bot train`` (what ``make train`` and the image's
build both run, so the image's model is trained exactly as a developer's).

First the generated guidance intents are checked (``sync-data --check``), then
rasa's own ``rasa train`` runs in the project folder with no flags but the
model's name and folder, so it reads config.yml, domain.yml and data/ as any
rasa command would. Each step says what it is doing: training takes a minute
or more and is otherwise silent.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from bot import bootstrap
from bot.config import PROJECT_ROOT

MODEL_NAME = "cce"


def train_command(out: Path) -> list[str]:
    return [
        sys.executable, "-m", "rasa", "train",
        "--fixed-model-name", MODEL_NAME, "--out", str(out), "--quiet",
    ]  # fmt: skip


def main(args: argparse.Namespace) -> int:
    from bot.cli import sync_data

    out = args.out or bootstrap.app().settings.models_dir
    print("Checking that the generated guidance intents are up to date...", flush=True)
    if sync_data.main(argparse.Namespace(check=True)) != 0:
        return 1
    model = out / f"{MODEL_NAME}.tar.gz"
    print(f"Training the model into {model} (a minute or two)...", flush=True)
    started = time.monotonic()
    env = {"TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false",
           "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
           "PYTHONWARNINGS": "ignore::DeprecationWarning", **os.environ}  # fmt: skip
    result = subprocess.run(train_command(out), cwd=PROJECT_ROOT, env=env)
    if result.returncode != 0 or not model.exists():
        print(f"Training failed (rasa train exited {result.returncode}).", file=sys.stderr)
        return result.returncode or 1
    print(f"Trained {model} in {time.monotonic() - started:.0f} s.", flush=True)
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("train", help=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, help="folder for cce.tar.gz (default CCE_MODELS_DIR or models/)"
    )
    parser.set_defaults(func=main)
