"""Writers of a finished Plan besides its own tables: GeoJSON of the routes, ``routes.xlsx``, formula-safe CSV
(maps live in the ``maps`` package)."""

from optimizer.export.excel import write_routes_xlsx
from optimizer.export.geojson import plan_geojson, route_geometries
from optimizer.export.safe import formula_safe, safe_frame, write_safe_csv

__all__ = ["formula_safe", "plan_geojson", "route_geometries", "safe_frame", "write_routes_xlsx", "write_safe_csv"]
