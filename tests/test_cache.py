"""The one cache layer (datasets/cache.py): keyed by warehouse build, bounded, one copy rule."""
import pandas as pd

from datasets import cache


def test_entries_are_keyed_by_build_and_never_served_to_another():
    store = cache.Store("t-build", 10)
    assert store.get("b1", "k", lambda: "old") == "old"
    assert store.get("b1", "k", lambda: "recomputed") == "old"
    assert store.get("b2", "k", lambda: "new") == "new"  # a new build never sees the old result
    cache.drop_other_builds("b2")
    assert list(store.items) == [("b2", "k")]


def test_bounded_by_weight_the_most_recent_kept():
    """Maps are weighed by the communes they hold: the budget is communes, not entries."""
    store = cache.Store("t-weight", 10, weight=lambda v: v)
    built = []

    def build(n):
        return lambda: built.append(n) or n

    store.get("b", "a", build(4))
    assert store.get("b", "a", build(4)) == 4 and built == [4]
    store.get("b", "b", build(4))
    store.get("b", "a", build(4))  # a becomes the most recent
    store.get("b", "c", build(4))  # 12 > 10: the least recent (b) goes
    assert [k for _, k in store.items] == ["a", "c"]
    store.get("b", "big", build(50))  # alone over the budget: kept, the others go
    assert [k for _, k in store.items] == ["big"]


def test_callers_get_copies_made_in_one_place():
    store = cache.Store("t-copy", 10)
    df = store.get("b", "df", lambda: pd.DataFrame({"x": [1, 2]}))
    df["x"] = [9, 9]
    df["y"] = 0
    again = store.get("b", "df", lambda: None)
    assert again["x"].tolist() == [1, 2] and "y" not in again
    d = store.get("b", "d", lambda: {"a": 1})
    d["a"] = 2
    assert store.get("b", "d", lambda: None) == {"a": 1}
