"""Reading and validating the input tables: cases, agents and policy files (or DataFrames) into a Problem."""

from optimizer.io.load import load_problem, parse_plan_date

__all__ = ["load_problem", "parse_plan_date"]
