"""Rendering a map page without evaluating input text as a template.

branca's ``MacroElement.render`` puts each rendered macro (``header``, ``html``, ``script``) into the page as a new
``Element(text)``, and ``Element`` compiles its text as a Jinja template, which the page's final render then
evaluates.  So any text from the input that reaches an element (an address, a case or agent id, a reason) went
through Jinja a second time: an address ``{{ 7*7 }} Main St`` came out as ``49 Main St``, and Jinja's expression
language can reach Python objects, so a cell of a cases file could run code where the maps are written (the CLI,
and the server that takes uploads).  HTML escaping does not help: it leaves ``{{`` and ``{%`` alone.

:func:`install` replaces that method with the same steps adding each rendered text as it is (a
:class:`~maps.elements.RawHtml`, whose template only prints it).  It is installed when :mod:`maps` is imported,
for every element folium and this package use; it changes nothing else: the first render, which fills the macros,
is the same.
"""

from __future__ import annotations

from typing import Any

from branca.element import Figure, MacroElement

from maps.elements import RawHtml


def _render_macros(self: MacroElement, **kwargs: Any) -> None:
    """``MacroElement.render`` (branca 0.8) with :class:`~maps.elements.RawHtml` in place of ``Element``."""
    figure = self.get_root()
    if not isinstance(figure, Figure):
        raise TypeError("You cannot render this Element if it is not in a Figure.")
    macros = self._template.module.__dict__
    for part in ("header", "html", "script"):
        macro = macros.get(part)
        if macro is not None:
            getattr(figure, part).add_child(RawHtml(macro(self, kwargs)), name=self.get_name())
    for element in self._children.values():
        element.render(**kwargs)


def install() -> None:
    """Render every ``MacroElement`` with :func:`_render_macros` (idempotent)."""
    MacroElement.render = _render_macros  # type: ignore[method-assign]


__all__ = ["install"]
