"""Changes to accounts: organisers and their API tokens."""
from __future__ import annotations

import hashlib
import secrets
import time

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from cafe.db import db
from cafe.errors import NotFound
from cafe.models import ApiToken, User
from cafe.setup_data import SetupError

MIN_PASSWORD = 10


def create_user(email: str, password: str, name: str = "") -> User:
    """Create an organiser account with a hashed password."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise SetupError(f"{email!r} is not an email address.")
    if len(password) < MIN_PASSWORD:
        raise SetupError(f"The password must be at least {MIN_PASSWORD} characters long.")
    if db.session.scalar(select(User).where(User.email == email)):
        raise SetupError(f"There is already an account for {email}.")
    user = User(email=email, name=name.strip(), password_hash=generate_password_hash(password))
    db.session.add(user)
    db.session.commit()
    return user


FAILURES_BEFORE_LOCK = 5


def record_login(user: User, ok: bool, *, lock_minutes: int) -> None:
    """Count a failed login (locking the account after several in a row), or clear the count on success."""
    if ok:
        user.failed_logins, user.locked_until = 0, None
    else:
        user.failed_logins += 1
        if user.failed_logins >= FAILURES_BEFORE_LOCK:
            user.failed_logins, user.locked_until = 0, time.time() + lock_minutes * 60
    db.session.commit()


def digest(token: str) -> str:
    """The stored form of an API token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(user: User, label: str = "") -> str:
    """Make an API token for an organiser; the token itself is shown once and only its digest kept."""
    token = "cafe_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, label=label.strip()[:80] or "API token", digest=digest(token)))
    db.session.commit()
    return token


def revoke_api_token(user: User, token_id: int) -> None:
    """Delete one of an organiser's API tokens; requests bearing it are refused from now on."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("There is no such API token.")
    db.session.delete(token)
    db.session.commit()


def user_for_token(token: str) -> User | None:
    """The organiser an API token belongs to, if it is valid."""
    found = db.session.scalar(select(ApiToken).where(ApiToken.digest == digest(token)))
    return found.user if found else None
