"""A minimal browser-like HTTP client: one cookie jar (one session), http.client, 127.0.0.1 only."""

from __future__ import annotations

import http.client
import re
import uuid
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RUN_URL = re.compile(r"^/runs/(\d+)/$")
JOB_URL = re.compile(r"^/import/(\d+)/$")


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

    def request(
        self,
        method: str,
        path: str,
        form: dict | None = None,
        *,
        files: list[tuple[str, str, bytes]] | None = None,
        headers: dict | None = None,
    ) -> Response:
        """`form` as application/x-www-form-urlencoded, or with `files` ((field, filename,
        bytes), as a file input sends them) as multipart/form-data."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            headers = {"Accept": "text/html", "Accept-Encoding": "identity", **(headers or {})}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            body = None
            if files is not None:
                body, headers["Content-Type"] = multipart(form or {}, files)
            elif form is not None:
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

    def get(self, path: str, headers: dict | None = None) -> Response:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, form: dict) -> Response:
        return self.request("POST", path, {"csrfmiddlewaretoken": self.token, **form})

    def post_files(
        self, path: str, files: list[tuple[str, str, bytes]], form: dict | None = None
    ) -> Response:
        return self.request("POST", path, {"csrfmiddlewaretoken": self.token, **(form or {})}, files=files)

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


def multipart(form: dict, files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body and its Content-Type, as a browser sends a file input."""
    boundary = "----aftermath-load-" + uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in form.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for field, filename, data in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def job_id(response: Response) -> int | None:
    """The import job an upload started: a 302 to /import/<id>/, else None."""
    if response.status != 302:
        return None
    match = JOB_URL.match(response.location)
    return int(match.group(1)) if match else None


def run_id(response: Response) -> int | None:
    """The run a check-in POST acknowledged: a 302 to /runs/<id>/, else None."""
    if response.status != 302:
        return None
    match = RUN_URL.match(response.location)
    return int(match.group(1)) if match else None
