"""A candidate's saved jobs (/api/mobile/saved-jobs)."""
