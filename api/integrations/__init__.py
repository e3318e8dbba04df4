"""One typed wrapper per external provider (email today; payments, LLM and storage later)."""
