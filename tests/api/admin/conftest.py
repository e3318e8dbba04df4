"""Admin tests use the account tests' app, settings and user factory."""

from tests.api.accounts.conftest import client, client_for, settings, user_factory

__all__ = ["client", "client_for", "settings", "user_factory"]
