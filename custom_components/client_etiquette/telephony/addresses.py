"""Home Assistant's own addresses of the webhooks: the ones a provider may sign for.

A Twilio signature is checked only against these (``trusted_webhook_urls``: the
external, cloud and internal URLs), never one made from the request's ``Host``; the
request's own host counts only when it came through a proxy Home Assistant trusts
(``http``: ``use_x_forwarded_for`` and ``trusted_proxies``; ``forwarded_urls``).
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import ip_address
import time
from typing import TYPE_CHECKING, Final

from aiohttp import hdrs
from aiohttp.web import Request
from homeassistant.components import webhook
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.network import NoURLAvailableError, get_url, is_cloud_connection

from ..const import CONF_PBX_WEBHOOK_ID, CONF_VOICE_WEBHOOK_ID

if TYPE_CHECKING:
    from ..runtime import ClientEtiquetteConfigEntry

# Home Assistant's own addresses are worked out again at least this often (seconds),
# and whenever its URL settings change (the cloud's address has no setting to watch).
ADDRESSES_TTL: Final = 60.0


@dataclass(slots=True)
class TrustedAddresses:
    """A webhook's trusted addresses, with the settings and time they were worked out."""

    settings: tuple[object, ...] | None = None
    checked_at: float = 0.0
    urls: tuple[str, ...] = ()

    def get(self, hass: HomeAssistant, webhook_id: str) -> tuple[str, ...]:
        """Return the trusted addresses, worked out again when the settings change or TTL passed."""
        settings = _url_settings(hass)
        now = time.monotonic()
        if settings != self.settings or now - self.checked_at >= ADDRESSES_TTL:
            self.settings, self.checked_at = settings, now
            self.urls = trusted_webhook_urls(hass, webhook_id)
        return self.urls


def configured_webhook_id(entry: ClientEtiquetteConfigEntry, key: str) -> str | None:
    """Return the webhook id stored under ``key``; None when that webhook is off."""
    value = entry.options.get(key)
    return value if isinstance(value, str) and value else None


def webhook_url(hass: HomeAssistant, webhook_id: str) -> str:
    """Return the full address of a webhook: the external URL preferred; else the path."""
    path = webhook.async_generate_path(webhook_id)
    try:
        return get_url(hass, prefer_external=True) + path
    except NoURLAvailableError:
        return path


@callback
def voice_webhook_url(hass: HomeAssistant, entry: ClientEtiquetteConfigEntry) -> str | None:
    """Return the URL to give the voice provider; None when the voice webhook is off.

    The external URL is preferred; with no URL configured in Home Assistant, just the
    path (``/api/webhook/<id>``).
    """
    webhook_id = configured_webhook_id(entry, CONF_VOICE_WEBHOOK_ID)
    return webhook_url(hass, webhook_id) if webhook_id else None


@callback
def pbx_webhook_url(hass: HomeAssistant, entry: ClientEtiquetteConfigEntry) -> str | None:
    """Return the URL to give the PBX; None when the PBX webhook is off."""
    webhook_id = configured_webhook_id(entry, CONF_PBX_WEBHOOK_ID)
    return webhook_url(hass, webhook_id) if webhook_id else None


@callback
def trusted_webhook_urls(hass: HomeAssistant, webhook_id: str) -> tuple[str, ...]:
    """Return the addresses of a webhook a provider may sign for: Home Assistant's own.

    The external URL, the Home Assistant Cloud URL and the internal URL (else the
    local IP address), each with the webhook's path; nothing from a request. This is
    the one list of trusted addresses: add any other address of ours here.
    """
    path = webhook.async_generate_path(webhook_id)
    return tuple(dict.fromkeys(base + path for base in _configured_bases(hass)))


def _configured_bases(hass: HomeAssistant) -> list[str]:
    """Home Assistant's own URLs: external, cloud, internal; without a trailing slash."""
    bases: list[str] = []
    for options in (
        {"prefer_external": True},
        {"allow_internal": False, "allow_cloud": False},
        {"allow_internal": False, "prefer_cloud": True},
        {"allow_external": False},
    ):
        try:
            bases.append(get_url(hass, **options).rstrip("/"))
        except NoURLAvailableError:
            continue
    return bases


def _url_settings(hass: HomeAssistant) -> tuple[object, ...]:
    """Return what Home Assistant's URLs are made of (worked out again when it changes)."""
    api = hass.config.api
    return (
        hass.config.external_url,
        hass.config.internal_url,
        api.local_ip if api else None,
        api.port if api else None,
        api.use_ssl if api else None,
    )


def _via_trusted_proxy(hass: HomeAssistant, request: Request) -> bool:
    """Whether the request came through a reverse proxy Home Assistant trusts.

    Home Assistant's ``http`` refuses ``X-Forwarded-For`` from anyone else (and
    without ``use_x_forwarded_for``); this checks the connected peer again. A Home
    Assistant Cloud request skips that check, so its forwarded headers are never
    trusted (its own address is one of the trusted ones anyway).
    """
    transport = request.transport
    peer = transport.get_extra_info("peername") if transport is not None else None
    if (
        hdrs.X_FORWARDED_FOR not in request.headers
        or not isinstance(peer, tuple)
        or is_cloud_connection(hass)
    ):
        return False
    try:
        address = ip_address(peer[0])
    except ValueError:  # not an IP socket
        return False
    return any(address in network for network in hass.http.trusted_proxies)


def forwarded_urls(hass: HomeAssistant, request: Request, webhook_id: str) -> tuple[str, ...]:
    """Return the webhook at the host a trusted proxy passed on (as sent, and with https)."""
    if not _via_trusted_proxy(hass, request):
        return ()
    path = webhook.async_generate_path(webhook_id)
    host = request.host
    return tuple(dict.fromkeys((f"{request.scheme}://{host}{path}", f"https://{host}{path}")))
