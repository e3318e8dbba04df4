"""Bodies of the admin routes (camelCase, like the apps)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from api.accounts.schemas import CamelModel, checked_email
from api.jobs.schemas import Pagination
from models.enums import AdminRole, Permission, UserType


class AdminUserOut(CamelModel):
    """An account as administrators see it: no credentials, no protected attributes."""

    id: uuid.UUID
    email: str
    name: str | None
    user_type: UserType
    admin_role: AdminRole | None
    permissions: list[Permission]
    is_active: bool
    email_verified: bool
    two_factor_enabled: bool
    created_at: datetime
    last_login_at: datetime | None
    deleted_at: datetime | None


class AdminUserList(BaseModel):
    items: list[AdminUserOut]
    pagination: Pagination


class SuspendIn(CamelModel):
    reason: str | None = Field(default=None, max_length=500)


class PermissionsIn(CamelModel):
    permissions: list[Permission] = Field(max_length=len(Permission))


class PermissionsOut(CamelModel):
    user_id: uuid.UUID
    admin_role: AdminRole | None
    permissions: list[Permission]


class AdminCreateIn(CamelModel):
    email: str = Field(max_length=320)
    name: str | None = Field(default=None, max_length=200)
    permissions: list[Permission] = Field(default_factory=list, max_length=len(Permission))

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return checked_email(value)


class AuditEntryOut(CamelModel):
    id: uuid.UUID
    actor_id: uuid.UUID | None
    actor_email: str | None
    action: str
    entity_type: str
    entity_id: str | None
    data: dict[str, Any] | None
    ip: str | None
    request_id: str | None
    created_at: datetime


class AuditLogList(BaseModel):
    items: list[AuditEntryOut]
    pagination: Pagination
