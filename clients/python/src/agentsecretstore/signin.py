"""Signing in a person with the organisation's identity provider, for the approver CLI.

``agentsecretstore login`` runs the OAuth 2.0 device authorization grant (RFC 8628): it asks the
provider for a code, prints where to enter it, and polls until the person has signed in in a browser.
The tokens are kept in ``$XDG_CONFIG_HOME/agentsecretstore/tokens.json`` (``~/.config/...`` when
unset), a file only its owner can read (0600, in a 0700 directory), written whole or not at all.
Commands then use the access token, refreshed with the refresh token when it is about to expire;
``logout`` revokes the refresh token at the provider (best effort) and deletes the file.

Standard library only. Token values never appear in messages, exceptions or ``repr``.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Dict, Optional, TextIO

from .errors import ConfigurationError

DEFAULT_CLIENT_ID = "agent-secret-store-cli"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
#: Refresh when the access token has less than this many seconds left.
REFRESH_MARGIN_SECONDS = 30


class SignInError(Exception):
    """Signing in, refreshing or signing out failed; the message is fit to show."""


def config_dir() -> str:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "agentsecretstore")


def token_file() -> str:
    return os.path.join(config_dir(), "tokens.json")


def _post_form(url: str, fields: Dict[str, str], timeout: float) -> Dict[str, Any]:
    """POSTs a form; returns the JSON body of 2xx and of OAuth error answers (which carry ``error``)."""
    data = urllib.parse.urlencode(fields).encode("ascii")
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
            return json.loads(body) if body else {}
    except urllib.error.HTTPError as e:
        try:
            answer = json.loads(e.read() or b"{}")
        except ValueError:
            answer = {}
        if isinstance(answer, dict) and answer.get("error"):
            return answer
        raise SignInError(f"the identity provider answered {e.code} at {url}") from None
    except (urllib.error.URLError, OSError) as e:
        raise SignInError(f"cannot reach the identity provider at {url}: {getattr(e, 'reason', e)}") from None


def _get_json(url: str, timeout: float) -> Dict[str, Any]:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as e:
        raise SignInError(f"{url} answered {e.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise SignInError(f"cannot read {url}: {getattr(e, 'reason', e)}") from None


def discover_issuer(base_url: str, timeout: float = 10.0) -> str:
    """The service's identity provider, as its ``/sso/status`` names it."""
    status = _get_json(base_url.rstrip("/") + "/sso/status", timeout)
    if not status.get("enabled") or not status.get("issuer"):
        raise SignInError("single sign-on is not enabled on this service; use an API key (ASS_API_KEY)")
    return str(status["issuer"])


def _metadata(issuer: str, timeout: float) -> Dict[str, Any]:
    meta = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration", timeout)
    for field in ("token_endpoint", "device_authorization_endpoint"):
        if not meta.get(field):
            raise SignInError(f"the identity provider does not offer {field.replace('_', ' ')}")
    return meta


def _write_private(path: str, data: Dict[str, Any]) -> None:
    """Writes the file whole (a temporary file renamed over it), readable by its owner only."""
    directory = os.path.dirname(path)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tokens-", dir=directory)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _stored(answer: Dict[str, Any], issuer: str, client_id: str, meta: Dict[str, Any], now: float) -> Dict[str, Any]:
    if not answer.get("access_token"):
        raise SignInError("the identity provider issued no access token")
    return {
        "issuer": issuer,
        "client_id": client_id,
        "token_endpoint": meta["token_endpoint"],
        "revocation_endpoint": meta.get("revocation_endpoint"),
        "access_token": answer["access_token"],
        "refresh_token": answer.get("refresh_token"),
        "expires_at": now + float(answer.get("expires_in") or 60),
    }


def login(issuer: str, client_id: str = DEFAULT_CLIENT_ID, *, out: TextIO, timeout: float = 10.0,
          sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time) -> str:
    """Runs the device grant, stores the tokens, returns the file's path."""
    meta = _metadata(issuer, timeout)
    device = _post_form(meta["device_authorization_endpoint"], {"client_id": client_id, "scope": "openid"}, timeout)
    if device.get("error"):
        raise SignInError(f"the identity provider refused the sign-in: {device.get('error_description') or device['error']}")
    for field in ("device_code", "user_code", "verification_uri"):
        if not device.get(field):
            raise SignInError(f"the identity provider's answer has no {field}")
    out.write(f"To sign in, open {device['verification_uri']} in a browser and enter the code {device['user_code']}\n")
    if device.get("verification_uri_complete"):
        out.write(f"(or open {device['verification_uri_complete']})\n")
    out.write("Waiting for you to sign in...\n")
    out.flush()
    interval = max(1.0, float(device.get("interval") or 5))
    deadline = clock() + float(device.get("expires_in") or 600)
    while clock() < deadline:
        sleep(interval)
        answer = _post_form(meta["token_endpoint"], {
            "grant_type": DEVICE_GRANT, "device_code": device["device_code"], "client_id": client_id}, timeout)
        error = answer.get("error")
        if error == "authorization_pending":
            continue
        if error == "slow_down":
            interval += 5
            continue
        if error == "access_denied":
            raise SignInError("the sign-in was declined in the browser")
        if error == "expired_token":
            break
        if error:
            raise SignInError(f"the identity provider refused the sign-in: {answer.get('error_description') or error}")
        path = token_file()
        _write_private(path, _stored(answer, issuer, client_id, meta, clock()))
        return path
    raise SignInError("the code expired before the sign-in finished; run login again")


def load() -> Optional[Dict[str, Any]]:
    """The stored tokens, or None when nobody is signed in."""
    path = token_file()
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        raise ConfigurationError(f"cannot read {path}: run 'agentsecretstore login' again") from None
    return data if isinstance(data, dict) and data.get("access_token") else None


def access_token(timeout: float = 10.0, clock: Callable[[], float] = time.time) -> Optional[str]:
    """A current access token from the stored sign-in (refreshed and stored when needed), or None."""
    data = load()
    if data is None:
        return None
    if float(data.get("expires_at") or 0) - clock() > REFRESH_MARGIN_SECONDS:
        return str(data["access_token"])
    if not data.get("refresh_token"):
        raise ConfigurationError("your sign-in has expired: run 'agentsecretstore login' again")
    answer = _post_form(data["token_endpoint"], {
        "grant_type": "refresh_token", "refresh_token": data["refresh_token"], "client_id": data["client_id"]}, timeout)
    if answer.get("error"):
        raise ConfigurationError("your sign-in has expired: run 'agentsecretstore login' again")
    refreshed = _stored(answer, data["issuer"], data["client_id"], data, clock())
    if not refreshed["refresh_token"]:
        refreshed["refresh_token"] = data["refresh_token"]
    _write_private(token_file(), refreshed)
    return str(refreshed["access_token"])


def logout(timeout: float = 10.0) -> bool:
    """Revokes the refresh token (best effort) and deletes the stored tokens; False when there were none."""
    path = token_file()
    data = None
    try:
        data = load()
    except ConfigurationError:
        pass
    if data and data.get("refresh_token") and data.get("revocation_endpoint"):
        try:
            _post_form(data["revocation_endpoint"], {"token": data["refresh_token"],
                       "token_type_hint": "refresh_token", "client_id": data["client_id"]}, timeout)
        except SignInError:
            pass
    try:
        os.unlink(path)
        return True
    except FileNotFoundError:
        return False
