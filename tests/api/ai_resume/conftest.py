"""The same fixtures as the CV tests (the AI resume builds on the CV services)."""

from tests.api.resumes.conftest import *  # noqa: F403
