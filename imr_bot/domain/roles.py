"""Who takes part in an IMR. A person may hold several roles; some are held per review."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    BUSINESS_SERVICES = "business_services"
    HEAD_OF_CP = "head_of_cp"
    AUTHOR = "author"
    LINE_MANAGER = "line_manager"
    QA_LEAD = "qa_lead"
    SD_EHS = "sd_ehs"
    SD_QPP = "sd_qpp"
    ADMINISTRATOR = "administrator"

    @property
    def title(self) -> str:
        return ROLE_TITLES[self]

    @classmethod
    def parse(cls, text: str) -> Role:
        key = text.strip().lower().replace("-", "_").replace(" ", "_")
        for role in cls:
            if key in (role.value, role.name.lower()) or key == ROLE_TITLES[role].lower().replace(" ", "_"):
                return role
        aliases = {
            "bs": cls.BUSINESS_SERVICES, "business_services_unit": cls.BUSINESS_SERVICES,
            "head_of_cp_and_iro": cls.HEAD_OF_CP, "head_of_cp_&_iro": cls.HEAD_OF_CP,
            "report_author": cls.AUTHOR, "qa": cls.QA_LEAD, "qa_senior_lead": cls.QA_LEAD,
            "admin": cls.ADMINISTRATOR, "service_director_ehs": cls.SD_EHS,
            "service_director_qpp": cls.SD_QPP, "sd_eh&s": cls.SD_EHS,
        }
        if key in aliases:
            return aliases[key]
        raise ValueError(f"unknown role '{text}'")


ROLE_TITLES: dict[Role, str] = {
    Role.BUSINESS_SERVICES: "Business Services",
    Role.HEAD_OF_CP: "Head of CP & IRO",
    Role.AUTHOR: "Report author",
    Role.LINE_MANAGER: "Author's line manager",
    Role.QA_LEAD: "QA senior lead",
    Role.SD_EHS: "Service Director EH&S",
    Role.SD_QPP: "Service Director QPP",
    Role.ADMINISTRATOR: "Administrator",
}

# Roles that belong to one review (you are *this* review's author), as opposed to the
# organisation-wide roles (you are a Head of CP & IRO for every review).
REVIEW_ROLES = frozenset({Role.AUTHOR, Role.LINE_MANAGER, Role.QA_LEAD})
