"""The pairs and, for each, the findings expected (code, item), written before the check ran.

An item is the section (a word of its name), the chronology row (1 is the first entry), the
initials or the term; codes whose items name no one thing (signed, dated, table, key) use ""."""

from __future__ import annotations

from datetime import date

from . import build as b
from .build import BRADFORD, DERBYSHIRE, ROWS

TOR = (date(2025, 1, 1), date(2025, 12, 31))
D, B = "derbyshire", "bradford"

GUIDANCE_ANALYSIS = ("Consider the events that occurred, the decisions made, and the actions "
                     "taken or not.  Assess practice against guidance and relevant legislation.")


def _rows(**changes):
    rows = [list(r) for r in ROWS]
    for index, row in changes.items():
        rows[int(index[1:]) - 1] = list(row)
    return [tuple(r) for r in rows]


def _without(names, *dropped):
    return [n for n in names if n not in dropped]


PAIRS = [
    # --- clean ---
    ("d01_clean_heading_styles", D, lambda: b.report(D), lambda: b.chronology(), []),
    ("b02_clean_section_caps", B, lambda: b.report(B, style="section"),
     lambda: b.chronology(key_style="lines"), []),
    ("d03_clean_long_dates_signoff_table", D, lambda: b.report(D, style="caps", signoff="table"),
     lambda: b.chronology(rows=_rows(r1=("14th January 2025",) + ROWS[0][1:],
                                     r3=("20 April 2025",) + ROWS[2][1:],
                                     r6=("Monday 17th November 2025",) + ROWS[5][1:])), []),
    ("b04_clean_outside_tor_with_reason", B, lambda: b.report(B, style="bold"),
     lambda: b.chronology(rows=[("02/10/2024", "School", "AB excluded for a day.",
                                 "Prior to the review period – relevant history.")] + ROWS), []),
    ("d05_clean_report_glossary", D,
     lambda: b.report(D, bodies={"Summary of Agency Involvement":
                                 "The MASH screened both referrals; the first ended in NFA."},
                      glossary=[("MASH", "Multi-Agency Safeguarding Hub"),
                                ("NFA", "no further action")]),
     lambda: b.chronology(numbered=True), []),
    ("b06_clean_terms_spelled_out", B,
     lambda: b.report(B, bodies={"Analysis": "An Initial Child Protection Conference (ICPC) "
                                             "was not called, though the threshold was met."}),
     lambda: b.chronology(), []),
    ("d07_clean_esigned_one_line", D, lambda: b.report(D, signoff="one_line",
                                                       signature="e-signed (JT)"),
     lambda: b.chronology(title_row=True), []),
    ("b08_clean_split_table", B, lambda: b.report(B, style="numbered"),
     lambda: b.chronology(split="repeat_header"), []),
    ("d09_clean_times_beside_dates", D, lambda: b.report(D, style="bold"),
     lambda: b.chronology(rows=_rows(r2=("03/03/2025 10:30",) + ROWS[1][1:],
                                     r6=("17.11.2025 14.00hrs",) + ROWS[5][1:])), []),
    ("b10_clean_role_first_key", B, lambda: b.report(B),
     lambda: b.chronology(key_style="role_first"), []),
    ("d11_clean_chronology_glossary", D, lambda: b.report(D),
     lambda: b.chronology(rows=_rows(r4=("12/06/2025", "Children's Social Care",
                                         "Assessment completed; CD engaged.", "NFA.")),
                          glossary=[("NFA", "no further action")]), []),
    ("b12_clean_emphasis_and_iso", B, lambda: b.report(B),
     lambda: b.chronology(rows=_rows(r1=("2025-01-14", "School",
                                         "AB did NOT have a coat; lead spoke to CD.",
                                         "Advice given."))), []),
    ("d13_clean_term_spelled_in_report_used_in_chronology", D,
     lambda: b.report(D, bodies={"Methodology": "Records of the Multi-Agency Safeguarding Hub "
                                                "(MASH) were read in full."}),
     lambda: b.chronology(rows=_rows(r2=("03/03/2025", "MASH", "Referral screened.",
                                         "Passed to SW1 for assessment."))), []),
    # --- report sections ---
    ("d14_missing_methodology", D, lambda: b.report(D, sections=_without(DERBYSHIRE,
                                                                          "Methodology")),
     lambda: b.chronology(), [("report.section_missing", "methodology")]),
    ("d15_analysis_left_as_guidance", D,
     lambda: b.report(D, bodies={"Analysis of Involvement": GUIDANCE_ANALYSIS}),
     lambda: b.chronology(), [("report.section_empty", "analysis")]),
    ("b16_no_journey_recommendations_tbc", B,
     lambda: b.report(B, sections=_without(BRADFORD, "The Child's Journey"),
                      bodies={"Recommendations for Action Plan": "TBC"}),
     lambda: b.chronology(), [("report.section_missing", "journey"),
                              ("report.section_empty", "recommendations")]),
    ("b17_analysis_renamed_to_considerations", B,
     lambda: b.report(B, sections=[n if n != "Analysis" else
                                   "Analysis|Additional considerations to support analysis"
                                   for n in BRADFORD]),
     lambda: b.chronology(), [("report.section_missing", "analysis")]),
    # --- sign-off ---
    ("d18_signature_underscores", D, lambda: b.report(D, signature="________________"),
     lambda: b.chronology(), [("report.signed", "")]),
    ("b19_sign_off_date_blank", B, lambda: b.report(B, signed_date=""),
     lambda: b.chronology(), [("report.dated", "")]),
    ("d20_signature_placeholder", D, lambda: b.report(D, signoff="table",
                                                      signature="[insert signature]"),
     lambda: b.chronology(), [("report.signed", "")]),
    # --- dates ---
    ("d21_impossible_date", D, lambda: b.report(D),
     lambda: b.chronology(rows=_rows(r3=("31/02/2025",) + ROWS[2][1:])),
     [("chronology.dates_unreadable", 3)]),
    ("b22_two_digit_year", B, lambda: b.report(B),
     lambda: b.chronology(rows=_rows(r2=("03/03/25",) + ROWS[1][1:])),
     [("chronology.dates_ambiguous", 2)]),
    ("d23_out_of_order", D, lambda: b.report(D),
     lambda: b.chronology(rows=_rows(r4=("02/04/2025",) + ROWS[3][1:])),
     [("chronology.dates_order", 4)]),
    ("b24_month_first", B, lambda: b.report(B),
     lambda: b.chronology(rows=_rows(r6=("11/17/2025",) + ROWS[5][1:])),
     [("chronology.dates_ambiguous", 6)]),
    # --- terms of reference ---
    ("b25_outside_tor_no_reason", B, lambda: b.report(B),
     lambda: b.chronology(rows=[("12/08/2024", "Police", "CD reported a burglary.",
                                 "Crime number given.")] + ROWS),
     [("chronology.outside_tor", 1)]),
    ("d26_outside_tor_significant_bruising_vs_reason", D, lambda: b.report(D),
     lambda: b.chronology(rows=[("05/06/2024", "Health", "Significant bruising seen on AB.",
                                 "Photographed by the nurse."),
                                ("19/09/2024", "School", "Significant: first referral about AB.",
                                 "Passed to children's social care.")] + ROWS),
     [("chronology.outside_tor", 1)]),
    # --- key and initials ---
    ("d27_no_key", D, lambda: b.report(D), lambda: b.chronology(key=[], key_style="none"),
     [("chronology.key", "")]),
    ("b28_key_missing_father", B, lambda: b.report(B),
     lambda: b.chronology(rows=_rows(r5=("02/09/2025", "School",
                                         "AB late on eight days; EF collected her.",
                                         "Meeting held with CD."))),
     [("chronology.initials", "EF")]),
    ("d29_report_initials_not_keyed", D,
     lambda: b.report(D, bodies={"Analysis of Involvement": "GH raised the concern twice but "
                                                            "it was not recorded as a referral."}),
     lambda: b.chronology(), [("report.initials", "GH")]),
    ("d30_numbered_worker_not_keyed", D, lambda: b.report(D),
     lambda: b.chronology(rows=_rows(r4=("12/06/2025", "Children's Social Care",
                                         "Assessment completed by SW2.",
                                         "Case closed with advice."))),
     [("chronology.initials", "SW2")]),
    # --- abbreviations ---
    ("d31_lado_unexplained_in_chronology", D, lambda: b.report(D),
     lambda: b.chronology(rows=_rows(r6=("17/11/2025", "Police", "Allegation about a carer.",
                                         "Referred to the LADO."))),
     [("chronology.abbreviations", "LADO")]),
    ("b32_camhs_unexplained_in_report", B,
     lambda: b.report(B, bodies={"The Child's Journey": "AB waited nine months for CAMHS."}),
     lambda: b.chronology(), [("report.abbreviations", "CAMHS")]),
    # --- chronology table ---
    ("d33_chronology_as_paragraphs", D, lambda: b.report(D),
     lambda: b.chronology(as_paragraphs=True), [("chronology.table", "")]),
    # --- several at once ---
    ("b34_no_analysis_unsigned_outside_tor", B,
     lambda: b.report(B, sections=_without(BRADFORD, "Analysis"), signature="…………………"),
     lambda: b.chronology(rows=ROWS + [("09/01/2026", "Police", "CD arrested.",
                                       "AB placed with a relative.")]),
     [("report.section_missing", "analysis"), ("report.signed", ""),
      ("chronology.outside_tor", 7)]),
    # --- added before the first run was looked at in detail (still written before running) ---
    ("d35_clean_renamed_headings_and_dotted_initials", D,
     lambda: b.report(D, sections=[{"Effective Practice/Lessons Learnt":
                                    "Effective Practice/Lessons Learnt|Effective Practice & "
                                    "Lessons Learnt",
                                    "Terms of Reference": "Terms of Reference|Terms of "
                                    "Reference (as agreed by the panel)"}.get(n, n)
                                   for n in DERBYSHIRE]),
     lambda: b.chronology(rows=_rows(r2=("March 3rd, 2025", "Children's Social Care",
                                         "Referral received; A.B. seen at school.",
                                         "Assessment started by SW1."))), []),
    ("b36_clean_historical_concern", B, lambda: b.report(B, style="caps"),
     lambda: b.chronology(rows=[("11/11/2024", "Police", "Domestic incident at the address.",
                                 "Outside the ToR – historical concern.")] + ROWS), []),
    ("d37_summary_left_as_template", D,
     lambda: b.report(D, bodies={"Summary of Agency Involvement":
                                 "Construct a chronology using the specified template "
                                 "(APPENDIX A), to be filed and read in conjunction with this "
                                 "report."}),
     lambda: b.chronology(), [("report.section_empty", "summary")]),
    ("b38_icpc_unexplained_in_chronology", B, lambda: b.report(B),
     lambda: b.chronology(rows=_rows(r3=("20/04/2025", "Children's Social Care",
                                         "Strategy discussion held.", "ICPC booked."))),
     [("chronology.abbreviations", "ICPC")]),
    # --- a third batch, forms a real author uses that the documentation does not list by name ---
    ("d39_clean_lessons_learned", D,
     lambda: b.report(D, sections=[n if "Lessons" not in n else
                                   "Effective Practice/Lessons Learnt|Effective Practice and "
                                   "Lessons Learned" for n in DERBYSHIRE]),
     lambda: b.chronology(), []),
    ("d40_clean_analysis_short_heading", D,
     lambda: b.report(D, style="bold", sections=[n if n != "Analysis of Involvement" else
                                                 "Analysis of Involvement|Analysis"
                                                 for n in DERBYSHIRE]),
     lambda: b.chronology(), []),
    ("d41_clean_sign_off_values_on_next_line", D,
     lambda: b.report(D, signoff="next_line", signed_date="14 November 2025"),
     lambda: b.chronology(), []),
    ("b42_clean_key_before_table", B, lambda: b.report(B),
     lambda: b.chronology(key_first=True), []),
    ("d43_clean_agency_event_response_columns", D, lambda: b.report(D),
     lambda: b.chronology(header=["Date", "Agency", "Event", "Response"]), []),
    ("b44_clean_reason_column", B, lambda: b.report(B),
     lambda: b.chronology(header=["Date", "Source of Information/Event", "Activity",
                                  "Response or Outcome of Activity",
                                  "Significance / reason for inclusion"],
                          rows=[("30/09/2024", "Health", "AB admitted with a head injury.",
                                 "Discharged home.", "First injury on record")]
                          + [r + ("",) for r in ROWS]), []),
    ("d45_clean_abbreviated_weekday", D, lambda: b.report(D),
     lambda: b.chronology(rows=_rows(r3=("Tue 22 April 2025",) + ROWS[2][1:])), []),
    ("d46_blank_row_then_out_of_order", D, lambda: b.report(D),
     lambda: b.chronology(rows=ROWS[:2] + [("", "", "", "")] + [ROWS[2]]
                          + [("02/04/2025",) + ROWS[3][1:]] + ROWS[4:]),
     [("chronology.dates_order", 5)]),
    ("b47_clean_glossary_table_in_report", B,
     lambda: b.report(B, bodies={"Analysis": "AB became LAC in May; the plan was not updated."},
                      glossary=[("LAC", "Looked After Child")]),
     lambda: b.chronology(rows=_rows(r4=("12/06/2025", "Children's Social Care",
                                         "AB became LAC.", "Placed with foster carers."))), []),
    ("d48_plo_unexplained_in_report", D,
     lambda: b.report(D, bodies={"Recommendations": "Cases that reach PLO are reviewed by the "
                                                    "head of service within a month."}),
     lambda: b.chronology(), [("report.abbreviations", "PLO")]),
    ("d49_gp_unexplained_in_chronology", D, lambda: b.report(D),
     lambda: b.chronology(rows=_rows(r3=("20/04/2025", "GP", "AB missed a second appointment.",
                                         "Letter sent to CD."))),
     [("chronology.abbreviations", "GP")]),
    ("b50_signed_off_in_a_sentence_only", B,
     lambda: b.report(B, signoff="none",
                      extra=["This report was signed off by the head of service on "
                             "20/11/2025."]),
     lambda: b.chronology(), [("report.signed", ""), ("report.dated", "")]),
]
