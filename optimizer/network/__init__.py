"""Road networks from OpenStreetMap: travel profiles, snapping, compiled travel matrices, leg geometry.

>>> from optimizer.network import RoadNetwork, load_network
>>> net = RoadNetwork.from_file("harrisburg.osm.pbf", profile="car")
>>> secs, metres = net.matrix(lats, lons)

Only this package imports osmnx, pyosmium and scipy.sparse.csgraph.
"""

from optimizer.network.profiles import PROFILES, Profile, get_profile
from optimizer.network.roadnetwork import DEFAULT_MAX_SNAP_M, UNREACHABLE, RoadNetwork, load_network

__all__ = ["DEFAULT_MAX_SNAP_M", "PROFILES", "UNREACHABLE", "Profile", "RoadNetwork", "get_profile", "load_network"]
