"""The Mini App's Starlette app, mounted at /app by the webhook server and, in polling mode, by
a small server of its own (ARCHITECTURE §11)."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.core.config import Settings
from bot.core.context import App
from bot.webapp import api, settings_api, writes
from bot.webapp.errors import ApiError, on_api_error
from bot.webapp.headers import SecurityHeaders
from content import CONTENT_ROOT

STATIC: Final = Path(__file__).resolve().parent / "static"
MOUNT: Final = "/app"


async def index(request: Request) -> Response:
    """The page itself (W2's static/index.html)."""
    page = STATIC / "index.html"
    if not page.is_file():
        return Response(status_code=404)
    return FileResponse(page, media_type="text/html; charset=utf-8")


def content_root(settings: Settings) -> Path:
    return settings.content_dir or Path(CONTENT_ROOT)


def build_webapp(app: App, settings: Settings) -> Starlette:
    """The app to mount at /app: the page, its static files and the JSON API."""
    web = Starlette(
        routes=[
            Route("/", index, methods=["GET"]),
            Route("/api/texts", api.texts, methods=["GET"]),
            Route("/api/diary", api.diary, methods=["GET"]),
            Route("/api/checkin", writes.checkin, methods=["POST"]),
            Route("/api/exercise", writes.exercise, methods=["POST"]),
            Route("/api/delete", writes.delete, methods=["POST"]),
            Route("/api/settings", settings_api.get_settings, methods=["GET"]),
            Route("/api/settings", settings_api.post_settings, methods=["POST"]),
            Mount("/static", StaticFiles(directory=STATIC, check_dir=False)),
        ],
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={ApiError: on_api_error},
    )
    web.state.bot = app
    web.state.content_root = content_root(settings)
    return web


def public_app(app: App, settings: Settings) -> Starlette:
    """Polling mode's web server when TWITCHCARE_WEBAPP_URL is set: only the Mini App, at /app
    (nothing else answers: /healthz and /metrics are not here)."""
    return Starlette(routes=[Mount(MOUNT, build_webapp(app, settings))])
