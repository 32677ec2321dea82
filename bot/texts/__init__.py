"""Everything the assistant says, in one room: its own texts from
``content/messages.yml`` (:mod:`.messages`), the replies to a guidance question
(:mod:`.guidance`), the check's screens and outcome (:mod:`.check`), and the one
way our actions send them (:mod:`.send`). Guidance answers' own text comes from
the knowledge (:mod:`bot.knowledge`); each is turned into a reply here."""
