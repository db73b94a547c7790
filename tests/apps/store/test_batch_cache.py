"""The per-batch cache of the ingest context: loaded once, read back with its type."""

from __future__ import annotations

import pytest

from veche.apps.store.context import Context


def test_cached_loads_once_and_recall_checks_the_type() -> None:
    ctx = Context()
    loads: list[int] = []

    def load() -> dict[str, int]:
        loads.append(1)
        return {"a": 1}

    assert ctx.cached(("counts", "space"), load) == {"a": 1}
    assert ctx.cached(("counts", "space"), load) is ctx.cached(("counts", "space"), load)
    assert len(loads) == 1
    assert ctx.recall(("counts", "space"), dict) == {"a": 1}
    assert ctx.recall(("counts", "other"), dict) is None
    with pytest.raises(TypeError, match="not <class 'list'>"):
        ctx.recall(("counts", "space"), list)
    ctx.discard()
    assert ctx.recall(("counts", "space"), dict) is None
