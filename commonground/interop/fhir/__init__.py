"""FHIR R4 for measurement-based care (decision 0010).

- `terminology`: canonical addresses, Common Ground's code systems and extensions, codings.
- `questionnaires`: an instrument (or a battery) as a Questionnaire.
- `responses`: a stored response as a QuestionnaireResponse.
- `observations`: a scored response's total as an Observation.
- `bundles`: a patient's responses or totals as a searchset Bundle.
- `api`: the read-only endpoints (Questionnaire, QuestionnaireResponse and Observation search).

Every mapping returns a `fhir.resources.R4B` model, so what leaves the system has been validated.
"""
