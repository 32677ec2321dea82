"""bot.rasa_patches.graph_runner runs a rasa graph as dask does: same outputs, same
errors, only the nodes the targets need."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage

from bot import rasa_patches
from bot.rasa_patches import graph_runner

CALLS: list[str] = []


class Step(GraphComponent):
    """Appends its own name to what it is given."""

    def __init__(self, name: str) -> None:
        self.name = name

    @classmethod
    def create(
        cls, config: dict, model_storage: Any, resource: Any, execution_context: Any
    ) -> Step:
        return cls(config["name"])

    def join(self, **parts: Any) -> str:
        CALLS.append(self.name)
        if self.name == "broken":
            raise RuntimeError("boom")
        return "+".join(str(parts[key]) for key in sorted(parts)) + f">{self.name}"


def _node(name: str, needs: dict[str, str], target: bool = False) -> SchemaNode:
    return SchemaNode(needs=needs, uses=Step, constructor_name="create", fn="join",
                      config={"name": name}, is_target=target)  # fmt: skip


SCHEMA = GraphSchema(
    {
        "a": _node("a", {"x": "__input__"}),
        "b": _node("b", {"x": "a"}),
        "c": _node("c", {"x": "a", "y": "b"}, target=True),
        "unused": _node("unused", {"x": "a"}),
        "broken": _node("broken", {"x": "a"}),
    }
)


@pytest.fixture()
def runner(tmp_path):
    storage = LocalModelStorage(tmp_path)
    return DaskGraphRunner(SCHEMA, storage, ExecutionContext(SCHEMA, "test"))


def test_the_same_outputs_as_dask_and_only_the_needed_nodes(runner):
    rasa_patches.install(rasa_patches.SPEEDUPS)
    original = rasa_patches.original("rasa.engine.runner.dask.DaskGraphRunner.run")
    assert original is not graph_runner.run
    for targets in (["c"], ["b", "c"], ["a"], ["__input__", "c"]):
        CALLS.clear()
        theirs = original(runner, {"__input__": "in"}, targets)
        their_calls = sorted(CALLS)
        CALLS.clear()
        ours = graph_runner.run(runner, {"__input__": "in"}, targets)
        assert ours == theirs
        assert sorted(CALLS) == their_calls and "unused" not in CALLS
    assert ours["c"] == "in>a+in>a>b>c"


def test_errors_are_rasas(runner):
    rasa_patches.install(rasa_patches.SPEEDUPS)
    original = rasa_patches.original("rasa.engine.runner.dask.DaskGraphRunner.run")
    with pytest.raises(Exception) as theirs:
        original(runner, {"__input__": "in"}, ["broken"])
    with pytest.raises(Exception) as ours:
        graph_runner.run(runner, {"__input__": "in"}, ["broken"])
    assert type(ours.value) is type(theirs.value) and str(ours.value) == str(theirs.value)
    with pytest.raises(GraphRunError, match="clashes with a node name"):
        graph_runner.run(runner, {"__input__": "a"}, ["c"])
