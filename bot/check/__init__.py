"""The indicator check as a conversation: which question comes next, how a reply
is read, and what is said at the end. Pure Python over slot values; the Rasa
form in ``actions/check.py`` only carries the results to and from the tracker."""
