"""The API's start-up step after its clients are built: the model loaded, the heap settled."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from typing import Any, cast

import numpy as np
import pytest

from api.app import settle
from indexing.embedder import Embedder


class _Embedder:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[list[str]] = []
        self.fail = fail

    def embed(self, texts: Sequence[str]) -> np.ndarray[Any, Any]:
        self.calls.append(list(texts))
        if self.fail:
            raise RuntimeError("model files missing")
        return np.zeros((len(texts), 4), dtype=np.float32)


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


@pytest.mark.unit
async def test_settle_loads_the_model_then_freezes_what_was_built(unfrozen: None) -> None:
    embedder = _Embedder()
    built = [object() for _ in range(10)]
    assert gc.get_freeze_count() == 0
    await settle(cast(Embedder, embedder))
    assert embedder.calls == [["warm up"]]
    assert gc.get_freeze_count() >= len(built)


@pytest.mark.unit
async def test_a_model_that_will_not_load_does_not_stop_the_api(unfrozen: None) -> None:
    embedder = _Embedder(fail=True)
    await settle(cast(Embedder, embedder))
    assert embedder.calls == [["warm up"]]
    assert gc.get_freeze_count() > 0
