"""ProblemJson answers ({title, status, detail}), the error body of every GPD API."""

from __future__ import annotations

import json
from dataclasses import dataclass

BAD_REQUEST = "BAD REQUEST"
TITLES = {
    400: BAD_REQUEST,
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT FOUND",
    405: "METHOD NOT ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD TOO LARGE",
    415: "UNSUPPORTED MEDIA TYPE",
    422: "UNPROCESSABLE ENTITY",
    429: "TOO MANY REQUESTS",
    500: "INTERNAL SERVER ERROR",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """An answer that is a ProblemJson: its HTTP status, title and detail, and the headers its status calls
    for (a 405's Allow)."""

    status: int
    title: str
    detail: str
    headers: tuple[tuple[str, str], ...] = ()

    def body(self) -> bytes:
        """The ProblemJson document."""
        return problem_body(self.status, self.title, self.detail)


def problem(status: int, detail: str, title: str | None = None) -> Problem:
    """A Problem with the usual title of its status unless one is given."""
    return Problem(status, title or TITLES.get(status, "ERROR"), detail)


def problem_body(status: int, title: str, detail: str) -> bytes:
    """{title, status, detail} as JSON bytes."""
    return json.dumps({"title": title, "status": status, "detail": detail}, ensure_ascii=False).encode()


class Refused(Exception):
    """The model refuses an action (the control API's pay, a store conflict): the Problem to answer."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.detail)
        self.problem = problem
