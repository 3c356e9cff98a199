"""The one cache of the application: bounded, keyed by the warehouse build, one copy rule.

Streamlit-free and ETL-free, so that `datasets.access`, the components and the exports
(which also run from the command line) share it.

Rules (docs/architecture.md, "Caching"):
- every entry is keyed by the build id of the warehouse it was computed from: after a new
  warehouse is published, a lookup carries the new id, so an old build's result is never
  served; old entries age out of the LRU (and are dropped at once by `drop_other_builds`);
- every store is bounded (LRU by entry count, or by a weight such as communes held);
- copies: values are shared by every session and rerun. DataFrames, dicts and lists leave
  the cache as copies made here and nowhere else (`_out`: a shallow copy, which pandas'
  copy-on-write makes O(columns)); other objects (plotly figures, maps, bytes) are frozen
  by contract — a caller that annotates one copies it first (the exports do).
"""
from __future__ import annotations

import functools
import hashlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import pandas as pd

_stores: list["Store"] = []


def _out(value):
    """The single copy point: what a caller gets may be changed without touching the cache."""
    if isinstance(value, pd.DataFrame):
        return value.copy(deep=False)
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    return value


def digest(*parts) -> str:
    """A short key for inputs that are not hashable (DataFrames, dicts of catalogue rows)."""
    return hashlib.blake2b(pickle.dumps(parts, protocol=5), digest_size=16).hexdigest()


class Store:
    """A bounded LRU. `weight(value)` (default 1 per entry) is summed against `size`."""

    def __init__(self, name: str, size: int, weight: Callable[[object], int] | None = None):
        self.name, self.size, self.weight = name, size, weight or (lambda _v: 1)
        self.items: OrderedDict[Hashable, object] = OrderedDict()
        self.total = 0
        self.lock = threading.Lock()
        self.hits = self.misses = 0
        _stores.append(self)

    def get(self, build_id: str, key: Hashable, compute: Callable[[], object]):
        full = (build_id, key)
        with self.lock:
            if full in self.items:
                self.items.move_to_end(full)
                self.hits += 1
                return _out(self.items[full])
            self.misses += 1
        value = compute()
        w = self.weight(value)
        with self.lock:
            if full not in self.items:
                self.items[full] = value
                self.total += w
                while self.total > self.size and len(self.items) > 1:
                    _, old = self.items.popitem(last=False)
                    self.total -= self.weight(old)
        return _out(value)

    def peek(self, build_id: str, key: Hashable):
        """The cached value, or None: never computes (a button shows whether a file is ready)."""
        with self.lock:
            value = self.items.get((build_id, key))
        return None if value is None else _out(value)

    def drop_other_builds(self, build_id: str) -> None:
        with self.lock:
            for full in [k for k in self.items if k[0] != build_id]:
                self.total -= self.weight(self.items.pop(full))

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.total = 0


def drop_other_builds(build_id: str) -> None:
    """Called when a new warehouse is published: frees the memory of the old one's results."""
    for store in _stores:
        store.drop_other_builds(build_id)


def clear() -> None:
    for store in _stores:
        store.clear()


def memo(store: Store, current_build: Callable[[], str]):
    """Decorator: results of a pure function of (build, arguments), shared by everyone.
    Arguments are hashed by their pickle (DataFrames and dicts included)."""
    def wrap(fn):
        name = f"{fn.__module__}.{fn.__qualname__}"

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            return store.get(current_build(), digest(name, args, kwargs), lambda: fn(*args, **kwargs))

        wrapper.store = store
        return wrapper
    return wrap
