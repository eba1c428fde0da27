"""Every model, imported in one place so that Alembic and the tests see the whole schema."""

from spindeln.auth.models import User, user_programmes
from spindeln.db import Base
from spindeln.programmes.models import ImportRecord, Profession, Programme, Unit
from spindeln.survey.models import Link, ReleaseRecord, Response, Round, RoundArrays, RoundState, SubmissionReceipt

__all__ = [
    "Base", "ImportRecord", "Link", "Profession", "Programme", "ReleaseRecord", "Response", "Round", "RoundArrays",
    "RoundState", "SubmissionReceipt", "Unit", "User", "user_programmes",
]
