"""Accounts: registration, sign-in (password, Google, GitHub, TOTP), tokens, profile, your data."""
