"""The rules of administration. Every change writes an audit entry in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts import repository as accounts_repository
from api.accounts import service as accounts
from api.accounts.audit import RequestMeta, record
from api.accounts.permissions import ALL_PERMISSIONS, effective_permissions, has_second_factor
from api.accounts.security import utcnow
from api.admin import repository
from api.admin.schemas import AdminUserOut
from api.errors import BadInput, Conflict, Forbidden, NotFound
from api.settings import ApiSettings
from models import User
from models.enums import AdminRole, Permission, UserType


async def admin_user_out(
    session: AsyncSession,
    user: User,
    permissions: set[Permission] | None = None,
    two_factor: bool | None = None,
) -> AdminUserOut:
    if permissions is None:
        held = await effective_permissions(session, user)
    elif user.admin_role == AdminRole.SUPER_ADMIN:
        held = ALL_PERMISSIONS
    else:
        held = frozenset(permissions)
    return AdminUserOut(
        id=user.id,
        email=user.email,
        name=user.name,
        user_type=user.user_type,
        admin_role=user.admin_role,
        permissions=sorted(held),
        is_active=user.is_active,
        email_verified=user.email_verified_at is not None,
        two_factor_enabled=(
            two_factor if two_factor is not None else await has_second_factor(session, user.id)
        ),
        created_at=user.created_at,
        last_login_at=user.last_login_at,
        deleted_at=user.deleted_at,
    )


async def admin_users_out(session: AsyncSession, users: Sequence[User]) -> list[AdminUserOut]:
    ids = [u.id for u in users]
    held = await repository.permissions_by_user(session, ids)
    with_totp = await repository.with_second_factor(session, ids)
    return [
        await admin_user_out(session, u, held.get(u.id, set()), u.id in with_totp) for u in users
    ]


async def target_user(session: AsyncSession, user_id: uuid.UUID, *, lock: bool = False) -> User:
    user = await accounts_repository.get_user(session, user_id, lock=lock)
    if user is None:
        raise NotFound("User not found", code="user_not_found")
    return user


def _ensure_may_act_on(actor: User, target: User) -> None:
    if actor.id == target.id:
        raise Forbidden("You cannot do this to your own account", code="self_action")
    if target.user_type == UserType.ADMIN and actor.admin_role != AdminRole.SUPER_ADMIN:
        raise Forbidden("Only a super admin can act on administrators", code="super_admin_required")


async def suspend(
    session: AsyncSession, actor: User, user_id: uuid.UUID, reason: str | None, meta: RequestMeta
) -> User:
    """Block sign-in and end every session of the account at once."""
    target = await target_user(session, user_id, lock=True)
    _ensure_may_act_on(actor, target)
    if target.deleted_at is not None:
        raise Conflict("This account was deleted", code="account_deleted")
    if target.is_active:
        target.is_active = False
        await accounts.revoke_everything(session, target)
        await record(
            session,
            meta,
            actor_id=actor.id,
            action="admin.user_suspended",
            entity_type="user",
            entity_id=target.id,
            data={"reason": reason} if reason else None,
        )
    return target


async def reactivate(
    session: AsyncSession, actor: User, user_id: uuid.UUID, meta: RequestMeta
) -> User:
    target = await target_user(session, user_id, lock=True)
    _ensure_may_act_on(actor, target)
    if target.deleted_at is not None:
        raise Conflict("This account was deleted", code="account_deleted")
    if not target.is_active:
        target.is_active = True
        await session.flush()
        await record(
            session,
            meta,
            actor_id=actor.id,
            action="admin.user_reactivated",
            entity_type="user",
            entity_id=target.id,
        )
    return target


async def _regular_admin(session: AsyncSession, actor: User, user_id: uuid.UUID) -> User:
    target = await target_user(session, user_id, lock=True)
    if actor.id == target.id:
        raise Forbidden("You cannot change your own permissions", code="self_action")
    if target.user_type != UserType.ADMIN:
        raise BadInput("Only administrators hold permissions", code="not_an_admin")
    if target.admin_role == AdminRole.SUPER_ADMIN:
        raise Conflict("A super admin holds every permission", code="super_admin")
    return target


async def _ensure_may_grant(
    session: AsyncSession, actor: User, permissions: set[Permission]
) -> None:
    """Nobody hands out a permission they do not hold themselves (no escalation by proxy)."""
    missing = permissions - await effective_permissions(session, actor)
    if missing:
        raise Forbidden(
            "You can only grant or revoke permissions you hold: "
            + ", ".join(sorted(p.value for p in missing)),
            code="permission_not_held",
        )


async def set_permissions(
    session: AsyncSession,
    actor: User,
    user_id: uuid.UUID,
    wanted: set[Permission],
    meta: RequestMeta,
) -> tuple[User, frozenset[Permission]]:
    """Make the admin's permissions exactly ``wanted``; each change is audited, and the admin's
    outstanding access tokens stop working (the next refresh carries the new rights)."""
    target = await _regular_admin(session, actor, user_id)
    current = await effective_permissions(session, target)
    to_grant, to_revoke = wanted - current, current - wanted
    await _ensure_may_grant(session, actor, to_grant | to_revoke)
    for permission in sorted(to_grant):
        await repository.grant(session, target.id, permission, actor.id)
        await record(
            session,
            meta,
            actor_id=actor.id,
            action="admin.permission_granted",
            entity_type="user",
            entity_id=target.id,
            data={"permission": permission.value},
        )
    for permission in sorted(to_revoke):
        await repository.revoke(session, target.id, permission)
        await record(
            session,
            meta,
            actor_id=actor.id,
            action="admin.permission_revoked",
            entity_type="user",
            entity_id=target.id,
            data={"permission": permission.value},
        )
    if to_grant or to_revoke:
        await accounts.bump_epoch(session, target)
    return target, await effective_permissions(session, target)


async def create_admin(
    session: AsyncSession,
    settings: ApiSettings,
    actor: User,
    *,
    email: str,
    name: str | None,
    permissions: set[Permission],
    meta: RequestMeta,
) -> User:
    """A new REGULAR_ADMIN (super admins only). They choose a password through the emailed
    reset link, so no password ever travels through another person."""
    if actor.admin_role != AdminRole.SUPER_ADMIN:
        raise Forbidden("Only a super admin can create administrators", code="super_admin_required")
    if await accounts_repository.get_user_by_email(session, email) is not None:
        raise Conflict("An account with this email already exists", code="email_taken")
    user = User(
        email=email,
        name=name,
        user_type=UserType.ADMIN,
        admin_role=AdminRole.REGULAR_ADMIN,
        email_verified_at=utcnow(),
    )
    session.add(user)
    await session.flush()
    for permission in sorted(permissions):
        await repository.grant(session, user.id, permission, actor.id)
    await record(
        session,
        meta,
        actor_id=actor.id,
        action="admin.admin_created",
        entity_type="user",
        entity_id=user.id,
        data={"permissions": sorted(p.value for p in permissions)},
    )
    await accounts.forgot_password(session, settings, email)
    return user
