"""The service-to-service X-API-TOKEN: several tokens accepted for rotation, anything else 401."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from tests.api.accounts.conftest import ClientFor
from tests.fixtures.users import api_settings_for_tests, assert_error

pytestmark = pytest.mark.integration

JOBS = "/api/v1/resume/jobs"


async def test_every_configured_token_is_accepted_and_nothing_else(client_for: ClientFor) -> None:
    settings = api_settings_for_tests().model_copy(
        update={"api_token": SecretStr("new-token,old-token")}
    )
    async with client_for(settings) as client:
        for token in ("new-token", "old-token"):
            assert (await client.get(JOBS, headers={"X-API-TOKEN": token})).status_code == 200
        for token in ("new-token,old-token", "new-toke", "", "old-token-2"):
            response = await client.get(JOBS, headers={"X-API-TOKEN": token})
            assert_error(response, 401, "invalid_api_token")
        assert_error(await client.get(JOBS), 401, "invalid_api_token")


async def test_a_user_access_token_is_not_a_service_token(client: httpx.AsyncClient) -> None:
    # The job list also serves signed-in users; this route is service-to-service only.
    response = await client.post(
        "/api/v1/resume/jobs/match", data={"text": "cv"}, headers={"Authorization": "Bearer x"}
    )
    assert_error(response, 401, "invalid_api_token")
