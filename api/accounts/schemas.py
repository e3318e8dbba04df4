"""Request and response bodies of the account routes.

The seed's apps are TypeScript and Dart and speak camelCase (``accessToken``, ``userType``,
``aiJobApplyCount``), so bodies are written in camelCase; requests may use snake_case too.
Unknown request fields are ignored (older app builds send extras such as ``confirmPassword``),
but fields that would grant privileges are refused with a 422: registration never chooses a
role, credits or a verified state (mass assignment).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from api.accounts.security import PASSWORD_MAX_BYTES, PASSWORD_MAX_CHARS, password_problem
from models.enums import AdminRole, OnboardingState, Permission, UserType

EMAIL_MAX = 320


class CamelModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, validate_by_name=True, validate_by_alias=True, extra="ignore"
    )


#: Fields a client may never set on its own account, in either spelling.
_PRIVILEGED_FIELDS = frozenset(
    {
        "adminRole",
        "admin_role",
        "role",
        "permissions",
        "jobCount",
        "job_count",
        "aiJobApplyCount",
        "ai_job_apply_count",
        "credits",
        "emailVerified",
        "email_verified",
        "emailVerifiedAt",
        "email_verified_at",
        "isActive",
        "is_active",
        "tokenEpoch",
        "token_epoch",
        "passwordHash",
        "password_hash",
        "id",
        "userId",
        "user_id",
        "onboardingState",
        "onboarding_state",
    }
)


def refuse_privileged_fields(data: Any) -> Any:
    if isinstance(data, dict):
        found = sorted(k for k in data if k in _PRIVILEGED_FIELDS)
        if found:
            raise ValueError(f"these fields cannot be set by a client: {', '.join(found)}")
    return data


def normalize_email(value: str) -> str:
    """Strip and lower-case: emails are unique case-insensitively (the users table insists)."""
    return value.strip().lower()


def checked_email(value: str) -> str:
    """A syntactically valid address (no DNS look-up), normalised."""
    value = normalize_email(value)
    if len(value) > EMAIL_MAX:
        raise ValueError("email is too long")
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None
    return value


def checked_new_password(value: str) -> str:
    problem = password_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def password_field(default: Any = ...) -> Any:
    """Passwords are bounded in every body: an oversized one is a 422 and never reaches argon2."""
    return Field(default, max_length=PASSWORD_MAX_CHARS)


class _BoundedPassword(CamelModel):
    @field_validator("*", mode="after")
    @classmethod
    def _bytes_bound(cls, value: Any) -> Any:
        if isinstance(value, str) and len(value.encode()) > PASSWORD_MAX_BYTES:
            raise ValueError(f"at most {PASSWORD_MAX_BYTES} bytes")
        return value


# --- registration and sign-in ------------------------------------------------------------------


class RegisterIn(_BoundedPassword):
    email: str = Field(max_length=EMAIL_MAX)
    password: str = password_field()
    name: str | None = Field(default=None, max_length=200)
    #: Candidates and recruiters register themselves; admins never do.
    user_type: Literal[UserType.CANDIDATE, UserType.RECRUITER] = UserType.CANDIDATE
    phone: str | None = Field(default=None, max_length=40)
    #: Recruiters: the company and the person to contact there.
    company_name: str | None = Field(default=None, max_length=200)
    contact_person_name: str | None = Field(default=None, max_length=200)

    _refuse = model_validator(mode="before")(refuse_privileged_fields)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return checked_email(value)

    @field_validator("password")
    @classmethod
    def _password(cls, value: str) -> str:
        return checked_new_password(value)

    @model_validator(mode="after")
    def _recruiter_fields(self) -> RegisterIn:
        if self.user_type == UserType.RECRUITER:
            if not (self.company_name and self.company_name.strip()):
                raise ValueError("companyName is required for a recruiter")
            if not (self.contact_person_name and self.contact_person_name.strip()):
                raise ValueError("contactPersonName is required for a recruiter")
        return self


class LoginIn(_BoundedPassword):
    # Optional so that a missing field gets the seed's own 400, not a 422.
    email: str | None = Field(default=None, max_length=EMAIL_MAX)
    password: str | None = password_field(None)


class SecondFactorIn(CamelModel):
    mfa_token: str = Field(max_length=4096)
    code: str | None = Field(default=None, max_length=12)
    recovery_code: str | None = Field(default=None, max_length=32)

    @model_validator(mode="after")
    def _one_of(self) -> SecondFactorIn:
        if not self.code and not self.recovery_code:
            raise ValueError("send code (from the authenticator app) or recoveryCode")
        return self


class RefreshIn(CamelModel):
    refresh_token: str = Field(min_length=1, max_length=512)


class LogoutIn(CamelModel):
    refresh_token: str | None = Field(default=None, max_length=512)
    #: Revoke every session of the account, not only this device's.
    all_devices: bool = False


class GoogleSignInIn(CamelModel):
    id_token: str = Field(min_length=1, max_length=8192)


class EmailIn(CamelModel):
    email: str = Field(max_length=EMAIL_MAX)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalize_email(value)


class TokenIn(CamelModel):
    token: str = Field(min_length=1, max_length=512)


class ResetPasswordIn(_BoundedPassword):
    token: str = Field(min_length=1, max_length=512)
    password: str = password_field()

    @field_validator("password")
    @classmethod
    def _password(cls, value: str) -> str:
        return checked_new_password(value)


class ChangePasswordIn(_BoundedPassword):
    current_password: str | None = password_field(None)
    new_password: str = password_field()

    @field_validator("new_password")
    @classmethod
    def _password(cls, value: str) -> str:
        return checked_new_password(value)


class DeleteAccountIn(_BoundedPassword):
    #: Required when the account has a password.
    password: str | None = password_field(None)
    #: Required when the account has two-factor authentication.
    code: str | None = Field(default=None, max_length=32)


# --- users -------------------------------------------------------------------------------------


class CandidateOut(CamelModel):
    """The candidate's own view, protected attributes included (it is their data)."""

    model_config = ConfigDict(from_attributes=True)

    phone: str | None
    city: str | None
    country: str | None
    nationality: str | None
    gender: str | None
    date_of_birth: date | None
    desired_positions: list[str]
    desired_locations: list[str]
    salary_expectation: int | None
    salary_currency: str | None
    years_experience: int | None
    onboarding_state: OnboardingState
    job_count: int
    ai_job_apply_count: int


class CandidatePublic(CamelModel):
    """What a recruiter may see of a candidate. Gender, nationality and date of birth are stored
    for the law's reporting only and are never part of this view (nor of any score)."""

    model_config = ConfigDict(from_attributes=True)

    user_id: uuid.UUID
    city: str | None
    country: str | None
    desired_positions: list[str]
    desired_locations: list[str]
    years_experience: int | None


class RecruiterOut(CamelModel):
    model_config = ConfigDict(from_attributes=True)

    company_name: str
    contact_person_name: str | None
    phone: str | None


class UserOut(CamelModel):
    id: uuid.UUID
    email: str
    name: str | None
    user_type: UserType
    admin_role: AdminRole | None
    permissions: list[Permission]
    email_verified: bool
    is_active: bool
    two_factor_enabled: bool
    created_at: datetime
    last_login_at: datetime | None
    candidate: CandidateOut | None = None
    recruiter: RecruiterOut | None = None


class MeOut(CamelModel):
    user: UserOut


class TokenPairOut(CamelModel):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - a scheme name
    #: Seconds until the access token expires.
    expires_in: int
    refresh_expires_in: int
    user: UserOut


class MfaChallengeOut(CamelModel):
    """Password (or social sign-in) passed; send a code to ``/login/2fa`` with ``mfaToken``."""

    mfa_required: Literal[True] = True
    mfa_token: str
    methods: list[str] = Field(default_factory=lambda: ["totp", "recovery_code"])


class WebSessionOut(CamelModel):
    """Cookie sign-in: the tokens are in HttpOnly cookies; send ``csrfToken`` back in the
    X-CSRF-Token header on every unsafe request."""

    csrf_token: str
    expires_in: int
    user: UserOut


class MessageOut(BaseModel):
    message: str


class SessionOut(CamelModel):
    id: uuid.UUID
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    user_agent: str | None
    ip: str | None
    current: bool


class SessionsOut(BaseModel):
    items: list[SessionOut]


# --- two-factor --------------------------------------------------------------------------------


class TotpEnrollOut(CamelModel):
    secret: str
    otpauth_uri: str


class CodeIn(CamelModel):
    code: str = Field(min_length=1, max_length=12)


class TotpConfirmOut(CamelModel):
    """Enrolment done: other sessions were signed out; these tokens replace the current ones
    (web clients: new session cookies, and ``csrfToken`` instead of the tokens)."""

    recovery_codes: list[str]
    access_token: str | None = None
    refresh_token: str | None = None
    csrf_token: str | None = None
    expires_in: int


class RecoveryCodesOut(CamelModel):
    recovery_codes: list[str]


class DisableTotpIn(_BoundedPassword):
    password: str | None = password_field(None)
    code: str = Field(min_length=1, max_length=32)


# --- onboarding and profile --------------------------------------------------------------------


class PersonalInfoIn(CamelModel):
    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    city: str | None = Field(default=None, max_length=100)
    country: str | None = Field(default=None, min_length=2, max_length=2)
    nationality: str | None = Field(default=None, max_length=100)
    gender: str | None = Field(default=None, max_length=20)
    date_of_birth: date | None = None

    _refuse = model_validator(mode="before")(refuse_privileged_fields)

    @field_validator("country")
    @classmethod
    def _upper_country(cls, value: str | None) -> str | None:
        return value.upper() if value else value

    @field_validator("date_of_birth")
    @classmethod
    def _plausible(cls, value: date | None) -> date | None:
        if value is not None and not (date(1900, 1, 1) <= value <= date.today()):
            raise ValueError("date of birth is not plausible")
        return value


class ProfessionalInfoIn(CamelModel):
    desired_positions: list[str] | None = Field(default=None, max_length=20)
    desired_locations: list[str] | None = Field(default=None, max_length=20)
    years_experience: int | None = Field(default=None, ge=0, le=70)
    salary_expectation: int | None = Field(default=None, ge=0, le=100_000_000)
    salary_currency: str | None = Field(default=None, min_length=3, max_length=3)

    _refuse = model_validator(mode="before")(refuse_privileged_fields)

    @field_validator("desired_positions", "desired_locations")
    @classmethod
    def _clean(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        cleaned = []
        for item in value:
            item = item.strip()
            if len(item) > 100:
                raise ValueError("each entry is at most 100 characters")
            if item and item not in cleaned:
                cleaned.append(item)
        return cleaned

    @field_validator("salary_currency")
    @classmethod
    def _upper_currency(cls, value: str | None) -> str | None:
        return value.upper() if value else value


class ProfileUpdateIn(PersonalInfoIn, ProfessionalInfoIn):
    """PUT /candidate/profile: any subset of the onboarding fields."""
