"""Settings owned by the API. Seed-compatible names (API_TOKEN, JWT_ACCESS_SECRET, SMTP_SERVER, …)
are read as the seed spelled them; everything else has the ``TABASHIR_`` prefix."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

#: Values that must never guard a deployment. Development and test accept them.
PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev-token"})
#: Development defaults of the account secrets: long enough for HS256, refused in production.
DEV_JWT_ACCESS_SECRET = "dev-only-jwt-access-secret-not-for-production"  # noqa: S105
DEV_JWT_REFRESH_SECRET = "dev-only-jwt-refresh-secret-not-for-production"  # noqa: S105
DEV_ENCRYPTION_KEY = "dev-only-encryption-key-not-for-production-000"
#: HS256 keys shorter than the hash output (32 bytes) weaken the signature (RFC 7518 §3.2).
MIN_SECRET_BYTES = 32


def _aliases(*names: str) -> AliasChoices:
    return AliasChoices(*names)


def _split_list(value: object) -> object:
    """Accept "a,b" as well as a JSON list from the environment."""
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            import json

            return json.loads(stripped)
        return [part.strip() for part in stripped.split(",") if part.strip()]
    return value


class RateLimitSettings(BaseSettings):
    """Throttles of the account routes and of CV uploads, each "COUNT/SECONDS" (a sliding
    window per key)."""

    model_config = SettingsConfigDict(
        env_prefix="TABASHIR_RATE_LIMIT_", env_file=".env", extra="ignore"
    )

    enabled: bool = True
    login_ip: str = "30/300"
    login_account: str = "10/900"
    register_ip: str = "10/3600"
    refresh_ip: str = "120/300"
    forgot_ip: str = "10/3600"
    forgot_account: str = "5/3600"
    reset_ip: str = "20/3600"
    verify_ip: str = "30/3600"
    two_factor_ip: str = "30/300"
    two_factor_account: str = "6/300"
    oauth_ip: str = "30/300"
    #: CV uploads per user: parsing is the most expensive thing a user can ask for.
    upload_user: str = "10/600"
    #: Language-model features per user (translation, AI resumes: build, improve, retry).
    ai_user: str = "30/3600"

    @field_validator("*", mode="after")
    @classmethod
    def _well_formed(cls, value: object) -> object:
        if isinstance(value, str):
            count, _, window = value.partition("/")
            if not (count.isdigit() and window.isdigit() and int(count) > 0 and int(window) > 0):
                raise ValueError(f"rate limit {value!r} is not COUNT/SECONDS, e.g. 10/60")
        return value


class AuthSettings(BaseSettings):
    """Accounts: tokens, passwords, cookies, second factors and social sign-in."""

    model_config = SettingsConfigDict(
        env_prefix="TABASHIR_AUTH_", env_file=".env", extra="ignore", validate_by_name=True
    )

    #: HS256 key of the access tokens (the seed's name).
    jwt_access_secret: SecretStr = Field(
        default=SecretStr(DEV_JWT_ACCESS_SECRET),
        validation_alias=_aliases("JWT_ACCESS_SECRET", "TABASHIR_AUTH_JWT_ACCESS_SECRET"),
    )
    #: Keys the hashes of refresh, verification and reset tokens (the seed's name).
    jwt_refresh_secret: SecretStr = Field(
        default=SecretStr(DEV_JWT_REFRESH_SECRET),
        validation_alias=_aliases("JWT_REFRESH_SECRET", "TABASHIR_AUTH_JWT_REFRESH_SECRET"),
    )
    #: Encrypts TOTP secrets at rest (any string of 32+ bytes; a Fernet key is derived from it).
    encryption_key: SecretStr = Field(
        default=SecretStr(DEV_ENCRYPTION_KEY),
        validation_alias=_aliases("TABASHIR_AUTH_ENCRYPTION_KEY", "encryption_key"),
    )
    jwt_issuer: str = "tabashir"
    jwt_audience: str = "tabashir-apps"
    access_token_ttl_s: int = Field(default=15 * 60, ge=60, le=24 * 3600)
    #: Absolute lifetime of a session (a refresh-token family): rotation never extends it.
    refresh_token_ttl_s: int = Field(default=7 * 24 * 3600, ge=3600)
    #: Idle timeout: a refresh token not traded within this long ends its session.
    refresh_token_idle_s: int = Field(default=3 * 24 * 3600, ge=600)
    email_verification_ttl_s: int = Field(default=24 * 3600, ge=600)
    password_reset_ttl_s: int = Field(default=30 * 60, ge=300, le=24 * 3600)
    #: How long the half-logged-in state between password and second factor lasts.
    mfa_challenge_ttl_s: int = Field(default=5 * 60, ge=60, le=3600)
    #: The seed requires a verified email before password login.
    require_email_verification: bool = True
    #: argon2id cost: RFC 9106's second recommended option (t=3, m=64 MiB, p=4).
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=64 * 1024, ge=1024)
    argon2_parallelism: int = Field(default=4, ge=1)
    #: Cookies of web clients carry the Secure flag (browsers treat localhost as secure).
    cookie_secure: bool = True
    cookie_domain: str | None = None
    #: Reverse proxies in front of the API whose X-Forwarded-For entries are trusted (0: none).
    trusted_proxy_hops: int = Field(default=0, ge=0, le=5)
    #: OAuth client ids accepted as the audience of Google ID tokens (web, Android, iOS).
    google_client_ids: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        validation_alias=_aliases(
            "GOOGLE_CLIENT_IDS", "TABASHIR_AUTH_GOOGLE_CLIENT_IDS", "google_client_ids"
        ),
    )
    google_jwks_url: str = "https://www.googleapis.com/oauth2/v3/certs"
    github_client_id: str | None = Field(
        default=None,
        validation_alias=_aliases(
            "GITHUB_CLIENT_ID", "TABASHIR_AUTH_GITHUB_CLIENT_ID", "github_client_id"
        ),
    )
    github_client_secret: SecretStr | None = Field(
        default=None,
        validation_alias=_aliases(
            "GITHUB_CLIENT_SECRET", "TABASHIR_AUTH_GITHUB_CLIENT_SECRET", "github_client_secret"
        ),
    )
    github_authorize_url: str = "https://github.com/login/oauth/authorize"
    github_token_url: str = "https://github.com/login/oauth/access_token"  # noqa: S105 - a URL
    github_api_url: str = "https://api.github.com"

    @field_validator("google_client_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        return _split_list(value)


class EmailSettings(BaseSettings):
    """Outgoing email. Unset SMTP_SERVER: emails stay in the outbox and the log (development)."""

    model_config = SettingsConfigDict(
        env_prefix="TABASHIR_EMAIL_", env_file=".env", extra="ignore", validate_by_name=True
    )

    smtp_server: str | None = Field(
        default=None, validation_alias=_aliases("SMTP_SERVER", "SMTP_HOST", "smtp_server")
    )
    smtp_port: int = Field(default=465, validation_alias=_aliases("SMTP_PORT", "smtp_port"))
    #: ssl (implicit TLS, port 465), starttls (port 587) or none (a local relay); unset: by port.
    smtp_security: Literal["ssl", "starttls", "none"] | None = Field(
        default=None, validation_alias=_aliases("SMTP_SECURITY", "smtp_security")
    )
    smtp_username: str | None = Field(
        default=None, validation_alias=_aliases("EMAIL_ADDRESS", "SMTP_USERNAME", "smtp_username")
    )
    smtp_password: SecretStr | None = Field(
        default=None, validation_alias=_aliases("EMAIL_PASSWORD", "SMTP_PASSWORD", "smtp_password")
    )
    #: The From header; default: EMAIL_ADDRESS.
    email_from: str | None = Field(
        default=None, validation_alias=_aliases("EMAIL_FROM", "email_from")
    )
    smtp_timeout_s: float = Field(
        default=10.0, gt=0, validation_alias=_aliases("SMTP_TIMEOUT_S", "smtp_timeout_s")
    )
    #: Delivery attempts before a message is marked failed; attempt n waits base * (2^n - 1) s.
    max_attempts: int = Field(default=5, ge=1)
    retry_base_s: int = Field(default=60, ge=0)

    @property
    def enabled(self) -> bool:
        return bool(self.smtp_server)

    @property
    def security(self) -> Literal["ssl", "starttls", "none"]:
        if self.smtp_security is not None:
            return self.smtp_security
        return "ssl" if self.smtp_port == 465 else "starttls"

    @property
    def sender(self) -> str:
        return self.email_from or self.smtp_username or "Tabashir <no-reply@example.com>"


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TABASHIR_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    #: Service-to-service token(s) for /api/v1/resume/* (header X-API-TOKEN), as in the seed.
    #: Several may be given, comma-separated ("new,old"), to rotate without downtime.
    api_token: SecretStr = Field(
        default=SecretStr("dev-token"),
        validation_alias=AliasChoices("API_TOKEN", "TABASHIR_API_TOKEN"),
    )
    log_level: str = "INFO"
    #: JSON lines (one object per event) instead of the readable console format.
    log_json: bool = False
    #: Browser origins allowed by CORS, as a JSON list: '["https://app.example.com"]'.
    cors_origins: list[str] = Field(default_factory=list)
    #: Where this API is reached from outside: links in emails and OAuth callbacks point here.
    public_url: str = "http://127.0.0.1:8000"
    #: The web app: password-reset links and the landing page after social sign-in.
    web_app_url: str = "http://127.0.0.1:3000"
    #: /metrics: with a token, only ``Authorization: Bearer <token>`` reads it; without one,
    #: only callers on this machine (loopback; behind trusted proxies, the forwarded address).
    metrics_token: SecretStr | None = None
    #: Largest request body other than a file upload (JSON, forms), refused with a 413 before it
    #: is read. The largest job a form allows (100,000 characters of description, 500
    #: requirements) fits with room to spare; uploads follow TABASHIR_INGEST_MAX_UPLOAD_BYTES.
    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=64 * 1024)
    #: Bounds of every statement, and of every wait for a lock, in a request's transaction
    #: (milliseconds). Past them the request is a 503 with Retry-After instead of hanging while
    #: holding a pooled connection. Batch jobs and the worker are not bound by these.
    statement_timeout_ms: int = Field(default=15_000, ge=100)
    lock_timeout_ms: int = Field(default=5_000, ge=50)
    #: `tabashir up` loads the demo data set into an empty database (false: start empty).
    demo: bool = True
    #: Seconds between polls of an empty task queue by the worker `tabashir up` runs in-process.
    worker_poll_s: float = Field(default=0.5, gt=0, le=60)
    #: Development only, with no SMTP_SERVER set: the in-process worker delivers the outbox to a
    #: local SMTP catcher, read at /console/mailbox (false: emails stay pending in the outbox).
    dev_mailbox: bool = True
    auth: AuthSettings = Field(default_factory=AuthSettings)
    email: EmailSettings = Field(default_factory=EmailSettings)
    rate_limits: RateLimitSettings = Field(default_factory=RateLimitSettings)

    @property
    def api_tokens(self) -> list[bytes]:
        """Every accepted X-API-TOKEN value (the first is current, the rest are being retired)."""
        raw = self.api_token.get_secret_value()
        return [t.strip().encode() for t in raw.split(",") if t.strip()]

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> ApiSettings:
        if self.env in ("development", "test"):
            return self
        tokens = [t.decode() for t in self.api_tokens]
        if not tokens or any(t in PLACEHOLDER_SECRETS for t in tokens):
            raise ValueError(
                "API_TOKEN is a placeholder; set a real secret before running with "
                f"TABASHIR_ENV={self.env}"
            )
        secrets = {
            "JWT_ACCESS_SECRET": (self.auth.jwt_access_secret, DEV_JWT_ACCESS_SECRET),
            "JWT_REFRESH_SECRET": (self.auth.jwt_refresh_secret, DEV_JWT_REFRESH_SECRET),
            "TABASHIR_AUTH_ENCRYPTION_KEY": (self.auth.encryption_key, DEV_ENCRYPTION_KEY),
        }
        for name, (value, dev_default) in secrets.items():
            raw = value.get_secret_value()
            if raw in PLACEHOLDER_SECRETS or raw == dev_default:
                raise ValueError(
                    f"{name} is a placeholder; set a real secret before running with "
                    f"TABASHIR_ENV={self.env}"
                )
            if len(raw.encode()) < MIN_SECRET_BYTES:
                raise ValueError(f"{name} must be at least {MIN_SECRET_BYTES} bytes long")
        if self.auth.jwt_access_secret.get_secret_value() == (
            self.auth.jwt_refresh_secret.get_secret_value()
        ):
            raise ValueError("JWT_ACCESS_SECRET and JWT_REFRESH_SECRET must differ")
        return self


@lru_cache
def get_api_settings() -> ApiSettings:
    return ApiSettings()
