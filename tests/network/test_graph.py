"""The built graph: osmnx-compatible, one strongly connected component, profile-specific ways."""

from __future__ import annotations

import networkx as nx
import numpy as np
import osmnx as ox

from optimizer.network import RoadNetwork


def test_graph_is_an_osmnx_multidigraph(harrisburg_car: RoadNetwork) -> None:
    graph = harrisburg_car.graph
    assert isinstance(graph, nx.MultiDiGraph)
    assert graph.graph["crs"] == "epsg:4326"
    _, data = next(iter(graph.nodes(data=True)))
    assert {"x", "y"} <= set(data)
    _, _, edge = next(iter(graph.edges(data=True)))
    assert {"length", "travel_time", "highway", "oneway", "geometry", "speed_kph"} <= set(edge)
    # osmnx itself can use it
    _, edges_gdf = ox.graph_to_gdfs(graph)
    assert len(edges_gdf) == graph.number_of_edges()
    a, b = list(graph.nodes)[:2]
    path = ox.routing.shortest_path(graph, a, b, weight="travel_time")
    assert path is not None and path[0] == a and path[-1] == b


def test_only_the_largest_strongly_connected_component(harrisburg_car: RoadNetwork) -> None:
    assert nx.is_strongly_connected(harrisburg_car.graph)
    assert len(harrisburg_car.arrays.dropped_lat) > 0  # the extract has isolated bits, and they were dropped


def test_car_has_one_way_arcs_and_no_footways(harrisburg_car: RoadNetwork) -> None:
    arrays = harrisburg_car.arrays
    assert arrays.arc_oneway.any()
    assert "footway" not in set(arrays.arc_highway.tolist())


def test_walk_uses_footways_in_both_directions(harrisburg_walk: RoadNetwork) -> None:
    arrays = harrisburg_walk.arrays
    assert "footway" in set(arrays.arc_highway.tolist())
    pairs = set(zip(arrays.arc_u.tolist(), arrays.arc_v.tolist(), strict=True))
    assert all((v, u) in pairs for u, v in pairs)
    assert np.allclose(arrays.arc_speed_kph[arrays.arc_highway != "steps"], 4.5)


def test_travel_time_follows_length_and_speed(harrisburg_car: RoadNetwork) -> None:
    a = harrisburg_car.arrays
    assert np.allclose(a.arc_time_s, a.arc_length_m / (a.arc_speed_kph / 3.6))


def test_from_graph_rebuilds_the_same_network(andorra_car: RoadNetwork) -> None:
    again = RoadNetwork.from_graph(andorra_car.graph, "car")
    assert again.arrays.n_arcs == andorra_car.arrays.n_arcs
    assert np.isclose(again.arrays.arc_time_s.sum(), andorra_car.arrays.arc_time_s.sum())
