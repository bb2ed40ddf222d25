from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, TypeAlias
from uuid import UUID

from ninja import Schema
from pydantic import AfterValidator, EmailStr, Field, StringConstraints

from commonground.kit.schemas import LongText, NameText, ReasonText, ShortText, no_control_characters
from commonground.patients.choices import ConsentScope, EducationLevel, Gender, Language, PatientStatus, Sex

# The choices are the models' own (string enums): the API accepts exactly their values.
SexValue: TypeAlias = Sex
GenderValue: TypeAlias = Gender | Literal[""]
LanguageValue: TypeAlias = Language
EducationValue: TypeAlias = EducationLevel
StatusValue: TypeAlias = PatientStatus
ScopeValue: TypeAlias = ConsentScope

# As long as their columns (Patient.phone, Consent.text_version, Consent.scope_reference).
PhoneText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=40), AfterValidator(no_control_characters)
]
TextVersion = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), AfterValidator(no_control_characters)
]
ScopeReference = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=64), AfterValidator(no_control_characters)
]


class PatientOut(Schema):
    id: UUID
    record_number: str
    given_name: str
    family_name: str
    preferred_name: str
    date_of_birth: date
    sex: str
    gender: str
    preferred_language: str
    education_level: str
    email: str
    phone: str
    time_zone: str
    main_symptoms: list[str]
    status: str
    version: int


class PatientIn(Schema):
    given_name: NameText
    family_name: NameText
    preferred_name: ShortText = ""
    date_of_birth: date = Field(ge=date(1900, 1, 1), le=date(2100, 1, 1))
    sex: SexValue = Sex.UNKNOWN
    gender: GenderValue = ""
    preferred_language: LanguageValue = Language.ENGLISH
    education_level: EducationValue = EducationLevel.UNKNOWN
    email: EmailStr | Literal[""] = ""
    phone: PhoneText = ""
    address: LongText = ""
    time_zone: ShortText = ""
    main_symptoms: list[ShortText] = Field(default_factory=list, max_length=20)


class PatientChange(Schema):
    version: int = Field(ge=1, le=2_000_000_000)
    reason: ReasonText
    given_name: NameText | None = None
    family_name: NameText | None = None
    preferred_name: ShortText | None = None
    date_of_birth: date | None = Field(default=None, ge=date(1900, 1, 1), le=date(2100, 1, 1))
    sex: SexValue | None = None
    gender: GenderValue | None = None
    preferred_language: LanguageValue | None = None
    education_level: EducationValue | None = None
    email: EmailStr | Literal[""] | None = None
    phone: PhoneText | None = None
    address: LongText | None = None
    time_zone: ShortText | None = None
    main_symptoms: list[ShortText] | None = Field(default=None, max_length=20)
    status: StatusValue | None = None


class ConsentOut(Schema):
    id: UUID
    scope: str
    scope_reference: str
    text_version: str
    given_at: datetime
    withdrawn_at: datetime | None
    version: int


class ConsentIn(Schema):
    scope: ScopeValue
    text_version: TextVersion
    scope_reference: ScopeReference = ""


class VersionIn(Schema):
    version: int = Field(ge=1, le=2_000_000_000)
    reason: ShortText = ""
