"""Named errors raised by the core and turned into one friendly sentence at the edge."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the IMR process said no. The message is safe to show to the user."""


class BadDate(DomainError):
    pass


class InvalidTransition(DomainError):
    pass


class NotAllowed(DomainError):
    pass


class UnknownReview(DomainError):
    def __init__(self, reference: str, suggestions: list[str] | None = None):
        self.reference = reference
        self.suggestions = suggestions or []
        hint = ""
        if self.suggestions:
            hint = " Did you mean " + ", ".join(self.suggestions) + "?"
        super().__init__(f"There is no review {reference}.{hint}")


class DuplicateReference(DomainError):
    def __init__(self, reference: str):
        self.reference = reference
        super().__init__(f"A review with reference {reference} already exists.")


class InvalidPlan(DomainError):
    pass


class ValidationFailed(DomainError):
    """Several fields of a form were wrong; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))


class MomentPassed(DomainError):
    """A card was pressed after its moment had passed (an offer withdrawn or already answered, a
    review closed). The message says what happened, and when; the card can say so for good."""

    def __init__(self, message: str, reference: str = ""):
        self.reference = reference
        super().__init__(message)


class DocumentRefused(DomainError):
    """A file was not read: it is not a document, or it would take more than a document needs
    to read (memory, time, size). `reason` says why in words a person understands."""

    def __init__(self, reason: str, name: str = ""):
        self.reason = reason
        self.name = name
        shown = f"“{name}”" if name else "The file"
        super().__init__(f"{shown} was not accepted, and nothing was saved: {reason}.")
