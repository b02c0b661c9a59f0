"""Sample data for every card in cards/, as the bot would bind it: for the gallery (make cards) and
for the test that every card binds to a valid Adaptive Card."""

from __future__ import annotations

REF = "DDSCP/CSPR/2026/014"
ROWS = [{"day": "1", "milestone": "Request logged", "date": "Mon 21 Dec 2026"},
        {"day": "4", "milestone": "Author and QA lead allocated", "date": "Thu 24 Dec 2026"},
        {"day": "4", "milestone": "Scoping meeting", "date": "Thu 24 Dec 2026"},
        {"day": "15", "milestone": "Midway review", "date": "Wed 13 Jan 2027"},
        {"day": "25", "milestone": "Report and chronology to QA lead", "date": "Wed 27 Jan 2027"},
        {"day": "30", "milestone": "QA complete", "date": "Wed 3 Feb 2027"},
        {"day": "35", "milestone": "Submission to DDSCP", "date": "Wed 10 Feb 2027"}]
BOARD = [
    {"reference": "DDSCP/CSPR/2026/009", "stage": "Submitted to QA", "milestone": "QA complete",
     "due": "Thu 19 Nov 2026", "daysLeft": "2 overdue", "rag": "Red", "ragColour": "Attention",
     "holder": "Quinn Lead", "waiting": []},
    {"reference": "DDSCP/CSPR/2026/014", "stage": "Commissioned",
     "milestone": "Author and QA lead allocated", "due": "Thu 26 Nov 2026", "daysLeft": "1 left",
     "rag": "Amber", "ragColour": "Warning", "holder": "Bea Services",
     "waiting": [{"text": "Offer to Arun A. waiting: Arun has not opened the IMR bot yet"}]},
    {"reference": "CSP/DHR/2026/003", "stage": "Midway review held",
     "milestone": "Report and chronology to QA lead", "due": "Wed 16 Dec 2026", "daysLeft": "17 left",
     "rag": "Green", "ragColour": "Good", "holder": "Arun Author", "waiting": []},
]


def samples() -> dict[str, dict]:
    import imr_bot.app  # noqa: F401 - imports the handler groups, which declare the commands
    from imr_bot.domain.submissions import GUIDANCE_QUESTIONS
    from imr_bot.teams import views
    from imr_bot.teams.commands import REGISTRY

    return {
        "help": views.help_data(REGISTRY.help_groups()),
        "plan": {"title": "Plan for a request received Mon 21 Dec 2026",
                 "subtitle": "Default timescale from the IMR workflow (Appendix 2).", "rows": ROWS,
                 "note": "Working days: weekends and bank holidays in England are skipped."},
        "status_board": {"title": "Open IMRs", "subtitle": "3 review(s), most urgent first. Days "
                         "left are working days; negative means overdue.", "rows": BOARD,
                         "more": False, "nextPage": 1, "scope": "all"},
        "outcome": {"title": f"IMR {REF}", "outcome": "Accepted by you, Tue 1 Dec 2026.",
                    "colour": "Good", "note": "", "facts": [{"title": "QA senior lead",
                                                             "value": "Quinn Lead"}],
                    "hasFacts": True},
        "status_review": {
            "reference": REF, "reviewType": "Child Safeguarding Practice Review", "body": "DDSCP",
            "stage": "Author and QA lead allocated", "next": "Scoping meeting, Thu 26 Nov 2026 "
            "(in 3 working day(s))", "rag": "Green", "holder": "Quinn Lead",
            "tor": "Wed 1 Jan 2025 to Tue 30 Jun 2026",
            "timeline": [{"day": r["day"], "milestone": r["milestone"], "planned": r["date"],
                          "actual": "Mon 21 Dec 2026" if r["day"] == "1" else ""} for r in ROWS],
            "people": [{"role": "Report author", "name": "Arun Author"},
                       {"role": "Author's line manager", "name": "Lena Manager"},
                       {"role": "QA senior lead", "name": "Quinn Lead"}],
            "waiting": [{"text": "Offer to Arun A. waiting: Arun has not opened the IMR bot yet"}],
            "hasWaiting": True,
            "recent": [{"at": "Mon 23 Nov 09:30", "what": "Commission logged by Bea Services"}]},
        "new_review_form": views.form_data({"reference": REF, "subject_initials": "John Smith"},
                                           {"subject_initials": "That looks like a name. We store "
                                            "no names of children or families: please give "
                                            "initials only, in capitals, e.g. JS."}),
        "new_review_confirm": {"reference": REF, "reviewType": "Child Safeguarding Practice Review",
                               "body": "DDSCP", "received": "Mon 21 Dec 2026",
                               "tor": "Wed 1 Jan 2025 to Tue 30 Jun 2026", "initials": "JS",
                               "notes": "—", "rows": ROWS},
        "new_review": {"greeting": "Bea", "loggedBy": "Bea Services", "reference": REF,
                       "reviewTypeTitle": "Child Safeguarding Practice Review", "body": "DDSCP",
                       "received": "Mon 21 Dec 2026", "allocationDue": "Thu 24 Dec 2026",
                       "ddscpDue": "Wed 10 Feb 2027"},
        "allocate": {
            "reference": REF, "reviewType": "Child Safeguarding Practice Review",
            "received": "Mon 23 Nov 2026", "allocateBy": "Thu 26 Nov 2026",
            "ddscpDue": "Wed 13 Jan 2027",
            "peopleChoices": [{"title": "Mo Manager — Children in Care", "value": "mo@c.test"},
                              {"title": "Lena Manager — Children in Care", "value": "lena@c.test"}],
            "involved": "mo@c.test",
            "authorChoices": [{"title": "Arun Author — 0 open IMRs (max 2); never allocated", "value": "2"},
                              {"title": "Dev Author — 0 open IMRs (max 1); last allocated 120 days ago", "value": "8"}],
            "authorDefault": "2", "noAuthors": False,
            "excluded": [{"text": "Cara Author: on leave Mon 21 Dec 2026 to Fri 1 Jan 2027"},
                         {"text": "Eve Author: their line manager is involved in this case"}],
            "hasExcluded": True,
            "qaChoices": [{"title": "Quinn Lead — 1 open IMR (max 3); never allocated", "value": "4"}],
            "qaDefault": "4", "history": [{"text": "Dev Author, Mon 23 Nov 2026: declined: "
                                                   "annual leave"}],
            "hasHistory": True, "pending": False, "error": ""},
        "allocation_offer": {"greeting": "Arun", "reference": REF,
                             "reviewType": "Child Safeguarding Practice Review", "qaLead": "Quinn Lead",
                             "scoping": "Thu 26 Nov 2026", "reportDue": "Mon 28 Dec 2026",
                             "ddscpDue": "Wed 13 Jan 2027", "allocationId": 7,
                             "declaration": "I am independent of this case and of its line management."},
        "escalation": {"greeting": "Sam", "reference": REF, "reviewId": 14,
                       "milestone": "allocation", "reviewType": "Child Safeguarding "
                       "Practice Review", "received": "Mon 23 Nov 2026", "allocateBy": "Thu 26 Nov 2026",
                       "ddscpDue": "Wed 13 Jan 2027", "available": "0",
                       "tried": [{"text": "Arun Author, Mon 23 Nov 2026: declined: knows the family"},
                                 {"text": "Not available: Cara Author (on leave)"}]},
        "people": {"title": "The IMR pool", "subtitle": "Authors and QA senior leads, with their "
                   "current load.", "col1": "Person", "col2": "Roles", "col3": "Load",
                   "col4": "Availability",
                   "rows": [{"a": "Arun Author", "a2": "arun.author@council.gov.uk",
                             "b": "Report author", "c": "1 of 2", "d": "available"},
                            {"a": "Cara Author", "a2": "cara.author@council.gov.uk",
                             "b": "Report author", "c": "0 of 2",
                             "d": "leave Mon 21 Dec 2026 to Fri 1 Jan 2027"}]},
        "meeting_propose": {"reference": REF, "title": "Scoping meeting", "meetingId": 1,
                            "participants": "Quinn Lead, Arun Author, Lena Manager",
                            "day": "2026-11-26", "time": "10:00", "minutes": 60, "location": "",
                            "error": "", "resend": False},
        "meeting_invite": {"greeting": "Arun", "reference": REF, "title": "Scoping meeting",
                           "when": "Thu 26 Nov 2026, 10:00–11:00", "where": "Teams",
                           "organiser": "Quinn Lead",
                           "participants": "Quinn Lead, Arun Author, Lena Manager",
                           "meetingId": 1, "day": "2026-11-26", "time": "10:00", "sequence": 0},
        "meeting_counter": {"reference": REF, "title": "Scoping meeting", "who": "Lena Manager",
                            "proposed": "Fri 27 Nov 2026, 14:00–15:00",
                            "original": "Thu 26 Nov 2026, 10:00–11:00", "meetingId": 1,
                            "day": "2026-11-27", "time": "14:00", "awaiting": "nobody"},
        "meeting_confirmed": {"reference": REF, "title": "Scoping meeting",
                              "when": "Fri 27 Nov 2026, 14:00–15:00", "where": "Teams",
                              "participants": "Quinn Lead, Arun Author, Lena Manager",
                              "organiser": "Quinn Lead", "meetingId": 1,
                              "baseUrl": "https://imr-bot.council.gov.uk",
                              "calendarPath": "/calendar/token.ics", "isOrganiser": True,
                              "recordable": True},
        "meeting_outcome_scoping": {
            "reference": REF, "title": "Scoping meeting", "meetingId": 1, "heldOn": "2026-11-27",
            "attendeeChoices": [{"title": "Quinn Lead", "value": "4"}, {"title": "Arun Author", "value": "2"},
                                {"title": "Lena Manager", "value": "3"}], "attendees": "4,2,3",
            "milestones": [{"id": "due_midway_review", "label": "Midway review (default Fri 11 Dec 2026)",
                            "value": "2026-12-11"},
                           {"id": "due_ddscp_submission", "label": "Submission to DDSCP "
                            "(default Wed 13 Jan 2027)", "value": "2027-01-13"}]},
        "meeting_outcome_midway": {
            "reference": REF, "title": "Midway review", "meetingId": 2, "heldOn": "2026-12-11",
            "attendeeChoices": [{"title": "Quinn Lead", "value": "4"}, {"title": "Arun Author", "value": "2"}],
            "attendees": "4,2", "ddscp": "2027-01-13"},
        "submit_confirm": {"reference": REF, "levelTitle": "QA senior lead",
                           "documents": [{"kind": "Chronology", "name": "Chronology v1.docx"},
                                         {"kind": "Report", "name": "IMR report v1.docx"}]},
        "approval": {
            "reference": REF, "levelTitle": "QA senior lead", "version": 1, "level": "qa",
            "reviewId": 1, "submittedAt": "10:15 on Tue 29 Dec 2026",
            "due": "QA complete: Wed 6 Jan 2027 (4 working day(s) left)",
            "documents": [{"title": "Report: IMR report v1.docx", "url": "https://imr-bot.council.gov.uk/documents/t1"},
                          {"title": "Chronology: Chronology v1.docx", "url": "https://imr-bot.council.gov.uk/documents/t2"}],
            "checklist": [{"id": f"check_{n}", "title": q} for n, q in enumerate(GUIDANCE_QUESTIONS)],
            "status": "Waiting for a decision", "decided": False, "comment": "", "canDecide": True,
            "error": "", "approvers": "Quinn Lead", "userIds": ["29:quinn"],
            "documentCheck": "Automated check: 1 of 14 checks need attention. initials missing "
                             "from the Key to Initials: KL (row 4, 2025-03-11).",
            "documentCheckColour": "Warning"},
        "document_check": {
            "title": f"Document check: {REF}, version 1", "colour": "Attention",
            "headline": "2 of 14 checks need attention; 1 could not run.",
            "checks": [
                {"mark": "✔", "colour": "Good", "title": "Every required section is there",
                 "document": "Report", "items": []},
                {"mark": "✘", "colour": "Attention",
                 "title": "Every initial in the chronology is in its Key to Initials",
                 "document": "Chronology", "items": [
                     {"line": "KL (row 4, 2025-03-11): not in the Key to Initials",
                      "quote": " — “Call from KL about the children”"}]},
                {"mark": "!", "colour": "Warning",
                 "title": "Entries fall within the terms of reference period",
                 "document": "Chronology", "items": [
                     {"line": "row 1 (2024-11-03): outside 2025-01-01 to 2026-06-30",
                      "quote": ""}]}],
            "notChecked": [{"line": "Chronology: No date is ambiguous — the chronology table "
                                    "has no entries"}],
            "note": "The chronology's own words are shown only to people with a role on this "
                    "review."},
        "amendments": {"reference": REF, "who": "Quinn Lead", "levelTitle": "QA senior lead",
                       "version": 1, "comment": "Section 7 needs more analysis of the missed "
                       "opportunities in March 2025.", "nextVersion": 2},
        "digest": {"title": "IMR tracker, Mon 14 Dec 2026", "subtitle": "3 open review(s), most "
                   "urgent first.", "rows": BOARD},
        "message": {"text": "Already decided by Quinn Lead at 10:42 on Tue 05 Jan 2027: approved."},
        "todo": _todo(),
        "reminder": {"reference": REF, "reviewId": 14, "milestone": "report_to_qa",
                     "kind": "upcoming", "headline": "Coming up: Report and chronology to QA lead "
                     "is due Thu 17 Dec 2026 (in 2 working days).",
                     "waiting": "Report and chronology to QA lead", "from": "Arun Author",
                     "earliest": "2026-12-16", "latest": "2026-12-17"},
        "did_you_mean": {"asked": "stauts mine", "suggestions": [{"text": "imr status mine"}]},
    }


def _todo() -> dict:
    from datetime import date

    from imr_bot.domain.submissions import Level
    from imr_bot.domain.todo import Step, Todo
    from imr_bot.services.todo import TodoList
    from imr_bot.teams.todo_handlers import todo_data

    items = [
        Todo(Step.ANSWER_OFFER, REF, 14, "Accept or decline the offer to write this IMR",
             date(2026, 11, 26), 3),
        Todo(Step.ANSWER_MEETING, "CSP/DHR/2026/003", 3, "Answer the scoping meeting invitation",
             date(2026, 11, 27), 8),
        Todo(Step.DECIDE, "DDSCP/CSPR/2026/009", 9, "Approve, or ask for amendments to, the report "
             "(QA): version 2", date(2026, 12, 2), 2, Level.QA),
        Todo(Step.REMINDER, "DDSCP/CSPR/2026/011", 11, "You asked to be reminded: Midway review",
             date(2026, 12, 4)),
    ]
    return todo_data(TodoList(items, len(items)), "Arun")
