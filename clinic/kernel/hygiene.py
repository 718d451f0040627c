"""Input hygiene: a request carrying a NUL character or text that is not valid UTF-8 is answered
400, with a page that says which field and what to do, before any view, form or query sees it.

Why one middleware rather than care in each view: PostgreSQL refuses NUL in text (psycopg
raises, which was a 500 on every path that reads a value past a form: the client picker's query
string, the quick line's override reasons, the session cookie), and Django decodes invalid
UTF-8 into U+FFFD without a word, so a mangled value would be stored as if it had been typed.
Forms already refuse NUL (ProhibitNullCharactersValidator), but not every value goes through a
form, and a rule kept in one place can't be forgotten by the next view.

Checked: the path, every query-string and url-encoded form field (on the raw bytes, so an
invalid percent-escape or an encoded lone surrogate is caught before Django replaces it),
multipart fields and file names, cookies and headers. The middleware sits before the session,
so a poisoned session cookie never reaches the database either.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

NUL = "\x00"
FORM_URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


class BadInput(Exception):
    """A value the clinic can't accept: `where` names the field (never the value)."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{problem} in {where}")
        self.where = where
        self.problem = problem


def _decode(raw: bytes, where: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(where, "text that is not valid UTF-8") from exc
    if NUL in text:
        raise BadInput(where, "a NUL character")
    return text


def check_urlencoded(raw: bytes, kind: str) -> None:
    """Each `name=value` pair of a query string or url-encoded body, decoded strictly."""
    for pair in raw.split(b"&"):
        if not pair:
            continue
        name_raw, _, value_raw = pair.partition(b"=")
        name_bytes = unquote_to_bytes(name_raw.replace(b"+", b" "))
        name = _decode(name_bytes, f"a {kind} field name")
        _decode(unquote_to_bytes(value_raw.replace(b"+", b" ")), f"the {kind} field “{name}”")


def _raw_query_string(request: HttpRequest) -> bytes:
    # WSGI hands the query string over as latin-1 text of the raw bytes (PEP 3333).
    query = request.META.get("QUERY_STRING", "")
    try:
        return query.encode("iso-8859-1")
    except UnicodeEncodeError:
        return query.encode("utf-8", "surrogateescape")


def _check_text(value: str, where: str) -> None:
    if NUL in value:
        raise BadInput(where, "a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate
        raise BadInput(where, "text that is not valid UTF-8") from exc


def _named_values(request: HttpRequest) -> Iterator[tuple[str, str]]:
    yield "the address", request.path_info
    for name, value in request.COOKIES.items():
        yield f"the cookie “{name}”", value
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str):
            yield f"the header “{key[5:].replace('_', '-').title()}”", value


def check_request(request: HttpRequest) -> None:
    """Raise BadInput for the first unacceptable value of the request."""
    for where, value in _named_values(request):
        if NUL in value:
            raise BadInput(where, "a NUL character")
    check_urlencoded(_raw_query_string(request), "query")
    if request.method != "POST":
        return
    content_type = request.content_type or ""
    if content_type == FORM_URLENCODED:
        check_urlencoded(request.body, "form")
    elif content_type == MULTIPART:
        # Django has decoded multipart text already (invalid bytes become U+FFFD): NUL and lone
        # surrogates are what is left to catch.
        for name, values in request.POST.lists():
            _check_text(name, "a form field name")
            for value in values:
                _check_text(value, f"the form field “{name}”")
        for name, files in request.FILES.lists():
            for upload in files:
                _check_text(upload.name or "", f"the name of the file sent as “{name}”")


def bad_input_response(request: HttpRequest, error: BadInput) -> HttpResponse:
    """The site's 400 page, or for htmx the message alone (it is swapped into the page)."""
    template = "_bad_input.html" if request.headers.get("HX-Request") == "true" else "400.html"
    context = {"where": error.where, "problem": error.problem}
    return HttpResponse(render_to_string(template, context, request=request), status=400)


class InputHygieneMiddleware:
    """Answer 400 to a request holding NUL or undecodable text; see the module's docstring."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_request(request)
        except BadInput as error:
            logger.info("Refused a request with %s", error)
            return bad_input_response(request, error)
        return self.get_response(request)
