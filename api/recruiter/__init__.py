"""The recruiter's workflow: ranked applicants, pipeline stages with history, notes, blind
review, pipeline statistics and the impact-ratio report."""
