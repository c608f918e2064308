"""All user-facing wording that is not in the translations; pure, no Home Assistant.

- ``texts``: the polite callback text and the ask-first text, and their template
  variables.
- ``times``: when the callback comes, said in the client's language and time zone.
- ``plurals``: CLDR plural categories for en, ru and pl.
- ``templates``: checking a user's text template in every case it meets.
- ``todo``: the to-do item's and reminder's title.
"""
