"""Text templates in Home Assistant: rendering, the check in every case, the repair issue.

The pure check is ``messages.check_template``; this module renders with Home
Assistant's template engine and tells the user, through a repair issue per language,
when a stored template can't be used (it gives a text with an empty slot, doubled
spaces or dangling punctuation, or it fails) and the built-in text is sent instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import logging
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import TemplateError
from homeassistant.helpers.template import Template
from homeassistant.util import dt as dt_util

from ..const import CONF_SENDER_NAME, CONF_TEMPLATE_PREFIX, CONF_WITHIN_MINUTES
from ..core.messages.templates import TemplateBreak, check_template
from ..core.messages.times import DEFAULT_WITHIN_MINUTES
from ..core.models import Language
from ..issues import async_create_template_broken, async_delete_template_broken

_LOGGER = logging.getLogger(__name__)


def renderer(hass: HomeAssistant, source: str) -> Callable[[Mapping[str, str]], str]:
    """Render ``source`` with given variables (raises ``TemplateError``)."""
    template = Template(source, hass)
    return lambda variables: str(template.async_render(variables, parse_result=False))


def find_break(
    hass: HomeAssistant, source: str, language: Language, options: Mapping[str, Any]
) -> TemplateBreak | None:
    """Find the first case ``source`` breaks in with these options, or None.

    May raise TemplateError.
    """
    return check_template(
        renderer(hass, source),
        language,
        dt_util.now(),
        dt_util.get_default_time_zone(),
        sender_name=str(options.get(CONF_SENDER_NAME) or ""),
        within_minutes=int(options.get(CONF_WITHIN_MINUTES, DEFAULT_WITHIN_MINUTES)),
    )


@callback
def async_check_templates(hass: HomeAssistant, entry_id: str, options: Mapping[str, Any]) -> None:
    """At set-up: raise the issue for each stored template that breaks, clear the others."""
    for language in Language:
        source = options.get(CONF_TEMPLATE_PREFIX + language)
        shown: str | None = None
        if source:
            try:
                broken = find_break(hass, source, language, options)
            except TemplateError as err:
                shown = str(err)
            else:
                shown = broken.text if broken is not None else None
        if shown is None:
            async_delete_template_broken(hass, entry_id, language)
        else:
            report_broken(hass, entry_id, language, shown)


@callback
def report_broken(hass: HomeAssistant, entry_id: str, language: Language, shown: str) -> None:
    """Tell the user that ``language``'s template gave ``shown``; the built-in text is used."""
    _LOGGER.warning(
        "The %s text template can't be used in every case; the built-in text is sent instead "
        "(see Repairs)",
        language,
    )
    async_create_template_broken(hass, entry_id, language, shown)
