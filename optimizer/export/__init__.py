"""Writers of a finished Plan besides its own tables: GeoJSON of the routes, ``routes.xlsx``, formula-safe CSV
(maps live in the ``maps`` package)."""

from optimizer.export.excel import write_routes_xlsx
from optimizer.export.geojson import plan_geojson, route_geometries
from optimizer.export.safe_cells import safe_cell, safe_frame, write_safe_csv

__all__ = ["plan_geojson", "route_geometries", "safe_cell", "safe_frame", "write_routes_xlsx", "write_safe_csv"]
