"""CSRF protection on every form, the security headers on every response, and a cookie session the API never opens."""
from __future__ import annotations

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

csrf = CSRFProtect()
API_PATHS = "/api/"  # the API answers to bearer tokens only: it never opens the cookie session

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def init_app(app: Flask) -> None:
    """Protect forms and add the headers; cookies are HttpOnly and SameSite, and the API never opens them."""
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    if app.config["CAFE_PUBLIC_URL"].startswith("https://"):
        app.config.setdefault("SESSION_COOKIE_SECURE", True)
        app.config.setdefault("REMEMBER_COOKIE_SECURE", True)
    app.session_interface = CookieSessions()
    csrf.init_app(app)
    app.after_request(_add_headers)
    if proxies := app.config["CAFE_PROXY_COUNT"]:
        # Behind nginx: rate limits and logs see each phone's address, not the proxy's (trust only that many hops).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]


def _add_headers(response: Response) -> Response:
    """Set the security headers a response does not set itself."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except on the API: a phone's post there costs no signature check."""

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        """An empty session that is never saved on the API; elsewhere the signed cookie's."""
        if request.path.startswith(API_PATHS):
            return self.make_null_session(app)
        return super().open_session(app, request)
