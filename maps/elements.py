"""Small folium elements that need Leaflet alone (no jQuery, Bootstrap or icon fonts).

folium's own ``Popup`` wraps content with jQuery and its ``Tooltip`` pastes text into a JavaScript template
literal; these replacements pass every string through :func:`js_string`, a JSON literal that cannot close the
surrounding ``<script>``.  Text shown to the user must already be HTML-escaped (see :mod:`maps.content`):
Leaflet puts popup, tooltip and control content into ``innerHTML``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from branca.element import Element, MacroElement
from jinja2 import Template

from maps.coords import LatLon


def js_string(value: Any, *, compact: bool = False) -> str:
    """``value`` as a JSON/JavaScript literal that is safe inside an HTML ``<script>`` element (``compact``: no
    spaces after separators)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":") if compact else None)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


class RawHtml(Element):
    """Text put into the page as is: its template prints it and never parses it (Leaflet's inline JS/CSS, our
    style sheet, and every rendered macro: :mod:`maps.rendering`)."""

    _template = Template("{{ this.html }}")

    def __init__(self, html: str) -> None:
        super().__init__()
        self._name = "RawHtml"
        self.html = html


class DivMarker(MacroElement):
    """An ``L.marker`` with an ``L.divIcon`` (plain HTML/CSS) and extra options the tests can read.

    Popups pan the map so they open below the info box / layer control in the top corner (phone screens).

    ``popup_html``/``tooltip_html`` must be escaped HTML; ``data`` lands in ``marker.options`` (e.g. ``frSeq``).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.marker({{ this.location_js }}, {{ this.options_js }})
                .addTo({{ this._parent.get_name() }});
            {%- if this.popup_js %}
            {{ this.get_name() }}.bindPopup({{ this.popup_js }}, {maxWidth: 320, minWidth: 180,
                autoPanPaddingTopLeft: [12, 190], autoPanPaddingBottomRight: [12, 40]});
            {%- endif %}
            {%- if this.tooltip_js %}
            {{ this.get_name() }}.bindTooltip({{ this.tooltip_js }}, {direction: "top", offset: [0, -14]});
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(
        self,
        location: LatLon,
        *,
        icon_html: str,
        class_name: str,
        size_px: int,
        popup_html: str | None = None,
        tooltip_html: str | None = None,
        z_offset: int = 0,
        data: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self._name = "DivMarker"
        self.location = (float(location[0]), float(location[1]))
        half = size_px // 2
        icon = (
            "L.divIcon("
            + js_string(
                {
                    "className": class_name,
                    "html": icon_html,
                    "iconSize": [size_px, size_px],
                    "iconAnchor": [half, half],
                    "popupAnchor": [0, -half],
                    "tooltipAnchor": [0, 0],
                }
            )
            + ")"
        )
        options = {"riseOnHover": True, "zIndexOffset": z_offset, "keyboard": True, **(data or {})}
        self.location_js = js_string(list(self.location))
        self.options_js = js_string(options)[:-1] + ', "icon": ' + icon + "}"
        self.popup_js = js_string(popup_html) if popup_html else ""
        self.tooltip_js = js_string(tooltip_html) if tooltip_html else ""


class RouteLine(MacroElement):
    """An ``L.polyline`` through display coordinates; ``data`` lands in its options (e.g. ``frAgent``)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.polyline({{ this.points_js }}, {{ this.options_js }})
                .addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        points: Sequence[LatLon],
        *,
        color: str,
        weight: int = 5,
        opacity: float = 0.8,
        dash_array: str | None = None,
        class_name: str = "fr-route",
        data: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self._name = "RouteLine"
        self.points = [[round(float(lat), 7), round(float(lon), 7)] for lat, lon in points]
        options: dict[str, Any] = {"color": color, "weight": weight, "opacity": opacity, "className": class_name}
        if dash_array:
            options["dashArray"] = dash_array
        options.update(data or {})
        self.points_js = js_string(self.points)
        self.options_js = js_string(options)


class HtmlControl(MacroElement):
    """A Leaflet control (a box in a map corner) holding escaped HTML: the info box or the summary table."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.control({position: {{ this.position_js }}});
            {{ this.get_name() }}.onAdd = function () {
                var div = L.DomUtil.create("div", {{ this.class_js }});
                div.innerHTML = {{ this.html_js }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, html: str, *, position: str = "topright", class_name: str = "fr-box") -> None:
        super().__init__()
        self._name = "HtmlControl"
        self.position_js = js_string(position)
        self.class_js = js_string(f"leaflet-control {class_name}")
        self.html_js = js_string(html)


class StreetLines(MacroElement):
    """Many road lines as one non-interactive ``L.polyline`` (nested arrays): the light street background.

    One layer, not one per street, keeps the page fast; coordinates arrive already rounded.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.polyline({{ this.lines_js }}, {{ this.options_js }})
                .addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, lines: Sequence[Sequence[LatLon]], *, color: str = "#b4b4b4", weight: int = 2) -> None:
        super().__init__()
        self._name = "StreetLines"
        options = {
            "color": color,
            "weight": weight,
            "opacity": 0.9,
            "interactive": False,
            "className": "fr-streets",
            "frKind": "streets",
            "smoothFactor": 1.5,
        }
        self.lines_js = json.dumps([[list(p) for p in line] for line in lines], separators=(",", ":"))
        self.options_js = js_string(options)


class ClusterGroup(MacroElement):
    """An ``L.markerClusterGroup`` whose clusters are round badges in the agent's colour with the marker count.

    Its children (markers) are added while it is off the map, and :class:`AttachLayer` puts it on its parent
    afterwards, so the plugin clusters them all in one bulk pass instead of one at a time.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.markerClusterGroup({
                maxClusterRadius: 60, showCoverageOnHover: false, spiderfyOnMaxZoom: true,
                disableClusteringAtZoom: 17, chunkedLoading: true, frKind: "cluster", frAgent: {{ this.agent_js }},
                iconCreateFunction: function (c) {
                    return L.divIcon({className: "fr-icon fr-cluster", iconSize: [30, 30],
                        html: '<div class="fr-pin" style="background:' + {{ this.color_js }} + '"><span>'
                              + c.getChildCount() + '</span></div>'});
                }
            });
        {% endmacro %}
        """
    )

    def __init__(self, *, color: str, agent: str) -> None:
        super().__init__()
        self._name = "ClusterGroup"
        self.color_js = js_string(color)
        self.agent_js = js_string(agent)


class AttachLayer(MacroElement):
    """Adds an already built layer (e.g. a :class:`ClusterGroup` with its markers) to this element's parent."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this.layer.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, layer: MacroElement) -> None:
        super().__init__()
        self._name = "AttachLayer"
        self.layer = layer


__all__ = [
    "AttachLayer",
    "ClusterGroup",
    "DivMarker",
    "HtmlControl",
    "RawHtml",
    "RouteLine",
    "StreetLines",
    "js_string",
]
