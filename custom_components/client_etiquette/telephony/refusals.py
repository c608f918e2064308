"""Refused webhook requests: the 4xx answer, and a warning at most once an hour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus
import logging
from typing import Final

from aiohttp import hdrs
from aiohttp.web import Response
from homeassistant.util import dt as dt_util

_LOGGER = logging.getLogger(__name__)

# Refused requests are logged as a warning at most this often, with their count.
WARN_EVERY: Final = timedelta(hours=1)


class Refused(Exception):
    """A request answered with a 4xx status, before anything was done for it."""

    def __init__(self, status: HTTPStatus, why: str) -> None:
        """Refuse with ``status``, saying ``why``."""
        super().__init__(why)
        self.status = status
        self.why = why


@dataclass(slots=True)
class RefusalLog:
    """Counts refused requests; a warning (with the count) at most once per WARN_EVERY.

    The warning names the entry and the webhook, never a number, secret or address.
    """

    what: str
    why: str
    advice: str
    count: int = 0
    warned_at: datetime | None = None

    def refused(self, title: str) -> None:
        """One more refused request; warn when the last warning is an hour old."""
        self.count += 1
        now = dt_util.utcnow()
        if self.warned_at is not None and timedelta(0) <= now - self.warned_at < WARN_EVERY:
            return
        _LOGGER.warning(
            "The %s of %s refused %d request(s) %s since %s; %s. (This warning comes at "
            "most once an hour; many refusals may mean someone is trying the webhook.)",
            self.what,
            title,
            self.count,
            self.why,
            "the last warning" if self.warned_at else "it was set up",
            self.advice,
        )
        self.count, self.warned_at = 0, now


def refusal_response(refused: Refused) -> Response:
    """Answer a refused request with its status and reason."""
    _LOGGER.debug("Refused a webhook request (%s): %s", refused.why, int(refused.status))
    headers = {}
    if refused.status is HTTPStatus.UNAUTHORIZED:
        headers[hdrs.WWW_AUTHENTICATE] = "Bearer"
    return Response(status=refused.status, text=refused.why, headers=headers)
