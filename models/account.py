"""Account security records: single-use email tokens, second factors, linked sign-ins and the
counters of the rate limiter. Every secret is stored hashed or encrypted, never as issued."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, CreatedAt, Timestamp, UpdatedAt, UUIDPk, str_enum


class AccountTokenPurpose(enum.StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 - a purpose name


class OAuthProvider(enum.StrEnum):
    GOOGLE = "google"
    GITHUB = "github"


class AccountToken(Base):
    """A single-use token mailed to a user (email verification, password reset)."""

    __tablename__ = "account_tokens"

    id: Mapped[UUIDPk]
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[AccountTokenPurpose] = mapped_column(
        str_enum(AccountTokenPurpose, "account_token_purpose")
    )
    # Only a keyed hash is kept: a database leak must not hand out live links.
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    # The address the link was sent to: verifying it must not verify a different, later address.
    email: Mapped[str] = mapped_column(String(320))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[Timestamp | None]
    created_at: Mapped[CreatedAt]


class TotpCredential(Base):
    """A user's TOTP second factor; usable once confirmed with a first code."""

    __tablename__ = "totp_credentials"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # Fernet ciphertext; the key lives in settings, never in the database.
    secret_encrypted: Mapped[str] = mapped_column(Text)
    confirmed_at: Mapped[Timestamp | None]
    # The last 30-second step accepted: a code is never accepted twice.
    last_used_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class RecoveryCode(Base):
    """One single-use recovery code of the second factor, stored hashed."""

    __tablename__ = "recovery_codes"
    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)

    id: Mapped[UUIDPk]
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(128))
    used_at: Mapped[Timestamp | None]
    created_at: Mapped[CreatedAt]


class OAuthIdentity(Base):
    """A social sign-in linked to a user: one account per provider subject, never duplicated."""

    __tablename__ = "oauth_identities"
    __table_args__ = (
        UniqueConstraint("provider", "subject"),
        UniqueConstraint("user_id", "provider"),
    )

    id: Mapped[UUIDPk]
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[OAuthProvider] = mapped_column(str_enum(OAuthProvider, "oauth_provider"))
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    last_login_at: Mapped[Timestamp | None]
    created_at: Mapped[CreatedAt]


class RateLimitCounter(Base):
    """Hits of one throttle key in one fixed window; two windows give a sliding estimate.

    Kept in Postgres so every API worker sees the same counts."""

    __tablename__ = "rate_limit_counters"
    __table_args__ = (Index("ix_rate_limit_counters_window_start", "window_start"),)

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    count: Mapped[int] = mapped_column(server_default="0", default=0)
