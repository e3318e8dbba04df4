"""Bytes → text → parsed → normalised → embedded → stored. Parsers are pure functions."""
