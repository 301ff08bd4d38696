"""Pages (everything outside /api/) answer a body over the upload limit with a short HTML page: the limit,
how to make the file smaller, and a link back to the page the form was on. The API keeps its JSON."""

from __future__ import annotations

import html
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from footchain.web.limits import back_link
from tests.live import serving
from tests.web.test_api_limits import LIMIT, PART_HEAD, read_response, small_limit_app, stored_rows

BIG_PHOTO = ("big.jpg", b"\xff\xd8\xff" + bytes(LIMIT))


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[tuple[FastAPI, TestClient]]:
    app = small_limit_app(tmp_path)
    with TestClient(app) as client:
        client.get("/assess")  # a draft, as a person on the footprint step has
        yield app, client


def back_href(page: str) -> str:
    match = re.search(r'<a class="button primary" href="([^"]*)">Go back', page)
    assert match, "the page has no link back"
    return html.unescape(match.group(1))


def test_a_photo_over_the_limit_gets_a_page_naming_the_limit_and_the_way_back(
    limited: tuple[FastAPI, TestClient],
) -> None:
    app, client = limited
    response = client.post(
        "/assess/footprint",
        data={"action": "upload"},
        files={"files": BIG_PHOTO},
        headers={"Referer": "http://testserver/assess/footprint?from=photo&x=1"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    assert page.startswith("<!doctype html>") and '<link rel="stylesheet" href="/static/site.css">' in page
    assert "larger than this server's limit of 1 MB" in page
    assert "A phone photo at normal quality is 2–6 MB" in page
    assert back_href(page) == "/assess/footprint?from=photo&x=1"
    assert '"detail"' not in page
    assert stored_rows(app) == 0


@pytest.mark.parametrize(
    "referer",
    [
        "",  # none sent
        "https://elsewhere.example/assess/footprint",  # another site
        "https://testserver/assess/footprint",  # another scheme: not the same origin
        "http://testserver//elsewhere.example/x",  # a path that a browser would read as another host
        "not a url",
    ],
)
def test_without_a_same_site_referer_the_link_goes_to_the_start(
    limited: tuple[FastAPI, TestClient], referer: str
) -> None:
    _app, client = limited
    headers = {"Referer": referer} if referer else {}
    response = client.post("/assess/gait", files={"files": BIG_PHOTO}, headers=headers)
    assert response.status_code == 413
    assert back_href(response.text) == "/assess"


def test_a_streamed_page_upload_is_refused_with_the_page_too(limited: tuple[FastAPI, TestClient]) -> None:
    app, client = limited

    def body() -> Iterator[bytes]:
        yield PART_HEAD
        for _ in range(20):
            yield b"1.0\t2.0\n" * 12_500

    response = client.post(
        "/assess/gait",
        content=body(),
        headers={
            "Content-Type": "multipart/form-data; boundary=x",
            "Referer": "http://testserver/assess/gait",
        },
    )
    assert response.status_code == 413 and response.headers["content-type"].startswith("text/html")
    assert "limit of 1 MB" in response.text and back_href(response.text) == "/assess/gait"
    assert stored_rows(app) == 0


def test_the_api_keeps_json_with_the_same_referer(limited: tuple[FastAPI, TestClient]) -> None:
    _app, client = limited
    response = client.post(
        "/api/v1/footprints",
        files={"file": BIG_PHOTO},
        headers={"Referer": "http://testserver/assess/footprint"},
    )
    assert response.status_code == 413 and response.headers["content-type"] == "application/json"
    assert "limit of 1 MB" in response.json()["detail"]


def test_markup_in_the_referer_stays_text(limited: tuple[FastAPI, TestClient]) -> None:
    _app, client = limited
    response = client.post(
        "/assess/footprint",
        files={"files": BIG_PHOTO},
        headers={"Referer": 'http://testserver/assess/footprint?x="><script>alert(1)</script>'},
    )
    assert response.status_code == 413
    assert "<script>alert(1)" not in response.text
    assert back_href(response.text) == '/assess/footprint?x="><script>alert(1)</script>'


def test_a_real_server_answers_a_promised_huge_page_post_with_the_page(tmp_path: Path) -> None:
    app = small_limit_app(tmp_path)
    with serving(app) as (host, port), socket.create_connection((host, port)) as sock:
        sock.sendall(
            b"POST /assess/footprint HTTP/1.1\r\nHost: %s:%d\r\n"
            b"Referer: http://%s:%d/assess/footprint\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 104857600\r\n\r\n"
            % (host.encode(), port, host.encode(), port)
        )  # none of the promised 100 MB is sent: the page must come anyway
        response = read_response(sock)
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 ") and b"content-type: text/html; charset=utf-8" in head.lower()
    page = body.decode()
    assert "limit of 1 MB" in page and back_href(page) == "/assess/footprint"
    assert stored_rows(app) == 0


def test_back_link_keeps_only_a_same_site_path() -> None:
    scope = {"type": "http", "scheme": "http", "headers": [(b"host", b"Example.org:8000")]}
    with_referer = {**scope, "headers": [*scope["headers"], (b"referer", b"http://example.org:8000/a/b?c=1")]}
    assert back_link(with_referer) == "/a/b?c=1"
    other_port = {**scope, "headers": [*scope["headers"], (b"referer", b"http://example.org:9000/a")]}
    assert back_link(other_port) == "/assess"
    no_host = {"type": "http", "scheme": "http", "headers": [(b"referer", b"http://example.org/a")]}
    assert back_link(no_host) == "/assess"
