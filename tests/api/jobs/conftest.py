"""An app carrying the jobs, applications, recruiter and home routes; users with bearer
tokens; committed, embedded jobs (see tests/api/jobs/support.py)."""

from tests.api.jobs.support import app, apply_settings, client, settings, user_factory

__all__ = ["app", "apply_settings", "client", "settings", "user_factory"]
