"""The long-lived clients the lifespan owns, typed, read by dependencies from request state."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.settings import ApiSettings
from indexing.embedder import Embedder
from indexing.lexical import TantivyJobIndex
from matching.engine import MatchEngine


@dataclass
class AppState:
    settings: ApiSettings
    database_url: URL
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    embedder: Embedder
    lexical: TantivyJobIndex
    matcher: MatchEngine
