"""Who may do what: effective permissions of an admin, and which ones need a second factor."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AdminPermissionAssignment, User
from models.account import TotpCredential
from models.enums import AdminRole, Permission, UserType

ALL_PERMISSIONS = frozenset(Permission)
#: Permissions that move money or grant power: unusable until the admin has enrolled TOTP.
SECOND_FACTOR_PERMISSIONS = frozenset(
    {Permission.MANAGE_PAYMENTS, Permission.MANAGE_ADMIN_PERMISSIONS}
)


async def assigned_permissions(session: AsyncSession, user_id: uuid.UUID) -> frozenset[Permission]:
    rows = await session.execute(
        select(AdminPermissionAssignment.permission).where(
            AdminPermissionAssignment.user_id == user_id
        )
    )
    return frozenset(rows.scalars().all())


async def effective_permissions(session: AsyncSession, user: User) -> frozenset[Permission]:
    """SUPER_ADMIN holds every permission; REGULAR_ADMIN its assignments; others none."""
    if user.user_type != UserType.ADMIN:
        return frozenset()
    if user.admin_role == AdminRole.SUPER_ADMIN:
        return ALL_PERMISSIONS
    return await assigned_permissions(session, user.id)


async def has_second_factor(session: AsyncSession, user_id: uuid.UUID) -> bool:
    confirmed = await session.execute(
        select(TotpCredential.user_id).where(
            TotpCredential.user_id == user_id, TotpCredential.confirmed_at.is_not(None)
        )
    )
    return confirmed.first() is not None
