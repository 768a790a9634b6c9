"""``PortfolioWorker.subscribe`` is a copy of RQ's ``Worker.subscribe`` with a shorter pubsub wait.

A copy does not follow an RQ upgrade: were RQ to change its ``subscribe`` (another channel, another handler,
more set-up), the worker would go on running the old code without a word. These tests compare the two
methods' syntax trees, the docstring and the wait (``sleep_time``) left out, so an RQ whose method differs
fails here, saying what to re-check, rather than in production.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from typing import Any

import rq
from rq.worker import Worker

from service.portfolios.worker_cli import PUBSUB_WAIT_SECONDS, PortfolioWorker


def _shape(method: Callable[..., Any] | str) -> str:
    """The method's syntax tree as text, without its docstring and with the ``sleep_time=`` argument's
    value replaced by a placeholder: what must match between RQ's method and the copy."""
    source = method if isinstance(method, str) else inspect.getsource(method)
    tree = ast.parse(textwrap.dedent(source))
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    function.body = body
    # the copy is annotated (-> None), RQ's is not: the annotation is not behaviour
    function.returns = None
    for node in ast.walk(function):
        if isinstance(node, ast.keyword) and node.arg == "sleep_time":
            node.value = ast.Name(id="SLEEP_TIME", ctx=ast.Load())
    return ast.dump(function, include_attributes=False)


def _differs_from_rq(rq_method: Callable[..., Any] | str) -> str | None:
    """None when the copy matches ``rq_method`` apart from the wait, else the message the test fails with."""
    if _shape(rq_method) == _shape(PortfolioWorker.subscribe):
        return None
    return (
        f"RQ {rq.__version__}'s Worker.subscribe is no longer the method PortfolioWorker.subscribe "
        "(service/portfolios/worker_cli.py) copies with a shorter sleep_time: copy RQ's new method again, "
        "keep sleep_time=PUBSUB_WAIT_SECONDS, and re-run tests/faults/test_portfolio_worker_killed.py "
        "(an idle worker stops on SIGTERM within the grace period)"
    )


def test_the_copy_is_rqs_subscribe_apart_from_the_wait() -> None:
    difference = _differs_from_rq(Worker.subscribe)
    assert difference is None, difference


def test_the_copy_waits_less_than_rq() -> None:
    """What the copy exists for, which the comparison above leaves out: its wait is
    :data:`PUBSUB_WAIT_SECONDS`, short enough for a stop within compose's 30 s grace."""
    assert PUBSUB_WAIT_SECONDS <= 5
    tree = ast.parse(textwrap.dedent(inspect.getsource(PortfolioWorker.subscribe)))
    waits = [
        node.value for node in ast.walk(tree) if isinstance(node, ast.keyword) and node.arg == "sleep_time"
    ]
    assert len(waits) == 1
    assert isinstance(waits[0], ast.Name) and waits[0].id == "PUBSUB_WAIT_SECONDS"


def test_a_changed_rq_subscribe_is_caught() -> None:
    """The comparison is not blind: an RQ method that does one thing more, or subscribes another
    handler, is told apart from the copy; one that differs in its wait alone is not."""
    rq_source = textwrap.dedent(inspect.getsource(Worker.subscribe))
    only_the_wait = rq_source.replace("sleep_time=60", "sleep_time=30")
    assert _differs_from_rq(only_the_wait) is None
    another_handler = rq_source.replace("self.handle_payload", "self.handle_command")
    assert another_handler != rq_source
    assert _differs_from_rq(another_handler) is not None
    one_thing_more = rq_source.rstrip() + "\n    self.pubsub_started = True\n"
    message = _differs_from_rq(one_thing_more)
    assert message is not None
    assert "service/portfolios/worker_cli.py" in message
