# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fake transport for unit tests: real requests.Session and Response objects, canned answers, every request recorded."""

from __future__ import annotations

import io
import json
from typing import NamedTuple
from urllib.parse import parse_qsl, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.response import HTTPResponse


class Call(NamedTuple):
    """One request as the transport saw it."""

    request: requests.PreparedRequest
    timeout: object
    verify: object
    proxies: dict

    @property
    def headers(self):
        return self.request.headers

    @property
    def url(self):
        return self.request.url

    @property
    def method(self):
        return self.request.method

    @property
    def body(self):
        return self.request.body

    @property
    def query(self) -> dict:
        return dict(parse_qsl(urlsplit(self.request.url).query, keep_blank_values=True))

    @property
    def path(self) -> str:
        return urlsplit(self.request.url).path


class FakeAdapter(BaseAdapter):
    """A transport adapter that records every request and plays back canned answers.

    Each answer is an exception instance (raised) or a (status, body bytes, headers dict) tuple.
    """

    def __init__(self, answers):
        super().__init__()
        self.answers = list(answers)
        self.calls = []

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):  # pylint: disable=too-many-arguments
        self.calls.append(Call(request, timeout, verify, dict(proxies or {})))
        if not self.answers:
            raise AssertionError(f"unexpected request #{len(self.calls)}: {request.method} {request.url}")
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        status, body, headers = answer
        return canned_response(request, status, body if isinstance(body, bytes) else json.dumps(body).encode(), headers)

    def close(self):
        pass


def canned_response(request, status: int, body: bytes, headers=None) -> requests.Response:
    """A Response as a real adapter returns it with stream=True: the transport reads its body from `raw` in chunks."""
    response = requests.Response()
    response.status_code = status
    response.raw = HTTPResponse(body=io.BytesIO(body), headers=dict(headers or {}), status=status, preload_content=False, decode_content=False)
    response.headers = CaseInsensitiveDict(headers or {})
    response.request = request
    response.url = getattr(request, "url", None)
    response.reason = "canned"
    return response
