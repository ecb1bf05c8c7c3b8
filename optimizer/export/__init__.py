"""Writers of a finished Plan besides its own tables: GeoJSON of the routes (maps live in the ``maps`` package)."""

from optimizer.export.geojson import plan_geojson, route_geometries

__all__ = ["plan_geojson", "route_geometries"]
