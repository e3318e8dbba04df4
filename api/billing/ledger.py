"""The credits ledger: every grant, spend and reversal is a ``CreditLedgerEntry`` with an
idempotency key, and the candidate's counter moves in the same transaction.

Guarantees, for other features to rely on (AI job apply spends ``aiJobApplyCount``):

- **at most once**: an operation whose idempotency key is already in the ledger changes nothing
  and reports the current balance; concurrent calls with one key wait on the unique index and
  all but one become replays. Keys are scoped to the user and credit type (stored as
  ``<user id>:<credit type>:<key>``), so two users' keys never collide;
- **never negative**: a counter moves only through ``UPDATE … SET x = x + :delta WHERE … AND
  x + :delta >= 0``; Postgres re-checks that condition on the newest row version after waiting
  for a concurrent writer, so parallel spends cannot overdraw (and a CHECK backs it up);
- **reversals never take what was used**: a refund takes back at most the current balance and
  records the rest as ``shortfall``.

Nothing here commits: the caller's transaction (one request, one webhook) owns the outcome.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from api.errors import BadInput, PaymentRequired
from models import Candidate, CreditLedgerEntry
from models.enums import CreditType

_COUNTERS: dict[CreditType, InstrumentedAttribute[int]] = {
    CreditType.JOB_COUNT: Candidate.job_count,
    CreditType.AI_JOB_APPLY_COUNT: Candidate.ai_job_apply_count,
}
#: What a caller's key may use of the 255 characters once scoped to the user and credit type.
MAX_KEY_CHARS = 200


class InsufficientCredits(PaymentRequired):
    code = "insufficient_credits"
    message = "Not enough credits"


@dataclass(frozen=True)
class LedgerResult:
    #: The counter after the call (after the earlier call, for a replay).
    balance: int
    #: False when the idempotency key had been used already: nothing changed.
    applied: bool
    #: Credits a reversal could not take back because they were used (0 otherwise).
    shortfall: int = 0


def _scoped(user_id: uuid.UUID, credit_type: CreditType, key: str) -> str:
    return f"{user_id}:{CreditType(credit_type).value}:{key}"


def _counter(credit_type: CreditType) -> InstrumentedAttribute[int]:
    return _COUNTERS[CreditType(credit_type)]


def _check(amount: int, idempotency_key: str) -> None:
    if amount <= 0:
        raise BadInput("The amount of credits must be positive", code="invalid_credit_amount")
    if not idempotency_key or len(idempotency_key) > MAX_KEY_CHARS:
        raise BadInput(
            f"An idempotency key of 1 to {MAX_KEY_CHARS} characters is required",
            code="invalid_idempotency_key",
        )


async def balance(session: AsyncSession, user_id: uuid.UUID, credit_type: CreditType) -> int:
    """The user's current counter (0 when they have no candidate profile)."""
    value = (
        await session.execute(select(_counter(credit_type)).where(Candidate.user_id == user_id))
    ).scalar_one_or_none()
    return int(value or 0)


async def _claim_key(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    credit_type: CreditType,
    delta: int,
    shortfall: int,
    reason: str,
    idempotency_key: str,
    payment_id: uuid.UUID | None,
    note: str | None,
) -> uuid.UUID | None:
    """Insert the entry (balance filled in later); None when the key is already used."""
    inserted = await session.execute(
        insert(CreditLedgerEntry)
        .values(
            id=uuid.uuid4(),
            user_id=user_id,
            credit_type=credit_type,
            delta=delta,
            balance_after=0,
            shortfall=shortfall,
            reason=reason[:64],
            payment_id=payment_id,
            idempotency_key=_scoped(user_id, credit_type, idempotency_key),
            note=note,
            # now() is the transaction's start: entries of one transaction need their real order.
            created_at=func.clock_timestamp(),
        )
        .on_conflict_do_nothing(index_elements=[CreditLedgerEntry.idempotency_key])
        .returning(CreditLedgerEntry.id)
    )
    entry_id: uuid.UUID | None = inserted.scalar_one_or_none()
    return entry_id


async def _set_balance(session: AsyncSession, entry_id: uuid.UUID, value: int) -> None:
    await session.execute(
        update(CreditLedgerEntry)
        .where(CreditLedgerEntry.id == entry_id)
        .values(balance_after=value)
    )


async def _move(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    credit_type: CreditType,
    delta: int,
    reason: str,
    idempotency_key: str,
    payment_id: uuid.UUID | None,
    note: str | None,
) -> LedgerResult:
    column = _counter(credit_type)
    # A savepoint: a refused spend leaves neither the entry nor the counter behind, and the
    # caller's transaction goes on.
    async with session.begin_nested():
        entry_id = await _claim_key(
            session,
            user_id=user_id,
            credit_type=credit_type,
            delta=delta,
            shortfall=0,
            reason=reason,
            idempotency_key=idempotency_key,
            payment_id=payment_id,
            note=note,
        )
        if entry_id is None:
            return LedgerResult(await balance(session, user_id, credit_type), applied=False)
        new_balance = (
            await session.execute(
                update(Candidate)
                .where(Candidate.user_id == user_id, column + delta >= 0)
                .values({column: column + delta})
                .returning(column)
            )
        ).scalar_one_or_none()
        if new_balance is None:
            raise InsufficientCredits(
                f"Not enough {CreditType(credit_type).value} credits",
                detail={"creditType": CreditType(credit_type).value, "required": -delta},
            )
        await _set_balance(session, entry_id, int(new_balance))
    return LedgerResult(int(new_balance), applied=True)


async def grant(
    session: AsyncSession,
    user_id: uuid.UUID,
    credit_type: CreditType,
    amount: int,
    idempotency_key: str,
    *,
    reason: str = "grant",
    payment_id: uuid.UUID | None = None,
    note: str | None = None,
) -> LedgerResult:
    """Add ``amount`` credits once per ``idempotency_key``; creates the candidate profile row
    if the user has none (a paid grant must never be lost)."""
    _check(amount, idempotency_key)
    await session.execute(
        insert(Candidate).values(user_id=user_id).on_conflict_do_nothing(index_elements=["user_id"])
    )
    return await _move(
        session,
        user_id=user_id,
        credit_type=credit_type,
        delta=amount,
        reason=reason,
        idempotency_key=idempotency_key,
        payment_id=payment_id,
        note=note,
    )


async def spend(
    session: AsyncSession,
    user_id: uuid.UUID,
    credit_type: CreditType,
    amount: int,
    idempotency_key: str,
    *,
    reason: str = "spend",
    note: str | None = None,
) -> int:
    """Take ``amount`` credits once per ``idempotency_key`` and return the balance; raises
    ``InsufficientCredits`` (402) and changes nothing when the balance is too small."""
    _check(amount, idempotency_key)
    result = await _move(
        session,
        user_id=user_id,
        credit_type=credit_type,
        delta=-amount,
        reason=reason,
        idempotency_key=idempotency_key,
        payment_id=None,
        note=note,
    )
    return result.balance


async def reverse(
    session: AsyncSession,
    user_id: uuid.UUID,
    credit_type: CreditType,
    amount: int,
    idempotency_key: str,
    *,
    reason: str = "refund",
    payment_id: uuid.UUID | None = None,
    note: str | None = None,
) -> LedgerResult:
    """Take back up to ``amount`` granted credits once per key: never below zero, the part
    already used is recorded as the entry's ``shortfall``."""
    _check(amount, idempotency_key)
    column = _counter(credit_type)
    async with session.begin_nested():
        # Lock the counter first so the split between taken and shortfall is exact.
        current = (
            await session.execute(
                select(column).where(Candidate.user_id == user_id).with_for_update()
            )
        ).scalar_one_or_none()
        available = int(current or 0)
        taken = min(amount, available)
        entry_id = await _claim_key(
            session,
            user_id=user_id,
            credit_type=credit_type,
            delta=-taken,
            shortfall=amount - taken,
            reason=reason,
            idempotency_key=idempotency_key,
            payment_id=payment_id,
            note=note,
        )
        if entry_id is None:
            return LedgerResult(available, applied=False)
        new_balance = available
        if taken:
            new_balance = int(
                (
                    await session.execute(
                        update(Candidate)
                        .where(Candidate.user_id == user_id, column - taken >= 0)
                        .values({column: column - taken})
                        .returning(column)
                    )
                ).scalar_one()
            )
        await _set_balance(session, entry_id, new_balance)
    return LedgerResult(new_balance, applied=True, shortfall=amount - taken)


async def requested_reversal(
    session: AsyncSession, payment_id: uuid.UUID, credit_type: CreditType
) -> int:
    """How many credits of one payment's grant refunds asked back so far (taken + shortfall)."""
    value = (
        await session.execute(
            select(
                func.coalesce(func.sum(-CreditLedgerEntry.delta + CreditLedgerEntry.shortfall), 0)
            ).where(
                CreditLedgerEntry.payment_id == payment_id,
                CreditLedgerEntry.credit_type == credit_type,
                CreditLedgerEntry.delta <= 0,
                CreditLedgerEntry.reason == "refund",
            )
        )
    ).scalar_one()
    return int(value)
