"""Who is calling a job route: a service with the seed's X-API-TOKEN, a signed-in user, or both
(the apps send the token and the user's JWT together).

The service-to-service routes (/api/v1/resume/*) always accepted the token; people reach the same
routes with their bearer token (or web session), and then their role decides what they may do.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Header, Request

from api.accounts.permissions import effective_permissions
from api.deps import SessionDep, StateDep, get_optional_user, require_api_token
from api.errors import Forbidden, NotFound, Unauthorized
from models import Job, User
from models.enums import JobStatus, Permission, UserType


@dataclass(frozen=True)
class Caller:
    """The authenticated party of one request."""

    #: The signed-in user, if a bearer token (or session cookie) came with the request.
    user: User | None
    #: True when a valid X-API-TOKEN came with the request (a trusted backend).
    service: bool
    permissions: frozenset[Permission] = field(default_factory=frozenset)

    @property
    def user_id(self) -> uuid.UUID | None:
        return self.user.id if self.user is not None else None

    @property
    def user_type(self) -> UserType | None:
        return self.user.user_type if self.user is not None else None

    @property
    def is_recruiter(self) -> bool:
        return self.user_type == UserType.RECRUITER

    @property
    def is_admin(self) -> bool:
        return self.user_type == UserType.ADMIN

    def has(self, permission: Permission) -> bool:
        """A trusted service holds every permission of the seed's admin backend."""
        return self.service or permission in self.permissions

    @property
    def sees_every_job(self) -> bool:
        """Services and job administrators see drafts of everyone."""
        return self.has(Permission.MANAGE_JOBS)

    def can_see(self, job: Job) -> bool:
        return job.status != JobStatus.DRAFT or self.sees_every_job or self.owns(job)

    def owns(self, job: Job) -> bool:
        return self.user is not None and job.owner_id == self.user.id

    def can_edit(self, job: Job) -> bool:
        return self.has(Permission.MANAGE_JOBS) or (self.is_recruiter and self.owns(job))

    def require_job_writer(self) -> None:
        """Posting jobs: services, admins with MANAGE_JOBS and recruiters."""
        if self.has(Permission.MANAGE_JOBS) or self.is_recruiter:
            return
        if self.is_admin:
            raise Forbidden(
                f"This needs the {Permission.MANAGE_JOBS.value} permission",
                code="permission_required",
            )
        raise Forbidden("Only recruiters and administrators manage jobs", code="wrong_user_type")


async def get_caller(
    request: Request,
    session: SessionDep,
    state: StateDep,
    x_api_token: Annotated[
        str | None,
        Header(
            alias="X-API-TOKEN",
            description="Service-to-service token; or sign in and send a bearer token instead.",
        ),
    ] = None,
) -> Caller:
    """X-API-TOKEN (checked in constant time), a bearer token, or both; 401 with neither."""
    service = False
    if x_api_token is not None:
        require_api_token(state, x_api_token)
        service = True
    user = await get_optional_user(request, session, state)
    if user is None and not service:
        raise Unauthorized(
            "Missing or invalid X-API-TOKEN header (or sign in)", code="invalid_api_token"
        )
    permissions = await effective_permissions(session, user) if user is not None else frozenset()
    return Caller(user=user, service=service, permissions=permissions)


CallerDep = Annotated[Caller, Depends(get_caller)]


def visible_job(caller: Caller, job: Job | None) -> Job:
    """The job if this caller may see it; a draft of someone else is as missing as no job."""
    if job is None or not caller.can_see(job):
        raise NotFound("Job not found", code="job_not_found")
    return job


def editable_job(caller: Caller, job: Job | None) -> Job:
    """The job if this caller may change it. Another recruiter's job answers 404 like a missing
    one (never 403, which would confirm it exists); a candidate gets 403 for the action."""
    caller.require_job_writer()
    if job is None or not caller.can_edit(job):
        raise NotFound("Job not found", code="job_not_found")
    return job


def require_user(caller: Caller) -> User:
    if caller.user is None:
        raise Unauthorized("Sign in to do this", code="not_authenticated")
    return caller.user
