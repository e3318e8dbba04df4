"""Candidate onboarding and profile at the seed's paths."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
import pytest

from api.accounts.schemas import CandidatePublic
from models.enums import UserType
from tests.api.accounts.conftest import UserFactory
from tests.fixtures.users import assert_error, auth_headers

pytestmark = pytest.mark.integration

BASE = "/api/mobile/candidate"
PERSONAL = {
    "name": "Layla Al Mansouri",
    "phone": "+971501234567",
    "city": "Dubai",
    "country": "ae",
    "nationality": "Emirati",
    "gender": "female",
    "dateOfBirth": "1994-03-02",
}
PROFESSIONAL = {
    "desiredPositions": ["Data Analyst", " Data Analyst ", "BI Developer"],
    "desiredLocations": ["Dubai", "Abu Dhabi"],
    "yearsExperience": 6,
    "salaryExpectation": 18000,
    "salaryCurrency": "aed",
}


async def test_onboarding_in_two_steps_completes(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    headers = await auth_headers(client, await user_factory())
    personal = await client.post(f"{BASE}/onboarding/personal-info", headers=headers, json=PERSONAL)
    assert personal.status_code == 200, personal.text
    user = personal.json()["user"]
    candidate = user["candidate"]
    assert user["name"] == "Layla Al Mansouri"
    assert (candidate["country"], candidate["dateOfBirth"]) == ("AE", "1994-03-02")
    assert candidate["onboardingState"] == "personal_info"

    professional = await client.post(
        f"{BASE}/onboarding/professional-info", headers=headers, json=PROFESSIONAL
    )
    assert professional.status_code == 200, professional.text
    candidate = professional.json()["user"]["candidate"]
    assert candidate["desiredPositions"] == ["Data Analyst", "BI Developer"]
    assert candidate["salaryCurrency"] == "AED"
    assert candidate["onboardingState"] == "completed"
    # The earlier step's answers are still there.
    assert candidate["nationality"] == "Emirati"


async def test_steps_in_the_other_order_also_complete(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    headers = await auth_headers(client, await user_factory())
    first = await client.post(
        f"{BASE}/onboarding/professional-info", headers=headers, json=PROFESSIONAL
    )
    assert first.json()["user"]["candidate"]["onboardingState"] == "professional_info"
    second = await client.post(f"{BASE}/onboarding/personal-info", headers=headers, json=PERSONAL)
    assert second.json()["user"]["candidate"]["onboardingState"] == "completed"


async def test_profile_update_changes_only_what_is_sent(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    headers = await auth_headers(client, await user_factory())
    await client.post(f"{BASE}/onboarding/personal-info", headers=headers, json=PERSONAL)
    updated = await client.put(f"{BASE}/profile", headers=headers, json={"city": "Sharjah"})
    assert updated.status_code == 200, updated.text
    candidate = updated.json()["user"]["candidate"]
    assert candidate["city"] == "Sharjah"
    assert candidate["phone"] == "+971501234567"
    assert candidate["onboardingState"] == "personal_info"
    fetched = await client.get(f"{BASE}/profile", headers=headers)
    assert fetched.json() == updated.json()


@pytest.mark.parametrize(
    "payload",
    [
        {"aiJobApplyCount": 99},
        {"job_count": 5},
        {"onboardingState": "completed"},
        {"dateOfBirth": "2999-01-01"},
        {"country": "UAE"},
        {"yearsExperience": -1},
        {"desiredPositions": ["x" * 101]},
    ],
)
async def test_profile_refuses_bad_or_privileged_fields(
    client: httpx.AsyncClient, user_factory: UserFactory, payload: dict[str, object]
) -> None:
    headers = await auth_headers(client, await user_factory())
    response = await client.put(f"{BASE}/profile", headers=headers, json=payload)
    assert_error(response, 422, "validation_error")
    me = (await client.get("/api/mobile/me", headers=headers)).json()["user"]["candidate"]
    assert (me["jobCount"], me["aiJobApplyCount"], me["onboardingState"]) == (0, 0, "not_started")


async def test_candidate_routes_are_for_candidates(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    recruiter = await auth_headers(client, await user_factory(user_type=UserType.RECRUITER))
    assert_error(await client.get(f"{BASE}/profile", headers=recruiter), 403, "wrong_user_type")
    assert_error(
        await client.post(f"{BASE}/onboarding/personal-info", headers=recruiter, json=PERSONAL),
        403,
        "wrong_user_type",
    )
    assert_error(await client.get(f"{BASE}/profile"), 401, "not_authenticated")


def test_the_recruiter_view_of_a_candidate_has_no_protected_attributes() -> None:
    fields = set(CandidatePublic.model_fields)
    assert not fields & {"gender", "nationality", "date_of_birth", "phone"}
    view = CandidatePublic(
        user_id=uuid.uuid4(),
        city="Dubai",
        country="AE",
        desired_positions=[],
        desired_locations=[],
        years_experience=3,
    ).model_dump(by_alias=True)
    assert "dateOfBirth" not in view
    assert date.today().isoformat() not in str(view)
