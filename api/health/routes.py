from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import SessionDep, StateDep
from api.health import service
from api.health.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
@router.get("/api/v1/resume/health", response_model=Health)
async def health(session: SessionDep, state: StateDep, response: Response) -> Health:
    """Database, index and model status; 503 when the database is down."""
    result = await service.check(session, state)
    if result.status == "down":
        response.status_code = 503
    return result
