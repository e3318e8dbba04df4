"""What we tell people: in-app notifications and the email outbox."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, CreatedAt, Timestamp, UUIDPk, str_enum
from models.enums import EmailStatus


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_id_created_at", "user_id", "created_at"),)

    id: Mapped[UUIDPk]
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, server_default="", default="")
    data: Mapped[dict[str, Any] | None]
    read_at: Mapped[Timestamp | None]
    created_at: Mapped[CreatedAt]


class EmailOutbox(Base):
    """Every email we send is written here first, in the transaction that caused it."""

    __tablename__ = "email_outbox"
    __table_args__ = (Index("ix_email_outbox_status_created_at", "status", "created_at"),)

    id: Mapped[UUIDPk]
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    template: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[EmailStatus] = mapped_column(
        str_enum(EmailStatus, "email_status"),
        server_default=EmailStatus.PENDING.value,
        default=EmailStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(server_default="0", default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[Timestamp | None]
    created_at: Mapped[CreatedAt]
