"""The OpenAPI document and its pages, made true and self-contained.

- Security: the document declares how each operation authenticates (a bearer token, the web
  session cookie, the services' X-API-TOKEN), read from the dependencies the route really runs,
  so ``/docs`` has an Authorize button and generated clients send credentials.
- 422: the body documented is the one the API returns (``api.errors``), not FastAPI's default.
- ``/docs`` and ``/redoc`` load Swagger UI and ReDoc from this server (the files ship in the
  ``fastapi-offline`` package), never from a CDN: the pages work without internet.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

from api.accounts.cookies import ACCESS_COOKIE
from api.deps import get_current_user, get_optional_user, require_api_token
from api.jobs.access import get_caller

DOCS_ASSETS = "/docs-assets"

Requirement = dict[str, list[str]]
BEARER: Requirement = {"bearerAuth": []}
COOKIE: Requirement = {"sessionCookie": []}
API_TOKEN: Requirement = {"apiToken": []}
ANONYMOUS: Requirement = {}

SECURITY_SCHEMES: dict[str, Any] = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "The access token from login or refresh (15 minutes).",
    },
    "sessionCookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": ACCESS_COOKIE,
        "description": "Web sessions: the access cookie; writes also need the CSRF header.",
    },
    "apiToken": {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-TOKEN",
        "description": "Service-to-service token (the seed's /api/v1/resume/* routes).",
    },
}

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error", "code"],
    "properties": {
        "error": {"type": "string", "description": "A readable sentence, shown to people."},
        "code": {"type": "string", "description": "A stable code, for programs."},
        "detail": {
            "type": "array",
            "description": "422 only: one entry per refused field.",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "example": {
        "error": "Invalid request: query.page: Input should be greater than or equal to 1",
        "code": "validation_error",
        "detail": [
            {"field": "query.page", "message": "Input should be greater than or equal to 1"}
        ],
    },
}


def _calls(dependant: Dependant) -> set[Callable[..., Any]]:
    found: set[Callable[..., Any]] = set()
    stack = [dependant]
    while stack:
        current = stack.pop()
        if current.call is not None:
            found.add(current.call)
        stack.extend(current.dependencies)
    return found


def route_security(dependant: Dependant) -> list[Requirement]:
    """The alternatives that authenticate a route (OpenAPI: any one of them suffices)."""
    calls = _calls(dependant)
    if get_caller in calls:
        return [API_TOKEN, BEARER, COOKIE]
    service = require_api_token in calls
    if service and get_current_user in calls:
        return [API_TOKEN | BEARER, API_TOKEN | COOKIE]
    if service:
        return [API_TOKEN]
    if get_current_user in calls:
        return [BEARER, COOKIE]
    if get_optional_user in calls:
        return [BEARER, COOKIE, ANONYMOUS]
    return []


def _document(app: FastAPI) -> dict[str, Any]:
    # FastAPI builds (and caches, until routes are added) the document; this edits it in place,
    # the same way each time.
    doc = FastAPI.openapi(app)
    components = doc.setdefault("components", {})
    components["securitySchemes"] = SECURITY_SCHEMES
    schemas = components.setdefault("schemas", {})
    schemas["HTTPValidationError"] = ERROR_SCHEMA
    schemas.pop("ValidationError", None)  # only FastAPI's own 422 body referred to it
    paths = doc.get("paths", {})
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute):
            continue
        dependant = getattr(context, "dependant", None)
        if dependant is None or not getattr(context, "include_in_schema", True):
            continue
        security = route_security(dependant)
        item = paths.get(context.path_format or "", {})
        for method in context.methods or ():
            operation = item.get(method.lower())
            if operation is not None and security:
                operation["security"] = security
    return doc


def install_docs(app: FastAPI) -> None:
    """Serve the document, ``/docs`` and ``/redoc``. Build the app with ``docs_url=None`` and
    ``redoc_url=None``: these replace FastAPI's CDN-loading pages."""
    static = resources.files("fastapi_offline") / "static"
    app.mount(DOCS_ASSETS, StaticFiles(directory=str(static)), name="docs-assets")

    def openapi() -> dict[str, Any]:
        return _document(app)

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
            swagger_ui_parameters={"persistAuthorization": True},
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{DOCS_ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
            with_google_fonts=False,
        )
