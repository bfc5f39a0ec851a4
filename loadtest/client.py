"""A minimal browser-like HTTP client: one cookie jar (one session), http.client, 127.0.0.1 only."""

from __future__ import annotations

import http.client
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RUN_URL = re.compile(r"^/runs/(\d+)/$")


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def location(self) -> str:
        return urlsplit(self.headers.get("Location", "")).path

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Client:
    def __init__(self, base_url: str, timeout: float = 30.0):
        parts = urlsplit(base_url)
        if parts.hostname != "127.0.0.1":
            raise ValueError("load traffic stays on 127.0.0.1")
        self.host, self.port = parts.hostname, parts.port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.token = ""

    def clone(self, base_url: str | None = None) -> Client:
        """Another client with the same session (e.g. on a second instance sharing the database)."""
        other = Client(base_url or f"http://{self.host}:{self.port}", self.timeout)
        other.cookies = dict(self.cookies)
        other.token = self.token
        return other

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            headers = {"Accept": "text/html", "Accept-Encoding": "identity"}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            body = None
            if form is not None:
                body = urlencode(form, doseq=True)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            data = raw.read()
            for header in raw.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(header)
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0" or morsel.value == "":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return Response(raw.status, raw.headers, data)
        finally:
            conn.close()

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, form: dict) -> Response:
        return self.request("POST", path, {"csrfmiddlewaretoken": self.token, **form})

    def refresh_token(self, path: str = "/checkin/") -> None:
        response = self.get(path)
        match = TOKEN.search(response.text)
        if response.status != 200 or not match:
            raise RuntimeError(f"no CSRF token on {path}: HTTP {response.status}")
        self.token = match.group(1)

    def login(self, email: str, password: str) -> None:
        """Through the log-in form, with its CSRF token, like a browser."""
        self.refresh_token("/accounts/login/")
        response = self.post("/accounts/login/", {"username": email, "password": password})
        if response.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"log-in failed for {email}: HTTP {response.status}")
        self.refresh_token("/checkin/")  # the token rotates at log-in


def run_id(response: Response) -> int | None:
    """The run a check-in POST acknowledged: a 302 to /runs/<id>/, else None."""
    if response.status != 302:
        return None
    match = RUN_URL.match(response.location)
    return int(match.group(1)) if match else None
