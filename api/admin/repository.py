"""SQL of the admin routes. Search terms are bound parameters with LIKE wildcards escaped."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AdminPermissionAssignment, AuditLog, User
from models.account import TotpCredential
from models.enums import Permission, UserType


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


@dataclass(frozen=True)
class UserFilters:
    q: str | None = None
    user_type: UserType | None = None
    is_active: bool | None = None


def _user_conditions(f: UserFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if f.q:
        pattern = _like(f.q)
        conditions.append(
            or_(
                User.email.like(pattern, escape="\\"),
                func.lower(User.name).like(pattern, escape="\\"),
            )
        )
    if f.user_type:
        conditions.append(User.user_type == f.user_type)
    if f.is_active is not None:
        conditions.append(User.is_active.is_(f.is_active))
    return conditions


async def list_users(
    session: AsyncSession, filters: UserFilters, offset: int, limit: int
) -> tuple[Sequence[User], int]:
    conditions = _user_conditions(filters)
    total = (
        await session.execute(select(func.count()).select_from(User).where(*conditions))
    ).scalar_one()
    rows = (
        (
            await session.execute(
                select(User)
                .where(*conditions)
                .order_by(User.created_at.desc(), User.id)
                .offset(offset)
                .limit(limit)
            )
        )
        .scalars()
        .all()
    )
    return rows, total


async def permissions_by_user(
    session: AsyncSession, user_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, set[Permission]]:
    result: dict[uuid.UUID, set[Permission]] = {}
    if not user_ids:
        return result
    rows = await session.execute(
        select(AdminPermissionAssignment.user_id, AdminPermissionAssignment.permission).where(
            AdminPermissionAssignment.user_id.in_(user_ids)
        )
    )
    for user_id, permission in rows.all():
        result.setdefault(user_id, set()).add(permission)
    return result


async def with_second_factor(
    session: AsyncSession, user_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    if not user_ids:
        return set()
    rows = await session.execute(
        select(TotpCredential.user_id).where(
            TotpCredential.user_id.in_(user_ids), TotpCredential.confirmed_at.is_not(None)
        )
    )
    return set(rows.scalars().all())


async def grant(
    session: AsyncSession, user_id: uuid.UUID, permission: Permission, granted_by: uuid.UUID
) -> bool:
    """False when the permission was already held."""
    exists = await session.execute(
        select(AdminPermissionAssignment.id).where(
            AdminPermissionAssignment.user_id == user_id,
            AdminPermissionAssignment.permission == permission,
        )
    )
    if exists.first() is not None:
        return False
    session.add(
        AdminPermissionAssignment(user_id=user_id, permission=permission, granted_by_id=granted_by)
    )
    await session.flush()
    return True


async def revoke(session: AsyncSession, user_id: uuid.UUID, permission: Permission) -> bool:
    result = await session.execute(
        delete(AdminPermissionAssignment)
        .where(
            AdminPermissionAssignment.user_id == user_id,
            AdminPermissionAssignment.permission == permission,
        )
        .returning(AdminPermissionAssignment.id)
    )
    return result.first() is not None


@dataclass(frozen=True)
class AuditFilters:
    actor_id: uuid.UUID | None = None
    action: str | None = None
    entity_type: str | None = None
    entity_id: str | None = None


async def list_audit(
    session: AsyncSession, filters: AuditFilters, offset: int, limit: int
) -> tuple[Sequence[tuple[AuditLog, str | None]], int]:
    conditions: list[ColumnElement[bool]] = []
    if filters.actor_id:
        conditions.append(AuditLog.actor_id == filters.actor_id)
    if filters.action:
        conditions.append(AuditLog.action == filters.action)
    if filters.entity_type:
        conditions.append(AuditLog.entity_type == filters.entity_type)
    if filters.entity_id:
        conditions.append(AuditLog.entity_id == filters.entity_id)
    total = (
        await session.execute(select(func.count()).select_from(AuditLog).where(*conditions))
    ).scalar_one()
    rows = await session.execute(
        select(AuditLog, User.email)
        .outerjoin(User, User.id == AuditLog.actor_id)
        .where(*conditions)
        .order_by(AuditLog.created_at.desc(), AuditLog.id)
        .offset(offset)
        .limit(limit)
    )
    return [(entry, email) for entry, email in rows.all()], total
