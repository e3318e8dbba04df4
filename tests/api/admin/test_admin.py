"""Admin routes: listing and searching users, suspending (which ends every session), assigning
permissions (SUPER_ADMIN or MANAGE_ADMIN_PERMISSIONS, never beyond one's own), creating admins,
and the audit log of all of it."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditLog, EmailOutbox
from models.enums import AdminRole, Permission, UserType
from tests.api.accounts.conftest import UserFactory
from tests.fixtures.users import (
    PASSWORD,
    assert_error,
    auth_headers,
    bearer,
    enable_totp,
    login,
)

pytestmark = pytest.mark.integration

ADMIN = "/api/admin"


async def admin_headers(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    *,
    role: AdminRole = AdminRole.REGULAR_ADMIN,
    permissions: list[Permission] | None = None,
    totp: bool = False,
    **kw: Any,
) -> tuple[dict[str, str], Any]:
    user = await user_factory(
        user_type=UserType.ADMIN, admin_role=role, permissions=permissions or [], **kw
    )
    headers = await auth_headers(client, user)
    if totp:
        _, confirmed = await enable_totp(client, headers)
        headers = bearer(confirmed["accessToken"])
    return headers, user


# --- users -------------------------------------------------------------------------------------


async def test_listing_and_searching_users_needs_manage_users(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    for n in range(3):
        await user_factory(email=f"candidate{n}@example.com", name=f"Candidate {n}")
    await user_factory(email="hr_100%@example.org", user_type=UserType.RECRUITER, name="Omar")
    headers, _ = await admin_headers(client, user_factory, permissions=[Permission.MANAGE_USERS])

    page = await client.get(f"{ADMIN}/users", headers=headers, params={"limit": 2})
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["pagination"] == {"page": 1, "limit": 2, "total": 5, "pages": 3}
    assert len(body["items"]) == 2
    assert "passwordHash" not in page.text
    assert "gender" not in page.text

    found = await client.get(f"{ADMIN}/users", headers=headers, params={"q": "CANDIDATE1"})
    assert [u["email"] for u in found.json()["items"]] == ["candidate1@example.com"]
    # LIKE wildcards in the search are literal characters.
    literal = await client.get(f"{ADMIN}/users", headers=headers, params={"q": "100%"})
    assert [u["email"] for u in literal.json()["items"]] == ["hr_100%@example.org"]
    wildcard = await client.get(f"{ADMIN}/users", headers=headers, params={"q": "%"})
    assert wildcard.json()["pagination"]["total"] == 1
    recruiters = await client.get(
        f"{ADMIN}/users", headers=headers, params={"userType": "RECRUITER"}
    )
    assert recruiters.json()["pagination"]["total"] == 1

    no_permission, _ = await admin_headers(
        client, user_factory, permissions=[Permission.MANAGE_JOBS]
    )
    assert_error(
        await client.get(f"{ADMIN}/users", headers=no_permission), 403, "permission_required"
    )
    candidate = await auth_headers(client, await user_factory())
    assert_error(await client.get(f"{ADMIN}/users", headers=candidate), 403, "admin_required")
    assert_error(await client.get(f"{ADMIN}/users"), 401)
    missing = await client.get(f"{ADMIN}/users/{uuid.uuid4()}", headers=headers)
    assert assert_error(missing, 404, "user_not_found")["error"] == "User not found"


async def test_suspension_ends_every_session_and_is_audited(
    client: httpx.AsyncClient, user_factory: UserFactory, session: AsyncSession
) -> None:
    headers, admin = await admin_headers(
        client, user_factory, permissions=[Permission.MANAGE_USERS]
    )
    victim = await user_factory()
    tokens = await login(client, victim.email)

    suspended = await client.post(
        f"{ADMIN}/users/{victim.id}/suspend",
        headers=headers | {"X-Request-ID": "req-suspend-1"},
        json={"reason": "fraudulent applications"},
    )
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["isActive"] is False
    assert_error(await client.get("/api/mobile/me", headers=bearer(tokens["accessToken"])), 401)
    assert_error(
        await client.post(
            "/api/mobile/auth/refresh", json={"refreshToken": tokens["refreshToken"]}
        ),
        401,
    )
    assert_error(
        await client.post(
            "/api/mobile/auth/login", json={"email": victim.email, "password": PASSWORD}
        ),
        403,
        "account_suspended",
    )
    entry = (
        await session.execute(select(AuditLog).where(AuditLog.action == "admin.user_suspended"))
    ).scalar_one()
    assert (entry.actor_id, entry.entity_type, entry.entity_id) == (
        admin.id,
        "user",
        str(victim.id),
    )
    assert entry.request_id == "req-suspend-1"
    assert entry.data == {"reason": "fraudulent applications"}
    assert entry.created_at is not None

    back = await client.post(f"{ADMIN}/users/{victim.id}/reactivate", headers=headers)
    assert back.status_code == 200
    assert back.json()["isActive"] is True
    await login(client, victim.email)


async def test_admins_are_suspended_only_by_a_super_admin_and_never_oneself(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    regular, me = await admin_headers(client, user_factory, permissions=[Permission.MANAGE_USERS])
    other_admin = await user_factory(user_type=UserType.ADMIN)
    refused = await client.post(f"{ADMIN}/users/{other_admin.id}/suspend", headers=regular)
    assert_error(refused, 403, "super_admin_required")
    assert_error(
        await client.post(f"{ADMIN}/users/{me.id}/suspend", headers=regular), 403, "self_action"
    )
    boss, _ = await admin_headers(client, user_factory, role=AdminRole.SUPER_ADMIN)
    done = await client.post(f"{ADMIN}/users/{other_admin.id}/suspend", headers=boss)
    assert done.status_code == 200


# --- permissions -------------------------------------------------------------------------------


async def test_super_admin_assigns_and_revokes_permissions(
    client: httpx.AsyncClient, user_factory: UserFactory, session: AsyncSession
) -> None:
    boss, boss_user = await admin_headers(
        client, user_factory, role=AdminRole.SUPER_ADMIN, totp=True
    )
    admin = await user_factory(user_type=UserType.ADMIN, permissions=[Permission.MANAGE_HELP])
    admin_tokens = await login(client, admin.email)

    replaced = await client.put(
        f"{ADMIN}/users/{admin.id}/permissions",
        headers=boss,
        json={"permissions": ["MANAGE_JOBS", "MANAGE_USERS"]},
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["permissions"] == ["MANAGE_JOBS", "MANAGE_USERS"]
    # A permission change ends the admin's outstanding access tokens.
    assert_error(
        await client.get("/api/mobile/me", headers=bearer(admin_tokens["accessToken"])), 401
    )
    fresh = await login(client, admin.email)
    assert fresh["user"]["permissions"] == ["MANAGE_JOBS", "MANAGE_USERS"]

    granted = await client.post(f"{ADMIN}/users/{admin.id}/permissions/MANAGE_HELP", headers=boss)
    assert "MANAGE_HELP" in granted.json()["permissions"]
    revoked = await client.delete(f"{ADMIN}/users/{admin.id}/permissions/MANAGE_JOBS", headers=boss)
    assert revoked.json()["permissions"] == ["MANAGE_HELP", "MANAGE_USERS"]
    shown = await client.get(f"{ADMIN}/users/{admin.id}/permissions", headers=boss)
    assert shown.json()["permissions"] == ["MANAGE_HELP", "MANAGE_USERS"]

    entries = (
        await session.execute(
            select(AuditLog.action, AuditLog.data).where(
                AuditLog.entity_id == str(admin.id), AuditLog.actor_id == boss_user.id
            )
        )
    ).all()
    assert sorted((a, d["permission"]) for a, d in entries) == [
        ("admin.permission_granted", "MANAGE_HELP"),
        ("admin.permission_granted", "MANAGE_JOBS"),
        ("admin.permission_granted", "MANAGE_USERS"),
        ("admin.permission_revoked", "MANAGE_HELP"),
        ("admin.permission_revoked", "MANAGE_JOBS"),
    ]
    bad = await client.post(f"{ADMIN}/users/{admin.id}/permissions/MAKE_COFFEE", headers=boss)
    assert_error(bad, 422, "validation_error")


async def test_a_regular_admin_cannot_grant_beyond_their_own_permissions(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    manager, me = await admin_headers(
        client,
        user_factory,
        permissions=[Permission.MANAGE_ADMIN_PERMISSIONS, Permission.MANAGE_USERS],
        totp=True,
    )
    admin = await user_factory(user_type=UserType.ADMIN)
    escalate = await client.post(
        f"{ADMIN}/users/{admin.id}/permissions/MANAGE_PAYMENTS", headers=manager
    )
    assert_error(escalate, 403, "permission_not_held")
    ok = await client.post(f"{ADMIN}/users/{admin.id}/permissions/MANAGE_USERS", headers=manager)
    assert ok.status_code == 200
    assert ok.json()["permissions"] == ["MANAGE_USERS"]
    self_grant = await client.post(
        f"{ADMIN}/users/{me.id}/permissions/MANAGE_USERS", headers=manager
    )
    assert_error(self_grant, 403, "self_action")
    super_admin = await user_factory(user_type=UserType.ADMIN, admin_role=AdminRole.SUPER_ADMIN)
    assert_error(
        await client.delete(
            f"{ADMIN}/users/{super_admin.id}/permissions/MANAGE_USERS", headers=manager
        ),
        409,
        "super_admin",
    )
    candidate = await user_factory()
    assert_error(
        await client.post(
            f"{ADMIN}/users/{candidate.id}/permissions/MANAGE_USERS", headers=manager
        ),
        400,
        "not_an_admin",
    )


async def test_managing_permissions_needs_the_permission_and_a_second_factor(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    admin = await user_factory(user_type=UserType.ADMIN)
    without, _ = await admin_headers(client, user_factory, permissions=[Permission.MANAGE_USERS])
    assert_error(
        await client.post(f"{ADMIN}/users/{admin.id}/permissions/MANAGE_USERS", headers=without),
        403,
        "permission_required",
    )
    no_totp, _ = await admin_headers(
        client, user_factory, permissions=[Permission.MANAGE_ADMIN_PERMISSIONS]
    )
    assert_error(
        await client.get(f"{ADMIN}/users/{admin.id}/permissions", headers=no_totp),
        403,
        "two_factor_required",
    )
    super_no_totp, _ = await admin_headers(client, user_factory, role=AdminRole.SUPER_ADMIN)
    assert_error(
        await client.get(f"{ADMIN}/audit-log", headers=super_no_totp), 403, "two_factor_required"
    )


# --- creating admins, the audit log ------------------------------------------------------------


async def test_a_super_admin_creates_an_admin_who_sets_a_password_by_email(
    client: httpx.AsyncClient, user_factory: UserFactory, session: AsyncSession
) -> None:
    boss, _ = await admin_headers(client, user_factory, role=AdminRole.SUPER_ADMIN, totp=True)
    created = await client.post(
        f"{ADMIN}/admins",
        headers=boss,
        json={"email": "New.Admin@example.com", "name": "Noura", "permissions": ["MANAGE_JOBS"]},
    )
    assert created.status_code == 201, created.text
    assert created.json()["adminRole"] == "REGULAR_ADMIN"
    assert created.json()["permissions"] == ["MANAGE_JOBS"]
    again = await client.post(
        f"{ADMIN}/admins", headers=boss, json={"email": "new.admin@example.com"}
    )
    assert_error(again, 409, "email_taken")

    body = (
        await session.execute(
            select(EmailOutbox.body_text).where(EmailOutbox.to_address == "new.admin@example.com")
        )
    ).scalar_one()
    match = re.search(r"token=([\w\-%]+)", body)
    assert match
    reset = await client.post(
        "/api/auth/reset-password",
        json={"token": unquote(match.group(1)), "password": "the new admin's passphrase"},
    )
    assert reset.status_code == 200
    me = await login(client, "new.admin@example.com", "the new admin's passphrase")
    assert me["user"]["userType"] == "ADMIN"

    regular, _ = await admin_headers(
        client, user_factory, permissions=[Permission.MANAGE_ADMIN_PERMISSIONS], totp=True
    )
    assert_error(
        await client.post(f"{ADMIN}/admins", headers=regular, json={"email": "x@example.com"}),
        403,
        "super_admin_required",
    )


async def test_the_audit_log_shows_who_did_what_to_whom(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    boss, boss_user = await admin_headers(
        client, user_factory, role=AdminRole.SUPER_ADMIN, totp=True
    )
    victim = await user_factory()
    await client.post(f"{ADMIN}/users/{victim.id}/suspend", headers=boss)
    await client.post(f"{ADMIN}/users/{victim.id}/reactivate", headers=boss)

    log = await client.get(f"{ADMIN}/audit-log", headers=boss, params={"entityId": str(victim.id)})
    assert log.status_code == 200, log.text
    items = log.json()["items"]
    assert {i["action"] for i in items} == {"admin.user_suspended", "admin.user_reactivated"}
    for item in items:
        assert item["actorId"] == str(boss_user.id)
        assert item["actorEmail"] == boss_user.email
        assert item["entityType"] == "user"
        assert item["requestId"]
        assert item["createdAt"]
    only = await client.get(
        f"{ADMIN}/audit-log", headers=boss, params={"action": "admin.user_suspended", "limit": 1}
    )
    assert only.json()["pagination"]["total"] == 1
    # Enrolling the boss's own second factor was audited too.
    own = await client.get(
        f"{ADMIN}/audit-log", headers=boss, params={"actorId": str(boss_user.id)}
    )
    assert "auth.2fa_enabled" in {i["action"] for i in own.json()["items"]}
