"""The web app as one FastAPI application, mounted by `igcds serve` at the root of the CDS Hooks
app (its routes are tried first): pages, static files, sessions and the security headers."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment

from igcds.knowledge import loader
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy, make_policy
from igcds.report.html import templates
from igcds.version import __version__
from igcds.web import sessions
from igcds.web.settings import WebSettings, from_environment

LOG = logging.getLogger("igcds.web")


def environment() -> Environment:
    return templates("igcds.web")


@dataclass
class Web:
    """What every page needs: the knowledge base, the site policy, settings and sessions."""

    kb: KnowledgeBase
    policy: Policy
    settings: WebSettings
    store: sessions.SessionStore

    def session(self, request: Request) -> sessions.Session:
        found = self.store.get(request.cookies.get(sessions.COOKIE))
        if found is None:
            found = self.store.new()
        request.state.session = found
        return found

    def keep(self, request: Request, response: Response) -> Response:
        """Sets (or refreshes) the session cookie when the request used a session."""
        session: sessions.Session | None = getattr(request.state, "session", None)
        if session is not None:
            response.set_cookie(
                sessions.COOKIE,
                session.id,
                max_age=int(self.store.lifetime),
                httponly=True,
                samesite="lax",
                secure=request.url.scheme == "https",
                path="/",
            )
        return response

    def page(self, request: Request, template: str, status: int = 200, **values: Any) -> Response:
        session = getattr(request.state, "session", None)
        html = (
            environment()
            .get_template(template)
            .render(
                igcds_version=__version__,
                knowledge_version=self.kb.version,
                disclaimer=self.kb.disclaimer,
                csrf=session.csrf if session else "",
                path=request.url.path,
                **values,
            )
        )
        return self.keep(request, HTMLResponse(html, status_code=status))

    def redirect(self, request: Request, url: str) -> Response:
        return self.keep(request, RedirectResponse(url, status_code=303))


def create_web_app(settings: WebSettings | None = None) -> FastAPI:
    from igcds.web import assess_pages, dose_pages, smart, worklist

    settings = settings or WebSettings()
    kb = loader.load()
    web = Web(
        kb,
        make_policy(kb.policy, settings.policy_overrides),
        settings,
        sessions.SessionStore(settings.session_minutes * 60),
    )
    app = FastAPI(title="igcds web app", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(sessions.SecurityHeaders)
    app.mount("/static", StaticFiles(packages=[("igcds.web", "static")]), name="static")

    @app.get("/", include_in_schema=False)
    def home(request: Request) -> Response:
        return web.page(request, "home.html.j2", worklist=settings.worklist_dir is not None)

    @app.get("/favicon.ico", include_in_schema=False)
    def no_icon() -> Response:
        return Response(status_code=204)  # no image to load, and no 404 in the browser's console

    for module in (dose_pages, assess_pages, smart, worklist):
        app.include_router(module.router(web))
    return app


def mount(policy_overrides: Mapping[str, Any] | None = None) -> FastAPI:
    """The web app `igcds serve` mounts: settings from IGCDS_WEB_CONFIG, the service's policy."""
    return create_web_app(from_environment(policy_overrides))
