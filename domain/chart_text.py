"""Domain layer: data strings made safe to show as literal text in a plotly.js chart.

plotly.js reads every string it draws (titles, tick labels, `text`, hover labels, customdata shown
through a template) as pseudo-HTML: `<b>`, `<br>`, `<a href>`, `<span style>` become markup. It
also reads `%{name}` and `%{name:format}` in a `hovertemplate` or `texttemplate` as a field to fill.
Titles, measures and force names will come from users, so none of them may be read either way.

What plotly.js 4.1 (vendor/plotly) does, which this relies on:
- its pseudo-HTML splits text on `<...>` tags and decodes `&amp;`, `&lt;`, `&gt;` and numeric
  entities (`&#37;`) in the text between them, once, to the literal characters;
- a template field is matched by `%{...}`; an entity-written `%` (`&#37;{`) is no match, and the
  text is decoded to `%{` only when drawn, after the template has been filled.
"""

from __future__ import annotations

# `&` first, so the entities written for the others are not escaped again.
_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("%{", "&#37;{"))


def plain_text(value: str) -> str:
    """`value` as plotly.js shows it literally: no markup, no template field, whatever it holds."""
    for raw, entity in _ENTITIES:
        value = value.replace(raw, entity)
    return value
