"""The processes' entry points: the Rasa server (:mod:`.rasa_run`), the action
server (:mod:`.actions_run`) and the actions run inside the Rasa server
(:mod:`.inprocess_actions`). ``python -m bot serve`` (:mod:`bot.cli.serve`)
starts the servers this way; each installs its Rasa patches (:mod:`bot.rasa_patches`)."""
