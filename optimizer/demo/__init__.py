"""The generated demo day: cases along real residential streets, agents at an office, and the demo run."""

from optimizer.demo.day import AGENT_COLUMNS, CASE_COLUMNS, DEFAULT_DATE, PRIORITY_SHARES, generate_day

__all__ = ["AGENT_COLUMNS", "CASE_COLUMNS", "DEFAULT_DATE", "PRIORITY_SHARES", "generate_day"]
