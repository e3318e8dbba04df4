"""SQL of the accounts domain. Every value is a bound parameter."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Candidate, Recruiter, RefreshToken, User
from models.account import (
    AccountToken,
    AccountTokenPurpose,
    OAuthIdentity,
    OAuthProvider,
    RecoveryCode,
    TotpCredential,
)


async def get_user(session: AsyncSession, user_id: uuid.UUID, *, lock: bool = False) -> User | None:
    stmt = select(User).where(User.id == user_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    return (await session.execute(select(User).where(User.email == email))).scalar_one_or_none()


async def get_candidate(session: AsyncSession, user_id: uuid.UUID) -> Candidate | None:
    return await session.get(Candidate, user_id)


async def get_recruiter(session: AsyncSession, user_id: uuid.UUID) -> Recruiter | None:
    return await session.get(Recruiter, user_id)


# --- refresh tokens ----------------------------------------------------------------------------


async def refresh_token_by_hash(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    """Locked, so two concurrent refreshes with one token are serialised: the second is a reuse."""
    return (
        await session.execute(
            select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
        )
    ).scalar_one_or_none()


async def revoke_family(session: AsyncSession, family_id: uuid.UUID, now: datetime) -> int:
    result = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def revoke_user_family(
    session: AsyncSession, user_id: uuid.UUID, family_id: uuid.UUID, now: datetime
) -> int:
    """Revoke one of the user's sessions; 0 when the family is not theirs or not live."""
    result = await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.user_id == user_id,
            RefreshToken.family_id == family_id,
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def revoke_all_refresh_tokens(
    session: AsyncSession, user_id: uuid.UUID, now: datetime
) -> int:
    result = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def live_sessions(
    session: AsyncSession, user_id: uuid.UUID, now: datetime
) -> Sequence[tuple[RefreshToken, datetime]]:
    """The live token of each session (family) with the time the session began."""
    started = (
        select(RefreshToken.family_id, func.min(RefreshToken.created_at).label("started"))
        .where(RefreshToken.user_id == user_id)
        .group_by(RefreshToken.family_id)
        .subquery()
    )
    rows = await session.execute(
        select(RefreshToken, started.c.started)
        .join(started, started.c.family_id == RefreshToken.family_id)
        .where(
            RefreshToken.user_id == user_id,
            RefreshToken.used_at.is_(None),
            RefreshToken.revoked_at.is_(None),
            RefreshToken.expires_at > now,
        )
        .order_by(RefreshToken.created_at.desc())
    )
    return [(token, started_at) for token, started_at in rows.all()]


# --- single-use email tokens -------------------------------------------------------------------


async def consume_account_token(
    session: AsyncSession, token_hash: str, purpose: AccountTokenPurpose, now: datetime
) -> AccountToken | None:
    """Mark the token used if it is live; one statement, so it can be used only once."""
    return (
        await session.execute(
            update(AccountToken)
            .where(
                AccountToken.token_hash == token_hash,
                AccountToken.purpose == purpose,
                AccountToken.used_at.is_(None),
                AccountToken.expires_at > now,
            )
            .values(used_at=now)
            .returning(AccountToken)
        )
    ).scalar_one_or_none()


async def retire_account_tokens(
    session: AsyncSession, user_id: uuid.UUID, purpose: AccountTokenPurpose, now: datetime
) -> None:
    """Older links stop working when a new one is sent or one is used."""
    await session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user_id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now)
    )


# --- second factor -----------------------------------------------------------------------------


async def get_totp(
    session: AsyncSession, user_id: uuid.UUID, *, lock: bool = False
) -> TotpCredential | None:
    stmt = select(TotpCredential).where(TotpCredential.user_id == user_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def consume_recovery_code(
    session: AsyncSession, user_id: uuid.UUID, code_hash: str, now: datetime
) -> bool:
    used = await session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == code_hash,
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .returning(RecoveryCode.id)
    )
    return used.first() is not None


# --- linked sign-ins ---------------------------------------------------------------------------


async def get_identity(
    session: AsyncSession, provider: OAuthProvider, subject: str
) -> OAuthIdentity | None:
    return (
        await session.execute(
            select(OAuthIdentity).where(
                OAuthIdentity.provider == provider, OAuthIdentity.subject == subject
            )
        )
    ).scalar_one_or_none()


async def get_user_identity(
    session: AsyncSession, user_id: uuid.UUID, provider: OAuthProvider
) -> OAuthIdentity | None:
    return (
        await session.execute(
            select(OAuthIdentity).where(
                OAuthIdentity.user_id == user_id, OAuthIdentity.provider == provider
            )
        )
    ).scalar_one_or_none()
