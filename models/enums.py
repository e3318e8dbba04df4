"""Closed vocabularies of the domain. Values are what the seed's apps send and read."""

from __future__ import annotations

import enum


class UserType(enum.StrEnum):
    CANDIDATE = "CANDIDATE"
    RECRUITER = "RECRUITER"
    ADMIN = "ADMIN"


class AdminRole(enum.StrEnum):
    SUPER_ADMIN = "SUPER_ADMIN"
    REGULAR_ADMIN = "REGULAR_ADMIN"


class Permission(enum.StrEnum):
    MANAGE_USERS = "MANAGE_USERS"
    MANAGE_JOBS = "MANAGE_JOBS"
    MANAGE_APPLICATIONS = "MANAGE_APPLICATIONS"
    MANAGE_PAYMENTS = "MANAGE_PAYMENTS"
    MANAGE_DASHBOARD = "MANAGE_DASHBOARD"
    MANAGE_INTERVIEWS = "MANAGE_INTERVIEWS"
    MANAGE_AI_CV = "MANAGE_AI_CV"
    MANAGE_HELP = "MANAGE_HELP"
    MANAGE_ACCOUNT = "MANAGE_ACCOUNT"
    MANAGE_ADMIN_PERMISSIONS = "MANAGE_ADMIN_PERMISSIONS"


class OnboardingState(enum.StrEnum):
    NOT_STARTED = "not_started"
    PERSONAL_INFO = "personal_info"
    PROFESSIONAL_INFO = "professional_info"
    COMPLETED = "completed"


class JobStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    EXPIRED = "expired"


class JobType(enum.StrEnum):
    FULL_TIME = "full_time"
    PART_TIME = "part_time"
    CONTRACT = "contract"
    INTERNSHIP = "internship"
    TEMPORARY = "temporary"


class WorkMode(enum.StrEnum):
    ONSITE = "onsite"
    REMOTE = "remote"
    HYBRID = "hybrid"


class SalaryPeriod(enum.StrEnum):
    MONTH = "month"
    YEAR = "year"


class ApplicationStage(enum.StrEnum):
    APPLIED = "applied"
    SCREENING = "screening"
    INTERVIEW = "interview"
    OFFER = "offer"
    HIRED = "hired"
    REJECTED = "rejected"


class ApplicationOrigin(enum.StrEnum):
    SINGLE = "single"
    BULK = "bulk"
    AI = "ai"


class ParseStatus(enum.StrEnum):
    PENDING = "pending"
    OK = "ok"
    NEEDS_OCR = "needs_ocr"
    FAILED = "failed"


class AiResumeStatus(enum.StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


class PaymentProvider(enum.StrEnum):
    STRIPE = "stripe"
    ZIINA = "ziina"


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


class SubscriptionStatus(enum.StrEnum):
    ACTIVE = "active"
    TRIALING = "trialing"
    PAST_DUE = "past_due"
    CANCELED = "canceled"
    INCOMPLETE = "incomplete"


class CreditType(enum.StrEnum):
    JOB_COUNT = "jobCount"
    AI_JOB_APPLY_COUNT = "aiJobApplyCount"


class EmailStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class TaskStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
