"""Administration under /api/admin: each route declares the permission it needs."""

from __future__ import annotations

import math
import uuid
from collections.abc import Set as AbstractSet
from typing import Annotated

from fastapi import APIRouter, Body, Query, status

from api.accounts.audit import RequestMeta
from api.admin import repository, service
from api.admin.schemas import (
    AdminCreateIn,
    AdminUserList,
    AdminUserOut,
    AuditEntryOut,
    AuditLogList,
    PermissionsIn,
    PermissionsOut,
    SuspendIn,
)
from api.deps import MetaDep, RequirePermission, SessionDep, StateDep
from api.jobs.schemas import Pagination
from models import User
from models.enums import Permission, UserType

router = APIRouter(prefix="/api/admin", tags=["admin"])

UserManager = Annotated[User, RequirePermission(Permission.MANAGE_USERS)]
PermissionManager = Annotated[User, RequirePermission(Permission.MANAGE_ADMIN_PERMISSIONS)]


def _pagination(page: int, limit: int, total: int) -> Pagination:
    return Pagination(page=page, limit=limit, total=total, pages=math.ceil(total / limit))


@router.get("/users", response_model=AdminUserList)
async def list_users(
    _: UserManager,
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=200, description="part of an email or name")] = None,
    user_type: Annotated[UserType | None, Query(alias="userType")] = None,
    active: bool | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> AdminUserList:
    """Users, newest first, searchable by email or name (MANAGE_USERS)."""
    filters = repository.UserFilters(q=q, user_type=user_type, is_active=active)
    rows, total = await repository.list_users(session, filters, (page - 1) * limit, limit)
    return AdminUserList(
        items=await service.admin_users_out(session, rows),
        pagination=_pagination(page, limit, total),
    )


@router.get("/users/{user_id}", response_model=AdminUserOut)
async def get_user(user_id: uuid.UUID, _: UserManager, session: SessionDep) -> AdminUserOut:
    """One user (MANAGE_USERS)."""
    return await service.admin_user_out(session, await service.target_user(session, user_id))


@router.post("/users/{user_id}/suspend", response_model=AdminUserOut)
async def suspend_user(
    user_id: uuid.UUID,
    actor: UserManager,
    session: SessionDep,
    meta: MetaDep,
    body: Annotated[SuspendIn | None, Body()] = None,
) -> AdminUserOut:
    """Suspend an account: sign-in refused, every session ended at once (MANAGE_USERS;
    administrators only by a super admin)."""
    reason = body.reason if body else None
    target = await service.suspend(session, actor, user_id, reason, meta)
    return await service.admin_user_out(session, target)


@router.post("/users/{user_id}/reactivate", response_model=AdminUserOut)
async def reactivate_user(
    user_id: uuid.UUID, actor: UserManager, session: SessionDep, meta: MetaDep
) -> AdminUserOut:
    """Lift a suspension (MANAGE_USERS)."""
    target = await service.reactivate(session, actor, user_id, meta)
    return await service.admin_user_out(session, target)


@router.get("/users/{user_id}/permissions", response_model=PermissionsOut)
async def get_permissions(
    user_id: uuid.UUID, _: PermissionManager, session: SessionDep
) -> PermissionsOut:
    """An administrator's effective permissions (MANAGE_ADMIN_PERMISSIONS)."""
    target = await service.target_user(session, user_id)
    out = await service.admin_user_out(session, target)
    return PermissionsOut(
        user_id=target.id, admin_role=target.admin_role, permissions=out.permissions
    )


@router.put("/users/{user_id}/permissions", response_model=PermissionsOut)
async def set_permissions(
    user_id: uuid.UUID,
    body: PermissionsIn,
    actor: PermissionManager,
    session: SessionDep,
    meta: MetaDep,
) -> PermissionsOut:
    """Replace a regular admin's permissions (MANAGE_ADMIN_PERMISSIONS; only permissions you
    hold yourself; never your own)."""
    target, held = await service.set_permissions(
        session, actor, user_id, set(body.permissions), meta
    )
    return PermissionsOut(user_id=target.id, admin_role=target.admin_role, permissions=sorted(held))


async def _change_permission(
    session: SessionDep,
    actor: User,
    user_id: uuid.UUID,
    meta: RequestMeta,
    *,
    add: AbstractSet[Permission] = frozenset(),
    remove: AbstractSet[Permission] = frozenset(),
) -> PermissionsOut:
    target = await service.target_user(session, user_id)
    current = set((await service.admin_user_out(session, target)).permissions)
    target, held = await service.set_permissions(
        session, actor, user_id, (current | add) - remove, meta
    )
    return PermissionsOut(user_id=target.id, admin_role=target.admin_role, permissions=sorted(held))


@router.post("/users/{user_id}/permissions/{permission}", response_model=PermissionsOut)
async def grant_permission(
    user_id: uuid.UUID,
    permission: Permission,
    actor: PermissionManager,
    session: SessionDep,
    meta: MetaDep,
) -> PermissionsOut:
    """Grant one permission (MANAGE_ADMIN_PERMISSIONS)."""
    return await _change_permission(session, actor, user_id, meta, add={permission})


@router.delete("/users/{user_id}/permissions/{permission}", response_model=PermissionsOut)
async def revoke_permission(
    user_id: uuid.UUID,
    permission: Permission,
    actor: PermissionManager,
    session: SessionDep,
    meta: MetaDep,
) -> PermissionsOut:
    """Revoke one permission (MANAGE_ADMIN_PERMISSIONS)."""
    return await _change_permission(session, actor, user_id, meta, remove={permission})


@router.post("/admins", response_model=AdminUserOut, status_code=status.HTTP_201_CREATED)
async def create_admin(
    body: AdminCreateIn,
    actor: PermissionManager,
    session: SessionDep,
    state: StateDep,
    meta: MetaDep,
) -> AdminUserOut:
    """Create a regular admin with the given permissions; they set a password from the emailed
    link (super admins only)."""
    user = await service.create_admin(
        session,
        state.settings,
        actor,
        email=body.email,
        name=body.name,
        permissions=set(body.permissions),
        meta=meta,
    )
    return await service.admin_user_out(session, user)


@router.get("/audit-log", response_model=AuditLogList)
async def audit_log(
    _: PermissionManager,
    session: SessionDep,
    actor_id: Annotated[uuid.UUID | None, Query(alias="actorId")] = None,
    action: Annotated[str | None, Query(max_length=100)] = None,
    entity_type: Annotated[str | None, Query(alias="entityType", max_length=64)] = None,
    entity_id: Annotated[str | None, Query(alias="entityId", max_length=64)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> AuditLogList:
    """Who did what to whom, and when, newest first (MANAGE_ADMIN_PERMISSIONS)."""
    filters = repository.AuditFilters(actor_id, action, entity_type, entity_id)
    rows, total = await repository.list_audit(session, filters, (page - 1) * limit, limit)
    return AuditLogList(
        items=[
            AuditEntryOut(
                id=entry.id,
                actor_id=entry.actor_id,
                actor_email=email,
                action=entry.action,
                entity_type=entry.entity_type,
                entity_id=entry.entity_id,
                data=entry.data,
                ip=entry.ip,
                request_id=entry.request_id,
                created_at=entry.created_at,
            )
            for entry, email in rows
        ],
        pagination=_pagination(page, limit, total),
    )
