"""Hand edits: read a plan back, re-time an edited assignment, name every broken rule."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from optimizer.dispatch import DayContext, check_plan, load_plan
from optimizer.errors import InputError
from optimizer.plan import Plan


def test_a_written_plan_reads_back_equal(example_plan: Plan, example_plan_dir: Path) -> None:
    loaded = load_plan(example_plan_dir)
    assert loaded.problem == example_plan.problem
    assert loaded.routes == example_plan.routes
    assert loaded.unassigned_cases == example_plan.unassigned_cases


def test_missing_plan_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no plan\.json here"):
        load_plan(tmp_path)


def test_unchanged_routes_keep_every_rule(example_plan: Plan, example_plan_dir: Path) -> None:
    edited = pd.read_csv(example_plan_dir / "routes.csv", dtype=str, keep_default_na=False)
    result = check_plan(example_plan, edited)
    assert result.ok
    assert result.plan.routes == example_plan.routes


def test_a_visit_moved_to_an_agent_without_the_skill_is_named(example_plan: Plan) -> None:
    orders = {r.agent_id: r.case_ids for r in example_plan.routes}
    owner = next(a for a, ids in orders.items() if "C0003" in ids)  # C0003 needs Spanish: only A01 has it
    orders[owner].remove("C0003")
    orders["A03"] = ["C0003", *orders.get("A03", [])]
    result = check_plan(example_plan, orders)
    assert any("case C0003" in v and "(rule: skills)" in v for v in result.violations)


def test_a_missed_window_and_a_removed_must_visit_are_both_listed(example_plan: Plan) -> None:
    day = DayContext.build(example_plan.problem)
    orders = {r.agent_id: list(r.case_ids) for r in example_plan.routes}
    must = next(c.case_id for c in example_plan.problem.cases if c.must_visit)
    for ids in orders.values():
        if must in ids:
            ids.remove(must)
    # C0001 must start 09:00-12:00: put it last on the longest route, after a full day.
    owner = max(orders, key=lambda a: len(orders[a]))
    late = next(c.case_id for c in example_plan.problem.cases if c.windows and c.windows[-1].end_s <= 12 * 3600)
    for ids in orders.values():
        if late in ids:
            ids.remove(late)
    orders[owner].append(late)
    result = check_plan(example_plan, orders, day=day)
    text = "\n".join(result.violations)
    assert f"case {must} is must-visit but unassigned (rule: must visit)" in text or late == must
    assert "(rule: case window)" in text or "(rule: shown window)" in text


def test_an_edited_table_naming_unknown_cases_and_agents(example_plan: Plan) -> None:
    edited = pd.DataFrame(
        {"agent_id": ["A01", "Z9", "A01"], "case_id": ["C0002", "C0005", "NOPE"], "seq": ["1", "2", "x"]}
    )
    result = check_plan(example_plan, edited)
    text = "\n".join(result.violations)
    assert "agent Z9 in the edited routes is not an agent of the plan" in text
    assert "case NOPE is not a case of the plan" in text
    assert "seq 'x' is not a number" in text


def test_plan_json_carries_every_field_of_cases_and_agents() -> None:
    import dataclasses
    import datetime as dt

    from optimizer.model import Agent, Case
    from optimizer.serialize import agent_to_dict, case_to_dict
    from optimizer.times import TimeWindow

    case = Case("C1", 40.0, -76.0)
    agent = Agent("A1", 40.0, -76.0, 40.0, -76.0, TimeWindow(0, 3600), dt.date(2026, 12, 1))
    assert set(case_to_dict(case)) == {f.name for f in dataclasses.fields(Case)}
    assert set(agent_to_dict(agent)) == {f.name for f in dataclasses.fields(Agent)}


def test_the_plans_own_workbook_is_checked_with_rows_moved_between_agent_sheets(
    example_plan: Plan, example_plan_dir: Path, tmp_path: Path
) -> None:
    """routes.xlsx has one sheet per agent and no agent_id column: check read its summary sheet and found no
    case_id.  Read back, a row moved to another agent's sheet is that agent's visit."""
    import openpyxl
    from typer.testing import CliRunner

    from optimizer.cli import app
    from optimizer.export import write_routes_xlsx
    from optimizer.export.excel import agent_sheets

    book_path = write_routes_xlsx(example_plan, tmp_path / "routes.xlsx")
    args = ["check", "--plan", str(example_plan_dir), "--no-maps", "--routes"]
    same = CliRunner().invoke(app, [*args, str(book_path), "--out", str(tmp_path / "same")])
    assert same.exit_code == 0, same.output
    assert "Planned in" not in same.output  # the morning's planning time is not check's
    assert load_plan(tmp_path / "same").routes == example_plan.routes

    sheets = {agent_id: name for (agent_id, _), name in agent_sheets(example_plan).items()}
    owner = next(r.agent_id for r in example_plan.routes if "C0003" in r.case_ids)
    book = openpyxl.load_workbook(book_path)
    source, target = book[sheets[owner]], book[sheets["A03"]]
    header = [c.value for c in source[1]]
    row = next(r for r in source.iter_rows(min_row=2) if r[header.index("case_id")].value == "C0003")
    target.append([c.value for c in row])
    source.delete_rows(row[0].row)
    book.save(tmp_path / "moved.xlsx")
    moved = CliRunner().invoke(app, [*args, str(tmp_path / "moved.xlsx")])
    assert moved.exit_code == 9
    assert "agent A03: case C0003" in moved.output and "(rule: skills)" in moved.output


def test_a_mistyped_kind_and_a_foreign_date_are_named_and_an_empty_kind_is_a_visit(example_plan: Plan) -> None:
    """A row whose kind read 'vist' was dropped without a word (its case then "removed by hand"), and a date
    the plan does not have was ignored; a row added by hand with its kind left empty is a visit."""
    stops = example_plan.stops.astype({"seq": str})
    visits = stops.index[stops["kind"] == "visit"]
    typo = stops.copy()
    typo.loc[visits[0], "kind"] = "vist"
    dated = stops.copy()
    dated.loc[visits[1], "date"] = "2026-02-30"
    dated.loc[visits[2], "seq"] = "inf"
    result = check_plan(example_plan, typo)
    cid = stops.loc[visits[0], "case_id"]
    assert f"edited row for case {cid}: kind 'vist' is none of start, visit, break, end (rule: edited table)" in (
        result.violations
    )
    found = check_plan(example_plan, dated).violations
    assert any("date '2026-02-30' is not the plan's date 2026-12-01" in v for v in found), found
    assert any("seq 'inf' is not a number" in v for v in found), found
    blank = stops.copy()
    blank.loc[visits, "kind"] = ""
    again = check_plan(example_plan, blank)
    assert again.ok, again.violations
    assert again.plan.routes == example_plan.routes
