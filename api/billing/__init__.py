"""Billing: the catalogue, Stripe and Ziina checkout and webhooks, the credits ledger, history."""
