"""The web console: server-rendered pages for candidates, recruiters and admins."""
