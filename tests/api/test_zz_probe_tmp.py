import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("cookie", ['cg_session="abcdefgh\\000ij"', "cg_session=" + "a" * 300, 'cg_csrf="ab\\000c"'])
def test_probe_cookie(therapist, cookie):
    c = Client(HTTP_COOKIE=cookie)
    c.raise_request_exception = False
    r1 = c.get("/api/me")
    r2 = c.post("/api/patients", {}, content_type="application/json")
    r3 = c.get("/clinician/")
    print("COOKIE", cookie[:30], r1.status_code, r2.status_code, r3.status_code)


@pytest.mark.parametrize("auth", ["Bearer cg_\x00abc", "Bearer cg_" + "\u00ff" * 5])
def test_probe_auth(therapist, auth):
    c = Client(HTTP_AUTHORIZATION=auth)
    c.raise_request_exception = False
    print("AUTH", repr(auth[:12]), c.get("/api/me").status_code)


def test_probe_query_nul(api_as, therapist):
    c = api_as(therapist)
    c.raise_request_exception = False
    print("QUERY", c.get("/api/patients?search=a%00b").status_code, c.get("/api/patients?limit=1%00").status_code)
