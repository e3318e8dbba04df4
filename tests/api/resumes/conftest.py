from tests.api.resumes.support import (
    app,
    client,
    cv_settings,
    headers_for,
    llm_holder,
    settings,
    storage,
    user_factory,
)

__all__ = [
    "app",
    "client",
    "cv_settings",
    "headers_for",
    "llm_holder",
    "settings",
    "storage",
    "user_factory",
]
