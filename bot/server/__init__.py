"""How the Rasa server process is started (see :mod:`bot.server.rasa_run`)."""
