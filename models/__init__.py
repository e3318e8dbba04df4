"""Persistence: typed SQLAlchemy models, the database owner and migrations. Imports nothing of ours."""

from models import account as account  # registers its tables
from models import search as search  # registers its tables
from models.ai_resume import (
    AiEducation,
    AiEmploymentHistory,
    AiLanguage,
    AiResume,
    AiResumePersonalDetails,
    AiSkill,
)
from models.audit import AuditLog
from models.base import Base
from models.billing import CreditLedgerEntry, Payment, Subscription, WebhookEvent
from models.cv_services import AiResumeContent, LlmUsage, ResumeDerivation
from models.job import Job, JobApplication, SavedJob
from models.messaging import EmailOutbox, Notification
from models.pipeline import ApplicationNote, ApplicationStageChange
from models.recommendations import Recommendation, RecommendationNotice
from models.resume import Resume
from models.task import Task
from models.user import AdminPermissionAssignment, Candidate, Recruiter, RefreshToken, User

__all__ = [
    "AdminPermissionAssignment",
    "AiEducation",
    "AiEmploymentHistory",
    "AiLanguage",
    "AiResume",
    "AiResumeContent",
    "AiResumePersonalDetails",
    "AiSkill",
    "ApplicationNote",
    "ApplicationStageChange",
    "AuditLog",
    "Base",
    "Candidate",
    "CreditLedgerEntry",
    "EmailOutbox",
    "Job",
    "JobApplication",
    "LlmUsage",
    "Notification",
    "Payment",
    "Recommendation",
    "RecommendationNotice",
    "Recruiter",
    "RefreshToken",
    "Resume",
    "ResumeDerivation",
    "SavedJob",
    "Subscription",
    "Task",
    "User",
    "WebhookEvent",
]
