"""The AI builder's background task (registered in api/tasks/handlers.py)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.ai_resume import service
from api.integrations.llm import db_usage_sink, get_llm_client
from api.resumes.settings import get_cv_settings
from api.state import AppState


async def build_ai_resume_task(
    session: AsyncSession, state: AppState, payload: dict[str, Any]
) -> dict[str, Any]:
    """Build the AI resume named in the payload; progress is committed as it goes."""
    return await service.run_build(
        session,
        get_llm_client(),
        db_usage_sink(state.sessionmaker),
        get_cv_settings(),
        uuid.UUID(str(payload["ai_resume_id"])),
        publish=session.commit,
    )
