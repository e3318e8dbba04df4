"""Failures of a whole feed. A bad row never raises: it is reported with its row number."""

from __future__ import annotations


class FeedError(Exception):
    """The feed as a whole cannot be read. ``code`` is stable for programs (and API errors)."""

    code = "feed_error"

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class FeedUnreadable(FeedError):
    """Not JSON / CSV we understand, a bad column mapping, a bad URL: fix the input (4xx)."""

    code = "feed_unreadable"


class FeedTooLarge(FeedError):
    """Larger than ``TABASHIR_FEED_MAX_BYTES`` (413)."""

    code = "feed_too_large"


class FeedUnavailable(FeedError):
    """The feed server failed, timed out or refused, after the retries (502)."""

    code = "feed_unavailable"
