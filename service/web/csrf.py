"""CSRF protection for the merchant page's form: a signed double-submit token.

A random token goes into a ``SameSite=Strict``, ``HttpOnly`` cookie, and the same token, signed with the
service's secret and timestamped, into a hidden form field. A POST is accepted only when the signature is
valid, not older than :data:`MAX_AGE_SECONDS`, and matches the cookie: another site can make a browser send
the cookie, but can neither read it nor forge the signed copy. No server-side session is needed, so any
worker can check a token another worker issued, as long as they share the secret.

Tokens are signed with a key derived from the current secret (:func:`service.secret.signing_keys`, as the
cache and the recorded ratings are), and one signed with a key derived from a secret listed in
``GREENRATE_PREVIOUS_SECRET_KEYS`` is still accepted: a page opened before a rotation's second roll, or
served by a machine not yet rolled, can still be submitted.
"""

from __future__ import annotations

import hmac
import re
import secrets

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from service.secret import SigningKeys, service_secret, signing_keys

COOKIE = "greenrate_csrf"
#: The form field the page sends its token in. Not the name of the releases before the vehicle groups
#: (:data:`LEGACY_FIELD`): during the deploy that brings the groups, a page served by the new release and
#: posted to a web worker of the release before was rated by it on its first group alone, the others
#: dropped without a word, and a click on "add another vehicle group" there rated the form as it stood
#: (that release reads neither). Without a token under the name it reads, such a worker refuses the form
#: as expired and shows the answers again (its groups visibly gone), so nothing is rated on part of them
#: (an SRE's review, H3).
FIELD = "form_token"
#: The field the pages of the releases before sent their token in: still taken, their forms hold one group.
LEGACY_FIELD = "csrf_token"
MAX_AGE_SECONDS = 2 * 3600
_SALT = "greenrate.merchant-page.csrf"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # what secrets.token_urlsafe(32) makes


#: The purpose the tokens' keys are derived for (:func:`service.secret.derived_key`).
PURPOSE = "page-csrf"


def page_keys() -> SigningKeys:
    """The tokens' keys: from GREENRATE_SECRET_KEY (else the per-machine key in the instance directory)
    and GREENRATE_PREVIOUS_SECRET_KEYS, the settings every other signature reads (resolved once per app)."""
    cached: SigningKeys | None = current_app.extensions.get("greenrate.page_keys")
    if cached is None:
        settings = current_app.config["GREENRATE_SETTINGS"]
        secret = service_secret(settings.secret_key, settings.instance_dir)
        cached = signing_keys(PURPOSE, secret, settings.previous_secret_keys)
        current_app.extensions["greenrate.page_keys"] = cached
    return cached


def _serializer() -> URLSafeTimedSerializer:
    """Signs with the current key; checks with it, then the previous ones (itsdangerous: newest last)."""
    keys = page_keys()
    held = [k.secret for k in reversed(keys.previous)] + [keys.current.secret]
    return URLSafeTimedSerializer(held, salt=_SALT)


def issue() -> tuple[str, str]:
    """The (cookie value, signed form value) pair: the browser's token is kept, so two open tabs both work."""
    current = request.cookies.get(COOKIE, "")
    raw = current if _TOKEN.fullmatch(current) else secrets.token_urlsafe(32)
    return raw, _serializer().dumps(raw)


def set_cookie(response: Response, raw: str) -> None:
    response.set_cookie(
        COOKIE,
        raw,
        max_age=MAX_AGE_SECONDS,
        httponly=True,
        samesite="Strict",
        secure=request.is_secure,
        path="/",
    )


def valid() -> bool:
    """Whether this POST carries a signed token that matches its cookie and has not expired."""
    cookie = request.cookies.get(COOKIE, "")
    signed = request.form.get(FIELD, "") or request.form.get(LEGACY_FIELD, "")
    if not cookie or not signed:
        return False
    try:
        raw = _serializer().loads(signed, max_age=MAX_AGE_SECONDS)
    except BadSignature:  # also SignatureExpired, its subclass
        return False
    return isinstance(raw, str) and hmac.compare_digest(raw, cookie)
