"""The callbacks to-do list: one item per client waiting for a call back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.todo import TodoItem, TodoListEntity
from homeassistant.components.todo.const import TodoItemStatus, TodoListEntityFeature
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .callbacks import CALL_BACK, CallbackItem, ui_language
from .entity import ClientEtiquetteEntity

if TYPE_CHECKING:
    from . import ClientEtiquetteConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ClientEtiquetteConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the callbacks list of an entry."""
    async_add_entities([CallbacksTodoList(entry)])


def describe(item: CallbackItem) -> str:
    """When, why, how many calls, the number, the promise, the text and the recording."""
    local = dt_util.as_local(item.last_call).strftime("%Y-%m-%d %H:%M")
    lines = [
        f"Last call: {local} ({item.calls} call{'s' if item.calls != 1 else ''})",
        f"Why not answered: {', '.join(item.reasons) or '-'}",
        f"Number: {item.number}",
    ]
    if item.promised_at is not None:
        promised = dt_util.as_local(item.promised_at).strftime("%Y-%m-%d %H:%M")
        lines.append(f"Promised callback: {promised}")
    lines.append(f"Text: {item.text_status}")
    if item.recording_url:
        lines.append(f"Voicemail: {item.recording_url}")
    if item.transcription:
        lines.append(f"Transcription: {item.transcription}")
    return "\n".join(lines)


class CallbacksTodoList(ClientEtiquetteEntity, TodoListEntity):
    """Completing or deleting an item clears the callback."""

    _attr_supported_features = (
        TodoListEntityFeature.DELETE_TODO_ITEM | TodoListEntityFeature.UPDATE_TODO_ITEM
    )

    def __init__(self, entry: ClientEtiquetteConfigEntry) -> None:
        """Show the entry's callback queue."""
        super().__init__(entry, "callbacks")
        self._queue = entry.runtime_data.callbacks

    async def async_added_to_hass(self) -> None:
        """Follow the queue."""
        await super().async_added_to_hass()
        self.async_on_remove(self._queue.async_add_listener(self._changed))

    @callback
    def _changed(self) -> None:
        self.async_write_ha_state()

    @property
    def todo_items(self) -> list[TodoItem]:
        """The waiting callbacks, oldest first."""
        summary = CALL_BACK[ui_language(self.hass.config.language)]
        return [
            TodoItem(
                uid=item.uid,
                summary=summary.format(name=item.name),
                status=TodoItemStatus.NEEDS_ACTION,
                due=item.promised_at,
                description=describe(item),
            )
            for item in self._queue.items
        ]

    async def async_update_todo_item(self, item: TodoItem) -> None:
        """Completing an item means the callback was made."""
        if item.uid and item.status == TodoItemStatus.COMPLETED:
            self._queue.async_remove_items([item.uid])

    async def async_delete_todo_items(self, uids: list[str]) -> None:
        """Deleting items clears them."""
        self._queue.async_remove_items(uids)
