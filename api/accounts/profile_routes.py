"""Candidate onboarding and profile at the seed's paths (candidates only)."""

from __future__ import annotations

from fastapi import APIRouter

from api.accounts import profile, service
from api.accounts.schemas import MeOut, PersonalInfoIn, ProfessionalInfoIn, ProfileUpdateIn
from api.deps import CandidateUser, SessionDep

router = APIRouter(prefix="/api/mobile/candidate", tags=["candidate"])


@router.post("/onboarding/personal-info", response_model=MeOut)
async def onboarding_personal_info(
    body: PersonalInfoIn, user: CandidateUser, session: SessionDep
) -> MeOut:
    """Onboarding step: contact and personal details."""
    await profile.save_personal_info(session, user, body)
    return MeOut(user=await service.user_out(session, user))


@router.post("/onboarding/professional-info", response_model=MeOut)
async def onboarding_professional_info(
    body: ProfessionalInfoIn, user: CandidateUser, session: SessionDep
) -> MeOut:
    """Onboarding step: the positions, places, experience and salary the candidate wants."""
    await profile.save_professional_info(session, user, body)
    return MeOut(user=await service.user_out(session, user))


@router.get("/profile", response_model=MeOut)
async def get_profile(user: CandidateUser, session: SessionDep) -> MeOut:
    """The candidate's own profile (protected attributes included: it is their data)."""
    await profile.candidate_of(session, user)
    return MeOut(user=await service.user_out(session, user))


@router.put("/profile", response_model=MeOut)
async def update_profile(body: ProfileUpdateIn, user: CandidateUser, session: SessionDep) -> MeOut:
    """Change any profile field; fields left out stay as they are."""
    await profile.update_profile(session, user, body)
    return MeOut(user=await service.user_out(session, user))
