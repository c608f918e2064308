"""Home Assistant Cloud for the voice webhook: its cloudhook, and the requests Cloud relays.

When Home Assistant Cloud is logged in with an active subscription and connected, the
voice webhook gets a cloudhook, as core's ``twilio`` and ``mobile_app`` do: a public
``https://hooks.nabu.casa/…`` address that Cloud relays to the webhook, for a Home
Assistant that can't be reached from the internet. The entry keeps it in its data
(``voice_cloudhook``: the webhook id it belongs to and its URL), so it is shown in the
options and diagnostics and checked against without asking Cloud. A new voice webhook id
(rotation) or a voice webhook switched off deletes the old cloudhook at the next set-up,
removing the entry deletes it too. Without Cloud nothing is created, imported or changed.
The PBX webhook never gets one.

A relayed request reaches the handler as Home Assistant's ``MockRequest``, which has the
method, headers, query string and body only; ``async_relayed`` gives the handlers what
they read of an aiohttp request, with the cloudhook's URL as the one the provider signed.
"""

from __future__ import annotations

from io import BytesIO
import logging
from typing import TYPE_CHECKING, Final, cast
from urllib.parse import urlsplit

from aiohttp.helpers import HeadersMixin
from aiohttp.web import Request
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.util.aiohttp import MockRequest

from ..const import CONF_VOICE_CLOUDHOOK, CONF_VOICE_WEBHOOK_ID

if TYPE_CHECKING:
    from ..runtime import ClientEtiquetteConfigEntry

_LOGGER = logging.getLogger(__name__)

CLOUD: Final = "cloud"
KEY_WEBHOOK_ID: Final = "webhook_id"
KEY_URL: Final = "url"


def _stored(entry: ClientEtiquetteConfigEntry) -> tuple[str, str] | None:
    """Return the webhook id and URL of the kept cloudhook, if any."""
    stored = entry.data.get(CONF_VOICE_CLOUDHOOK)
    if not isinstance(stored, dict):
        return None
    webhook_id, url = stored.get(KEY_WEBHOOK_ID), stored.get(KEY_URL)
    if isinstance(webhook_id, str) and isinstance(url, str) and webhook_id and url:
        return webhook_id, url
    return None


@callback
def voice_cloudhook_url(entry: ClientEtiquetteConfigEntry) -> str | None:
    """Return the cloudhook URL of the entry's voice webhook; None without one.

    The one address a request relayed by Home Assistant Cloud may have been signed for.
    """
    stored = _stored(entry)
    voice = entry.options.get(CONF_VOICE_WEBHOOK_ID)
    return stored[1] if stored is not None and stored[0] == voice else None


def _cloud_loaded(hass: HomeAssistant) -> bool:
    return CLOUD in hass.config.components


async def async_cloudhook_url(hass: HomeAssistant, webhook_id: str) -> str | None:
    """Return the cloudhook of ``webhook_id``, made if needed; None unless Cloud is usable.

    Usable: logged in with an active subscription, and connected. A failure of Cloud is
    logged and gives None: the webhook then works as before, at its own address.
    """
    if not _cloud_loaded(hass):
        return None
    from homeassistant.components import cloud  # noqa: PLC0415 - imported only with Cloud

    if not (cloud.async_active_subscription(hass) and cloud.async_is_connected(hass)):
        return None
    try:
        return str(await cloud.async_get_or_create_cloudhook(hass, webhook_id))
    except Exception as err:  # whatever Cloud raises, the webhook works without it
        _LOGGER.warning("No Home Assistant Cloud address for the voice webhook: %s", err)
        return None


async def _async_delete(hass: HomeAssistant, webhook_id: str) -> None:
    """Delete the cloudhook of ``webhook_id``; nothing to do without Cloud."""
    if not _cloud_loaded(hass):
        return
    from homeassistant.components import cloud  # noqa: PLC0415 - imported only with Cloud

    if not cloud.async_is_logged_in(hass):
        return
    try:
        await cloud.async_delete_cloudhook(hass, webhook_id)
    except Exception as err:  # already gone, or Cloud unavailable: nothing left to do
        _LOGGER.debug("The voice webhook's cloudhook was not deleted: %s", err)


def _keep(
    hass: HomeAssistant, entry: ClientEtiquetteConfigEntry, kept: dict[str, str] | None
) -> None:
    """Store the cloudhook (or forget it) in the entry's data, the rest unchanged."""
    data = {key: value for key, value in entry.data.items() if key != CONF_VOICE_CLOUDHOOK}
    if kept is not None:
        data[CONF_VOICE_CLOUDHOOK] = kept
    hass.config_entries.async_update_entry(entry, data=data)


async def _async_sync(hass: HomeAssistant, entry: ClientEtiquetteConfigEntry) -> None:
    """Delete a cloudhook of an old voice webhook id; keep the current one's, if usable."""
    stored = _stored(entry)
    voice = entry.options.get(CONF_VOICE_WEBHOOK_ID)
    if stored is not None and stored[0] != voice:
        await _async_delete(hass, stored[0])
        _keep(hass, entry, None)
        stored = None
    if not voice:
        return
    url = await async_cloudhook_url(hass, voice)
    if url is not None and (stored is None or stored[1] != url):
        _keep(hass, entry, {KEY_WEBHOOK_ID: voice, KEY_URL: url})


async def async_setup_cloudhook(
    hass: HomeAssistant, entry: ClientEtiquetteConfigEntry
) -> CALLBACK_TYPE:
    """Bring the entry's cloudhook up to date, and again whenever Cloud connects.

    Returns what stops following Cloud. Logged out of Cloud (or without it), the kept
    address is forgotten (the cloudhook stays with the account, as for ``mobile_app``).
    """
    await _async_sync(hass, entry)
    if not _cloud_loaded(hass):
        if _stored(entry) is not None:
            _keep(hass, entry, None)
        return lambda: None
    from homeassistant.components import cloud  # noqa: PLC0415 - imported only with Cloud

    if not cloud.async_is_logged_in(hass) and _stored(entry) is not None:
        _keep(hass, entry, None)

    async def connection_changed(state: cloud.CloudConnectionState) -> None:
        if state is cloud.CloudConnectionState.CLOUD_CONNECTED:
            await _async_sync(hass, entry)
        elif not cloud.async_is_logged_in(hass) and _stored(entry) is not None:
            _keep(hass, entry, None)

    return cloud.async_listen_connection_change(hass, connection_changed)


async def async_remove_cloudhook(hass: HomeAssistant, entry: ClientEtiquetteConfigEntry) -> None:
    """Delete the cloudhook of a removed entry."""
    if (stored := _stored(entry)) is not None:
        await _async_delete(hass, stored[0])


class _Body:
    """The body of a relayed request, read like aiohttp's stream."""

    def __init__(self, body: bytes) -> None:
        self._body = BytesIO(body)

    async def read(self, n: int = -1) -> bytes:
        """Up to ``n`` bytes (all with -1)."""
        return self._body.read(n)

    def at_eof(self) -> bool:
        """Whether everything was read."""
        return self._body.tell() >= len(self._body.getbuffer())


class RelayedRequest(HeadersMixin):
    """A relayed request as the webhook handlers read an aiohttp request.

    The content type and charset are parsed by aiohttp's own code. The URL the provider
    signed is ``cloudhook_url + raw_path``: ``path`` is empty and ``raw_path`` just the
    query (``?step=dial``), so the later steps' URLs are the cloudhook's too.
    """

    def __init__(self, request: MockRequest, body: bytes, cloudhook_url: str | None) -> None:
        """Take what Cloud relayed; ``cloudhook_url`` is None where none is trusted."""
        self._headers = self.headers = request.headers
        self.query = request.query
        self.content = _Body(body)
        self._length = len(body)
        self.cloudhook_url = cloudhook_url
        parts = urlsplit(cloudhook_url or "")
        self.scheme, self.host = parts.scheme or "https", parts.netloc
        self.path = ""
        self.raw_path = f"?{request.query_string}" if request.query_string else ""

    @property
    def content_length(self) -> int:
        """The length of the relayed body."""
        return self._length


async def async_relayed(request: MockRequest, cloudhook_url: str | None) -> Request:
    """``request``, relayed by Cloud, as the handlers read it (the same attributes)."""
    body = await request.content.read()
    return cast(Request, RelayedRequest(request, body, cloudhook_url))


def relayed_bases(request: object) -> tuple[str, ...]:
    """Return the one base URL a relayed request may be signed for: its cloudhook's; else ()."""
    if isinstance(request, RelayedRequest) and request.cloudhook_url:
        return (request.cloudhook_url,)
    return ()
