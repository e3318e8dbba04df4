"""RequirePermission and RequireUserType, for every permission of the seed: who gets through,
who gets 401 / 403, and the second factor the money- and power-moving permissions demand."""

# No "from __future__ import annotations": the probes close over their permission, and FastAPI
# must see the real Annotated objects, not strings.

from typing import Annotated

import pytest
from fastapi import APIRouter, FastAPI

from api.accounts.permissions import SECOND_FACTOR_PERMISSIONS
from api.deps import RequirePermission, RequireUserType
from models import User
from models.enums import AdminRole, Permission, UserType
from tests.api.accounts.conftest import ClientFor, UserFactory
from tests.fixtures.users import (
    api_settings_for_tests,
    assert_error,
    auth_headers,
    bearer,
    enable_totp,
)

pytestmark = pytest.mark.integration


def probe_routes(app: FastAPI) -> None:
    """/probe/<PERMISSION> for each permission, and /probe-type/recruiter."""
    router = APIRouter()
    for permission in Permission:

        def make(p: Permission):  # type: ignore[no-untyped-def]
            async def probe(user: Annotated[User, RequirePermission(p)]) -> dict[str, str]:
                return {"ok": p.value, "user": str(user.id)}

            return probe

        router.add_api_route(f"/probe/{permission.value}", make(permission), methods=["GET"])

    async def recruiters_only(
        user: Annotated[User, RequireUserType(UserType.RECRUITER)],
    ) -> dict[str, str]:
        return {"ok": "recruiter"}

    router.add_api_route("/probe-type/recruiter", recruiters_only, methods=["GET"])
    app.include_router(router)


@pytest.mark.parametrize("permission", list(Permission))
async def test_each_permission_lets_only_its_holders_through(
    client_for: ClientFor, user_factory: UserFactory, permission: Permission
) -> None:
    url = f"/probe/{permission.value}"
    others = [p for p in Permission if p != permission]
    async with client_for(api_settings_for_tests(), probe_routes) as client:
        assert_error(await client.get(url), 401, "not_authenticated")
        for user_type in (UserType.CANDIDATE, UserType.RECRUITER):
            headers = await auth_headers(client, await user_factory(user_type=user_type))
            assert_error(await client.get(url, headers=headers), 403, "admin_required")

        # An admin holding every OTHER permission (and a second factor) is still refused.
        lacking = await user_factory(user_type=UserType.ADMIN, permissions=others)
        _, lacking_tokens = await enable_totp(client, await auth_headers(client, lacking))
        refused = await client.get(url, headers=bearer(lacking_tokens["accessToken"]))
        assert_error(refused, 403, "permission_required")

        holder = await user_factory(user_type=UserType.ADMIN, permissions=[permission])
        super_admin = await user_factory(user_type=UserType.ADMIN, admin_role=AdminRole.SUPER_ADMIN)
        for admin in (holder, super_admin):
            headers = await auth_headers(client, admin)
            response = await client.get(url, headers=headers)
            if permission in SECOND_FACTOR_PERMISSIONS:
                assert_error(response, 403, "two_factor_required")
                _, confirmed = await enable_totp(client, headers)
                headers = bearer(confirmed["accessToken"])
                response = await client.get(url, headers=headers)
            assert response.status_code == 200, response.text
            assert response.json() == {"ok": permission.value, "user": str(admin.id)}


async def test_require_user_type(client_for: ClientFor, user_factory: UserFactory) -> None:
    async with client_for(api_settings_for_tests(), probe_routes) as client:
        recruiter = await auth_headers(client, await user_factory(user_type=UserType.RECRUITER))
        candidate = await auth_headers(client, await user_factory())
        assert (await client.get("/probe-type/recruiter", headers=recruiter)).status_code == 200
        assert_error(
            await client.get("/probe-type/recruiter", headers=candidate), 403, "wrong_user_type"
        )


async def test_a_revoked_permission_stops_working_at_once(
    client_for: ClientFor, user_factory: UserFactory
) -> None:
    async with client_for(api_settings_for_tests(), probe_routes) as client:
        super_admin = await user_factory(user_type=UserType.ADMIN, admin_role=AdminRole.SUPER_ADMIN)
        _, boss = await enable_totp(client, await auth_headers(client, super_admin))
        boss_headers = bearer(boss["accessToken"])
        admin = await user_factory(user_type=UserType.ADMIN, permissions=[Permission.MANAGE_JOBS])
        admin_headers = await auth_headers(client, admin)
        assert (await client.get("/probe/MANAGE_JOBS", headers=admin_headers)).status_code == 200
        revoked = await client.delete(
            f"/api/admin/users/{admin.id}/permissions/MANAGE_JOBS", headers=boss_headers
        )
        assert revoked.status_code == 200, revoked.text
        # The old token is dead (epoch); a fresh one no longer carries the permission.
        assert_error(await client.get("/probe/MANAGE_JOBS", headers=admin_headers), 401)
        fresh = await auth_headers(client, admin)
        assert_error(
            await client.get("/probe/MANAGE_JOBS", headers=fresh), 403, "permission_required"
        )
