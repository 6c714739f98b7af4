"""Booking's own error answers, beside the platform's problem handlers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy.exc import IntegrityError

from booking.service.integrity import unknown_reference
from clinic_platform.errors import problem_response


async def _integrity_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, IntegrityError)
    problem = unknown_reference(exc)
    if problem is None:
        raise exc  # not the caller's doing: the platform logs it and answers 500
    return problem_response(
        problem.status,
        problem.code,
        problem.title,
        problem.detail,
        instance=request.url.path,
        field=problem.field,
    )


def install_integrity_problems(app: FastAPI) -> None:
    """An unknown id the use cases' checks missed is still a 422 naming the field."""
    app.add_exception_handler(IntegrityError, _integrity_error)
