"""Markers from one compact data array per layer: what keeps a 2,000-visit overview small and quick.

folium writes every marker as its own block of JavaScript (a variable, an ``L.divIcon`` with its HTML, a popup
string of table markup, a tooltip), about 1.7 kB a stop.  :class:`MarkerRows` writes one array per layer instead
(``[lat, lon, label, case_id, popup values, extra]`` per marker) and one call of :data:`MARKERS_JS`, a small loop
that builds the same markers in the browser.  Popups and tooltips are built with ``textContent`` (never
``innerHTML``), so a value from the input is shown as text whatever it holds; the array itself passes through
:func:`maps.elements.js_string`, so nothing in it can close the ``<script>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from branca.element import MacroElement
from jinja2 import Template

from maps.elements import js_string

#: Decimals kept for a marker's coordinates (1e-6 degree is about 0.1 m).
DECIMALS = 6

#: The loop that turns one layer's rows into Leaflet markers; written once into every map's ``<head>``.
MARKERS_JS = """<script>
/* fieldroute: markers from one compact array per layer (see maps/compact.py). Values go in as text only. */
function frMarkers(parent, s, rows) {
  var half = s.size >> 1, made = [];
  function fill(tpl, r) {
    var v = {n: r[2], "case": r[3] || "", agent: s.agent || "", x: r[5] || ""};
    return tpl.replace(/\\{(n|case|agent|x)\\}/g, function (_, k) { return String(v[k]); });
  }
  function el(tag, text) { var e = document.createElement(tag); e.textContent = text; return e; }
  function popup(r) {
    var d = document.createElement("div"), t, i, row;
    d.className = "fr-popup";
    d.appendChild(el("b", fill(s.title, r)));
    if (typeof r[4] === "string") { d.appendChild(document.createElement("br")); d.appendChild(el("span", r[4])); }
    else {
      t = document.createElement("table");
      for (i = 0; i < s.head.length; i++) {
        if (r[4][i] === null) { continue; }
        row = document.createElement("tr");
        row.appendChild(el("th", s.head[i]));
        row.appendChild(el("td", r[4][i]));
        t.appendChild(row);
      }
      d.appendChild(t);
    }
    return d;
  }
  rows.forEach(function (r) {
    var pin = document.createElement("div"), o, m;
    pin.className = "fr-pin";
    pin.style.background = s.color;
    pin.appendChild(el("span", r[2]));
    o = {riseOnHover: true, zIndexOffset: s.z || 0, keyboard: true, frKind: s.kind, frAgent: s.agent,
         icon: L.divIcon({className: s.cls, html: pin.outerHTML, iconSize: [s.size, s.size],
                          iconAnchor: [half, half], popupAnchor: [0, -half], tooltipAnchor: [0, 0]})};
    if (s.seq) { o.frSeq = Number(r[2]); }
    if (r[3] !== null) { o.frCase = r[3]; }
    if (s.extra) { o[s.extra] = r[5]; }
    m = L.marker([r[0], r[1]], o);
    m.bindPopup(function () { return popup(r); }, {maxWidth: 320, minWidth: 180,
      autoPanPaddingTopLeft: [12, 190], autoPanPaddingBottomRight: [12, 40]});
    if (s.tip) {
      m.bindTooltip(function () { return el("span", fill(s.tip, r)); }, {direction: "top", offset: [0, -14]});
    }
    made.push(m);
  });
  if (parent.addLayers) { parent.addLayers(made); } else { made.forEach(function (m) { parent.addLayer(m); }); }
}
</script>"""

Row = tuple[float, float, str, str | None, "Sequence[str | None] | str", str | None]


class MarkerRows(MacroElement):
    """Markers of one kind on one layer (``frKind`` ``kind``), from rows of data and one call of ``frMarkers``.

    A row is ``(lat, lon, label, case_id, popup, extra)``: ``label`` is the pin's text (a stop number or a
    letter we generate), ``popup`` the values shown under ``head`` (``None`` leaves a line out) or one line of
    text, ``extra`` what ``{x}`` in the templates (and the option named ``extra_option``) stands for.  ``title``
    and ``tooltip`` are templates with ``{n}`` (label), ``{case}``, ``{agent}`` and ``{x}``, filled as text.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            frMarkers({{ this._parent.get_name() }}, {{ this.spec_js }}, {{ this.rows_js }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        rows: Sequence[Row],
        *,
        kind: str,
        agent: str | None,
        color: str,
        class_name: str,
        size_px: int,
        title: str,
        head: Sequence[str] = (),
        tooltip: str | None = None,
        z_offset: int = 0,
        numbered: bool = False,
        extra_option: str | None = None,
    ) -> None:
        super().__init__()
        self._name = "MarkerRows"
        spec: dict[str, Any] = {
            "kind": kind, "agent": agent, "color": color, "cls": class_name, "size": size_px, "title": title,
            "head": list(head), "tip": tooltip, "z": z_offset, "seq": numbered, "extra": extra_option,
        }  # fmt: skip
        self.rows = [
            [round(float(lat), DECIMALS), round(float(lon), DECIMALS), label, case, popup if isinstance(popup, str)
             else list(popup), extra]
            for lat, lon, label, case, popup, extra in rows
        ]  # fmt: skip
        self.spec_js = js_string(spec, compact=True)
        self.rows_js = js_string(self.rows, compact=True)


__all__ = ["DECIMALS", "MARKERS_JS", "MarkerRows", "Row"]
