"""Annotated dependency aliases: handlers take ``session: SessionDep``, never inline Depends."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import Unauthorized
from api.state import AppState
from models.db import session_scope


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.tabashir
    return state


StateDep = Annotated[AppState, Depends(get_state)]


async def get_session(state: StateDep) -> AsyncIterator[AsyncSession]:
    """One session per request, committed once when the handler returns, rolled back if it raises."""
    async with session_scope(state.sessionmaker) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def require_api_token(
    state: StateDep,
    x_api_token: Annotated[str | None, Header(alias="X-API-TOKEN")] = None,
) -> None:
    """Service-to-service routes (/api/v1/resume/*) take the seed's X-API-TOKEN header."""
    expected = state.settings.api_token.get_secret_value().encode()
    if x_api_token is None or not hmac.compare_digest(x_api_token.encode(), expected):
        raise Unauthorized("Missing or invalid X-API-TOKEN header", code="invalid_api_token")


ApiTokenDep = Annotated[None, Depends(require_api_token)]
