"""Your data: export everything held about a user, and delete (anonymise) the account.

Both read the schema rather than a hand-kept list, so tables added later are covered:

- export: every row of every table with a foreign key to ``users.id`` pointing at the user, plus
  the child rows of their own records (an AI resume's sections); secrets and vectors left out;
- delete: every row whose foreign key to the user says ``ON DELETE CASCADE`` — the schema's own
  statement that the row is the user's personal data — is deleted; rows that say ``RESTRICT``
  (payments, subscriptions, the credits ledger: kept as the law requires) stay and point at the
  user row, which stays too, anonymised, with every credential removed.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import Column, Table, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.audit import RequestMeta, record
from api.accounts.security import utcnow
from api.errors import Forbidden
from models import Base, EmailOutbox, User
from models.enums import UserType

#: Never exported: credentials (even hashed) and derived vectors.
_SECRET_COLUMNS = frozenset(
    {"password_hash", "token_hash", "code_hash", "secret_encrypted", "embedding"}
)
_USERS = "users"


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return value


def _user_fk_columns(table: Table) -> list[Column[Any]]:
    return [
        col
        for col in table.columns
        for fk in col.foreign_keys
        if fk.column.table.name == _USERS and fk.column.name == "id"
    ]


def _owned_tables() -> list[tuple[Table, list[Column[Any]]]]:
    """Tables holding rows that point at a user, with the pointing columns."""
    return [
        (table, cols)
        for table in Base.metadata.sorted_tables
        if table.name != _USERS and (cols := _user_fk_columns(table))
    ]


def _cascade_columns(table: Table) -> list[Column[Any]]:
    return [
        col
        for col in table.columns
        for fk in col.foreign_keys
        if fk.column.table.name == _USERS and (fk.ondelete or "").upper() == "CASCADE"
    ]


def _child_tables(parent: Table) -> list[tuple[Table, Column[Any]]]:
    """Tables that only hang off ``parent`` (no user key of their own), e.g. AI resume sections."""
    children = []
    for table in Base.metadata.sorted_tables:
        if table is parent or _user_fk_columns(table):
            continue
        for col in table.columns:
            for fk in col.foreign_keys:
                if fk.column.table is parent and fk.column.primary_key:
                    children.append((table, col))
    return children


def _exported(table: Table, key: str) -> bool:
    column = table.c.get(key)
    if column is not None and isinstance(column.type, Vector):
        return False  # derived numbers, not information about the person
    return key not in _SECRET_COLUMNS and not key.startswith("_")


def _row(table: Table, mapping: Any) -> dict[str, Any]:
    return {key: _json_value(value) for key, value in mapping.items() if _exported(table, key)}


async def export_user_data(session: AsyncSession, user: User) -> dict[str, Any]:
    """Everything held about ``user``, as JSON-ready data."""
    users_table: Table = User.__table__  # type: ignore[assignment]
    me = (await session.execute(select(users_table).where(users_table.c.id == user.id))).one()
    tables: dict[str, list[dict[str, Any]]] = {}
    for table, cols in _owned_tables():
        rows = (
            await session.execute(select(table).where(or_(*(c == user.id for c in cols))))
        ).mappings()
        exported = [_row(table, r) for r in rows]
        if exported:
            tables[table.name] = exported
        # Child rows of the user's own records (not of records that merely mention them).
        own = [c for c in cols if c.name == "user_id"]
        pk = list(table.primary_key.columns)
        if not own or len(pk) != 1:
            continue
        ids = select(pk[0]).where(own[0] == user.id)
        for child, fk_col in _child_tables(table):
            child_rows = [
                _row(child, r)
                for r in (await session.execute(select(child).where(fk_col.in_(ids)))).mappings()
            ]
            if child_rows:
                tables.setdefault(child.name, []).extend(child_rows)
    emails = (
        await session.execute(
            select(
                EmailOutbox.subject,
                EmailOutbox.template,
                EmailOutbox.status,
                EmailOutbox.created_at,
                EmailOutbox.sent_at,
            ).where(EmailOutbox.to_address == user.email)
        )
    ).mappings()
    # Subjects only: bodies hold single-use links that an export file should not carry.
    sent = [_json_value(dict(e)) for e in emails]
    if sent:
        tables["emails"] = sent
    return {
        "exportedAt": utcnow().isoformat(),
        "user": _row(users_table, me._mapping),
        "records": tables,
    }


async def delete_account(session: AsyncSession, user: User, meta: RequestMeta) -> None:
    """Remove personal data, end every session, keep what the law requires (payments)."""
    if user.user_type == UserType.ADMIN:
        raise Forbidden(
            "Administrator accounts are closed by another administrator", code="admin_account"
        )
    old_email = user.email
    for table in Base.metadata.sorted_tables:
        cols = _cascade_columns(table) if table.name != _USERS else []
        if cols:
            await session.execute(delete(table).where(or_(*(c == user.id for c in cols))))
    await session.execute(delete(EmailOutbox).where(EmailOutbox.to_address == old_email))
    user.email = f"deleted-{user.id.hex}@deleted.invalid"
    user.name = None
    user.password_hash = None
    user.email_verified_at = None
    user.last_login_at = None
    user.is_active = False
    user.deleted_at = utcnow()
    user.token_epoch += 1
    await session.flush()
    await record(
        session,
        meta,
        actor_id=user.id,
        action="account.deleted",
        entity_type="user",
        entity_id=user.id,
    )
