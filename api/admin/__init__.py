"""Administration: users, permissions and the audit log, each route behind a permission."""
