"""The cases the check was tuned on: both packs, written the different ways authors write, each
defect alone and several together."""

from __future__ import annotations

from .writer import Case, Way

D, B = "derbyshire", "bradford"

CASES: list[Case] = [
    # -- clean pairs, written different ways ------------------------------------------------
    Case("clean-derbyshire-seed-layout", D, Way(numbering="seed", guidance=True)),
    Case("clean-bradford-seed-layout", B, Way(numbering="seed", case="upper")),
    Case("clean-custom-style-curly", B, Way(headings="custom", quotes="curly", case="title",
                                            key="lines")),
    Case("clean-bold-headings-numbered", D, Way(headings="bold", numbering="dot", case="title",
                                                signoff="table-rows", header="caps")),
    Case("clean-caps-format-section-numbers", B, Way(headings="caps", numbering="section",
                                                     case="lower", dates="ordinal",
                                                     header="merged")),
    Case("clean-list-numbered-headings", D, Way(headings="list", case="title", key="breaks",
                                                dates="times", signoff="below")),
    Case("clean-boxed-headings-glossary-table", B, Way(headings="box", glossary="table",
                                                       dates="long", header="extra")),
    Case("clean-glossary-text-key-before", D, Way(glossary="text", key="before", dates="iso",
                                                  signoff="one-line", toc=True)),
    Case("clean-signature-image", B, Way(signoff="image", dates="mixed", divider=True,
                                         quotes="curly")),
    Case("clean-columns-signoff-decimal", D, Way(numbering="decimal", signoff="table-columns",
                                                 header="renamed", dates="dots", vmerge=True)),
    Case("clean-decoy-signed-off-in-body", D, Way(decoy_signed_off=True, key="bold-lines",
                                                  headings="bold", case="upper")),
    Case("clean-no-cover-guidance-left", B, Way(cover=False, guidance=True, key="lines",
                                                dates="mixed")),
    # -- sections ----------------------------------------------------------------------------
    Case("missing-analysis-derbyshire", D, Way(), ("missing:analysis",)),
    Case("missing-analysis-decoy-subheading", B, Way(headings="bold", case="upper"),
         ("decoy-subheading:analysis",)),
    Case("missing-two-custom-style", B, Way(headings="custom", quotes="curly"),
         ("missing:journey", "missing:learn")),
    Case("empty-recommendations", D, Way(guidance=True), ("empty:recommendations",)),
    Case("empty-methodology-bold", B, Way(headings="bold", numbering="dot"),
         ("empty:methodology",)),
    Case("empty-before-glossary", D, Way(headings="bold", glossary="text"),
         ("empty:recommendations",)),
    Case("empty-terms-of-reference-seed", D, Way(numbering="seed", guidance=True),
         ("empty:terms of reference",)),
    # -- sign-off -----------------------------------------------------------------------------
    Case("unsigned-lines", D, Way(), ("unsigned",)),
    Case("unsigned-table", B, Way(signoff="table-rows"), ("unsigned",)),
    Case("unsigned-decoy-signed-off", D, Way(decoy_signed_off=True), ("unsigned",)),
    Case("undated-cover-dated", D, Way(cover=True), ("undated",)),
    Case("undated-columns", B, Way(signoff="table-columns"), ("undated",)),
    Case("signoff-ambiguous-date", D, Way(signoff="below"), ("signoff-ambiguous",)),
    Case("no-signoff-block", B, Way(), ("no-signoff",)),
    Case("signature-placeholder-image-way", D, Way(signoff="one-line"),
         ("signature-placeholder",)),
    # -- dates --------------------------------------------------------------------------------
    Case("two-digit-year", D, Way(dates="dmy"), ("ambiguous:two-digit",)),
    Case("month-first-and-month-year", B, Way(dates="long"),
         ("ambiguous:month-first", "ambiguous:month-year")),
    Case("unreadable-dates", D, Way(dates="mixed"), ("unreadable:word", "unreadable:invalid")),
    Case("empty-date-cell", B, Way(header="caps"), ("unreadable:empty",)),
    Case("out-of-order", D, Way(dates="ordinal"), ("order",)),
    Case("outside-tor-both-ends", B, Way(dates="times", header="merged"),
         ("outside:before", "outside:after")),
    Case("outside-tor-not-given", D, Way(), (), tor=None),
    # -- key and initials ---------------------------------------------------------------------
    Case("unkeyed-person-table-key", D, Way(key="table"), ("unkeyed:friend",)),
    Case("unkeyed-person-lines-key", B, Way(key="lines", header="extra"), ("unkeyed:friend",)),
    Case("no-key", D, Way(), ("no-key",)),
    Case("report-person-not-in-key", B, Way(key="breaks"), ("report-unkeyed",)),
    # -- abbreviations ------------------------------------------------------------------------
    Case("unexplained-in-report", D, Way(), ("unexplained:LADO",)),
    Case("hyphen-does-not-explain", B, Way(glossary="text"), ("hyphen:MASH",)),
    Case("unexplained-in-chronology", D, Way(key="lines"), ("unexplained-chron:CAMHS",)),
    # -- the chronology not found, documents sent as links ------------------------------------
    Case("chronology-as-prose", B, Way(), ("no-table",)),
    Case("report-sent-as-link", D, Way(), (), link="report"),
    Case("chronology-sent-as-link", B, Way(glossary="table"), (), link="chronology"),
    # -- combined -----------------------------------------------------------------------------
    Case("combined-sections-signoff-dates", D, Way(headings="custom", numbering="dot"),
         ("missing:lessons", "empty:methodology", "unsigned", "ambiguous:two-digit",
          "outside:after")),
    Case("combined-key-terms-order", B, Way(key="lines", quotes="curly", dates="ordinal"),
         ("unkeyed:friend", "unexplained:EHCP", "order", "undated")),
    Case("combined-everything-bold", D, Way(headings="bold", case="upper", signoff="table-rows",
                                            header="merged", dates="mixed", glossary="table"),
         ("missing:summary", "empty:analysis", "no-signoff", "unreadable:tbc",
          "ambiguous:month-year", "unkeyed:friend", "hyphen:LADO", "report-unkeyed")),
    Case("combined-no-key-no-dates", B, Way(headings="caps", numbering="section"),
         ("no-key", "unreadable:word", "outside:before", "signoff-unreadable")),
    Case("combined-prose-chronology-empty-section", D, Way(numbering="seed"),
         ("no-table", "empty:introduction", "unexplained:PLO")),
]
