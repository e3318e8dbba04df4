"""Accounts: users and their candidate / recruiter / admin facets."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, CreatedAt, Timestamp, UpdatedAt, UUIDPk, str_enum
from models.enums import AdminRole, OnboardingState, Permission, UserType


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        # Emails are stored lower-cased, so the plain unique constraint is case-insensitive.
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint(
            "(user_type = 'ADMIN') = (admin_role IS NOT NULL)", name="admin_role_only_for_admins"
        ),
    )

    id: Mapped[UUIDPk]
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    user_type: Mapped[UserType] = mapped_column(str_enum(UserType, "user_type"), index=True)
    admin_role: Mapped[AdminRole | None] = mapped_column(str_enum(AdminRole, "admin_role"))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    email_verified_at: Mapped[Timestamp | None]
    # Bumped on logout-everywhere, password or permission change: access tokens carry it.
    token_epoch: Mapped[int] = mapped_column(Integer, server_default=text("0"), default=0)
    is_active: Mapped[bool] = mapped_column(server_default=text("true"), default=True)
    last_login_at: Mapped[Timestamp | None]
    # Set when the owner deletes the account: the row stays (payments point at it), anonymised.
    deleted_at: Mapped[Timestamp | None]
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    candidate: Mapped[Candidate | None] = relationship(back_populates="user", lazy="raise")
    recruiter: Mapped[Recruiter | None] = relationship(back_populates="user", lazy="raise")
    permissions: Mapped[list[AdminPermissionAssignment]] = relationship(
        back_populates="user", lazy="raise", foreign_keys="AdminPermissionAssignment.user_id"
    )


class Candidate(Base):
    __tablename__ = "candidates"
    __table_args__ = (
        CheckConstraint("job_count >= 0", name="job_count_non_negative"),
        CheckConstraint("ai_job_apply_count >= 0", name="ai_job_apply_count_non_negative"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    phone: Mapped[str | None] = mapped_column(String(40))
    city: Mapped[str | None] = mapped_column(String(100), index=True)
    country: Mapped[str | None] = mapped_column(String(2))
    # Protected attributes: stored for the law's reporting only, never a matching input.
    nationality: Mapped[str | None] = mapped_column(String(100))
    gender: Mapped[str | None] = mapped_column(String(20))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    desired_positions: Mapped[list[str]] = mapped_column(
        ARRAY(String(200)), server_default=text("'{}'"), default=list
    )
    desired_locations: Mapped[list[str]] = mapped_column(
        ARRAY(String(100)), server_default=text("'{}'"), default=list
    )
    salary_expectation: Mapped[int | None]
    salary_currency: Mapped[str | None] = mapped_column(String(3))
    years_experience: Mapped[int | None]
    onboarding_state: Mapped[OnboardingState] = mapped_column(
        str_enum(OnboardingState, "onboarding_state"),
        server_default=OnboardingState.NOT_STARTED.value,
        default=OnboardingState.NOT_STARTED,
    )
    # Credits as the seed's apps name them; the ledger holds every change to them.
    job_count: Mapped[int] = mapped_column(server_default=text("0"), default=0)
    ai_job_apply_count: Mapped[int] = mapped_column(server_default=text("0"), default=0)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    user: Mapped[User] = relationship(back_populates="candidate", lazy="raise")


class Recruiter(Base):
    __tablename__ = "recruiters"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    company_name: Mapped[str] = mapped_column(String(200), index=True)
    contact_person_name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    user: Mapped[User] = relationship(back_populates="recruiter", lazy="raise")


class AdminPermissionAssignment(Base):
    __tablename__ = "admin_permission_assignments"
    __table_args__ = (UniqueConstraint("user_id", "permission"),)

    id: Mapped[UUIDPk]
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    permission: Mapped[Permission] = mapped_column(str_enum(Permission, "permission"))
    granted_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[CreatedAt]

    user: Mapped[User] = relationship(
        back_populates="permissions", lazy="raise", foreign_keys=[user_id]
    )


class RefreshToken(Base):
    """One issued refresh token. Tokens of one login form a family; reuse revokes the family."""

    __tablename__ = "refresh_tokens"

    id: Mapped[UUIDPk]
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    family_id: Mapped[uuid.UUID] = mapped_column(index=True)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("refresh_tokens.id", ondelete="SET NULL")
    )
    # Only a hash is kept: a database leak must not hand out live tokens.
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[Timestamp | None]
    revoked_at: Mapped[Timestamp | None]
    user_agent: Mapped[str | None] = mapped_column(String(500))
    ip: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[CreatedAt]
