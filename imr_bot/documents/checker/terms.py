"""Initials (people) and abbreviations (terms) in running text, told apart as well as text allows,
and where each is explained: spelled out beside it, in a key or in a glossary.

Initials are two or three capitals, perhaps with a number ("AB", "JMS", "SW1"); a term is one of
the abbreviations social care writes ("LADO", "NFA", "CAMHS") or any run of four or more capitals.
Capitals that are ordinary words written for emphasis ("NOT", "NEVER") are neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Abbreviations of terms, not of people's names, that appear in IMRs and chronologies.
TERMS = _words("""
A&E ADHD AHP ASD ASC BAME CAF CAFCASS CAMHS CCE CDOP CGL CIC CIN CLA CME CMHT CP CPA CPIS CPN CPP
CPS CQC CSC CSE CSW DA DASH DBS DC DI DOLS DS DSL DV DVPN DVPO EHA EHCP EHM ED EDT ESW EWO FGC FGM
FII GP HV ICB ICPC ICS IDVA IFD IHA IRH ISVA LA LAC LADO LSCB MACE MAPPA MARAC MASH MET MHA NFA NFER
NICU NSPCC OFSTED PC PCSO PEP PLO PMHW PND PO RCPC RHA SALT SEN SEND SENCO SGO SMART SPOC SW TAC TAF
UASC VCS YOS YOT YJS DWP HMRC HMP HMPPS NPS CRC ASB ASBO CCTV DNA WNB LD SEMH SLT OT PICU SCBU HCP
PA CWD DCS EHE AP PRU EP FSW FSM ISW MP
""")
# Our templates' and the process's own words: a report uses them without a glossary.
OWN_WORDS = _words("""
IMR IMRS CSPR DHR DDSCP DSCB QA SCR BSCB BSCP TOR CS IRO UK NHS NB OK AM PM ID PAGE PDF TBC TBA
RESTRICTED CONFIDENTIAL OFFICIAL SENSITIVE SECRET APPENDIX GDPR ICT COVID
""")
# Capitals written for emphasis, headings in capitals, roman numerals: words, not abbreviations.
CAPITAL_WORDS = _words("""
A I AN AS AT BE BY DO GO HE IF IN IS IT ME MY NO OF ON OR SO TO UP US WE
ALL AND ANY ARE BUT CAN DID FOR HAD HAS HER HIM HIS HOW ITS MAY NEW NOR NOT NOW OFF OLD ONE OUR OUT
OWN SEE SHE THE TOO TWO USE WAS WAY WHO WHY YES YET YOU
II III IV VI VII VIII IX XI XII
ALSO BEEN BOTH DATE EACH EVEN FROM HAVE INTO JUST MADE MUST NEED NEVER NONE NOTE ONLY OVER SAID
SOME SUCH THAN THAT THEM THEN THEY THIS VERY WERE WHAT WHEN WILL WITH
ABOUT AFTER AGAIN ALWAYS BEFORE BEING COULD EVERY FIRST MOTHER FATHER CHILD CHILDREN FAMILY
IMPORTANT NOTHING OTHER PLEASE SHOULD THEIR THERE THESE THOSE UNDER UNTIL URGENT WHERE WHICH
WHILE WITHOUT WOULD
INTRODUCTION METHODOLOGY METHODOLOGIES ANALYSIS RECOMMENDATIONS SUMMARY CHRONOLOGY SECTION
""")

_TOKEN = re.compile(r"(?<![A-Za-z0-9&’'])([A-Z](?:[A-Z&]*[A-Z])?)(\d{1,2})?(?:['’]?s)?(?![A-Za-z0-9’'&])")
_NOISE = re.compile(
    r"\S+@\S+|https?://\S+|www\.\S+"  # addresses
    r"|\b[A-Z0-9]+(?:/[A-Z0-9]+){2,}\b"  # review references such as DDSCP/CSPR/2026/014
    r"|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"  # postcodes
    r"|\b[B-HJ-Z]\.?\s(?:[A-Z]\.?\s)?[A-Z][A-Z'’\-]{2,}\b")  # a name in capitals: "R PATEL"
PERSON = "initials"
TERM = "term"


@dataclass(frozen=True)
class Token:
    text: str  # as it should be looked up: "SW1", "LADO"
    kind: str  # PERSON or TERM
    start: int
    end: int


def kind_of(token: str) -> str | None:
    letters = token.rstrip("0123456789")
    if token in OWN_WORDS or letters in OWN_WORDS:
        return None
    if token in TERMS or letters in TERMS and letters == token:
        return TERM
    if letters != token:  # initials with a number: "SW1", "M2"
        return PERSON if 2 <= len(letters) <= 3 else None
    if token in CAPITAL_WORDS or len(letters) < 2:
        return None
    return PERSON if len(letters) <= 3 else TERM


def _shouted_spans(text: str) -> list[tuple[int, int]]:
    """Stretches of three or more capitalised words: a heading or emphasis, not abbreviations."""
    spans = []
    for match in re.finditer(r"(?:\b[A-Z][A-Z'’&]+\b[\s,:;\-–]*){3,}", text):
        spans.append(match.span())
    return spans


_DOTTED = re.compile(r"(?<![A-Za-z.])((?:[A-Z]\.){2,3})(?![A-Za-z])")


def undotted(text: str) -> str:
    """"A.B." written as "AB", padded to keep every position in the text where it was."""
    return _DOTTED.sub(lambda m: m.group(1).replace(".", "").ljust(len(m.group(1))), text)


def tokens(text: str, keyed: frozenset[str] = frozenset()) -> list[Token]:
    """The initials and terms in `text`. Anything in `keyed` (a key or glossary) counts whatever
    it looks like, so a key can make "AL" or "MUM" someone's initials."""
    cleaned = undotted(_NOISE.sub(lambda m: " " * len(m.group(0)), text))
    shouted = _shouted_spans(cleaned)
    found = []
    for match in _TOKEN.finditer(cleaned):
        token = match.group(1) + (match.group(2) or "")
        if token in keyed:
            kind = PERSON if kind_of(token) != TERM else TERM
        else:
            kind = kind_of(token)
            if kind is None:
                continue
            if any(a <= match.start() < b for a, b in shouted) and token not in TERMS:
                continue
        found.append(Token(token, kind, match.start(), match.end()))
    return found


def _initial_letters(words_text: str) -> str:
    parts = re.split(r"[\s\-/]+", re.sub(r"[^\w\s\-/&]", " ", words_text))
    return "".join(p[0].upper() for p in parts if p and p[0].isalpha())


def _spells(term: str, words_text: str, *, at_end: bool) -> bool:
    """Whether the words' initial letters spell the term (small words may be skipped):
    "Local Authority Designated Officer" spells LADO, "no further action" NFA."""
    letters = _initial_letters(words_text)
    wanted = re.sub(r"[^A-Z]", "", term)
    if not wanted or not letters:
        return False
    if at_end:  # the words just before "(TERM)": the expansion ends at the bracket
        for start in range(len(letters) - 1, -1, -1):
            if letters[start] == wanted[0] and _subsequence(wanted, letters[start:]) \
                    and letters[-1] == wanted[-1]:
                return True
        return False
    return letters[0] == wanted[0] and _subsequence(wanted, letters)


def _subsequence(wanted: str, letters: str) -> bool:
    position = 0
    for letter in letters:
        if position < len(wanted) and letter == wanted[position]:
            position += 1
    return position == len(wanted)


_DESCRIBED = re.compile(r"^\s*\(\s*([^()]{2,120})\)")
_APPOSITION = re.compile(r"^\s*(?:[–—]|\s-|,)\s*(?:the\s+|an?\s+)?([^–—,;.()]{3,120})")
_BEFORE = re.compile(r"([A-Za-z][\w\-’',&/ ]{1,120})\(\s*$")


def explained_beside(text: str, keyed: frozenset[str] = frozenset()) -> set[str]:
    """Initials and terms spelled out where they are used: "no further action (NFA)",
    "NFA (no further action)", "AB (subject child)", "the subject child (AB)". A hyphenated
    use ("LADO-led") explains nothing."""
    found = set()
    text = undotted(text)
    for token in tokens(text, keyed):
        after = _DESCRIBED.match(text[token.end:])
        before = _BEFORE.search(text[max(0, token.start - 121):token.start])
        closes = text[token.end:token.end + 2].lstrip().startswith(")")
        if token.kind == PERSON:  # introduced: any description in words
            spelled = (after and re.search(r"[a-z]", after.group(1))) or (
                before and closes and re.search(r"[a-z]", before.group(1)))
        else:  # a term: the words must spell it ("the MASH – Multi-Agency Safeguarding Hub –")
            beside = _APPOSITION.match(text[token.end:])
            spelled = (after and _spells(token.text, after.group(1), at_end=False)) or (
                before and closes and _spells(token.text, before.group(1), at_end=True)) or (
                beside and _spells(token.text, beside.group(1), at_end=False))
        if spelled:
            found.add(token.text)
    return found


_ENTRY = re.compile(r"^\s*[•·\-*]?\s*([A-Z][A-Za-z&]{0,7}\d{0,2})\s*(?:[–—:=]|\s-\s|\t|\s{2,})\s*"
                    r"(\S.{1,200})$")
_ENTRY_BRACKET = re.compile(r"^\s*([A-Z][A-Z&]{0,7}\d{0,2})\s*\(([^)]{2,120})\)\s*[.;]?$")


# "Mother (CD)", "Allocated social worker (SW1)": the role first, the initials in brackets.
_ENTRY_ROLE_FIRST = re.compile(r"^\s*[•·\-*]?\s*([A-Za-z][A-Za-z’',\- ]{1,60}?)\s*"
                               r"\(\s*([A-Z][A-Z&]{0,7}\d{0,2})\s*\)\s*[.;]?$")
_ENTRY_SPACED = re.compile(r"^\s*[•·\-*]?\s*([A-Z][A-Z&]{1,7}\d{0,2})\s+([a-z].{1,200})$")


def key_entry(line: str, *, loose: bool = False) -> str | None:
    """The initials or term a key or glossary line explains: "AB – subject child",
    "NFA: no further action", "SW1 (allocated social worker)"; under a key's heading also
    "AB subject child"."""
    line = undotted(line.replace("\u00a0", " ")).strip()
    for pattern in (_ENTRY, _ENTRY_BRACKET, *((_ENTRY_SPACED,) if loose else ())):
        match = pattern.match(line)
        if match and re.search(r"[A-Za-z]", match.group(2)):
            token = match.group(1)
            if token.upper() == token or token in TERMS:
                return token.upper()
    if loose:
        match = _ENTRY_ROLE_FIRST.match(line)
        if match and len(match.group(2)) >= 2:
            return match.group(2)
    return None
