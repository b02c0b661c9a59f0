"""The tracker as a spreadsheet: one row per review, planned and actual dates per milestone."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .cells import looks_like_a_formula

RAG_FILLS = {"Red": "F4B6B6", "Amber": "FCE4B0", "Green": "C6E8C6"}


@dataclass(frozen=True)
class TrackerRow:
    reference: str
    review_type: str
    body: str
    stage: str
    rag: str
    next_milestone: str
    working_days_left: int | None
    milestones: list[tuple[date | None, date | None]]  # (planned, actual) in milestone order
    people: dict[str, str]  # role title -> name


def _as_text(cell) -> None:
    """Text stays text: openpyxl stores a string that starts with "=" as a formula, and a
    spreadsheet may take one that starts with + - or @ for one when it is edited."""
    cell.data_type = "s"
    if looks_like_a_formula(cell.value):
        cell.quotePrefix = True


@dataclass(frozen=True)
class ActionRow:
    """One action of a review's action plan, as its sheet shows it."""
    reference: str
    number: int  # the recommendation's
    action: str
    owner: str
    due: date
    status: str
    outcome: str
    evaluation: str


ACTION_HEADER = ("Reference", "Recommendation", "Action", "Owner", "Due", "Status",
                 "Intended outcome", "How it will be evaluated")


def tracker_workbook(rows: list[TrackerRow], milestone_titles: list[str], role_titles: list[str],
                     generated: str, marking: str,
                     actions: list[ActionRow] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "IMR tracker"
    header = ["Reference", "Type", "Commissioned by", "Stage", "RAG", "Next milestone",
              "Working days left"]
    for title in milestone_titles:
        header += [f"{title} (planned)", f"{title} (actual)"]
    header += role_titles
    sheet.append([f"{marking} — IMR tracker, generated {generated}"])
    sheet.append(header)
    bold = Font(bold=True)
    for cell in sheet[2]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        values: list = [row.reference, row.review_type, row.body, row.stage, row.rag,
                        row.next_milestone, row.working_days_left]
        for planned, actual in row.milestones:
            values += [planned, actual]
        values += [row.people.get(role, "") for role in role_titles]
        sheet.append(values)
        fill = RAG_FILLS.get(row.rag)
        if fill:
            sheet.cell(row=sheet.max_row, column=5).fill = PatternFill("solid", fgColor=fill)
    for index in range(1, len(header) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 18 if index > 1 else 26
    for row_cells in sheet.iter_rows():
        for cell in row_cells:
            if isinstance(cell.value, date):
                cell.number_format = "ddd dd mmm yyyy"
            elif isinstance(cell.value, str):
                _as_text(cell)
    sheet.freeze_panes = "B3"
    if actions is not None:
        _actions_sheet(workbook, actions, generated, marking)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _actions_sheet(workbook, actions: list[ActionRow], generated: str, marking: str) -> None:
    sheet = workbook.create_sheet("Actions")
    sheet.append([f"{marking} — IMR action plans, generated {generated}"])
    sheet.append(list(ACTION_HEADER))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in actions:
        sheet.append([row.reference, row.number, row.action, row.owner, row.due, row.status,
                      row.outcome, row.evaluation])
    for index, width in enumerate((26, 14, 40, 20, 16, 16, 36, 36), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row_cells in sheet.iter_rows(min_row=3):
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row_cells in sheet.iter_rows():
        for cell in row_cells:
            if isinstance(cell.value, date):
                cell.number_format = "ddd dd mmm yyyy"
            elif isinstance(cell.value, str):
                _as_text(cell)
    sheet.freeze_panes = "B3"
