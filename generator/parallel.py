"""Spread a per-paper stage over the machine's cores when the corpus is big enough to gain.

Workers are forked, so they see the parent's data (the taxonomy, the corpus) without copying
it through pickle; only each slice of inputs and its results cross process boundaries. Where
fork is unavailable, or the work is small, everything runs in this process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

PARALLEL_FROM = 2000  # below this many items, starting processes costs more than it saves
_shared: dict[str, Any] = {}
T = TypeVar("T")


def map_slices(function: Callable[[Any, Sequence], list], context: Any, items: Sequence,
               parallel_from: int = PARALLEL_FROM) -> list:
    """function(context, slice) over slices of items, results concatenated in order; in this
    process alone when there are fewer than `parallel_from` items."""
    results, _ = map_slices_alongside(function, context, items, lambda: None, parallel_from)
    return results


def map_slices_alongside(function: Callable[[Any, Sequence], list], context: Any, items: Sequence,
                         alongside: Callable[[], T], parallel_from: int = PARALLEL_FROM) -> tuple[list, T]:
    """map_slices(), with `alongside()` run in this process while the workers work: (results, its result)."""
    workers = min(os.cpu_count() or 1, 8)
    if len(items) < parallel_from or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return function(context, items), alongside()
    _shared.update(function=function, context=context)
    size = -(-len(items) // (workers * 4))  # a few slices per worker evens out uneven slices
    slices = [items[start : start + size] for start in range(0, len(items), size)]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pending = pool.map_async(_run, slices)
            meanwhile = alongside()
            parts = pending.get()
    finally:
        _shared.clear()
    return [result for part in parts for result in part], meanwhile


@contextlib.contextmanager
def in_background(function: Callable[[Any], T], argument: Any):
    """function(argument) in a forked process while the with-block runs; the block gets an object
    whose get() waits for the result (call it inside the block). Without fork, it runs first.
    Once the block runs, this function holds no reference to `argument`."""
    if "fork" not in multiprocessing.get_all_start_methods():
        yield _Done(function(argument))
        return
    _shared.update(background=(function, argument))
    del function, argument  # once forked, the caller may let go of the argument and its memory with it
    try:
        with multiprocessing.get_context("fork").Pool(1) as pool:
            _shared.pop("background")
            yield pool.apply_async(_run_background)
    finally:
        _shared.pop("background", None)


class _Done:
    def __init__(self, value: Any) -> None:
        self.value = value

    def get(self) -> Any:
        return self.value


def _run_background() -> Any:
    function, argument = _shared["background"]
    return function(argument)


def _run(items: Sequence) -> list:
    return _shared["function"](_shared["context"], items)
