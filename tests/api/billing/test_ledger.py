"""The credits ledger: idempotent grants, spends and reversals, never negative, under random
interleavings and under real concurrency (separate connections, real commits)."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import delete, select
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from api.billing import ledger
from api.billing.ledger import InsufficientCredits
from api.errors import BadInput
from models import Candidate, CreditLedgerEntry, User
from models.enums import CreditType, UserType
from tests.api.billing.conftest import UserFactory
from tests.api.billing.helpers import counters, ledger_rows, ledger_sum

pytestmark = pytest.mark.integration

AI = CreditType.AI_JOB_APPLY_COUNT
JOBS = CreditType.JOB_COUNT


async def test_grant_then_spend_moves_the_counter_and_writes_one_entry_each(
    session: AsyncSession, user_factory: UserFactory
) -> None:
    user = await user_factory()
    granted = await ledger.grant(session, user.id, AI, 10, "g1", reason="purchase")
    assert granted.applied
    assert granted.balance == 10
    assert await ledger.spend(session, user.id, AI, 3, "s1") == 7
    assert await counters(session, user.id) == (7, 0)
    rows = await ledger_rows(session, user.id)
    assert [(r.delta, r.balance_after, r.reason) for r in rows] == [
        (10, 10, "purchase"),
        (-3, 7, "spend"),
    ]


async def test_the_same_key_applies_once(session: AsyncSession, user_factory: UserFactory) -> None:
    user = await user_factory()
    for _ in range(3):
        await ledger.grant(session, user.id, JOBS, 5, "grant-once")
    replay = await ledger.grant(session, user.id, JOBS, 5, "grant-once")
    assert not replay.applied
    assert replay.balance == 5
    for _ in range(3):
        assert await ledger.spend(session, user.id, JOBS, 2, "spend-once") == 3
    assert await counters(session, user.id) == (0, 3)
    assert len(await ledger_rows(session, user.id)) == 2


async def test_a_spend_beyond_the_balance_is_refused_and_changes_nothing(
    session: AsyncSession, user_factory: UserFactory
) -> None:
    user = await user_factory()
    await ledger.grant(session, user.id, AI, 2, "g")
    with pytest.raises(InsufficientCredits) as exc:
        await ledger.spend(session, user.id, AI, 3, "too-much")
    assert exc.value.status_code == 402
    assert await counters(session, user.id) == (2, 0)
    assert len(await ledger_rows(session, user.id)) == 1
    # The refused key was not burnt: the same spend succeeds once credits exist.
    await ledger.grant(session, user.id, AI, 5, "g2")
    assert await ledger.spend(session, user.id, AI, 3, "too-much") == 4


async def test_a_spend_without_a_candidate_profile_is_insufficient(
    session: AsyncSession, user_factory: UserFactory
) -> None:
    recruiter = await user_factory(user_type=UserType.RECRUITER)
    with pytest.raises(InsufficientCredits):
        await ledger.spend(session, recruiter.id, AI, 1, "s")
    assert await ledger.balance(session, recruiter.id, AI) == 0


async def test_a_grant_creates_the_missing_candidate_row(
    session: AsyncSession, user_factory: UserFactory
) -> None:
    recruiter = await user_factory(user_type=UserType.RECRUITER)
    result = await ledger.grant(session, recruiter.id, JOBS, 4, "g")
    assert result.balance == 4
    assert await session.get(Candidate, recruiter.id) is not None


async def test_a_reversal_never_goes_below_zero_and_records_the_shortfall(
    session: AsyncSession, user_factory: UserFactory
) -> None:
    user = await user_factory()
    await ledger.grant(session, user.id, AI, 10, "g")
    await ledger.spend(session, user.id, AI, 7, "s")
    reversed_ = await ledger.reverse(session, user.id, AI, 10, "r")
    assert reversed_.applied
    assert reversed_.balance == 0
    assert reversed_.shortfall == 7
    assert await counters(session, user.id) == (0, 0)
    # Everything used already: a further reversal moves nothing but still records a shortfall.
    nothing = await ledger.reverse(session, user.id, AI, 4, "r2")
    assert nothing.balance == 0
    assert nothing.shortfall == 4
    rows = await ledger_rows(session, user.id)
    assert [(r.delta, r.shortfall) for r in rows] == [(10, 0), (-7, 0), (-3, 7), (0, 4)]
    assert not (await ledger.reverse(session, user.id, AI, 10, "r")).applied


@pytest.mark.parametrize(("amount", "key"), [(0, "k"), (-1, "k"), (1, ""), (1, "x" * 256)])
async def test_bad_amounts_and_keys_are_refused(
    session: AsyncSession, user_factory: UserFactory, amount: int, key: str
) -> None:
    user = await user_factory()
    with pytest.raises(BadInput):
        await ledger.grant(session, user.id, AI, amount, key)
    with pytest.raises(BadInput):
        await ledger.spend(session, user.id, AI, amount, key)


# --- property: random interleavings ------------------------------------------------------------


@dataclass
class Model:
    """What the ledger must agree with: a plain counter, with keys applied at most once."""

    balance: int = 0
    grants: int = 0
    spends: int = 0
    reversals: int = 0
    seen: dict[str, int] = field(default_factory=dict)


async def _random_sequence(
    session: AsyncSession, user: User, rng: random.Random, steps: int
) -> Model:
    model = Model()
    keys: list[tuple[str, str, int]] = []
    for step in range(steps):
        op = rng.choices(["grant", "spend", "refund", "replay"], weights=[3, 4, 2, 3])[0]
        if op == "replay" and keys:
            op, key, amount = rng.choice(keys)
        else:
            if op == "replay":
                op = "grant"
            key, amount = f"{op}-{step}", rng.randint(1, 6)
            keys.append((op, key, amount))
        before = await ledger.balance(session, user.id, AI)
        replayed = key in model.seen
        if op == "grant":
            result = await ledger.grant(session, user.id, AI, amount, key)
            assert result.applied == (not replayed)
            if not replayed:
                model.balance += amount
                model.grants += amount
        elif op == "spend":
            try:
                await ledger.spend(session, user.id, AI, amount, key)
                if not replayed:
                    model.balance -= amount
                    model.spends += amount
            except InsufficientCredits:
                assert not replayed
                assert before < amount
                keys.remove((op, key, amount))  # a refused spend was never recorded
                continue
        else:
            result = await ledger.reverse(session, user.id, AI, amount, key)
            assert result.applied == (not replayed)
            if not replayed:
                taken = min(amount, before)
                assert result.shortfall == amount - taken
                model.balance -= taken
                model.reversals += taken
        model.seen[key] = amount
        assert model.balance >= 0
        assert await ledger.balance(session, user.id, AI) == model.balance
    return model


@pytest.mark.slow
async def test_random_interleavings_keep_the_books_balanced(
    session: AsyncSession, user_factory: UserFactory
) -> None:
    """25 seeded sequences of 40 grants, spends, refunds and replays each: the counter always
    equals grants - spends - reversals, equals the ledger's sum, and is never negative."""
    for seed in range(25):
        rng = random.Random(seed)
        user = await user_factory()
        model = await _random_sequence(session, user, rng, steps=40)
        stored = await ledger.balance(session, user.id, AI)
        assert stored == model.grants - model.spends - model.reversals == model.balance, seed
        assert await ledger_sum(session, user.id, AI) == stored, seed
        rows = await ledger_rows(session, user.id)
        assert all(r.balance_after >= 0 for r in rows), seed
        assert len({r.idempotency_key for r in rows}) == len(rows), seed


# --- concurrency: separate connections, real commits -------------------------------------------


@pytest.fixture
async def committed_engine(database_url: URL) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(
        database_url.set(drivername="postgresql+psycopg"), pool_size=12, max_overflow=0
    )
    yield engine
    await engine.dispose()


@pytest.fixture
async def committed_user(committed_engine: AsyncEngine) -> AsyncIterator[uuid.UUID]:
    """A candidate committed for real (outside the per-test transaction), removed afterwards."""
    user_id = uuid.uuid4()
    async with committed_engine.begin() as conn:
        await conn.execute(
            User.__table__.insert().values(
                id=user_id, email=f"race-{user_id.hex}@example.com", user_type=UserType.CANDIDATE
            )
        )
        await conn.execute(Candidate.__table__.insert().values(user_id=user_id))
    yield user_id
    async with committed_engine.begin() as conn:
        await conn.execute(delete(CreditLedgerEntry).where(CreditLedgerEntry.user_id == user_id))
        await conn.execute(delete(Candidate).where(Candidate.user_id == user_id))
        await conn.execute(delete(User).where(User.id == user_id))


async def _in_own_transaction(
    factory: async_sessionmaker[AsyncSession], op: str, user_id: uuid.UUID, key: str
) -> str:
    async with factory() as s:
        try:
            if op == "grant":
                await ledger.grant(s, user_id, AI, 5, key)
            else:
                await ledger.spend(s, user_id, AI, 1, key)
            # Hold the row lock a moment so the other transactions really queue behind it.
            await asyncio.sleep(0.02)
            await s.commit()
            return "ok"
        except InsufficientCredits:
            await s.rollback()
            return "refused"


async def test_concurrent_spends_cannot_overdraw(
    committed_engine: AsyncEngine, committed_user: uuid.UUID
) -> None:
    factory = async_sessionmaker(committed_engine, expire_on_commit=False)
    assert await _in_own_transaction(factory, "grant", committed_user, "seed-grant") == "ok"
    results = await asyncio.gather(
        *(_in_own_transaction(factory, "spend", committed_user, f"race-{i}") for i in range(12))
    )
    assert results.count("ok") == 5
    assert results.count("refused") == 7
    async with factory() as s:
        assert await ledger.balance(s, committed_user, AI) == 0
        assert await ledger_sum(s, committed_user, AI) == 0


async def test_concurrent_calls_with_one_key_apply_once(
    committed_engine: AsyncEngine, committed_user: uuid.UUID
) -> None:
    factory = async_sessionmaker(committed_engine, expire_on_commit=False)
    await asyncio.gather(
        *(_in_own_transaction(factory, "grant", committed_user, "one-key") for _ in range(8))
    )
    async with factory() as s:
        assert await ledger.balance(s, committed_user, AI) == 5
        entries = (
            (
                await s.execute(
                    select(CreditLedgerEntry).where(CreditLedgerEntry.user_id == committed_user)
                )
            )
            .scalars()
            .all()
        )
        assert len(entries) == 1
