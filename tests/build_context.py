"""What ``docker build -f deploy/Dockerfile .`` would see, worked out here without a
container engine: the build context after ``.dockerignore`` (by docker-py's
implementation of docker's matching rules), and the Dockerfile's instructions."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

from bot.config import PROJECT_ROOT

DOCKERFILE = PROJECT_ROOT / "deploy" / "Dockerfile"


def dockerignore_patterns(root: Path = PROJECT_ROOT) -> list[str]:
    """The patterns as the docker client reads them (blank lines and comments dropped)."""
    lines = (root / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def context_paths(root: Path = PROJECT_ROOT) -> set[str]:
    """Relative paths (files and folders) the build context holds."""
    from docker.utils.build import exclude_paths

    return exclude_paths(str(root), dockerignore_patterns(root), dockerfile="deploy/Dockerfile")


def copy_context(root: Path, destination: Path) -> None:
    """Copies the build context of ``root`` into ``destination`` (as ``COPY . .`` would)."""
    for relative in sorted(context_paths(root)):
        source = root / relative
        if source.is_file() and not source.is_symlink():
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def instructions(path: Path = DOCKERFILE) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    result: list[tuple[str, str]] = []
    pending = ""
    for line in path.read_text().splitlines():
        if line.lstrip().startswith("#") and not pending:
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        whole = (pending + line).strip()
        pending = ""
        if whole:
            name, _, arguments = whole.partition(" ")
            result.append((name.upper(), arguments.strip()))
    return result


def environment(path: Path = DOCKERFILE) -> dict[str, str]:
    """Every ``ENV`` of the Dockerfile (``KEY=value`` form)."""
    env: dict[str, str] = {}
    for name, arguments in instructions(path):
        if name == "ENV":
            for item in shlex.split(arguments):
                key, _, value = item.partition("=")
                env[key] = value
    return env


def run_commands(path: Path = DOCKERFILE) -> list[str]:
    """The shell commands of every ``RUN``, each ``&&``-joined part on its own."""
    commands = []
    for name, arguments in instructions(path):
        if name == "RUN":
            commands += [part.strip() for part in arguments.split("&&")]
    return commands
