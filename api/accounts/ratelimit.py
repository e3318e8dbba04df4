"""Throttling of the account routes, kept in Postgres so every API worker sees the same counts.

A sliding-window counter: hits are counted in fixed windows, and the previous window's count is
weighted by how much of it still overlaps the sliding window. Each check runs in a transaction
of its own and commits at once, so a hit still counts when the request itself then fails (a
wrong password is exactly the hit we want to count).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from fastapi import Request
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.errors import TooManyRequests
from models.account import RateLimitCounter

if TYPE_CHECKING:
    from api.state import AppState


@dataclass(frozen=True)
class Limit:
    count: int
    window_s: int

    @classmethod
    def parse(cls, spec: str) -> Limit:
        """ "10/60" → at most 10 hits in any 60 seconds."""
        count, _, window = spec.partition("/")
        return cls(int(count), int(window))


@dataclass(frozen=True)
class Check:
    """One throttle to apply: ``scope`` names the route, ``subject`` the IP or account."""

    scope: str
    subject: str
    limit: Limit

    @property
    def key(self) -> str:
        # Hashed: the counters table should not become a list of emails and IP addresses.
        digest = hashlib.sha256(self.subject.encode()).hexdigest()[:40]
        return f"{self.scope}:{digest}"


def client_ip(request: Request, trusted_proxy_hops: int = 0) -> str:
    """The caller's address; behind N trusted proxies, the Nth X-Forwarded-For entry from the
    right (entries further left are whatever the client chose to send)."""
    if trusted_proxy_hops > 0:
        forwarded = [
            p.strip() for p in request.headers.get("x-forwarded-for", "").split(",") if p.strip()
        ]
        if len(forwarded) >= trusted_proxy_hops:
            return forwarded[-trusted_proxy_hops]
    return request.client.host if request.client else "unknown"


def retry_after_s(limit: Limit, previous: int, current: int, elapsed_s: float) -> int:
    """Seconds until one more hit would be allowed, given the counts of the two windows."""
    window = limit.window_s
    allowed = limit.count - 1  # what the estimate must fall to before a new hit fits
    if current <= allowed and previous > 0:
        # The previous window's weight decays to zero by the end of this window.
        wait = window * (1 - (allowed - current) / previous) - elapsed_s
    else:
        # Wait for this window to end, then for its weight to decay enough.
        wait = (window - elapsed_s) + window * max(0.0, 1 - allowed / max(current, 1))
    return max(1, math.ceil(wait))


async def _hit_one(session: AsyncSession, check: Check, now: datetime) -> int | None:
    window = check.limit.window_s
    epoch_s = int(now.timestamp())
    start_s = epoch_s - epoch_s % window
    start = datetime.fromtimestamp(start_s, UTC)
    current = (
        await session.execute(
            insert(RateLimitCounter)
            .values(key=check.key, window_start=start, count=1)
            .on_conflict_do_update(
                index_elements=[RateLimitCounter.key, RateLimitCounter.window_start],
                set_={"count": RateLimitCounter.count + 1},
            )
            .returning(RateLimitCounter.count)
        )
    ).scalar_one()
    previous = (
        await session.execute(
            select(RateLimitCounter.count).where(
                RateLimitCounter.key == check.key,
                RateLimitCounter.window_start == start - timedelta(seconds=window),
            )
        )
    ).scalar_one_or_none() or 0
    elapsed = now.timestamp() - start_s
    estimate = previous * (window - elapsed) / window + current
    if estimate <= check.limit.count:
        return None
    return retry_after_s(check.limit, previous, current, elapsed)


async def enforce(
    sessionmaker: async_sessionmaker[AsyncSession],
    checks: list[Check],
    *,
    now: datetime | None = None,
) -> None:
    """Count one hit against every check; raise 429 with Retry-After if any is over its limit."""
    if not checks:
        return
    now = now or datetime.now(UTC)
    waits: list[int] = []
    async with sessionmaker() as session:
        for check in checks:
            wait = await _hit_one(session, check, now)
            if wait is not None:
                waits.append(wait)
        await session.commit()
    if waits:
        retry = max(waits)
        raise TooManyRequests(
            f"Too many attempts. Try again in {retry} seconds.",
            code="rate_limited",
            headers={"Retry-After": str(retry)},
        )


async def purge_expired(session: AsyncSession, *, older_than: timedelta) -> int:
    """Delete counters whose window ended more than ``older_than`` ago (for a periodic task)."""
    cutoff = datetime.now(UTC) - older_than
    result = await session.execute(
        delete(RateLimitCounter).where(RateLimitCounter.window_start < cutoff)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def purge_rate_limits_task(
    session: AsyncSession, state: AppState, payload: dict[str, Any]
) -> dict[str, Any]:
    """Worker handler: drop counters no window can still read (older than two days)."""
    hours = int(payload.get("older_than_hours", 48))
    return {"deleted": await purge_expired(session, older_than=timedelta(hours=hours))}
