"""Search-side records derived from jobs and CVs (chunks, index outbox).

Tables arrive with the matching work (issue 4)."""
