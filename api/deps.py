"""Annotated dependency aliases: handlers take ``session: SessionDep``, ``user: CurrentUser``,
never inline Depends.

Authorisation::

    user: CurrentUser                                             # any signed-in user
    user: OptionalUser                                            # None when anonymous
    admin: Annotated[User, RequirePermission(Permission.MANAGE_USERS)]
    me: Annotated[User, RequireUserType(UserType.CANDIDATE)]      # or CandidateUser
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from sqlalchemy import Connection, event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from api.accounts import repository
from api.accounts.audit import RequestMeta
from api.accounts.cookies import ACCESS_COOKIE, CSRF_COOKIE, CSRF_HEADER, SAFE_METHODS
from api.accounts.permissions import (
    SECOND_FACTOR_PERMISSIONS,
    effective_permissions,
    has_second_factor,
)
from api.accounts.ratelimit import client_ip
from api.accounts.security import (
    AccessClaims,
    ExpiredTokenError,
    InvalidTokenError,
    csrf_hash,
    decode_access_token,
)
from api.errors import Forbidden, Unauthorized
from api.state import AppState
from models import User
from models.enums import Permission, UserType


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.tabashir
    return state


StateDep = Annotated[AppState, Depends(get_state)]


async def get_session(state: StateDep) -> AsyncIterator[AsyncSession]:
    """One session per request, committed once when the handler returns, rolled back if it raises.

    ``SessionDep`` runs this with ``scope="function"``: the code after ``yield`` runs when the
    handler (and its response model) is done but BEFORE the response is sent, so a client never
    hears of a write that is not committed yet, and a failed commit fails the request (with the
    default request scope FastAPI commits after sending, and a 201 could name a row that another
    connection cannot read yet, or that never came to be)."""
    async with state.sessionmaker() as session:
        session.info[STATEMENT_BOUNDS] = (
            state.settings.statement_timeout_ms,
            state.settings.lock_timeout_ms,
        )
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


#: Session.info key: (statement timeout, lock timeout) in ms for the session's transactions.
STATEMENT_BOUNDS = "tabashir_statement_bounds"


@event.listens_for(Session, "after_begin")
def _bound_statements(session: Session, _transaction: Any, connection: Connection) -> None:
    """Request transactions get a statement and a lock timeout (SET LOCAL: they end with the
    transaction, so a pooled connection goes back unchanged)."""
    bounds = session.info.get(STATEMENT_BOUNDS)
    if bounds is None:
        return
    statement_ms, lock_ms = bounds
    connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(statement_ms)}")
    connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(lock_ms)}")


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


def require_api_token(
    state: StateDep,
    x_api_token: Annotated[str | None, Header(alias="X-API-TOKEN")] = None,
) -> None:
    """Service-to-service routes (/api/v1/resume/*) take the seed's X-API-TOKEN header. Several
    tokens may be configured (rotation); each is compared in constant time, all are tried."""
    presented = (x_api_token or "").encode()
    matched = False
    for expected in state.settings.api_tokens:
        matched |= hmac.compare_digest(presented, expected)
    if x_api_token is None or not matched:
        raise Unauthorized("Missing or invalid X-API-TOKEN header", code="invalid_api_token")


ApiTokenDep = Annotated[None, Depends(require_api_token)]


def get_request_meta(request: Request, state: StateDep) -> RequestMeta:
    return RequestMeta(
        ip=client_ip(request, state.settings.auth.trusted_proxy_hops),
        user_agent=request.headers.get("user-agent"),
        request_id=getattr(request.state, "request_id", None),
    )


MetaDep = Annotated[RequestMeta, Depends(get_request_meta)]


# --- authentication ----------------------------------------------------------------------------


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Unauthorized", code="invalid_token")
    return token.strip()


def _check_csrf(request: Request, claims: AccessClaims) -> None:
    """Cookie-authenticated writes must echo the CSRF cookie in a header (double submit), and
    the token must be the one this access token was issued with."""
    if request.method in SAFE_METHODS:
        return
    header = request.headers.get(CSRF_HEADER, "")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if (
        not header
        or claims.csrf_hash is None
        or not hmac.compare_digest(header.encode(), cookie.encode())
        or not hmac.compare_digest(csrf_hash(header).encode(), claims.csrf_hash.encode())
    ):
        raise Forbidden("Missing or invalid CSRF token", code="csrf_failed")


async def _authenticate(
    request: Request, session: AsyncSession, state: AppState, *, required: bool
) -> User | None:
    token = _bearer(request)
    via_cookie = False
    if token is None:
        token = request.cookies.get(ACCESS_COOKIE)
        via_cookie = token is not None
    if token is None:
        if required:
            raise Unauthorized("Unauthorized", code="not_authenticated")
        return None
    try:
        claims = decode_access_token(state.settings.auth, token)
    except ExpiredTokenError:
        raise Unauthorized("Unauthorized", code="token_expired") from None
    except InvalidTokenError:
        raise Unauthorized("Unauthorized", code="invalid_token") from None
    if via_cookie:
        _check_csrf(request, claims)
    user = await repository.get_user(session, claims.user_id)
    if (
        user is None
        or user.deleted_at is not None
        or not user.is_active
        or user.token_epoch != claims.epoch
    ):
        raise Unauthorized("Unauthorized", code="token_revoked")
    request.state.auth_claims = claims
    request.state.auth_via_cookie = via_cookie
    return user


async def get_current_user(request: Request, session: SessionDep, state: StateDep) -> User:
    user = await _authenticate(request, session, state, required=True)
    assert user is not None
    return user


async def get_optional_user(request: Request, session: SessionDep, state: StateDep) -> User | None:
    """None for an anonymous request; a presented but bad token is still a 401."""
    return await _authenticate(request, session, state, required=False)


CurrentUser = Annotated[User, Depends(get_current_user)]
OptionalUser = Annotated[User | None, Depends(get_optional_user)]


def authenticated_by_cookie(request: Request) -> bool:
    """True when this request's user came from the session cookie (a web client)."""
    return bool(getattr(request.state, "auth_via_cookie", False))


def current_session_id(request: Request) -> uuid.UUID | None:
    """The session (refresh family) of the access token that authenticated this request."""
    claims: AccessClaims | None = getattr(request.state, "auth_claims", None)
    return claims.session_id if claims else None


# --- authorisation -----------------------------------------------------------------------------


def RequireUserType(*allowed: UserType) -> Any:
    """Depends(...) that lets only these user types through (403 otherwise)."""
    allowed_set = frozenset(allowed)

    async def check(user: CurrentUser) -> User:
        if user.user_type not in allowed_set:
            raise Forbidden("This is not available to your account type", code="wrong_user_type")
        return user

    return Depends(check)


def RequirePermission(permission: Permission) -> Any:
    """Depends(...) for admins holding ``permission`` (SUPER_ADMIN holds all). Permissions that
    move money or grant power also need a confirmed second factor."""

    async def check(user: CurrentUser, session: SessionDep) -> User:
        if user.user_type != UserType.ADMIN:
            raise Forbidden("Administrators only", code="admin_required")
        if permission not in await effective_permissions(session, user):
            raise Forbidden(
                f"This needs the {permission.value} permission", code="permission_required"
            )
        if permission in SECOND_FACTOR_PERMISSIONS and not await has_second_factor(
            session, user.id
        ):
            raise Forbidden(
                "Turn on two-factor authentication to use this permission",
                code="two_factor_required",
            )
        return user

    return Depends(check)


CandidateUser = Annotated[User, RequireUserType(UserType.CANDIDATE)]
RecruiterUser = Annotated[User, RequireUserType(UserType.RECRUITER)]
AdminUser = Annotated[User, RequireUserType(UserType.ADMIN)]
