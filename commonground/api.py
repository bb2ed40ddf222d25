"""The JSON API under /api/: one NinjaAPI, routers from the domains, token or session authentication.

Errors are plain: 401 unauthenticated, 403 wrong scope, 404 not found or not yours, 409 stale edit,
422 invalid input with a message per field. No input may produce a 500 (a schemathesis run checks).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from commonground.accounts.services import authenticate_token
from commonground.audit import context as audit_context
from commonground.careteam.api import router as careteam_router
from commonground.diary.api import router as diary_router
from commonground.interop.fhir.api import router as fhir_router
from commonground.kit.errors import DomainError, StaleEdit
from commonground.patients.api import router as patients_router


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = authenticate_token(token)
        if found is None:
            return None
        user = found.user
        request.user = user
        request.api_token = found  # type: ignore[attr-defined]
        audit_context.identify(user.id, user.username, user.role or user.kind, user.organisation_id)
        return user


class SignedInSession(SessionAuth):
    """The browser session, with Django's CSRF check for unsafe methods.

    Without a signed-in session there is nothing for CSRF to protect, so such a request (say, with a
    wrong or expired token) is simply unauthenticated: 401, not a CSRF 403.
    """

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


api = NinjaAPI(
    title="Common Ground API",
    version="1",
    description="Patients, care teams and consents, through the same access gateway as the pages.",
    auth=[TokenAuth(), SignedInSession()],
    docs_url="/docs",
    urls_namespace="api",
)
api.add_router("/patients", patients_router)
api.add_router("/patients", careteam_router)
api.add_router("/patients", diary_router)
api.add_router("/fhir", fhir_router)


@api.get("/me", tags=["accounts"])
def me(request: HttpRequest) -> dict[str, Any]:
    user: Any = request.user
    return {
        "id": str(user.id),
        "username": user.username,
        "name": user.display_name,
        "kind": user.kind,
        "role": user.role,
    }


@api.exception_handler(StaleEdit)
def stale_edit(request: HttpRequest, error: StaleEdit) -> HttpResponse:
    return api.create_response(request, {"detail": error.message, "current_version": error.current.version}, status=409)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    location = ["body", error.field] if error.field else ["body"]
    return api.create_response(
        request, {"detail": [{"loc": location, "msg": error.message, "type": "value_error"}]}, status=422
    )


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": error.errors}, status=422)


@api.exception_handler(AuthenticationError)
def not_signed_in(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "Sign in or send a valid API token."}, status=401)
