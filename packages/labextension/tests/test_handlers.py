"""The /mdlma/api/ handlers answer authenticated requests and refuse the rest."""
import requests

from conftest import TOKEN

AUTH = {"Authorization": f"token {TOKEN}"}


def test_version_answers_an_authenticated_request_with_both_versions(server):
    response = requests.get(server + "mdlma/api/version", headers=AUTH, timeout=30)
    assert response.status_code == 200
    body = response.json()
    assert body["mdlma_lab"] == "0.1.0"
    # Read from the mdlma CLI of @mdlma/kernel: the server extension holds no logic of its own.
    assert body["kernel_lib"] == {"name": "@mdlma/kernel", "version": "0.1.0"}


def test_unauthenticated_requests_are_refused(server):
    assert requests.get(server + "mdlma/api/version", timeout=10).status_code == 403
    response = requests.post(server + "mdlma/api/echo", json={"a": 1}, timeout=10)
    assert response.status_code == 403
    wrong = requests.get(server + "mdlma/api/version", headers={"Authorization": "token wrong"}, timeout=10)
    assert wrong.status_code == 403


def test_token_authenticated_post_is_answered(server):
    response = requests.post(server + "mdlma/api/echo", json={"volume": "a/b"}, headers=AUTH, timeout=10)
    assert response.status_code == 200
    assert response.json() == {"echo": {"volume": "a/b"}}


def test_cookie_session_post_needs_the_xsrf_token(server):
    browser = requests.Session()
    # Logging in with the token sets the login cookie and the _xsrf cookie, as in a browser.
    assert browser.get(server + f"lab?token={TOKEN}", timeout=30).status_code == 200
    assert "_xsrf" in browser.cookies
    missing = browser.post(server + "mdlma/api/echo", json={"x": 1}, timeout=10)
    assert missing.status_code == 403, "a cross-site POST without the XSRF token must be refused"
    ok = browser.post(
        server + "mdlma/api/echo", json={"x": 1}, headers={"X-XSRFToken": browser.cookies["_xsrf"]}, timeout=10
    )
    assert ok.status_code == 200 and ok.json() == {"echo": {"x": 1}}


def test_a_body_that_is_not_utf8_is_refused_with_400(server):
    # Before: 500 (UnicodeDecodeError in Jupyter's get_json_body).
    response = requests.post(server + "mdlma/api/echo", data=b'{"volume": "\xff"}', headers=AUTH, timeout=10)
    assert response.status_code == 400
    assert "not UTF-8" in response.json()["message"]
