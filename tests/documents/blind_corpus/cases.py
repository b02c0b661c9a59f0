"""The blind pairs: each a Spec (how the author wrote it, what is wrong), built in memory."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache

from tests.documents.blind_corpus.writer import (
    TERMS,
    Cast,
    Row,
    Spec,
    expected_findings,
    write_chronology,
    write_report,
    written,
)

CASTS = [
    Cast("KT", "LM", "RD", "JW", "BH", "TJ", "ZW"),
    Cast("MK", "GR", "VH", "SW1", "EK", "HV1", "FW"),
    Cast("HN", "YB", "WK", "JRB", "KLT", "TJ", "ZW"),
    Cast("EK", "FW", "BH", "SW2", "GR", "HV2", "VH"),
]

TOR = {"derbyshire": (date(2025, 1, 6), date(2025, 9, 30)),
       "bradford": (date(2024, 11, 1), date(2025, 8, 31))}

# (source, activity, outcome); {c} child, {m} mother, {p} partner, {sw} worker, {tm} manager,
# {hv} health visitor; {T:NAME} an abbreviation written as the pair says.
ENTRIES = [
    ("School", "Designated safeguarding lead reported that {c} arrived without a coat and "
     "said there was no food at home.", "Referral made to the {T:MASH}."),
    ("{T:MASH}", "Referral from school considered with police and health checks.",
     "Threshold for a child and family assessment met; allocated to {sw}."),
    ("Children’s social care", "{sw} visited the home and saw {c} alone in the bedroom.",
     "Child and family assessment started."),
    ("Police", "Officers attended after a neighbour reported shouting. {m} said {p} had left "
     "before they arrived.", "Domestic abuse notification shared with children’s services."),
    ("Health visiting", "{hv} visited {c}’s younger sibling; the home was cluttered and cold.",
     "Concerns shared with {sw} by telephone."),
    ("Children’s social care", "{tm} reviewed the assessment with {sw} in supervision.",
     "Strategy discussion to be convened."),
    ("Children’s social care", "Strategy discussion held with police and health.",
     "Section 47 enquiries agreed; {T:ICPC} to be convened."),
    ("Children’s social care", "{T:ICPC} held; {m} attended, {p} did not.",
     "{c} made subject of a child protection plan under the category of neglect."),
    ("Health", "Referral to {T:CAMHS} after {c} described low mood to the school nurse.",
     "Accepted for assessment; waiting time of twelve weeks."),
    ("School", "Attendance meeting with {m}; attendance at 81 per cent.",
     "Attendance plan agreed."),
    ("Children’s social care", "Contact from {m} asking for help with rent arrears.",
     "Advice given; {T:NFA} by children’s services."),
    ("Children’s social care", "Core group meeting; {c}’s views were shared through direct work.",
     "Plan updated; weekly visits to continue."),
]

STYLES = ["dmy", "dmy1", "dot", "iso", "long", "ord", "weekday", "short", "dash", "us",
          "usabbr", "time24", "timehrs", "pm"]


@dataclass(frozen=True)
class Pair:
    name: str
    pack: str
    tor: tuple[date, date]
    report: bytes
    chronology: bytes
    expected: frozenset


def _fill(text: str, cast: Cast, term) -> str:
    for slot, value in (("{c}", cast.child), ("{m}", cast.mother), ("{p}", cast.partner),
                        ("{sw}", cast.worker), ("{tm}", cast.manager), ("{hv}", cast.health)):
        text = text.replace(slot, value)
    for t in TERMS:
        while "{T:" + t + "}" in text:
            text = text.replace("{T:" + t + "}", term(t, "row"), 1)
    return text


def rows_for(pack: str, cast: Cast, term, styles: list[str], *, n: int = 12,
             outside: tuple[tuple[str, bool], ...] = (), swap: int | None = None,
             special: dict[int, tuple[str, str]] | None = None, divider: bool = False,
             start: date | None = None, shout: bool = False,
             aunt_row: bool = False) -> list[Row]:
    """`outside`: ("before"/"after", justified) entries; `swap`: the entry (0-based) whose date
    goes earlier than the one before it; `special`: entry index -> (kind, date as written)."""
    tor = TOR[pack]
    day = start or tor[0] + timedelta(days=10)
    rows: list[Row] = []
    for i, (source, activity, outcome) in enumerate(ENTRIES[:n]):
        day += timedelta(days=13 + (i * 5) % 9)
        style = styles[i % len(styles)]
        rows.append(Row(written(day, style), _fill(source, cast, term),
                        _fill(activity, cast, term), _fill(outcome, cast, term), day))
    if shout:  # capitals for emphasis and a child's words shouted: neither initials nor terms
        rows[2] = replace(rows[2], activity=rows[2].activity + " The worker was told NEVER to "
                          "visit unannounced; the child said “I DON’T WANT TO GO HOME”.")
    if aunt_row:  # introduced beside, but the chronology's initials are explained by its key only
        rows[8] = replace(rows[8], activity=f"{cast.aunt} (maternal aunt) telephoned the duty "
                          f"team worried about {cast.child}’s weight.")
    if swap is not None:
        a, b = rows[swap - 1], rows[swap]
        earlier = a.day - timedelta(days=2)
        rows[swap] = replace(b, day=earlier, date_text=written(earlier, "dmy"))
    for i, (kind, text) in (special or {}).items():
        rows[i] = replace(rows[i], kind=kind, date_text=text, day=None)
    before = []
    for where, justified, *reason in outside:
        if where == "before":
            day = tor[0] - timedelta(days=200 - 40 * len(before))
            why = "Included although before the period because it is significant: the first " \
                  "record of concerns about neglect." if justified else ""
            why = reason[0] if reason else why
            before.append(Row(written(day, "dmy"), "Health visiting",
                              f"{cast.health} noted {cast.child} had missed two "
                              f"developmental checks.", "Letter sent to the family.", day,
                              reason=why))
        else:
            day = tor[1] + timedelta(days=20)
            why = "Outside the terms of reference but relevant: the plan ended here." \
                if justified else ""
            why = reason[0] if reason else why
            rows.append(Row(written(day, "long"), "Children’s social care",
                            "Review conference held.", "Plan ended.", day, reason=why))
    rows = before + rows
    if divider:
        rows.insert(len(rows) // 2, Row("Period two: child protection plan", kind="divider"))
    return rows


def build(name: str, pack: str, cast_no: int = 0, *, styles=None, chron_forms=None,
          rows_opts=None, **spec_opts) -> Pair:
    """`chron_forms`: how each abbreviation in the chronology is written (default: spelled out
    before it, as "no further action (NFA)")."""
    cast = CASTS[cast_no % len(CASTS)]
    spelled: set[str] = set()
    forms = {t: "before" for t in TERMS} | dict(chron_forms or {})

    def term(t: str, form: str) -> str:
        form = forms[t] if form == "row" else form
        if form == "before":
            spelled.add(t)
            return f"{TERMS[t]} ({t})"
        if form == "after":
            spelled.add(t)
            return f"{t} ({TERMS[t]})"
        if form == "hyphen":
            return f"{t}-led"
        return t

    rows = rows_for(pack, cast, term, styles or ["dmy"], **(rows_opts or {}))
    if "key_omit" in spec_opts:  # given as roles, so any cast can be used
        spec_opts["key_omit"] = tuple(getattr(cast, r) for r in spec_opts["key_omit"])
    spec = Spec(name=name, pack=pack, tor=TOR[pack], cast=cast, rows=rows, **spec_opts)
    chronology, numbered = write_chronology(spec)
    report, texts = write_report(spec, term)
    return Pair(name, pack, spec.tor, report, chronology,
                frozenset(expected_findings(spec, numbered, texts, spelled)))


def _cases() -> list[Pair]:
    D, B = "derbyshire", "bradford"
    glossed = ("NFA", "MASH", "ICPC", "CAMHS")
    bare = {t: "bare" for t in glossed}
    out = [
        # --- clean pairs, written many ways
        build("d_clean_seed_layout", D, 0),
        build("b_clean_seed_layout", B, 1),
        build("d_clean_bold_dot_numbers", D, 1, heading="bold", numbering="dot",
              styles=["long", "ord"]),
        build("b_clean_custom_style_section_dash", B, 2, heading="custom", numbering="section",
              styles=["iso"], signoff="table_side"),
        build("d_clean_caps_paragraphs", D, 2, heading="caps", numbering="tab",
              styles=["dot", "dash"], key="lines"),
        build("b_clean_allcaps_format_colon", B, 3, heading="allcaps", numbering="colon",
              styles=["weekday", "short"], signoff="below"),
        build("d_clean_word_numbered_list", D, 3, heading="list", styles=["time24", "timehrs"],
              signoff="oneline"),
        build("b_clean_headings_in_boxes", B, 0, heading="box", numbering="none",
              styles=["us", "usabbr"], signoff="electronic"),
        build("d_clean_zero_numbers_table_top_signoff", D, 0, numbering="zero",
              signoff="table_top", styles=["pm", "dmy1"]),
        build("d_clean_glossary_in_chronology_lines", D, 1, chron_forms=bare,
              glossary="chron_lines", glossary_terms=glossed),
        build("b_clean_glossary_in_chronology_table", B, 2, chron_forms=bare,
              glossary="chron_table", glossary_terms=glossed, columns="caps"),
        build("d_clean_glossary_appendix_in_report", D, 2, chron_forms=bare,
              glossary="report_table", glossary_terms=glossed, columns="merged"),
        build("b_clean_glossary_lines_in_report", B, 3, chron_forms=bare,
              glossary="report_lines", glossary_terms=glossed, key="mixed"),
        build("d_clean_spelled_after", D, 3, chron_forms={t: "after" for t in glossed},
              columns="extra"),
        build("b_clean_columns_reordered", B, 0, columns="order", styles=STYLES),
        build("d_clean_split_table", D, 0, columns="split", styles=STYLES[3:]),
        build("b_clean_split_table_header_repeated", B, 1, columns="split_header"),
        build("d_clean_headings_in_own_table", D, 1, columns="headings_table"),
        build("b_clean_renamed_columns_blank_rows", B, 2, columns="renamed"),
        build("d_clean_template_blank_rows_left", D, 2, columns="blanks", key="headed"),
        build("b_clean_key_before_table", B, 3, key="before"),
        build("d_clean_divider_row", D, 3, rows_opts={"divider": True}),
        build("d_clean_outside_justified", D, 0,
              rows_opts={"outside": (("before", True), ("after", True))}),
        build("b_clean_outside_justified", B, 1, rows_opts={"outside": (("before", True),)}),
        build("d_clean_aunt_introduced_in_report", D, 1, aunt_in_report="introduced"),
        build("b_clean_aunt_in_report_key", B, 2, aunt_in_report="report_key"),
        build("d_clean_two_signers_qa_blank", D, 2, signoff="two_signers"),
        build("b_clean_signed_off_sentence_and_signoff", B, 3, signed_off_sentence=True),
        build("d_clean_emphasis_capitals", D, 3, emphasis=True),
        build("b_clean_report_terms_spelled", B, 0, report_terms={"MARAC": "before",
                                                                  "PLO": "after"}),
        build("d_clean_lessons_learned_and", D, 0,
              names={"Effective Practice/Lessons Learnt": "Effective Practice and Lessons "
                                                          "Learned"}),
        build("b_clean_methodology_singular_curly", B, 1,
              names={"Methodologies": "Methodology", "The Child's Journey":
                     "The Child’s Journey"}),
        # --- each defect alone
        build("d_missing_analysis", D, 1, drop=("Analysis of Involvement",)),
        build("d_missing_methodology_bold", D, 2, heading="bold", numbering="dot",
              drop=("Methodology",)),
        build("b_missing_analysis_with_decoy", B, 2, drop=("Analysis",), decoy_analysis=True),
        build("b_missing_recommendations_caps", B, 3, heading="caps", numbering="section",
              drop=("Recommendations for Action Plan",)),
        build("d_empty_recommendations", D, 3, empty={"Recommendations": "nothing"}),
        build("d_empty_methodology_guidance_left", D, 0, empty={"Methodology": "guidance"}),
        build("b_empty_childs_journey_tbc", B, 0, empty={"The Child's Journey": "tbc"}),
        build("b_empty_learning_guidance", B, 1, heading="custom",
              empty={"What do we learn from this case?": "guidance"}),
        build("d_unsigned_blank_line", D, 1, signoff="blank_sig"),
        build("b_unsigned_table", B, 2, signoff="table_blank_sig"),
        build("d_undated_blank", D, 2, signoff="blank_date"),
        build("b_undated_cover_date_only", B, 3, signoff="no_date_line"),
        build("d_impossible_signoff_date", D, 3, signoff="bad_date"),
        build("b_no_signoff_but_signed_off_sentence", B, 0, signoff="none",
              signed_off_sentence=True),
        build("d_two_digit_year", D, 0, rows_opts={"special": {3: ("ambiguous", "3/4/25")}}),
        build("b_month_first_and_month_only", B, 1, rows_opts={
            "special": {2: ("ambiguous", "12/25/2024"), 6: ("ambiguous", "March 2025")}}),
        build("d_day_without_year", D, 1, styles=["long"],
              rows_opts={"special": {5: ("ambiguous", "14 May")}}),
        build("d_impossible_and_word_dates", D, 2, rows_opts={
            "special": {1: ("unreadable", "31/02/2025"), 7: ("unreadable", "not recorded")}}),
        build("b_unordered", B, 2, styles=["long"], rows_opts={"swap": 4}),
        build("d_unordered_iso", D, 3, styles=["iso"], rows_opts={"swap": 7}),
        build("d_outside_unjustified", D, 3, rows_opts={"outside": (("before", False),)}),
        build("b_outside_after_unjustified_and_justified", B, 0,
              rows_opts={"outside": (("before", True), ("after", False))}),
        build("d_key_missing", D, 0, key="none"),
        build("b_key_empty", B, 1, key="empty"),
        build("d_key_leaves_out_partner", D, 1, key_omit=("partner",)),
        build("b_key_lines_leaves_out_worker", B, 2, key="lines", key_omit=("worker",)),
        build("d_report_names_aunt_not_in_key", D, 2, aunt_in_report="bare"),
        build("b_abbreviation_bare_in_chronology", B, 3, chron_forms={"NFA": "bare"}),
        build("d_lado_led_unexplained", D, 3, report_terms={"LADO": "hyphen"}),
        build("b_gp_unexplained_in_report", B, 0, report_terms={"GP": "bare"}),
        build("d_no_chronology_table", D, 0, no_table=True),
        # --- several together
        build("d_combined_many", D, 1, heading="bold", numbering="dot", signoff="blank_date",
              drop=("Methodology",), chron_forms={"CAMHS": "bare"}, key_omit=("manager",),
              columns="split", rows_opts={"outside": (("before", False),), "swap": 5}),
        build("b_combined_many", B, 2, heading="caps", numbering="colon", signoff="none",
              empty={"Recommendations for Action Plan": "tbc"}, decoy_analysis=True,
              drop=("Analysis",), columns="merged",
              rows_opts={"special": {2: ("ambiguous", "3/4/25"), 5: ("unreadable",
                                                                     "31/04/2025")}}),
        build("d_combined_key_and_terms", D, 2, key="mixed", key_omit=("worker", "manager"),
              chron_forms={"MASH": "bare", "ICPC": "bare"}, report_terms={"LADO": "hyphen"},
              aunt_in_report="bare", columns="order"),
        build("b_combined_dates", B, 3, columns="extra", styles=STYLES,
              rows_opts={"swap": 3, "special": {7: ("ambiguous", "2025")},
                         "outside": (("after", False),)}),
    ]
    out += _round_two()
    out += _round_three()
    out += _round_four()
    out += _round_five()
    out += _round_six()
    names = [p.name for p in out]
    assert len(names) == len(set(names))
    return out


@cache
def blind() -> tuple[Pair, ...]:
    return tuple(_cases())


def _round_two() -> list[Pair]:
    """Written after round one's first run (which only failed on justified entries) and before
    the checker's code was read: more of the ways authors write."""
    D, B = "derbyshire", "bradford"
    return [
        build("d_clean_sub_numbers", D, 0, numbering="sub", styles=["ordshort", "wkshort"]),
        build("b_clean_trailing_colons", B, 1, numbering="trailing_colon", styles=["at", "dmy0"]),
        build("d_clean_date_time_column", D, 2, columns="datetime",
              styles=["time24"]),
        build("b_clean_date_and_time_five_columns", B, 3, columns="date_and_time",
              styles=["timehrs", "time24"]),
        build("d_clean_date_of_contact", D, 1, columns="date_of_contact", styles=["short"]),
        build("b_clean_dotted_initials_in_rows", B, 0, dotted="rows"),
        build("d_clean_dotted_initials_in_key", D, 0, dotted="key", key="lines"),
        build("b_clean_dotted_both_three_column_key", B, 2, dotted="both", key="three_columns"),
        build("d_clean_front_sheet_before_chronology", D, 3, front_sheet=True),
        build("b_clean_contents_list", B, 1, contents=True),
        build("d_clean_picture_signature", D, 2, signoff="picture"),
        build("b_clean_name_signature_date_lines", B, 0, signoff="name_sig_date"),
        build("b_clean_section_only_a_table", B, 3, only_table=("Chronology of Contacts",)),
        build("d_clean_term_spelled_in_report_bare_in_chronology", D, 1,
              chron_forms={"MARAC": "bare", "NFA": "bare"},
              report_terms={"NFA": "before"}),
        build("d_clean_outside_reason_significant_event", D, 2, rows_opts={"outside": (
            ("before", True, "Significant event prior to the review period."),
            ("after", True, "Relevant history after the review period: case closed."))}),
        build("b_clean_outside_reason_short", B, 0, rows_opts={"outside": (
            ("before", True, "(Outside the period; included as significant.)"),)}),
        build("d_missing_analysis_despite_contents", D, 3, contents=True,
              drop=("Analysis of Involvement",)),
        build("b_empty_methodologies_only_subheading", B, 2,
              only_subheading=("Methodologies",)),
        build("d_unsigned_dots", D, 0, signoff="dots", heading="caps", numbering="sub"),
        build("b_unsigned_placeholder", B, 1, signoff="placeholder"),
        build("d_two_digit_year_dots", D, 1, styles=["dot"],
              rows_opts={"special": {4: ("ambiguous", "3.4.25")}}),
        build("b_year_alone_and_words", B, 3, rows_opts={
            "special": {1: ("ambiguous", "2024"), 9: ("unreadable", "unknown")}}),
        build("d_dotted_initials_missing_from_key", D, 2, dotted="both", key_omit=("mother",)),
        build("b_bare_terms_in_both_documents", B, 0, chron_forms={"CAMHS": "bare"},
              report_terms={"CAMHS": "bare", "MARAC": "bare"}),
        build("d_outside_after_unjustified_datetime", D, 3, columns="datetime",
              styles=["time24"], rows_opts={"outside": (("after", False),)}),
        build("b_combined_round_two", B, 2, contents=True, columns="date_and_time",
              dotted="rows", signoff="dots", only_subheading=("Methodologies",),
              chron_forms={"ICPC": "bare"}, key="three_columns", key_omit=("partner",),
              rows_opts={"swap": 6, "special": {2: ("ambiguous", "12/25/2024")}}),
    ]


def _round_three() -> list[Pair]:
    """Written after round two's fixes, from the contract and the ways authors write, and run
    once before any change made for them."""
    D, B = "derbyshire", "bradford"
    return [
        build("d_clean_signature_label_short_month", D, 0, signoff="short_month",
              styles=["sept", "short"]),
        build("b_clean_signoff_one_row_table", B, 1, signoff="row_table", styles=["wknum"]),
        build("d_clean_date_before_signature", D, 2, signoff="date_first", styles=["newline"]),
        build("b_clean_tight_key_glossary_of_terms", B, 3, key="tight", glossary="chron_lines",
              glossary_title=True, glossary_terms=("NFA", "MASH", "ICPC", "CAMHS"),
              chron_forms={"NFA": "bare", "MASH": "bare", "ICPC": "bare", "CAMHS": "bare"}),
        build("d_clean_shouting_and_emphasis", D, 1, rows_opts={"shout": True}),
        build("d_clean_lower_case_headings_spaced_slash", D, 3, numbering="dot", names={
            "Analysis of Involvement": "Analysis of involvement",
            "Effective Practice/Lessons Learnt": "Effective practice / lessons learnt",
            "Summary of Agency Involvement": "Summary of agency involvement"}),
        build("d_clean_ampersand_heading", D, 2, heading="bold", names={
            "Effective Practice/Lessons Learnt": "Effective Practice & Lessons Learnt"}),
        build("b_clean_section_colon_numbering_bold", B, 0, heading="bold", numbering="colon"),
        build("b_empty_analysis_to_be_completed", B, 1,
              empty={"Analysis": "to_be_completed"}),
        build("d_two_digit_year_zero_padded", D, 0,
              rows_opts={"special": {6: ("ambiguous", "03/08/25")}}),
        build("d_thirty_first_of_september", D, 1, styles=["dmy1"],
              rows_opts={"special": {8: ("unreadable", "31/9/2025")}}),
        build("b_undated_signoff_table_row", B, 2, signoff="row_table_blank_date"),
        build("d_key_tight_leaves_out_child", D, 3, key="tight", key_omit=("child",)),
        build("b_outside_both_ends_one_justified", B, 3, styles=["sept"], rows_opts={
            "outside": (("before", False), ("after", True, "Significant event after the "
                                                          "review period."))}),
        build("d_combined_round_three", D, 0, signoff="date_first", heading="custom",
              numbering="zero", empty={"Methodology": "to_be_completed"},
              rows_opts={"shout": True, "special": {3: ("ambiguous", "03/08/25")}},
              chron_forms={"CAMHS": "bare"}),
    ]


def _round_four() -> list[Pair]:
    """Word's own habits: non-breaking spaces, wrapped column headings, numbered lists in the
    body, bold sentences, straight apostrophes, tabs after labels. Run once before any change."""
    D, B = "derbyshire", "bradford"
    return [
        build("d_clean_nbsp_dates_and_headings", D, 0, nbsp=True, styles=["long", "ord"]),
        build("b_clean_nbsp_weekday_dates", B, 1, nbsp=True, styles=["weekday", "pm"]),
        build("d_clean_wrapped_column_headings", D, 1, header_breaks=True),
        build("b_clean_wrapped_headings_caps", B, 2, header_breaks=True, columns="caps"),
        build("d_clean_recommendations_numbered_list", D, 2, list_recommendations=True),
        build("b_clean_bold_key_finding_in_analysis", B, 3, bold_body=True, heading="bold"),
        build("d_clean_straight_apostrophes", D, 3, straight=True, heading="caps",
              numbering="tab"),
        build("b_clean_straight_apostrophes_bold", B, 0, straight=True, heading="bold",
              numbering="section"),
        build("d_clean_tab_after_labels", D, 1, signoff="tab_signed"),
        build("b_undated_two_digit_year", B, 1, signoff="two_digit_date"),
        build("d_missing_recommendations_list_body", D, 0, list_recommendations=True,
              drop=("Recommendations",), signoff="tab_signed"),
        build("b_empty_journey_nbsp", B, 2, nbsp=True, empty={"The Child's Journey": "nothing"}),
        build("d_combined_round_four", D, 2, nbsp=True, header_breaks=True, straight=True,
              bold_body=True, signoff="blank_sig", key_omit=("health",),
              rows_opts={"swap": 9, "outside": (("before", False),)}),
    ]


def _round_five() -> list[Pair]:
    """Layouts around the sign-off and the column headings. Run once before any change."""
    D, B = "derbyshire", "bradford"
    glossed = ("NFA", "MASH", "ICPC", "CAMHS")
    return [
        build("d_clean_glossary_and_action_plan_after_signoff", D, 0,
              appendices_after_signoff=True, glossary="report_table", glossary_terms=glossed,
              chron_forms={t: "bare" for t in glossed}),
        build("b_undated_with_action_plan_dates_after", B, 1, appendices_after_signoff=True,
              signoff="blank_date"),
        build("d_author_blank_after_signed_qa_lead", D, 2, signoff="qa_first_author_blank"),
        build("b_clean_two_row_header", B, 3, columns="two_row_header"),
        build("d_two_row_header_with_ambiguous_date", D, 1, columns="two_row_header",
              rows_opts={"special": {2: ("ambiguous", "5/6/25")}}),
        build("d_clean_significance_column", D, 3, columns="significance",
              rows_opts={"outside": (("before", True, "Significant: first neglect concern."),
                                     ("after", True))}),
        build("b_significance_column_left_blank", B, 0, columns="significance",
              rows_opts={"outside": (("before", False), ("before", True))}),
    ]


def _round_six() -> list[Pair]:
    """Terms and initials across the two documents. Run once before any change."""
    D, B = "derbyshire", "bradford"
    return [
        build("d_clean_report_terms_bare_spelled_in_chronology", D, 2,
              report_terms={"ICPC": "bare", "MASH": "bare", "CAMHS": "bare"}),
        build("b_aunt_introduced_in_chronology_row_not_in_key", B, 0,
              rows_opts={"aunt_row": True}),
        build("d_aunt_introduced_in_both_not_in_key", D, 3, aunt_in_report="introduced",
              rows_opts={"aunt_row": True}),
        build("b_clean_report_glossary_explains_chronology_terms", B, 2,
              glossary="report_lines", glossary_terms=("NFA", "ICPC"),
              chron_forms={"NFA": "bare", "ICPC": "bare"}, report_terms={"NFA": "bare"}),
    ]
