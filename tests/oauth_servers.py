"""A local OAuth2 authority (HTTPS, test CA), Dovecot with an oauth2 passdb, and an SMTP
server that takes AUTH XOAUTH2: every sign-in path of mailbaton runs against them offline."""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from servers import DovecotServer, ReceivedMail, mailbox_owner

from mailbaton.app.sandbox import free_port

TENANT = "contoso.onmicrosoft.com"
CLIENT_ID = "11111111-2222-3333-4444-555555555555"
MAILBOX = "baton@example.com"


# -- a test CA and certificates ----------------------------------------------------------


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem_key(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _certificate(
    subject: str, key: rsa.RSAPrivateKey, issuer: tuple[x509.Name, rsa.RSAPrivateKey] | None
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    issuer_name, signer = issuer or (name, key)
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
    )
    if issuer is None:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
    else:
        import ipaddress

        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            False,
        )
    return builder.sign(signer, hashes.SHA256())


@dataclass
class TestCA:
    """A CA made for one test run; `ca_file` is what a user would hand over as the corporate CA."""

    folder: Path
    ca_file: Path = field(init=False)
    server_cert: Path = field(init=False)
    server_key: Path = field(init=False)

    def __post_init__(self) -> None:
        ca_key = _key()
        ca = _certificate("mailbaton test CA", ca_key, None)
        server_key = _key()
        server = _certificate("127.0.0.1", server_key, (ca.subject, ca_key))
        self.ca_file = self.folder / "ca.pem"
        self.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        self.server_cert = self.folder / "server.pem"
        self.server_cert.write_bytes(server.public_bytes(serialization.Encoding.PEM))
        self.server_key = self.folder / "server.key"
        self.server_key.write_text(_pem_key(server_key))


def app_certificate(folder: Path) -> tuple[Path, str]:
    """A self-signed app certificate as an admin uploads to Entra: (key+cert PEM, cert PEM)."""
    key = _key()
    cert = _certificate("mailbaton app", key, None).public_bytes(serialization.Encoding.PEM)
    path = folder / "app-cert.pem"
    path.write_text(_pem_key(key) + cert.decode())
    return path, cert.decode()


def service_account_file(folder: Path, token_uri: str) -> tuple[Path, Any]:
    """A Google service account key whose token_uri is the local authority."""
    key = _key()
    info = {
        "type": "service_account",
        "project_id": "mailbaton-test",
        "private_key_id": secrets.token_hex(20),
        "private_key": _pem_key(key),
        "client_email": "mailbaton@mailbaton-test.iam.gserviceaccount.com",
        "client_id": "1234567890",
        "token_uri": token_uri,
    }
    path = folder / "service-account.json"
    path.write_text(json.dumps(info))
    return path, key.public_key()


# -- the token authority -----------------------------------------------------------------

APP = "(the app)"  # the subject of a client-credentials token: the app itself


@dataclass
class Issued:
    user: str
    expires: float  # time.monotonic()
    revoked: bool = False


def _b64url(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


class Authority:
    """Microsoft's and Google's token endpoints as far as msal and google-auth use them,
    plus the introspection endpoint Dovecot asks. Tokens live `lifetime` seconds."""

    def __init__(self, folder: Path, lifetime: float = 3600.0) -> None:
        self.folder = folder
        self.ca = TestCA(folder)
        self.lifetime = lifetime
        self.client_secret = "cs~" + secrets.token_urlsafe(24)
        self.secret_expired = False
        self.app_certificate: str | None = None
        self.app_mailboxes = {MAILBOX}  # Add-MailboxPermission: the app may open these
        self.service_account_key: Any = None
        self.delegated_users = {MAILBOX}  # domain-wide delegation: the service account may act
        self.device_user = MAILBOX  # who "signs in" at the device-code page
        self.tokens: dict[str, Issued] = {}
        self.refresh_tokens: dict[str, str] = {}
        self.device_codes: dict[str, str] = {}
        self.grants: list[str] = []  # grant_type of every token request, in order
        self.lock = threading.Lock()
        self._https = self._serve(tls=True)
        self._http = self._serve(tls=False)

    # -- what the tests read and change --

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self._https.server_address[1]}"

    @property
    def google_token_uri(self) -> str:
        return f"{self.base}/google/token"

    @property
    def introspection_url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}/introspect"

    def revoke_all(self) -> None:
        """Every token issued so far stops working (refresh tokens too)."""
        with self.lock:
            for issued in self.tokens.values():
                issued.revoked = True
            self.refresh_tokens.clear()

    def user_of(self, token: str) -> str | None:
        """Whose mailbox this token opens, if it is still good."""
        with self.lock:
            issued = self.tokens.get(token)
            if issued is None or issued.revoked or time.monotonic() >= issued.expires:
                return None
            if issued.user == APP:
                return next(iter(sorted(self.app_mailboxes)), None)
            return issued.user

    def issued(self) -> int:
        return len(self.tokens)

    def close(self) -> None:
        for server in (self._https, self._http):
            server.shutdown()
            server.server_close()

    # -- issuing --

    def _issue(self, user: str, refresh: bool = False) -> dict[str, Any]:
        token = "at." + secrets.token_urlsafe(32)
        with self.lock:
            self.tokens[token] = Issued(user, time.monotonic() + self.lifetime)
        answer: dict[str, Any] = {
            "token_type": "Bearer",
            "access_token": token,
            "expires_in": int(self.lifetime),
        }
        if refresh:
            refresh_token = "rt." + secrets.token_urlsafe(32)
            with self.lock:
                self.refresh_tokens[refresh_token] = user
            answer["refresh_token"] = refresh_token
            answer["id_token"] = self._id_token(user)
            answer["client_info"] = _b64url({"uid": "uid-" + user, "utid": "tid"})
        return answer

    def _id_token(self, user: str) -> str:
        now = int(time.time())
        claims = {
            "iss": f"{self.base}/{TENANT}/v2.0",
            "aud": CLIENT_ID,
            "sub": "sub-" + user,
            "oid": "uid-" + user,
            "tid": "tid",
            "preferred_username": user,
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
        }
        return jwt.encode(claims, "not-checked-by-msal-key-000000000", algorithm="HS256")

    def _serve(self, tls: bool) -> ThreadingHTTPServer:
        authority = self

        class Handler(_Handler):
            owner = authority

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.ca.server_cert, self.ca.server_key)
            server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server


def _error(code: str, description: str, aadsts: int | None = None) -> tuple[int, dict[str, Any]]:
    body: dict[str, Any] = {"error": code, "error_description": description}
    if aadsts is not None:
        body["error_description"] = f"AADSTS{aadsts}: {description}"
        body["error_codes"] = [aadsts]
    return (401 if code == "invalid_client" else 400), body


class _Handler(BaseHTTPRequestHandler):
    owner: Authority

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: pytest shows failures, not every request."""

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        path = urlparse(self.path).path
        base = f"{self.owner.base}/{TENANT}"
        if path == f"/{TENANT}/v2.0/.well-known/openid-configuration":
            self._send(
                200,
                {
                    "issuer": f"{base}/v2.0",
                    "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                    "token_endpoint": f"{base}/oauth2/v2.0/token",
                    "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                },
            )
            return
        self._send(404, {"error": "not_found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        path = urlparse(self.path).path
        routes = {
            f"/{TENANT}/oauth2/v2.0/token": self._microsoft_token,
            f"/{TENANT}/oauth2/v2.0/devicecode": self._device_code,
            "/google/token": self._google_token,
            "/introspect": self._introspect,
        }
        route = routes.get(path)
        if route is None:
            self._send(404, {"error": "not_found"})
            return
        status, body = route(form)
        self._send(status, body)

    def _microsoft_token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        owner, grant = self.owner, form.get("grant_type", "")
        owner.grants.append(grant)
        if form.get("client_id") != CLIENT_ID:
            return _error(
                "unauthorized_client", f"Application {form.get('client_id')} not found", 700016
            )
        if grant == "client_credentials":
            problem = self._client_proof(form)
            return problem or (200, owner._issue(APP))
        if grant == "refresh_token":
            user = owner.refresh_tokens.pop(form.get("refresh_token", ""), None)
            if user is None:
                return _error("invalid_grant", "The provided grant has been revoked.", 50173)
            return 200, owner._issue(user, refresh=True)
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            user = owner.device_codes.pop(form.get("device_code", ""), None)
            if user is None:
                return _error("expired_token", "The device code has expired.", 70020)
            return 200, owner._issue(user, refresh=True)
        return _error("unsupported_grant_type", grant)

    def _client_proof(self, form: dict[str, str]) -> tuple[int, dict[str, Any]] | None:
        owner = self.owner
        if "client_assertion" in form:
            if owner.app_certificate is None:
                return _error("invalid_client", "No certificate registered.", 700027)
            cert = x509.load_pem_x509_certificate(owner.app_certificate.encode())
            try:
                jwt.decode(
                    form["client_assertion"],
                    cert.public_key(),  # type: ignore[arg-type]
                    algorithms=["RS256", "PS256"],
                    options={"verify_aud": False},
                )
            except jwt.PyJWTError:
                return _error("invalid_client", "Client assertion signature invalid.", 700027)
            return None
        if form.get("client_secret") != owner.client_secret:
            return _error("invalid_client", "Invalid client secret provided.", 7000215)
        if owner.secret_expired:
            return _error("invalid_client", "The provided client secret keys are expired.", 7000222)
        return None

    def _device_code(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        code = secrets.token_urlsafe(16)
        user_code = secrets.token_hex(4).upper()
        # The person at the browser signs in at once: the first poll gets the tokens.
        self.owner.device_codes[code] = self.owner.device_user
        url = f"{self.owner.base}/devicelogin"
        return 200, {
            "device_code": code,
            "user_code": user_code,
            "verification_uri": url,
            "expires_in": 900,
            "interval": 1,
            "message": f"To sign in, open {url} and enter the code {user_code}.",
        }

    def _google_token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        owner, grant = self.owner, form.get("grant_type", "")
        owner.grants.append(grant)
        if grant == "refresh_token":
            user = owner.refresh_tokens.get(form.get("refresh_token", ""))
            if user is None:
                return 400, {
                    "error": "invalid_grant",
                    "error_description": "Token has been expired or revoked.",
                }
            return 200, owner._issue(user) | {"scope": "https://mail.google.com/"}
        try:
            claims = jwt.decode(
                form.get("assertion", ""),
                owner.service_account_key,
                algorithms=["RS256"],
                # google-auth signs for Google's endpoint whatever token_uri says.
                audience=[owner.google_token_uri, "https://oauth2.googleapis.com/token"],
            )
        except jwt.PyJWTError:
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        if "https://mail.google.com/" not in claims.get("scope", "").split():
            return 400, {"error": "invalid_scope", "error_description": "no scope"}
        if claims.get("sub") not in owner.delegated_users:
            return 401, {
                "error": "unauthorized_client",
                "error_description": "Client is unauthorized to retrieve access tokens using "
                "this method, or client not authorized for any of the scopes requested.",
            }
        return 200, owner._issue(str(claims["sub"]))

    def _introspect(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        user = self.owner.user_of(form.get("token", ""))
        if user is None:
            return 200, {"active": False}
        return 200, {"active": True, "username": user}


# -- Dovecot with an oauth2 passdb -------------------------------------------------------

OAUTH2_CONF = """\
introspection_mode = post
introspection_url = {url}
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
"""

# Appended to the harness's dovecot.conf: the password passdb stays first (the harness
# delivers and reads mail with it); a token fails it and goes on to the oauth2 passdb.
DOVECOT_EXTRA = """\
auth_mechanisms = plain login xoauth2 oauthbearer
# A refused token is answered sooner than after the usual 2 s: tests refuse many.
auth_failure_delay = 0
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {args}
}}
"""


def start_dovecot(authority: Authority) -> DovecotServer:
    """A private Dovecot that checks tokens at the authority's introspection endpoint."""
    folder = Path(tempfile.mkdtemp(prefix="mailbaton-oauth2-"))
    folder.chmod(0o755)  # Dovecot's auth process runs as its own user
    args = folder / "dovecot-oauth2.conf.ext"
    args.write_text(OAUTH2_CONF.format(url=authority.introspection_url))
    args.chmod(0o644)
    return DovecotServer.start(extra_conf=DOVECOT_EXTRA.format(args=args))


# -- SMTP with AUTH XOAUTH2 --------------------------------------------------------------


SMTP_AUTH_DISABLED = (
    "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
    "Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information."
)


class XOAuth2Handler:
    """Takes AUTH XOAUTH2 against the authority; delivers into Dovecot like the harness MTA."""

    def __init__(self, authority: Authority, dovecot: DovecotServer) -> None:
        self.authority = authority
        self.dovecot = dovecot
        self.sent: list[ReceivedMail] = []
        self.auth_lines: list[str] = []  # every AUTH argument the client sent, to look for leaks
        self.logins: list[tuple[str, bool]] = []
        self.tokens: dict[int, str] = {}  # id(session) -> the token it signed in with
        self.ended: int = 0  # sessions ended because their token ran out
        self.smtp_auth_disabled = False  # Set-CASMailbox -SmtpClientAuthenticationDisabled

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        encoded = args[1] if len(args) > 1 else ""
        if not encoded:
            raw = await server.challenge_auth("", encode_to_b64=False)
            encoded = raw.decode() if isinstance(raw, bytes) else ""
        self.auth_lines.append(encoded)
        text = base64.b64decode(encoded).decode(errors="replace")
        fields = dict(part.split("=", 1) for part in text.split("\x01") if "=" in part)
        user, bearer = fields.get("user", ""), fields.get("auth", "")
        token = bearer.removeprefix("Bearer ")
        ok = bool(token) and self.authority.user_of(token) == user
        self.logins.append((user, ok))
        if ok and self.smtp_auth_disabled:
            return AuthResult(success=False, handled=False, message=SMTP_AUTH_DISABLED)
        if not ok:
            # XOAUTH2: an error challenge, the client's empty answer, then 535.
            error = _b64url({"status": "401", "schemes": "bearer", "scope": "SMTP.Send"})
            await server.challenge_auth(error, encode_to_b64=False)
            return AuthResult(success=False, handled=False)
        self.tokens[id(server.session)] = token
        return AuthResult(success=True, auth_data=user)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        token = self.tokens.get(id(session), "")
        if self.authority.user_of(token) is None:
            # As Exchange Online does: a session outlives its token only so long.
            self.ended += 1
            return "421 4.7.0 Session invalidated: the access token has expired"
        raw = envelope.original_content or b""
        mail = ReceivedMail(envelope.mail_from or "", list(envelope.rcpt_tos), raw)
        self.sent.append(mail)
        for rcpt in mail.rcpt_tos:
            owner = mailbox_owner(rcpt)
            head = f"Return-Path: <{mail.mail_from}>\r\nDelivered-To: {owner}\r\n".encode()
            self.dovecot.deliver(head + raw, owner)
        return "250 2.0.0 OK delivered"


def start_smtp(authority: Authority, dovecot: DovecotServer) -> tuple[Controller, XOAuth2Handler]:
    handler = XOAuth2Handler(authority, dovecot)
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        auth_require_tls=False,
        auth_exclude_mechanism=["LOGIN", "PLAIN"],
    )
    controller.start()
    return controller, handler
