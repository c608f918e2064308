"""The steps of a voice call (``?step=``) and the URLs of its later steps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final
from urllib.parse import urlencode

STEP: Final = "step"
STEP_CALL: Final = "call"
STEP_DIAL: Final = "dial"
STEP_RECORDING: Final = "recording"
STEP_TRANSCRIPTION: Final = "transcription"
STEP_DONE: Final = "done"
# The voice menu's <Gather> actions: a key pressed in the greeting, the reason said.
STEP_URGENT: Final = "urgent"
STEP_REASON: Final = "reason"
# The query parameter of a Telnyx call's later steps that binds them to the call.
STEP_TAG: Final = "tag"


class StepUrls:
    """The URLs of the later steps, on the trusted address the request was signed for.

    ``tag`` (Telnyx): makes the tag of a step, added to its URL.
    """

    def __init__(self, url: str, tag: Callable[[str], str] | None = None) -> None:
        """Make the step URLs on ``url``, tagged with ``tag`` when given."""
        self._url = url
        self._tag = tag

    def get(self, step: str) -> str:
        """Return the URL of ``step``."""
        query = _STEP_QUERIES.get(step) or urlencode({STEP: step})
        if self._tag is not None:
            query += "&" + urlencode({STEP_TAG: self._tag(step)})
        return f"{self._url}?{query}"


_STEP_QUERIES: Final = {
    step: urlencode({STEP: step})
    for step in (
        STEP_CALL,
        STEP_DIAL,
        STEP_RECORDING,
        STEP_TRANSCRIPTION,
        STEP_DONE,
        STEP_URGENT,
        STEP_REASON,
    )
}
