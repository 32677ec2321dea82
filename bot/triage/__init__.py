"""The indicator check's decision engine: pure Python, no Rasa.

:func:`bot.triage.engine.assess` turns a practitioner's answers into the most
urgent outcome that applies and the steps of every rule that applies, each step
naming its contact route and the guidance section behind it. The rules and the
indicator catalogue are data (``content/triage/``).
"""
