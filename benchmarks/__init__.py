"""Benchmark scripts and their helpers: fieldroute beside PyVRP, VROOM and the plain OR-Tools sample set-up."""
