from __future__ import annotations

import numpy as np
import pytest

from indexing.embedder import (
    EmbeddingModelMissing,
    HashingEmbedder,
    SentenceTransformerEmbedder,
    default_model_path,
)
from indexing.settings import EmbeddingSettings


@pytest.mark.unit
def test_hashing_embedder_is_deterministic_normalised_and_word_sensitive() -> None:
    e = HashingEmbedder()
    a, b, c = e.embed(["python sql developer", "python sql developer", "registered nurse icu"])
    assert np.allclose(a, b)
    assert np.isclose(np.linalg.norm(a), 1.0)
    near = float(a @ e.embed(["senior python developer"])[0])
    far = float(a @ c)
    assert near > far
    assert e.embed([]).shape == (0, 384)


@pytest.mark.unit
def test_packaged_model_is_present_offline() -> None:
    embedder = SentenceTransformerEmbedder(EmbeddingSettings())
    assert embedder.available()
    assert (default_model_path() / "config.json").exists()
    assert not embedder.loaded  # nothing is loaded until the first embed


@pytest.mark.unit
def test_a_missing_model_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    embedder = SentenceTransformerEmbedder(EmbeddingSettings(model_path=str(tmp_path)))
    assert not embedder.available()
    with pytest.raises(EmbeddingModelMissing, match="TABASHIR_EMBEDDING_MODEL_PATH"):
        embedder.embed(["anything"])


@pytest.mark.slow
def test_real_model_embeds_meaningfully() -> None:
    embedder = SentenceTransformerEmbedder(EmbeddingSettings(device="cpu"))
    vectors = embedder.embed(
        [
            "Senior Python developer with Django and PostgreSQL",
            "Backend software engineer (Python, SQL databases)",
            "Registered nurse for the intensive care unit",
            "مهندس برمجيات بايثون",
        ]
    )
    assert vectors.shape == (4, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
    assert embedder.loaded


@pytest.mark.slow
def test_half_precision_off_a_gpu_is_a_clear_error() -> None:
    embedder = SentenceTransformerEmbedder(EmbeddingSettings(device="cpu", precision="float16"))
    with pytest.raises(ValueError, match="needs a CUDA device"):
        embedder.embed(["anything"])
    assert not embedder.loaded  # a model that cannot run as configured is not kept


@pytest.mark.unit
def test_unknown_precision_is_rejected() -> None:
    with pytest.raises(ValueError, match="precision"):
        EmbeddingSettings(precision="int8")  # type: ignore[arg-type]
