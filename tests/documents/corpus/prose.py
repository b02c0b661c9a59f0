"""What the corpus writes: British social-care prose about a family known only by initials.

Placeholders in braces name a person ({child}, {mother}, {SW1}) or a term ({MASH}, {NFA}); the
writer decides how each is shown (plain, spelled out beside it, only hyphenated) and records it,
so the expected findings come from what was written, not from the checker.
"""

from __future__ import annotations

# The people of a case: placeholder -> the key's description.
PEOPLE = {
    "child": "subject child",
    "mother": "mother of the subject child",
    "father": "father of the subject child",
    "partner": "mother's partner",
    "sibling": "older half-sibling",
    "grandmother": "maternal grandmother",
    "SW1": "allocated social worker",
    "SW2": "second allocated social worker",
    "HV1": "health visitor",
    "TM1": "team manager",
}
PROFESSIONAL_LABELS = {"SW1", "SW2", "HV1", "TM1"}

# Terms and how they are spelled out.
TERMS = {
    "LADO": "Local Authority Designated Officer",
    "NFA": "no further action",
    "MASH": "Multi-Agency Safeguarding Hub",
    "ICPC": "Initial Child Protection Conference",
    "RCPC": "Review Child Protection Conference",
    "CAMHS": "Child and Adolescent Mental Health Services",
    "CIN": "Child in Need",
    "EHA": "Early Help Assessment",
    "PLO": "Public Law Outline",
    "MARAC": "Multi-Agency Risk Assessment Conference",
    "IDVA": "Independent Domestic Violence Advisor",
    "FGC": "Family Group Conference",
    "DSL": "Designated Safeguarding Lead",
    "EHCP": "Education, Health and Care Plan",
    "SENCO": "Special Educational Needs Co-ordinator",
    "GP": "General Practitioner",
    "EDT": "Emergency Duty Team",
    "A&E": "Accident and Emergency",
    "PCSO": "Police Community Support Officer",
}

# Chronology rows: (source, activity, outcome).
ROWS = [
    ("Health visiting", "{HV1} completed a new birth visit to {child} and {mother} at the family "
     "home.", "Advice given on safe sleep; no concerns recorded."),
    ("Police", "Police attended a report of a verbal argument between {mother} and {partner}; "
     "{child} was present in the flat.", "Notification sent to the {MASH}."),
    ("{MASH}", "Contact screened following the police notification; history of two previous "
     "contacts noted.", "{NFA}; information shared with the {GP}."),
    ("School", "The {DSL} reported that {child} arrived hungry and in unwashed uniform on three "
     "days this week.", "{SW1} informed; single assessment opened."),
    ("Children's social care", "{SW1} completed an unannounced home visit; {child} was seen "
     "alone in the bedroom.", "Concerns about home conditions discussed with {mother}."),
    ("Strategy discussion", "Strategy discussion held with police, health and education.",
     "Section 47 enquiry agreed; an {ICPC} to be convened."),
    ("{ICPC}", "Initial conference held; {mother} attended with an advocate and {father} did "
     "not attend.", "{child} made subject of a child protection plan under the category of "
     "neglect."),
    ("{CAMHS}", "Referral to {CAMHS} for {sibling} following a disclosure of self-harm at "
     "school.", "Accepted for assessment; the waiting list is twelve weeks."),
    ("GP surgery", "{mother} attended the {GP} reporting low mood and poor sleep.",
     "Medication prescribed; referred to talking therapies."),
    ("Hospital", "{child} was brought to {A&E} with a bruise to the left cheek; {father} said "
     "the child fell from the sofa.", "Paediatric review; explanation accepted and the "
     "{MASH} notified."),
    ("{LADO}", "An allegation about a respite foster carer was referred to the {LADO}.",
     "Allegation management meeting held; allegation unsubstantiated."),
    ("Early help", "An {EHA} was completed with the family at the children's centre.",
     "Team around the family meetings arranged monthly."),
    ("Legal gateway", "Legal planning meeting held; threshold for the {PLO} considered met.",
     "Pre-proceedings letter sent to {mother} and {father}."),
    ("{MARAC}", "Case heard at {MARAC} following a high-risk domestic abuse assessment.",
     "An {IDVA} was allocated to {mother}."),
    ("Family group conference", "An {FGC} was held with the maternal family.",
     "Family plan agreed; {grandmother} to provide respite at weekends."),
    ("Education", "The {SENCO} requested an {EHCP} needs assessment for {child}.",
     "Assessment agreed by the local authority."),
    ("Children's social care", "{CIN} meeting held at the school with {mother} present.",
     "Plan reviewed; actions carried forward to the next meeting."),
    ("Police", "{child} was reported missing from home overnight and found at a friend's "
     "address by a {PCSO}.", "Return home interview offered and declined by {mother}."),
    ("Out of hours", "The {EDT} received a call from a neighbour about shouting at the address.",
     "Welfare check completed by police; the children were safe."),
    ("Children's social care", "{SW2} took over the case after {SW1} left the team; a handover "
     "visit was NOT completed.", "{TM1} agreed an introductory visit within five working days."),
    ("Health visiting", "{HV1} saw {child} at the clinic for a two-year review.",
     "Speech delay noted; referral to speech and language therapy."),
    ("{RCPC}", "Review conference held; {mother} and {partner} attended.",
     "Plan continued; core group to meet every four weeks."),
]

# The report's sections: key -> paragraphs (each a list of sentences).
REPORT = {
    "introduction": [
        "This individual management review was completed by a service manager in Children's "
        "Services who has had no involvement with {child} or the family and no line management "
        "responsibility for the staff involved.",
        "The report looks openly and critically at individual and organisational practice to see "
        "whether the case shows that changes could and should be made.",
    ],
    "terms of reference": [
        "The review considers the involvement of Children's Services with {child} and the "
        "family during the period set by the partnership's terms of reference.",
        "The family is {child}, {mother}, {sibling} and, until the summer, {partner}; {father} "
        "lives in another authority and has contact at weekends.",
    ],
    "methodology": [
        "The author read the electronic case record, the {MASH} contact records and the "
        "minutes of each conference.",
        "Interviews were held with {SW1}, {SW2} and {TM1}; each interview record was signed and "
        "agreed by the interviewee.",
    ],
    "summary": [
        "{child} is the youngest of three children and lived with {mother} throughout the "
        "period under review.",
        "Children's Services received four contacts about the family; the first two were closed "
        "by the {MASH} with {NFA}.",
        "{grandmother} has been a consistent source of support and was NOT asked for her view "
        "until the family group conference.",
    ],
    "analysis": [
        "The decision to close the second contact was made without speaking to the school, "
        "which held information about the child's attendance and presentation.",
        "Once the case was allocated, {SW1} saw {child} alone on every visit and recorded the "
        "child's own words, which gave the conference a clear picture of daily life at home.",
        "The delay in convening the {ICPC} was outside the fifteen working days expected and "
        "was not escalated to a manager.",
    ],
    "lessons": [
        "Direct work with {child} was of a high standard and should be shared with the service.",
        "Information held by universal services was not gathered before decisions were made at "
        "the front door.",
    ],
    "recommendations": [
        "Children's Services should make sure that every contact closed by the {MASH} records "
        "which agencies were consulted before the decision.",
        "Managers should review the timeliness of initial conferences each month and escalate "
        "any delay beyond fifteen working days.",
    ],
    "contacts": [
        "The chronology filed with this report records the contacts between Children's Services "
        "and the family, with the response to each.",
        "{SW1} and {HV1} were interviewed about the contacts in the spring.",
    ],
    "journey": [
        "For {child}, daily life meant caring for a younger sibling while {mother} slept in the "
        "afternoons; the child's school described a quiet, watchful pupil.",
        "The family is White British and lives in a market town with few local services; "
        "transport to appointments was a barrier the plan did not address.",
    ],
    "learn": [
        "The case shows the value of hearing directly from the child and the cost of relying on "
        "a parent's account at the front door.",
        "Supervision records show reflective discussion once the case was allocated to {SW2}.",
    ],
    "action": [
        "Recommendation one: the front door to gather the views of universal services before "
        "closing a contact; the action plan sets out who will do this and by when.",
        "Recommendation two: the conference service to report monthly on timeliness.",
    ],
}
# Sentences that use a term for the writer to mix in, per section.
TERM_SENTENCES = [
    "A referral to {CAMHS} was discussed but not made at that point.",
    "The school's {DSL} shared concerns at each core group.",
    "The {LADO} was consulted about the respite carer and the threshold was not met.",
    "An {EHA} had been offered earlier and declined by {mother}.",
    "The case was heard at {MARAC} and an {IDVA} supported {mother} for six weeks.",
    "The legal gateway panel agreed that the {PLO} threshold was met.",
    "An {FGC} brought the maternal family together for the first time.",
    "The {SENCO} raised the question of an {EHCP} in the spring term.",
    "The {EDT} responded appropriately to the neighbour's call.",
    "The child was taken to {A&E} on one occasion during the period.",
    "The {RCPC} found that progress had been made but the plan should continue.",
    "The {CIN} plan was not reviewed for three months after the conference.",
]
EMPHASIS = [
    "This was NOT shared with the conference.",
    "The guidance is clear that a child must ALWAYS be seen alone where it is safe to do so.",
]
SIGNED_OFF_DECOY = "The author's findings were signed off by the Head of Service before submission."
