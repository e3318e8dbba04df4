"""CV management (/api/mobile/resumes) and the ATS services (/api/v1/resume/resume/*)."""
