"""Voicemail transcribed privately by the chosen speech-to-text entity, and what the reminder says.

The recording is served the way Twilio serves it: ``GET
/2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}.wav`` with HTTP basic auth
(Account SID and auth token), as in Twilio's Recording resource documentation ("Fetch a
Recording's media file"). The speech-to-text entity is a small test platform of Home
Assistant's real ``stt`` component, set up as Home Assistant's own ``tests/components/stt``
tests do, and checks the audio handed over is what Whisper through Wyoming takes.
"""

from __future__ import annotations

from array import array
from collections.abc import AsyncGenerator, AsyncIterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
import wave

from aiohttp import web
from aiohttp.test_utils import TestServer
from homeassistant.components import stt
from homeassistant.config_entries import ConfigEntry, ConfigFlow
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    mock_config_flow,
    mock_integration,
    mock_platform,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.client_etiquette.const import DOMAIN

from .. import BASE_OPTIONS, DRIVING, make_entry, setup_entry
from ..telephony import CALLER, EXTERNAL, TELEPHONY, TOKEN, Setup, call_form, post_voice, settle
from ..texting import decode_basic_auth

RECORDING = Path(__file__).parents[1] / "fixtures" / "voicemail" / "pl_invoice_8khz.wav"
SID = "AC" + "0" * 32
RECORDING_PATH = f"/2010-04-01/Accounts/{SID}/Recordings/RE1"
STT_ENTITY = "stt.test_whisper"
HEARD = "Dzień dobry, dzwonię w sprawie faktury."
EVENT = "event.my_phone_client_call"
TODO = "todo.my_phone_callbacks"


class FakeWhisper(stt.SpeechToTextEntity):
    """A speech-to-text entity that keeps what it is handed and "hears" HEARD."""

    _attr_name = "Test whisper"
    _attr_unique_id = "test_whisper"

    def __init__(self, languages: list[str]) -> None:
        """Take these language tags."""
        self.languages = languages
        self.metadata: list[stt.SpeechMetadata] = []
        self.audio = b""

    @property
    def supported_languages(self) -> list[str]:
        """Return the language tags taken (Whisper's style: with a region)."""
        return self.languages

    @property
    def supported_formats(self) -> list[stt.AudioFormats]:
        """Take WAV only, as Wyoming does."""
        return [stt.AudioFormats.WAV]

    @property
    def supported_codecs(self) -> list[stt.AudioCodecs]:
        """Take PCM only."""
        return [stt.AudioCodecs.PCM]

    @property
    def supported_bit_rates(self) -> list[stt.AudioBitRates]:
        """Take 16-bit only."""
        return [stt.AudioBitRates.BITRATE_16]

    @property
    def supported_sample_rates(self) -> list[stt.AudioSampleRates]:
        """Take 16 kHz only."""
        return [stt.AudioSampleRates.SAMPLERATE_16000]

    @property
    def supported_channels(self) -> list[stt.AudioChannels]:
        """Take mono only."""
        return [stt.AudioChannels.CHANNEL_MONO]

    async def async_process_audio_stream(
        self, metadata: stt.SpeechMetadata, stream: AsyncIterable[bytes]
    ) -> stt.SpeechResult:
        """Keep the stream; "hear" the sentence when audio came."""
        self.metadata.append(metadata)
        async for chunk in stream:
            self.audio += chunk
        if not self.audio:
            return stt.SpeechResult(None, stt.SpeechResultState.ERROR)
        return stt.SpeechResult(f"  {HEARD} ", stt.SpeechResultState.SUCCESS)


async def add_stt_entity(hass: HomeAssistant, languages: list[str]) -> FakeWhisper:
    """Set up the stt component and a test integration with one stt entity."""
    entity = FakeWhisper(languages)

    async def setup_entry_init(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(entry, [Platform.STT])
        return True

    async def setup_entry_platform(
        hass: HomeAssistant, entry: ConfigEntry, add: AddConfigEntryEntitiesCallback
    ) -> None:
        add([entity])

    assert await async_setup_component(hass, stt.DOMAIN, {})
    mock_integration(hass, MockModule("test", async_setup_entry=setup_entry_init))
    mock_platform(hass, "test.config_flow")
    mock_platform(hass, "test.stt", MockPlatform(async_setup_entry=setup_entry_platform))
    entry = MockConfigEntry(domain="test")
    entry.add_to_hass(hass)
    with mock_config_flow("test", ConfigFlow):
        assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(STT_ENTITY) is not None
    return entity


@dataclass
class FakeRecordings:
    """Twilio's recording media, behind basic auth with the account's SID and token."""

    body: bytes = field(default_factory=RECORDING.read_bytes)
    token: str = TOKEN
    base: str = ""
    server: TestServer | None = None
    auth: list[tuple[str, str] | None] = field(default_factory=list)

    async def presigned(self, request: web.Request) -> web.Response:
        """Serve the recording to anyone with the link (as Telnyx's pre-signed links do)."""
        self.auth.append(decode_basic_auth(request.headers.get("Authorization", "")))
        return web.Response(body=self.body, content_type="audio/x-wav")

    async def media(self, request: web.Request) -> web.Response:
        """Serve the recording as WAV to the account's credentials; 401 to anyone else."""
        credentials = decode_basic_auth(request.headers.get("Authorization", ""))
        self.auth.append(credentials)
        if credentials != (request.match_info["sid"], self.token):
            return web.json_response({"code": 20003, "status": 401}, status=401)
        return web.Response(body=self.body, content_type="audio/x-wav")


@pytest.fixture
async def recordings(socket_enabled: None) -> AsyncGenerator[FakeRecordings]:
    """Yield the fake recording server on 127.0.0.1."""
    fake = FakeRecordings()
    app = web.Application()
    app.router.add_get("/2010-04-01/Accounts/{sid}/Recordings/{rid}.wav", fake.media)
    app.router.add_get("/presigned/{name}.wav", fake.presigned)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    fake.base = str(server.make_url("")).rstrip("/")
    fake.server = server
    yield fake
    await server.close()


async def voicemail_with_recording(
    hass: HomeAssistant,
    client_factory: ClientSessionGenerator,
    recordings: FakeRecordings,
    path: str = RECORDING_PATH,
    **options: Any,
) -> Setup:
    """Set up an entry (Polish for unknown callers), screen a call, post its recording."""
    await hass.config.async_update(external_url=EXTERNAL)
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "webhook", {})
    entry = make_entry(
        {
            **BASE_OPTIONS,
            **TELEPHONY,
            "default_language": "pl",
            "stt_entity": STT_ENTITY,
            "reminder_notify": "notify.mobile_app_jan",
            **options,
        }
    )
    await setup_entry(hass, entry)
    setup = Setup(hass, entry, await client_factory(), [])
    hass.states.async_set(DRIVING, "in_vehicle")
    await settle(hass)
    await post_voice(setup, call_form())
    await settle(hass)
    form = {
        "AccountSid": SID,
        "CallSid": "CA" + "1" * 32,
        "RecordingSid": "RE1",
        "RecordingUrl": recordings.base + path,
        "RecordingStatus": "completed",
        "RecordingDuration": "3",
    }
    response = await post_voice(setup, form, step="recording")
    assert response.status == 200
    await settle(hass)
    return setup


async def test_transcribed_in_the_callers_language(
    hass: HomeAssistant,
    sources: None,
    hass_client_no_auth: ClientSessionGenerator,
    recordings: FakeRecordings,
    reminders: list[ServiceCall],
) -> None:
    """The 8 kHz recording is fetched with the account's credentials, handed over as 16 kHz."""
    whisper = await add_stt_entity(hass, ["en-US", "pl-PL", "ru-RU"])
    setup = await voicemail_with_recording(hass, hass_client_no_auth, recordings)
    assert recordings.auth == [(SID, TOKEN)]
    # What Whisper through Wyoming takes: 16 kHz, mono, 16-bit PCM, in Polish.
    (metadata,) = whisper.metadata
    assert metadata == stt.SpeechMetadata(
        language="pl-PL",
        format=stt.AudioFormats.WAV,
        codec=stt.AudioCodecs.PCM,
        bit_rate=stt.AudioBitRates.BITRATE_16,
        sample_rate=stt.AudioSampleRates.SAMPLERATE_16000,
        channel=stt.AudioChannels.CHANNEL_MONO,
    )
    with wave.open(str(RECORDING)) as wav:
        original = array("h", wav.readframes(wav.getnframes()))
    # Raw samples, no WAV header: twice as many, every other one the recording's own.
    handed = array("h", whisper.audio)
    assert len(handed) == 2 * len(original)
    assert handed[::2] == original
    (item,) = setup.queue
    assert item.transcript == HEARD
    state = hass.states.get(EVENT)
    assert state.attributes["event_type"] == "voicemail_transcribed"
    assert state.attributes["transcript"] == HEARD
    assert state.attributes["language"] == "pl"
    result = await hass.services.async_call(
        "todo", "get_items", {"entity_id": TODO}, blocking=True, return_response=True
    )
    assert HEARD in result[TODO]["items"][0]["description"]  # type: ignore[index,call-overload]
    # The reminder says what the call is about: the voicemail's words.
    hass.states.async_set(DRIVING, "still")
    await settle(hass)
    assert hass.states.get(EVENT).attributes["about"] == HEARD
    assert reminders[0].data["message"].startswith(f"About: “{HEARD}”\n")


@pytest.mark.parametrize(
    ("languages", "tag"),
    [
        (["en", "pl", "ru"], "pl"),  # faster-whisper through Wyoming: bare codes
        (["de-DE", "pl_PL"], "pl_PL"),
        (["pl-PL", "pl-XX"], "pl-PL"),
    ],
)
async def test_the_entitys_own_tag_for_the_language(
    hass: HomeAssistant,
    sources: None,
    hass_client_no_auth: ClientSessionGenerator,
    recordings: FakeRecordings,
    languages: list[str],
    tag: str,
) -> None:
    """Polish is asked for with the tag the entity offers for it."""
    whisper = await add_stt_entity(hass, languages)
    setup = await voicemail_with_recording(hass, hass_client_no_auth, recordings)
    assert [metadata.language for metadata in whisper.metadata] == [tag]
    assert setup.queue[0].transcript == HEARD


async def test_provider_unreachable(
    hass: HomeAssistant,
    sources: None,
    hass_client_no_auth: ClientSessionGenerator,
    recordings: FakeRecordings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A recording address nobody answers: marked failed, one warning naming the error."""
    whisper = await add_stt_entity(hass, ["pl-PL"])
    assert recordings.server is not None
    await recordings.server.close()
    setup = await voicemail_with_recording(hass, hass_client_no_auth, recordings)
    assert setup.queue[0].transcript_failed is True
    assert whisper.metadata == []
    assert "could not be fetched (ClientConnectorError)" in caplog.text


async def test_credentials_only_to_a_recording_resource(
    hass: HomeAssistant,
    sources: None,
    hass_client_no_auth: ClientSessionGenerator,
    recordings: FakeRecordings,
) -> None:
    """A link that is not a Twilio-style Recording resource is fetched without the token."""
    await add_stt_entity(hass, ["pl-PL"])
    setup = await voicemail_with_recording(
        hass, hass_client_no_auth, recordings, path="/presigned/voicemail-1"
    )
    assert recordings.auth == [None]
    assert setup.queue[0].transcript == HEARD


async def test_restart_does_not_transcribe_again(
    hass: HomeAssistant,
    sources: None,
    hass_client_no_auth: ClientSessionGenerator,
    recordings: FakeRecordings,
) -> None:
    """A transcribed voicemail is kept; a reload fetches nothing again."""
    whisper = await add_stt_entity(hass, ["pl-PL"])
    setup = await voicemail_with_recording(hass, hass_client_no_auth, recordings)
    assert await hass.config_entries.async_reload(setup.entry.entry_id)
    await settle(hass)
    assert len(whisper.metadata) == 1
    assert len(recordings.auth) == 1
    assert setup.queue[0].transcript == HEARD


@pytest.mark.parametrize(
    ("languages", "token", "body", "why"),
    [
        # The provider refuses the credentials (the token was rotated there).
        (["pl-PL"], "f" * 32, None, "HTTP 401"),
        # The entity has no Polish.
        (["en-US"], TOKEN, None, "does not take"),
        # The recording is not audio.
        (["pl-PL"], TOKEN, b"<Error>nope</Error>", "not audio"),
        # The chosen entity is gone.
        (None, TOKEN, None, "is not a speech-to-text entity"),
    ],
)
async def test_failure_is_marked_once_without_the_number(
    hass: HomeAssistant,
    sources: None,
    hass_client_no_auth: ClientSessionGenerator,
    recordings: FakeRecordings,
    caplog: pytest.LogCaptureFixture,
    languages: list[str] | None,
    token: str,
    body: bytes | None,
    why: str,
) -> None:
    """A failed transcription is a warning that says why, without number or words, and stays."""
    if languages is not None:
        await add_stt_entity(hass, languages)
    if body is not None:
        recordings.body = body
    recordings.token = token
    setup = await voicemail_with_recording(hass, hass_client_no_auth, recordings)
    (item,) = setup.queue
    assert item.transcript is None
    assert item.transcript_failed is True
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("could not be transcribed" in w and why in w for w in warnings), warnings
    assert not any(CALLER in w or CALLER[1:] in w for w in warnings)
    fetched = len(recordings.auth)
    assert await hass.config_entries.async_reload(setup.entry.entry_id)
    await settle(hass)
    assert len(recordings.auth) == fetched  # not tried again
    assert DOMAIN in hass.config.components
