"""Client Etiquette: can I take a client call right now, and what to tell them if not."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

from .blueprint_install import async_install_blueprints
from .callbacks.promises import PromiseKeeper
from .callbacks.queue import CallbackQueue
from .callbacks.reminders import CallbackReminders
from .callbacks.replies import Replies
from .callbacks.transcripts import VoicemailTranscriber
from .const import (
    CONF_FOLLOW_UP_TEXTS,
    CONF_MISSED_CALL_SENSORS,
    CONF_REMINDER_NOTIFY,
    CONF_STT_ENTITY,
    DEFAULT_FOLLOW_UP_TEXTS,
    DOMAIN,
)
from .directory import ClientDirectory
from .events import CallEvents
from .issues import async_delete_entry_issues
from .runtime import ClientEtiquetteConfigEntry, ClientEtiquetteData
from .services import async_setup_services
from .sources.missing import async_track_missing_sources
from .sources.monitor import ReadinessMonitor
from .sources.notifications import async_track_missed_call_notifications
from .sources.states import SourceConfig
from .telephony.cloudhook import async_remove_cloudhook, async_setup_cloudhook
from .telephony.gateways import async_register_gateway_webhooks
from .telephony.missed import MissedCalls
from .telephony.policy import with_meeting_soon
from .telephony.screener import CallScreener
from .telephony.webhooks import async_register_webhooks
from .texting.sending import TextSending, backend_from_options
from .texting.store import async_remove_outbox
from .texting.templates import async_check_templates

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.EVENT,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.TODO,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions once for all entries."""
    async_setup_services(hass)
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: ClientEtiquetteConfigEntry) -> bool:
    """Bring an older entry's options up to date; nothing stored is dropped."""
    if entry.version > 1:
        return False
    if entry.minor_version < 2:
        # 1.2: the meeting_soon reason counts where in_meeting does (new and regular).
        hass.config_entries.async_update_entry(
            entry, options=with_meeting_soon(entry.options), minor_version=2
        )
    return True


async def async_setup_entry(hass: HomeAssistant, entry: ClientEtiquetteConfigEntry) -> bool:
    """Start readiness, the client directory, the callback queue and texting of one entry."""
    monitor = ReadinessMonitor(hass, SourceConfig.from_options(entry.options))
    queue = CallbackQueue(hass, entry.entry_id)
    await queue.async_load()
    directory = ClientDirectory(entry)
    events = CallEvents(hass, entry.entry_id)
    backend = backend_from_options(hass, entry.options)
    sending = (
        TextSending(hass, entry.entry_id, backend, queue=queue, directory=directory, events=events)
        if backend
        else None
    )
    screener = CallScreener(
        hass,
        entry.entry_id,
        entry.options,
        monitor=monitor,
        directory=directory,
        queue=queue,
        events=events,
        send_text=sending.send if sending else None,
    )
    reminders = CallbackReminders(
        hass,
        entry.entry_id,
        events=events,
        queue=queue,
        monitor=monitor,
        directory=directory,
        notify_action=entry.options.get(CONF_REMINDER_NOTIFY),
    )
    missed = MissedCalls(hass, monitor=monitor, directory=directory, queue=queue, screener=screener)
    replies = Replies(
        hass,
        queue=queue,
        directory=directory,
        monitor=monitor,
        events=events,
        notify_action=entry.options.get(CONF_REMINDER_NOTIFY),
        region=lambda: screener.region,
    )
    promises = (
        PromiseKeeper(
            hass,
            entry.options,
            queue=queue,
            monitor=monitor,
            directory=directory,
            send=sending.send_follow_up,
        )
        if sending is not None and entry.options.get(CONF_FOLLOW_UP_TEXTS, DEFAULT_FOLLOW_UP_TEXTS)
        else None
    )
    stt_entity = entry.options.get(CONF_STT_ENTITY)
    transcriber = (
        VoicemailTranscriber(hass, entry.options, stt_entity, queue=queue, events=events)
        if stt_entity
        else None
    )
    async_check_templates(hass, entry.entry_id, entry.options)
    entry.runtime_data = ClientEtiquetteData(
        monitor=monitor,
        directory=directory,
        callbacks=queue,
        events=events,
        screener=screener,
        reminders=reminders,
        sending=sending,
        missed=missed,
        replies=replies,
    )
    if sending is not None:
        await sending.async_load()
        entry.async_on_unload(sending.async_shutdown)
    entry.async_on_unload(queue.async_flush)
    monitor.async_start()
    entry.async_on_unload(monitor.async_stop)
    entry.async_on_unload(replies.async_start())
    entry.async_on_unload(
        async_track_missed_call_notifications(
            hass, entry, entry.options.get(CONF_MISSED_CALL_SENSORS, ())
        )
    )
    entry.async_on_unload(async_track_missing_sources(hass, entry, monitor.config.entity_ids))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    reminders.async_start()
    entry.async_on_unload(reminders.async_stop)
    for part in (promises, transcriber):
        if part is not None:
            part.async_start()
            entry.async_on_unload(part.async_stop)
    await async_install_blueprints(hass)
    entry.async_on_unload(screener.async_stop)
    entry.async_on_unload(async_register_webhooks(hass, entry))
    entry.async_on_unload(async_register_gateway_webhooks(hass, entry))
    entry.async_on_unload(await async_setup_cloudhook(hass, entry))
    return True


async def async_unload_entry(hass: HomeAssistant, entry: ClientEtiquetteConfigEntry) -> bool:
    """Unload an entry; its listeners and timers are cancelled by async_on_unload."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: ClientEtiquetteConfigEntry) -> None:
    """Forget the issues, the stored queue, the outbox and the cloudhook of a removed entry."""
    async_delete_entry_issues(hass, entry.entry_id)
    await CallbackQueue(hass, entry.entry_id).async_remove_storage()
    await async_remove_outbox(hass, entry.entry_id)
    await async_remove_cloudhook(hass, entry)
