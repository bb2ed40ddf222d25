"""Server-side idle timeout and absolute session lifetime. Background polling never counts as activity."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from commonground.accounts.services import SESSION_LAST_ACTIVE_AT, SESSION_LOGIN_AT, end_session
from commonground.audit.choices import Action
from commonground.kit import clock
from commonground.kit.http import SIGNED_OUT_BEFORE_SAVING, is_background_poll, return_path, sent_a_form

ACTIVITY_RESOLUTION_SECONDS = 30


class SessionExpiryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = clock.now().timestamp()
            if SESSION_LOGIN_AT not in request.session:
                # A session made some other way than our sign-in still gets the clock: from now.
                request.session[SESSION_LOGIN_AT] = now
                request.session[SESSION_LAST_ACTIVE_AT] = now
            if self._expired(request, now):
                end_session(request, action=Action.SESSION_EXPIRED)
                return self._signed_out(request)
            last_active = float(request.session.get(SESSION_LAST_ACTIVE_AT, 0))
            # Written at most every half minute: activity, not a session write per request.
            if not is_background_poll(request) and now - last_active > ACTIVITY_RESOLUTION_SECONDS:
                request.session[SESSION_LAST_ACTIVE_AT] = now
        return self.get_response(request)

    @staticmethod
    def _expired(request: HttpRequest, now: float) -> bool:
        idle = now - float(request.session.get(SESSION_LAST_ACTIVE_AT, 0))
        age = now - float(request.session.get(SESSION_LOGIN_AT, 0))
        return idle > settings.SESSION_IDLE_MINUTES * 60 or age > settings.SESSION_ABSOLUTE_HOURS * 3600

    @staticmethod
    def _signed_out(request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") or request.headers.get("HX-Request"):
            return JsonResponse({"detail": "Your session has ended. Please sign in again."}, status=401)
        if sent_a_form(request):
            messages.info(request, SIGNED_OUT_BEFORE_SAVING)
        else:
            messages.info(request, _("You were signed out to protect your information. Please sign in again."))
        return redirect_to_login(return_path(request))
