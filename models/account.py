"""Account security records (verification and reset tokens, second factors, linked sign-ins).

Tables arrive with the accounts work (issue 5)."""
