"""The Mini App API's errors: a status, a code for the page, a friendly text for the person."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response


class ApiError(Exception):
    """Answered as `{"error": code, "message": message}` with `status`; never a stack trace."""

    def __init__(self, status: int, code: str, message: str = "") -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message


async def on_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    body = {"error": exc.code, "message": exc.message}
    return JSONResponse(body, status_code=exc.status)
