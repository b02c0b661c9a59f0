"""The interview record sheet (templates.interview_record) with one interview's facts filled in:
the interviewee (a name from the directory, or their role), their role and organisation, the
date and the interviewers, as the author entered them."""

from __future__ import annotations

import io

from docx import Document

from .templates import INTERVIEW_FACTS, Prefill, interview_record


def prefilled_sheet(prefill: Prefill, facts: dict[str, str]) -> bytes:
    """`facts`: a value for any of INTERVIEW_FACTS' labels; the others are left as built."""
    document = Document(io.BytesIO(interview_record(prefill)))
    table = document.tables[0]
    for row in table.rows:
        label = row.cells[0].text.strip()
        if label in INTERVIEW_FACTS and facts.get(label):
            row.cells[1].text = facts[label]
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
