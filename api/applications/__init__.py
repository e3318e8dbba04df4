"""Applications: one apply, the guarded bulk apply, the candidate's own applications, and the
match port through which every score is asked."""
