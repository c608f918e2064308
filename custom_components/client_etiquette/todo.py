"""The callbacks to-do list: one item per client waiting for a call back.

The list of ``TodoItem`` is built when it is read and kept until the queue changes; an
item's ``TodoItem`` (with its formatted description) is rebuilt only when that item
changed. The state (the count of waiting callbacks) is the queue's length.

From Home Assistant 2026.10 every state write also reads the list, compares it with the
one last pushed to subscribers and, when it differs, copies each item (before, only
when someone subscribed). So a write after a queue change builds the list again from
the kept items, and the items are ``CallbackTodo``: never changed once built (a change
makes a new one), a copy of one is the item itself, and the comparison of the unchanged
ones is an identity check.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from homeassistant.components.todo import TodoItem, TodoListEntity
from homeassistant.components.todo.const import TodoItemStatus, TodoListEntityFeature
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .callbacks.models import CallbackItem
from .core.messages.todo import CALL_BACK, URGENT_CALL_BACK, ui_language
from .core.ui_text import describe_callback, display_name
from .entity import ClientEtiquetteEntity, entity_id_changed

if TYPE_CHECKING:
    from .runtime import ClientEtiquetteConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ClientEtiquetteConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the callbacks list of an entry."""
    async_add_entities([CallbacksTodoList(entry)])


def describe(item: CallbackItem, language: str) -> str:
    """Describe the item in the UI language: Markdown, one fact a line."""
    return describe_callback(item, language, dt_util.get_default_time_zone(), dt_util.now())


class CallbackTodo(TodoItem):
    """A to-do item that is never changed once built: its copy is itself."""

    def __copy__(self) -> CallbackTodo:
        """Return the item itself: Home Assistant copies every item on each state write."""
        return self


class CallbacksTodoList(ClientEtiquetteEntity, TodoListEntity):
    """Completing or deleting an item clears the callback."""

    _attr_supported_features = (
        TodoListEntityFeature.DELETE_TODO_ITEM | TodoListEntityFeature.UPDATE_TODO_ITEM
    )

    def __init__(self, entry: ClientEtiquetteConfigEntry) -> None:
        """Show the entry's callback queue."""
        super().__init__(entry, "callbacks")
        self._queue = entry.runtime_data.callbacks
        self._list: list[CallbackTodo] | None = None
        self._by_uid: dict[str, CallbackTodo] = {}
        # The language and time zone the cached items were worded in.
        self._worded_for: tuple[str, str] | None = None

    async def async_added_to_hass(self) -> None:
        """Follow the queue."""
        await super().async_added_to_hass()
        self.async_on_remove(self._queue.async_add_listener(self._changed))

    @callback
    def async_entity_id_changed(self, old_entity_id: str) -> None:
        """Accept a rename in place (Home Assistant 2026.11+): nothing depends on the entity id."""
        entity_id_changed(super(), old_entity_id)

    @callback
    def _changed(self, uids: Collection[str]) -> None:
        for uid in uids:
            self._by_uid.pop(uid, None)
        self._list = None
        self.async_write_ha_state()

    @property
    def state(self) -> int:
        """The number of waiting callbacks (every item needs action)."""
        return len(self._queue)

    @property
    def todo_items(self) -> list[TodoItem]:
        """The waiting callbacks, oldest first."""
        worded_for = (self.hass.config.language, str(dt_util.get_default_time_zone()))
        if worded_for != self._worded_for:
            self._worded_for, self._by_uid, self._list = worded_for, {}, None
        if self._list is None:
            lang = ui_language(worded_for[0])
            summaries = {False: CALL_BACK[lang], True: URGENT_CALL_BACK[lang]}
            cache = self._by_uid
            todo_list = []
            for item in self._queue.items:
                todo = cache.get(item.uid)
                if todo is None:
                    todo = cache[item.uid] = CallbackTodo(
                        uid=item.uid,
                        summary=summaries[item.urgent].format(
                            name=display_name(item.name, item.number, worded_for[0])
                        ),
                        status=TodoItemStatus.NEEDS_ACTION,
                        due=item.promised_at,
                        description=describe(item, worded_for[0]),
                    )
                todo_list.append(todo)
            self._list = todo_list
        return list(self._list)

    async def async_update_todo_item(self, item: TodoItem) -> None:
        """Completing an item means the callback was made."""
        if item.uid and item.status == TodoItemStatus.COMPLETED:
            self._queue.async_remove_items([item.uid])

    async def async_delete_todo_items(self, uids: list[str]) -> None:
        """Clear the deleted items."""
        self._queue.async_remove_items(uids)
