"""get_owned: another user's object is NotFound, exactly like a missing one."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.ownership import get_owned
from api.accounts.ratelimit import purge_expired
from api.errors import NotFound
from models import Resume
from models.account import RateLimitCounter
from tests.api.accounts.conftest import UserFactory

pytestmark = pytest.mark.integration


async def test_only_the_owner_gets_the_row(
    session: AsyncSession, user_factory: UserFactory
) -> None:
    alice, bob = await user_factory(), await user_factory()
    resume = Resume(
        user_id=alice.id,
        file_name="cv.pdf",
        mime_type="application/pdf",
        size_bytes=1,
        sha256="b" * 64,
    )
    session.add(resume)
    await session.flush()
    assert (await get_owned(session, Resume, resume.id, alice.id, what="Resume")).id == resume.id
    with pytest.raises(NotFound) as theirs:
        await get_owned(session, Resume, resume.id, bob.id, what="Resume")
    with pytest.raises(NotFound) as missing:
        await get_owned(session, Resume, uuid.uuid4(), bob.id, what="Resume")
    assert (theirs.value.message, theirs.value.code) == (missing.value.message, missing.value.code)
    assert theirs.value.code == "resume_not_found"


async def test_old_rate_limit_counters_are_purged(session: AsyncSession) -> None:
    now = datetime.now(UTC)
    session.add_all(
        [
            RateLimitCounter(key="old", window_start=now - timedelta(days=3), count=5),
            RateLimitCounter(key="new", window_start=now - timedelta(minutes=5), count=5),
        ]
    )
    await session.flush()
    assert await purge_expired(session, older_than=timedelta(days=2)) == 1
    keys = (await session.execute(select(RateLimitCounter.key))).scalars().all()
    assert keys == ["new"]
    assert (
        await session.execute(select(func.count()).select_from(RateLimitCounter))
    ).scalar_one() == 1
