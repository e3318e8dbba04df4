"""HTTP and CLI entry points, and the account / billing / application flows."""
