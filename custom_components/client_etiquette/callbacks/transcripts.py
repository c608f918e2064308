"""Voicemail transcribed privately, by the speech-to-text entity the user chose.

When a callback gets its recording (``recording_url``, from the voice webhook), the
recording is fetched as WAV (``<RecordingUrl>.wav``, with the account's credentials
as HTTP basic auth: the account SID from the options or the URL, the auth token that
also checks the webhook's signature), made into 16 kHz mono 16-bit PCM
(``core.audio``) and handed to the ``stt`` entity in the client's language (en, pl,
ru; the entity's own tag for it, "pl-PL"). The transcript lands on the item (the
to-do description shows it) and in a ``voicemail_transcribed`` event. Nothing leaves
Home Assistant unless the chosen entity is a cloud one. A recording is transcribed
once: a failure is marked on the item (``transcript_failed``) and logged without the
number or the words.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection, Iterable, Mapping
from functools import partial
import logging
from typing import Any, Final
from urllib.parse import urlsplit

import aiohttp
from homeassistant.components import stt
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ..const import (
    CONF_TWILIO_ACCOUNT_SID,
    CONF_TWILIO_AUTH_TOKEN,
    DOMAIN,
    EVENT_VOICEMAIL_TRANSCRIBED,
)
from ..core.audio import AudioError, wav_to_stt_pcm
from ..events import CallEvents
from .models import CallbackItem
from .queue import CallbackQueue

_LOGGER = logging.getLogger(__name__)
# Twilio keeps voicemails up to 120 s here: 2 MB at 8 kHz; anything far larger is refused.
MAX_RECORDING_BYTES: Final = 16 * 1024 * 1024
FETCH_TIMEOUT: Final = aiohttp.ClientTimeout(total=60)
# Audio is handed over in chunks of this many bytes (100 ms at 16 kHz, 16-bit).
CHUNK_BYTES: Final = 3200
# The tag preferred for each language when the entity offers several.
PREFERRED_TAGS: Final = {"en": "en-US", "pl": "pl-PL", "ru": "ru-RU"}


def stt_metadata(language: str) -> stt.SpeechMetadata:
    """Describe the audio handed over: what Whisper through Wyoming (and Assist) take."""
    return stt.SpeechMetadata(
        language=language,
        format=stt.AudioFormats.WAV,
        codec=stt.AudioCodecs.PCM,
        bit_rate=stt.AudioBitRates.BITRATE_16,
        sample_rate=stt.AudioSampleRates.SAMPLERATE_16000,
        channel=stt.AudioChannels.CHANNEL_MONO,
    )


class TranscriptionFailed(Exception):
    """The recording could not be fetched, read or transcribed (the message says why)."""


def stt_language(language: str, supported: Iterable[str]) -> str | None:
    """Return the entity's tag for the client's language ("pl" → "pl-PL"), None if none."""
    tags = list(supported)
    preferred = PREFERRED_TAGS.get(language)
    for tag in (language, preferred):
        if tag in tags:
            return tag
    return next(
        (tag for tag in tags if tag.replace("_", "-").split("-")[0].lower() == language),
        None,
    )


def account_sid(url: str, options: Mapping[str, Any]) -> str | None:
    """Return the account SID: the option, else the one in a Twilio recording URL."""
    if sid := options.get(CONF_TWILIO_ACCOUNT_SID):
        return str(sid)
    parts = urlsplit(url).path.split("/")
    if "Accounts" in parts and (index := parts.index("Accounts") + 1) < len(parts):
        return parts[index]
    return None


class VoicemailTranscriber:
    """Transcribes the voicemails of one entry's callbacks."""

    def __init__(
        self,
        hass: HomeAssistant,
        options: Mapping[str, Any],
        entity_id: str,
        *,
        queue: CallbackQueue,
        events: CallEvents,
    ) -> None:
        """Keep the parts; start with async_start."""
        self._hass = hass
        self._options = options
        self._entity_id = entity_id
        self._queue = queue
        self._events = events
        self._running: dict[str, asyncio.Task[None]] = {}
        self._unsub: CALLBACK_TYPE | None = None

    @callback
    def async_start(self) -> None:
        """Transcribe what is waiting, and every recording from now on."""
        self._unsub = self._queue.async_add_listener(self._on_queue)
        self._on_queue([item.uid for item in self._queue.items])

    @callback
    def async_stop(self) -> None:
        """Stop listening; cancel transcriptions under way (they run again after a restart)."""
        if self._unsub is not None:
            self._unsub()
            self._unsub = None
        for task in self._running.values():
            task.cancel()

    @callback
    def _on_queue(self, uids: Collection[str]) -> None:
        for uid in uids:
            item = self._queue.get(uid)
            if (
                item is None
                or uid in self._running
                or not item.recording_url
                or item.transcript is not None
                or item.transcript_failed
            ):
                continue
            task = self._hass.async_create_task(
                self._async_transcribe(item), f"{DOMAIN} voicemail transcription", eager_start=False
            )
            self._running[uid] = task
            task.add_done_callback(partial(self._done, uid))

    def _done(self, uid: str, task: asyncio.Task[None]) -> None:
        self._running.pop(uid, None)

    async def _async_transcribe(self, item: CallbackItem) -> None:
        """Fetch, convert and transcribe one recording; put the outcome on the item."""
        url = str(item.recording_url)
        try:
            pcm = await self._async_pcm(url)
            text = await self._async_stt(pcm, item.language)
        except TranscriptionFailed as err:
            _LOGGER.warning("A voicemail could not be transcribed: %s", err)
            self._queue.async_update(item.uid, transcript_failed=True)
            return
        current = self._queue.async_update(item.uid, transcript=text)
        if current is None:  # called back meanwhile
            return
        self._events.fire(
            EVENT_VOICEMAIL_TRANSCRIBED,
            {
                "client_name": current.name,
                "number": current.number,
                "transcript": text,
                "language": current.language,
                "uid": current.uid,
            },
        )

    async def _async_pcm(self, url: str) -> bytes:
        """Fetch the recording as WAV and make it 16 kHz mono 16-bit PCM."""
        data = await self._async_fetch(url if url.endswith(".wav") else f"{url}.wav")
        try:
            return await self._hass.async_add_executor_job(wav_to_stt_pcm, data)
        except AudioError as err:
            raise TranscriptionFailed(f"the recording is not audio this can read ({err})") from err

    async def _async_fetch(self, url: str) -> bytes:
        """GET the recording with the account's credentials (basic auth)."""
        # Only to a Twilio-style Recording resource (Twilio, SignalWire): never the token
        # to another kind of address (Telnyx's recordings are pre-signed links).
        sid = account_sid(url, self._options)
        token = self._options.get(CONF_TWILIO_AUTH_TOKEN)
        recording = "Recordings" in urlsplit(url).path.split("/")
        auth = aiohttp.BasicAuth(sid, str(token)) if sid and token and recording else None
        session = async_get_clientsession(self._hass)
        try:
            async with session.get(url, auth=auth, timeout=FETCH_TIMEOUT) as response:
                if response.status != 200:
                    raise TranscriptionFailed(f"the provider answered HTTP {response.status}")
                data = await response.content.read(MAX_RECORDING_BYTES + 1)
        except (aiohttp.ClientError, TimeoutError) as err:
            name = "timeout" if isinstance(err, TimeoutError) else type(err).__name__
            raise TranscriptionFailed(f"the recording could not be fetched ({name})") from err
        if len(data) > MAX_RECORDING_BYTES:
            raise TranscriptionFailed("the recording is too large")
        return data

    async def _async_stt(self, pcm: bytes, language: str) -> str:
        """Hand the audio to the speech-to-text entity; return what it heard."""
        entity = (
            stt.async_get_speech_to_text_entity(self._hass, self._entity_id)
            if stt.DOMAIN in self._hass.config.components
            else None
        )
        if entity is None:
            raise TranscriptionFailed(f"{self._entity_id} is not a speech-to-text entity")
        tag = stt_language(language, entity.supported_languages)
        metadata = stt_metadata(tag or language)
        if tag is None or not entity.check_metadata(metadata):
            raise TranscriptionFailed(
                f"{self._entity_id} does not take 16 kHz mono 16-bit PCM in language {language}"
            )
        result = await entity.internal_async_process_audio_stream(metadata, _chunks(pcm))
        if result.result is not stt.SpeechResultState.SUCCESS or result.text is None:
            raise TranscriptionFailed(f"{self._entity_id} gave no transcript")
        return result.text.strip()


async def _chunks(pcm: bytes) -> AsyncIterator[bytes]:
    """Stream the audio in small chunks, as a microphone would."""
    for start in range(0, len(pcm), CHUNK_BYTES):
        yield pcm[start : start + CHUNK_BYTES]
