"""Text from the input is never evaluated as a Jinja template: branca re-parsed every rendered macro, so an
address ``{{ 7*7 }}`` came out as ``49`` and a cell of a cases file could run code where maps are written."""

from __future__ import annotations

from pathlib import Path

from map_fixtures import PLAN_DATE, _agent, _case, build_route

import maps
from optimizer.model import Problem
from optimizer.plan import Plan, Unassigned
from optimizer.policy import PRESETS
from optimizer.reasons import Reason

pytest_plugins = ["map_fixtures"]

EXPRESSION = "{{ 7*191 }}xq"  # evaluated, it reads "1337xq"
STATEMENT = "{% for i in range(3) %}Zq{% endfor %}"  # evaluated, "ZqZqZq"
PROBE = "{{ cycler.__init__.__globals__.os.getcwd() }}"  # evaluated, the working directory


def hostile_plan() -> Plan:
    cases = [_case(f"C-{EXPRESSION}", 40.2731, -76.8345, STATEMENT), _case("C2", 40.2790, -76.8270, PROBE)]
    left = _case("U1", 40.2850, -76.8500, "far away", (8, 9))
    agent = _agent(f"A-{EXPRESSION}")
    problem = Problem(PLAN_DATE, (*cases, left), (agent,), PRESETS["us"])
    unassigned = (Unassigned("U1", Reason.DROPPED_FOR_PRIORITY, f"detail {STATEMENT}"),)
    return Plan(problem, (build_route(agent, cases),), unassigned)


def test_input_text_is_printed_not_evaluated(tmp_path: Path) -> None:
    plan = hostile_plan()
    written = maps.write_maps(plan, tmp_path / "maps", network=None, assets="cdn")
    assert len(written) == 2
    for path in written:
        html = path.read_text(encoding="utf-8")
        assert "1337xq" not in html and "ZqZqZq" not in html and str(Path.cwd()) not in html, path.name
        assert "{{" in html and "{%" in html and "cycler.__init__" in html, path.name  # shown as typed
