"""Marker looks: numbered stops, start/end, direction arrows and unassigned cases, as plain HTML/CSS icons.

Everything here is drawn with HTML, CSS and inline SVG, so an offline map needs Leaflet alone (no icon fonts,
no images).  Stop markers are 34 px circles with a bold number: large enough to tap on a phone.
"""

from __future__ import annotations

# Distinct colours (Okabe-Ito, then Tableau 10), all readable with white text and a white outline.
PALETTE = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#7B3294", "#8C564B",
    "#1B7837", "#D62728", "#17BECF", "#BCBD22", "#4E79A7", "#F28E2B", "#59A14F", "#B07AA1",
)  # fmt: skip
STOP_SIZE_PX = 34
OVERVIEW_STOP_SIZE_PX = 26
END_SIZE_PX = 30
ARROW_SIZE_PX = 22
UNASSIGNED_SIZE_PX = 26
UNASSIGNED_COLOR = "#555555"

CSS = """
<style>
.fr-icon { background: transparent; border: none; }
.fr-pin { box-sizing: border-box; width: 100%; height: 100%; display: flex; align-items: center;
  justify-content: center; border: 3px solid #fff; border-radius: 50%; color: #fff; font: bold 16px/1
  system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,.55); }
.fr-small .fr-pin { font-size: 13px; border-width: 2px; }
.fr-terminal .fr-pin { border-radius: 6px; }
.fr-both .fr-pin { font-size: 11px; }
.fr-unassigned .fr-pin { border-radius: 4px; transform: rotate(45deg); }
.fr-unassigned .fr-pin span { transform: rotate(-45deg); }
.fr-arrow svg { display: block; filter: drop-shadow(0 0 1px #fff); }
.fr-box { background: rgba(255,255,255,.94); padding: 8px 10px; border-radius: 8px; max-width: 78vw;
  box-shadow: 0 1px 5px rgba(0,0,0,.4); font: 14px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, Arial,
  sans-serif; color: #222; }
.fr-box h2 { font-size: 16px; margin: 0 0 4px; }
.fr-box table { border-collapse: collapse; }
.fr-box td, .fr-box th { padding: 1px 6px 1px 0; text-align: left; vertical-align: top; }
.fr-box summary { cursor: pointer; font-weight: bold; }
.fr-summary { max-height: 45vh; overflow: auto; }
.fr-swatch { display: inline-block; width: 12px; height: 12px; border-radius: 50%; margin-right: 4px; }
.fr-popup { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
.fr-popup th { text-align: left; padding-right: 8px; font-weight: 600; vertical-align: top; }
.leaflet-popup-content { margin: 10px 14px; }
.fr-timeline { width: min(62vw, 900px); max-height: 40vh; overflow: auto; }
.fr-cluster .fr-pin { font-size: 12px; opacity: .92; }
@media (max-width: 600px) { .fr-box { font-size: 13px; padding: 6px 8px; } }
</style>
"""


def color_for(index: int) -> str:
    """The colour of the ``index``-th agent (the palette repeats after 16 agents)."""
    return PALETTE[index % len(PALETTE)]


def pin_html(label: str, color: str) -> str:
    """The inside of a round stop marker; ``label`` is a number or a letter we generate, never input text."""
    return f'<div class="fr-pin" style="background:{color}"><span>{label}</span></div>'


def arrow_html(angle_deg: float, color: str) -> str:
    """A triangle pointing ``angle_deg`` clockwise from east (screen angle), as inline SVG."""
    return (
        f'<svg viewBox="0 0 20 20" width="{ARROW_SIZE_PX}" height="{ARROW_SIZE_PX}" '
        f'style="transform: rotate({angle_deg:.1f}deg)" aria-hidden="true">'
        f'<path d="M4 3 L18 10 L4 17 L8 10 Z" fill="{color}" stroke="#fff" stroke-width="1.2"/></svg>'
    )


__all__ = [
    "ARROW_SIZE_PX",
    "CSS",
    "END_SIZE_PX",
    "OVERVIEW_STOP_SIZE_PX",
    "PALETTE",
    "STOP_SIZE_PX",
    "UNASSIGNED_COLOR",
    "UNASSIGNED_SIZE_PX",
    "arrow_html",
    "color_for",
    "pin_html",
]
