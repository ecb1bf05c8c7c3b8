"""GeoJSON export of a plan: every routed leg as a line (along the roads when a network is given) and every stop.

GeoJSON uses ``[lon, lat]`` order and WGS-84.  Only routes with visits are exported, and only the fields a map
needs (no addresses): a per-agent export is ``plan_geojson(plan, agent_id="A1")``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from optimizer.geo import LatLon, LegGeometry, Networks
from optimizer.plan import Plan, Route, Stop
from optimizer.times import format_clock

NetworkInput = Networks


def _network_for(network: NetworkInput, plan: Plan, route: Route) -> LegGeometry | None:
    if network is None or hasattr(network, "leg_geometry"):
        return network
    mode = plan.problem.agent(route.agent_id, route.date).mode
    return network.get(mode)


def _moves(route: Route) -> list[tuple[Stop, Stop]]:
    """Consecutive stops at different places (a break stays where the agent is, so it never moves)."""
    places = [s for s in route.stops if s.kind != "break"]
    return [(a, b) for a, b in itertools.pairwise(places) if (a.lat, a.lon) != (b.lat, b.lon)]


def route_geometries(plan: Plan, network: NetworkInput = None) -> dict[tuple[str, str], list[list[LatLon]]]:
    """``(agent_id, ISO date) -> [polyline per leg]``; straight lines without a network."""
    out: dict[tuple[str, str], list[list[LatLon]]] = {}
    for route in plan.routes:
        if not route.visits:
            continue
        net = _network_for(network, plan, route)
        legs = []
        for a, b in _moves(route):
            p, q = (a.lat, a.lon), (b.lat, b.lon)
            line = net.leg_geometry(p, q) if net is not None else [p, q]
            legs.append([(float(pt[0]), float(pt[1])) for pt in line])
        out[(route.agent_id, route.date.isoformat())] = legs
    return out


def _stop_name(stop: Stop) -> str:
    return stop.case_id if stop.kind == "visit" and stop.case_id else stop.kind


def plan_geojson(plan: Plan, network: NetworkInput = None, *, agent_id: str | None = None) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the plan's legs (LineString) and stops (Point).

    ``network`` is a RoadNetwork, a dict ``mode -> RoadNetwork``, or None for straight lines.  ``agent_id``
    limits the export to one agent (privacy: an agent's file shows only their own stops).
    """
    features: list[dict[str, Any]] = []
    for route in plan.routes:
        if not route.visits or (agent_id is not None and route.agent_id != agent_id):
            continue
        net = _network_for(network, plan, route)
        base = {"agent_id": route.agent_id, "date": route.date.isoformat()}
        for leg, (a, b) in enumerate(_moves(route), start=1):
            p, q = (a.lat, a.lon), (b.lat, b.lon)
            line: Sequence[Sequence[float]] = net.leg_geometry(p, q) if net is not None else [p, q]
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": [[lon, lat] for lat, lon in line]},
                    "properties": base
                    | {
                        "feature": "leg",
                        "leg": leg,
                        "from": _stop_name(a),
                        "to": _stop_name(b),
                        "travel_s": b.travel_s,
                        "travel_m": b.travel_m,
                        "along_roads": net is not None,
                    },
                }
            )
        for seq, stop in enumerate(route.stops, start=1):
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [stop.lon, stop.lat]},
                    "properties": base
                    | {
                        "feature": "stop",
                        "seq": seq,
                        "kind": stop.kind,
                        "case_id": stop.case_id,
                        "arrival": format_clock(stop.arrival_s),
                        "start": format_clock(stop.start_s),
                        "departure": format_clock(stop.departure_s),
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}
