"""rasa's prediction graphs run in order, without dask's scheduler.

rasa 3.6 runs every parse and every dialogue prediction through
``DaskGraphRunner.run``: it prunes the graph schema to the targets, builds a dask
graph and asks ``dask.get`` to schedule it, and formats all its inputs (the
message, the tracker) into a debug log line even when nothing is logged at debug
level. For graphs of a dozen nodes run on one thread, that bookkeeping cost about
as much as some of the components. This ``run`` calls the same nodes with the
same inputs in a topological order worked out once per set of targets; a node's
output reaches the nodes that need it exactly as under dask (as the
``(node name, output)`` pair every ``GraphNode`` returns).
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def _order(schema: Any, targets: tuple[str, ...]) -> list[str]:
    """The nodes the targets need, each after every node it needs."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen or name not in schema.nodes:
            return  # placeholders for inputs are not nodes
        seen.add(name)
        for needed in schema.nodes[name].needs.values():
            visit(needed)
        order.append(name)

    for target in targets:
        visit(target)
    return order


def run(self: Any, inputs: dict[str, Any] | None = None, targets: list[str] | None = None) -> dict:
    """Drop-in for ``DaskGraphRunner.run``: the same results and errors."""
    from rasa.engine.exceptions import GraphRunError

    run_targets = tuple(targets if targets else self._graph_schema.target_names)
    orders = self.__dict__.setdefault("_cce_orders", {})
    order = orders.get(run_targets)
    if order is None:
        order = orders[run_targets] = _order(self._graph_schema, run_targets)
    values: dict[str, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and value in order:
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure that none of "
                "the input names passed to the `run` method are the same as node names "
                "in the graph schema."
            )
        values[name] = (name, value)
    nodes = self._graph_schema.nodes
    try:
        for name in order:
            needed = [values.get(key, key) for key in nodes[name].needs.values()]
            values[name] = self._instantiated_nodes[name](*needed)
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error
    return dict(values[target] for target in run_targets)
