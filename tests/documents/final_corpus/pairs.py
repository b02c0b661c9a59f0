"""The pairs of the final corpus, each with the findings a QA lead would expect, written down
before the check was run over them.

Expected items are (code, key): the key is the section (build.py's name for it) for the section
codes, the row (1 is the first row under the chronology's headings) for the date codes, the
initials or the term for the initials and abbreviation codes, and None for the codes that are
one finding per pair (report.signed, report.dated, chronology.table, chronology.key).

The rules behind the expectations, from the seeds and the README:
- required sections: Derbyshire Appendix 4's 1, 2, 3, 6, 7, 8, 9; Bradford's sections 2, 3 and 9
  to 13; a section with only the seed's guidance left in it, or a placeholder, is not written in;
- dates: any one-way written form (03/04/2025, 3 April 2025, 3rd April 2025, 2025-04-03, with a
  time) is a date; a two-digit year (3/4/25) does not read one way; "Unknown", "Summer 2025" are
  not dates; a row is out of order when its date is earlier than a date above it; entries
  outside the terms of reference are findings unless the entry justifies itself as significant;
- every initial in either document is in the chronology's Key to Initials (A.B. is AB);
- abbreviations are explained beside them (either way round) or in a glossary of the same
  document; the report's own words in capitals (headings, RESTRICTED, NOT) are not
  abbreviations;
- the sign-off is the signature and date lines (or table) at the end; the cover's author and
  date are not a sign-off, and a blank line or a placeholder is not a signature or a date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .build import Chronology, Report

TOR = (date(2025, 1, 1), date(2025, 12, 31))

KEY = [("AB", "Social Worker"), ("CD", "Mother"), ("EF", "Child subject of the review"),
       ("GH", "Health Visitor"), ("JK", "Team Manager")]

ROWS = [
    (date(2025, 1, 14), "School", "The Designated Safeguarding Lead (DSL) telephoned to report "
     "that EF had arrived with a bruise to her left cheek.",
     "Referral accepted; AB allocated as social worker."),
    (date(2025, 1, 16), "Children’s Services", "AB visited the home and saw EF alone. CD said "
     "EF fell from the sofa.", "Strategy discussion held; enquiries under section 47 agreed."),
    (date(2025, 1, 22), "Health Visiting", "GH shared that EF’s younger brother had missed two "
     "developmental reviews.", "Information added to the assessment."),
    (date(2025, 2, 5), "Children’s Services", "Initial Child Protection Conference (ICPC) "
     "chaired by JK.", "EF made subject to a child protection plan (neglect)."),
    (date(2025, 3, 20), "Children’s Services", "Core group meeting attended by CD, AB and the "
     "DSL.", "Plan reviewed; school attendance improving."),
    (date(2025, 6, 12), "Health Visiting", "GH home visit: home conditions poor, little food in "
     "the house.", "Shared with AB the same day."),
    (date(2025, 9, 30), "Children’s Services", "Review child protection conference chaired by "
     "JK.", "Plan continued for three months."),
]


def rows(changes: dict | None = None, *, before: list | None = None,
         after: list | None = None) -> list:
    """The standard rows, with some changed: {row: new date or written text, or a whole row}."""
    result = list(ROWS)
    for number, change in (changes or {}).items():
        old = result[number - 1]
        result[number - 1] = change if isinstance(change, tuple) else (change, *old[1:])
    return (before or []) + result + (after or [])


def with_activity(number: int, activity: str) -> tuple:
    old = ROWS[number - 1]
    return (old[0], old[1], activity, old[3])


@dataclass
class Pair:
    name: str
    report: Report
    chronology: Chronology
    expected: list = field(default_factory=list)
    tor: tuple = TOR
    why: str = ""

    @property
    def pack(self) -> str:
        return self.report.pack


def D(**kw) -> Report:
    return Report(pack="derbyshire", **kw)


def B(**kw) -> Report:
    return Report(pack="bradford", **kw)


def DC(**kw) -> Chronology:
    kw.setdefault("rows", rows())
    kw.setdefault("key", KEY)
    return Chronology(pack="derbyshire", **kw)


def BC(**kw) -> Chronology:
    kw.setdefault("rows", rows())
    kw.setdefault("key", KEY)
    return Chronology(pack="bradford", **kw)


SHIFTED = [  # a period that runs over a year's end, with two entries on one day
    (date(2024, 7, 8), "Police", "Police attended a report of shouting at the home; EF and CD "
     "were seen.", "Notification shared with Children’s Services."),
    (date(2024, 7, 8), "Children’s Services", "AB reviewed the notification with JK.",
     "Agreed to visit within five working days."),
    (date(2024, 11, 19), "Health Visiting", "GH saw EF’s younger brother at clinic.",
     "No concerns noted."),
    (date(2025, 2, 3), "Children’s Services", "AB visited; CD accepted support from the family "
     "support worker.", "Early help plan agreed."),
    (date(2025, 4, 28), "Children’s Services", "Early help review chaired by JK.",
     "Case closed to early help."),
]

PAIRS: list[Pair] = [
    # ---------------------------------------------------------------- clean ------------------
    Pair("c01_derbyshire_template_like", D(), DC()),
    Pair("c02_derbyshire_bold_headings_key_lines_long_dates",
         D(heading="bold", titles={"summary": "Summary of agency involvement"}),
         DC(date_style="long", key_style="lines")),
    Pair("c03_derbyshire_caps_ordinal_glossary_signoff_table",
         D(heading="caps", signoff="table", glossary=[("CAMHS",
           "Child and Adolescent Mental Health Services")],
           extra={"analysis": ["A referral to CAMHS was discussed at the ICPC but not made."]}),
         DC(date_style="ordinal")),
    Pair("c04_derbyshire_renumbered_iso_title_row_number_column",
         D(heading="numbered", renumber=True),
         DC(date_style="iso", title_row=True, number_column=True)),
    Pair("c05_derbyshire_dash_headings_dates_with_times",
         D(heading="dash", signed="J. Walker", signed_date="2nd March 2026"),
         DC(date_style="time")),
    Pair("c06_bradford_template_like_time_column", B(), BC(time_column=True)),
    Pair("c07_bradford_dash_headings_key_reversed",
         B(heading="dash"), BC(key_style="lines_reversed")),
    Pair("c08_bradford_caps_curly_quotes_glossary_text",
         B(heading="caps", titles={"learn": "‘What do we learn from this case?’"},
           glossary=[("CAMHS", "Child and Adolescent Mental Health Services"),
                     ("LADO", "Local Authority Designated Officer")], glossary_style="lines",
           extra={"analysis": ["The LADO was consulted promptly; CAMHS accepted a referral."]}),
         BC(date_style="long")),
    Pair("c09_bradford_numbered_title_row_agency_column_datetime",
         B(heading="numbered"),
         BC(title_row=True, agency_column=True, date_header="Date & time", date_style="time")),
    Pair("c10_derbyshire_contents_variant_title_dotted_initials",
         D(contents=True, titles={"effective": "Effective practice and lessons learned"}),
         DC(rows=rows({2: (date(2025, 1, 16), "Children’s Services", "A.B. visited the home and "
                       "saw EF alone. CD said EF fell from the sofa.",
                       "Strategy discussion held.")}))),
    Pair("c11_derbyshire_justified_significant_entry",
         D(),
         DC(rows=rows(before=[(date(2024, 11, 3), "Police", "Significant event before the terms "
                               "of reference period, included because it is the first recorded "
                               "concern: police attended a domestic incident; EF was present.",
                               "Notification sent to Children’s Services.")]))),
    Pair("c12_bradford_emphasis_caps_blank_rows_reversed_explanation",
         B(heading="colon",
           bodies={"analysis": ["The initial response was timely: AB visited within two days. "
                                "The ICPC (Initial Child Protection Conference) was held within "
                                "timescales.",
                                "The records show that EF was NOT seen alone at the core group "
                                "visit in March, and JK did not pick this up in supervision."]}),
         BC(blank_rows=4)),
    Pair("c13_bradford_signoff_table_no_cover",
         B(cover=False, signoff="table", signed="Jane Walker (signed electronically)",
           signed_date="3 March 2026"),
         BC(date_style="iso", key_style="lines")),
    Pair("c14_derbyshire_period_over_year_end_same_day_rows",
         D(), DC(rows=SHIFTED), tor=(date(2024, 6, 1), date(2025, 5, 31))),
    Pair("c15_bradford_dash_ordinal_glossary_table_in_chronology",
         B(heading="dash"),
         BC(date_style="ordinal", key_style="lines_reversed",
            rows=rows({5: with_activity(5, "Core group meeting; CIN plan considered for when the "
                                           "child protection plan ends.")}),
            glossary=[("CIN", "Child in Need")], glossary_style="table")),
    Pair("c16_derbyshire_colon_headings_iso_blank_rows_renumbered",
         D(heading="colon", renumber=True), DC(date_style="iso", blank_rows=6)),

    # ---------------------------------------------------------------- defects ----------------
    Pair("d01_derbyshire_missing_methodology", D(bodies={"method": None}), DC(),
         [("report.section_missing", "method")]),
    Pair("d02_derbyshire_empty_effective_practice", D(bodies={"effective": []}), DC(),
         [("report.section_empty", "effective")]),
    Pair("d03_derbyshire_analysis_guidance_only", D(bodies={"analysis": "guidance"}), DC(),
         [("report.section_empty", "analysis")]),
    Pair("d04_derbyshire_unsigned", D(signed=""), DC(), [("report.signed", None)]),
    Pair("d05_derbyshire_undated_signoff", D(heading="bold", signed_date=""), DC(),
         [("report.dated", None)]),
    Pair("d06_derbyshire_cover_only_no_signoff", D(signoff="none"), DC(),
         [("report.signed", None), ("report.dated", None)]),
    Pair("d07_derbyshire_outside_tor_both_ends",
         D(),
         DC(rows=rows(before=[(date(2024, 10, 2), "Police", "Police attended the home after a "
                               "report of a disturbance.", "Notification shared.")],
                      after=[(date(2026, 1, 20), "Children’s Services", "AB closed the case.",
                              "Closure agreed by JK.")])),
         [("chronology.outside_tor", 1), ("chronology.outside_tor", 9)]),
    Pair("d08_derbyshire_unreadable_dates",
         D(), DC(rows=rows({4: "Date not recorded", 6: "Summer 2025"})),
         [("chronology.dates_unreadable", 4), ("chronology.dates_unreadable", 6)]),
    Pair("d09_derbyshire_two_digit_years",
         D(), DC(rows=rows({2: "16/1/25", 5: "20/3/25"})),
         [("chronology.dates_ambiguous", 2), ("chronology.dates_ambiguous", 5)]),
    Pair("d10_derbyshire_out_of_order",
         D(), DC(rows=rows({5: date(2025, 1, 28)})),
         [("chronology.dates_order", 5)]),
    Pair("d11_derbyshire_chronology_initials_not_in_key",
         D(), DC(rows=rows({6: with_activity(6, "GH home visit with XY from the housing "
                                               "provider: home conditions poor.")})),
         [("chronology.initials", "XY")]),
    Pair("d12_derbyshire_report_initials_not_in_key",
         D(extra={"analysis": ["PQ, the school nurse, was not invited to the ICPC."]}), DC(),
         [("report.initials", "PQ")]),
    Pair("d13_derbyshire_report_abbreviations_unexplained",
         D(heading="caps", extra={"analysis": [
             "A referral to CAMHS was discussed but not made. The LADO was not consulted about "
             "the concern raised regarding a member of school staff."]}), DC(),
         [("report.abbreviations", "CAMHS"), ("report.abbreviations", "LADO")]),
    Pair("d14_derbyshire_chronology_abbreviation_unexplained",
         D(), DC(rows=rows({1: with_activity(1, "The Designated Safeguarding Lead (DSL) "
                                               "telephoned the MASH to report that EF had "
                                               "arrived with a bruise to her left cheek.")})),
         [("chronology.abbreviations", "MASH")]),
    Pair("d15_derbyshire_no_key", D(), DC(key=None), [("chronology.key", None)]),
    Pair("d16_derbyshire_chronology_as_paragraphs", D(), DC(table=False, date_style="long"),
         [("chronology.table", None)]),
    Pair("d17_bradford_missing_childs_journey", B(bodies={"journey": None}), BC(),
         [("report.section_missing", "journey")]),
    Pair("d18_bradford_learn_placeholder", B(bodies={"learn": ["To be completed."]}), BC(),
         [("report.section_empty", "learn")]),
    Pair("d19_bradford_signature_placeholders",
         B(signoff="[signature]", signed_date="DD/MM/YYYY"), BC(),
         [("report.signed", None), ("report.dated", None)]),
    Pair("d20_bradford_after_tor_and_two_digit_year",
         B(), BC(rows=rows({3: "22/01/25"}, after=[(date(2026, 2, 10), "Children’s Services",
                                                    "Case transferred to another authority.",
                                                    "Transfer conference held.")])),
         [("chronology.outside_tor", 8), ("chronology.dates_ambiguous", 3)]),
    Pair("d21_bradford_initials_both_and_abbreviation",
         B(extra={"journey": ["EF’s grandmother, MN, provides respite at weekends."],
                  "analysis": ["EF was not referred to CAMHS."]}),
         BC(rows=rows({4: with_activity(4, "Initial Child Protection Conference (ICPC) chaired "
                                           "by RS.")})),
         [("chronology.initials", "RS"), ("report.initials", "MN"),
          ("report.abbreviations", "CAMHS")]),
    Pair("d22_bradford_missing_empty_unsigned",
         B(heading="colon", bodies={"method": None, "chron": []}, signed=""), BC(),
         [("report.section_missing", "method"), ("report.section_empty", "chron"),
          ("report.signed", None)]),
    Pair("d23_derbyshire_order_unreadable_outside",
         D(), DC(rows=rows({3: "Not known", 6: date(2025, 3, 1)},
                           after=[(date(2026, 3, 1), "Children’s Services", "Case closed.",
                                   "Closure agreed by JK.")])),
         [("chronology.dates_order", 6), ("chronology.dates_unreadable", 3),
          ("chronology.outside_tor", 8)]),
    Pair("d24_bradford_header_not_first_extra_columns_before_tor",
         B(), BC(title_row=True, number_column=True, agency_column=True, time_column=True,
                 date_style="long",
                 rows=rows(before=[(date(2024, 12, 2), "Police", "Police attended the home.",
                                    "Notification shared.")])),
         [("chronology.outside_tor", 1)]),
    Pair("d25_derbyshire_key_lines_missing_gh",
         D(extra={"summary": ["GH, the health visitor, shared concerns about the younger "
                              "children."]}),
         DC(key=[k for k in KEY if k[0] != "GH"], key_style="lines"),
         [("chronology.initials", "GH"), ("report.initials", "GH")]),
    Pair("d26_bradford_cin_not_in_chronology_glossary",
         B(), BC(rows=rows({5: with_activity(5, "Core group meeting; CIN plan to follow if "
                                                "progress continues.")}),
                 glossary=[("ICPC", "Initial Child Protection Conference"),
                           ("DSL", "Designated Safeguarding Lead")]),
         [("chronology.abbreviations", "CIN")]),
    Pair("d27_derbyshire_missing_two_sections",
         D(heading="bold", bodies={"tor": None, "recs": None}), DC(),
         [("report.section_missing", "tor"), ("report.section_missing", "recs")]),
    Pair("d28_bradford_no_key", B(), BC(key=None), [("chronology.key", None)]),
    Pair("d29_derbyshire_plo_unexplained_undated",
         D(extra={"recs": ["3. Legal advice on entering the PLO should be sought earlier."]},
           signed_date=""), DC(),
         [("report.abbreviations", "PLO"), ("report.dated", None)]),
    Pair("d30_bradford_two_digit_years_with_times",
         B(), BC(rows=rows({2: "16/01/25 09:40", 6: "12/06/25 16:05"})),
         [("chronology.dates_ambiguous", 2), ("chronology.dates_ambiguous", 6)]),
    Pair("d31_bradford_cover_only_no_signoff", B(signoff="none"), BC(),
         [("report.signed", None), ("report.dated", None)]),
    Pair("d32_derbyshire_caps_empty_methodology", D(heading="caps", bodies={"method": []}), DC(),
         [("report.section_empty", "method")]),
    Pair("d33_bradford_numbered_missing_analysis_before_tor",
         B(heading="numbered", bodies={"analysis": None}),
         BC(rows=rows(before=[(date(2024, 12, 20), "School", "School reported EF’s attendance "
                               "had fallen to 80%.", "Attendance officer informed.")])),
         [("report.section_missing", "analysis"), ("chronology.outside_tor", 1)]),
]
