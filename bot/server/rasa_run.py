"""``python -m bot.server.rasa_run ARGS``: rasa's own command line (``rasa ARGS``)
with :mod:`bot.server.speedups` installed first. `python -m bot serve` starts the
Rasa server this way."""

from __future__ import annotations

from bot.server import speedups


def main() -> None:
    speedups.install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
