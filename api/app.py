"""create_app(): routes, error handling, observability; the lifespan owns long-lived clients."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hmac
import ipaddress
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import Response

from api.accounts import routes as account_routes
from api.accounts.ratelimit import client_ip
from api.admin import routes as admin_routes
from api.ai_resume import routes as ai_resume_routes
from api.applications import routes as application_routes
from api.billing import routes as billing_routes
from api.billing.deps import close_stripe
from api.console import routes as console_routes
from api.console.routes import HERE as CONSOLE_HERE
from api.docs import install_docs
from api.errors import Forbidden, Unauthorized, install_error_handlers
from api.guards import BodySizeLimitMiddleware, RejectNulMiddleware
from api.health import routes as health_routes
from api.health.service import VERSION, lexical_health
from api.home import routes as home_routes
from api.indexer import refresh_lag_metrics
from api.integrations.dev_mailbox import DevMailbox, mailbox_dir
from api.jobs import routes as job_routes
from api.jobs import sync_routes as job_sync_routes
from api.observability import RequestContextMiddleware
from api.recruiter import routes as recruiter_routes
from api.resumes import ats_routes as resume_ats_routes
from api.resumes import routes as resume_routes
from api.resumes.glossary import english_title
from api.saved_jobs import routes as saved_job_routes
from api.search import routes as search_routes
from api.settings import ApiSettings, get_api_settings
from api.state import AppState
from api.tasks.worker import run_in_process_worker
from indexing.embedder import Embedder, SentenceTransformerEmbedder
from indexing.lexical import TantivyJobIndex
from ingestion.extract import get_extraction_pool, shutdown_extraction_pool
from ingestion.settings import get_ingestion_settings
from matching.engine import MatchEngine
from models.db import check_reachable, make_async_engine, make_sessionmaker, resolve_database_url

log = structlog.get_logger("tabashir.app")
CONSOLE_STATIC = str(CONSOLE_HERE / "static")


async def build_state(settings: ApiSettings) -> AppState:
    """Resolve and reach the database (starting the embedded one if needed) off the event loop."""
    url = await asyncio.to_thread(resolve_database_url)
    await asyncio.to_thread(check_reachable, url)
    engine = make_async_engine(url)
    embedder = SentenceTransformerEmbedder()
    lexical = TantivyJobIndex()
    return AppState(
        settings=settings,
        database_url=url,
        engine=engine,
        sessionmaker=make_sessionmaker(engine),
        embedder=embedder,
        lexical=lexical,
        matcher=MatchEngine(lexical, embedder, title_gloss=english_title),
    )


async def settle(embedder: Embedder) -> None:
    """Load the embedding model now rather than in the first search, then take everything built
    so far (model, taxonomy, compiled SQL) out of the cyclic garbage collector's passes: it lives
    as long as the process, and a full pass over it cost ~100 ms in the middle of a request."""
    try:
        await asyncio.to_thread(embedder.embed, ["warm up"])
    except Exception as exc:  # searches will say so themselves; the API still serves the rest
        log.warning("embedder_not_ready", error=str(exc))
    gc.freeze()


def allow_metrics(request: Request, settings: ApiSettings) -> None:
    """/metrics tells the world how busy we are and which routes fail: with
    TABASHIR_METRICS_TOKEN set it takes that bearer token, else only loopback callers."""
    if settings.metrics_token is not None:
        expected = settings.metrics_token.get_secret_value().encode()
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            presented.strip().encode(), expected
        ):
            raise Unauthorized("Metrics need the metrics token", code="metrics_token_required")
        return
    caller = client_ip(request, settings.auth.trusted_proxy_hops)
    try:
        local = ipaddress.ip_address(caller).is_loopback
    except ValueError:
        local = False
    if not local:
        raise Forbidden(
            "Metrics are served to this machine only; set TABASHIR_METRICS_TOKEN to scrape "
            "them from elsewhere",
            code="metrics_forbidden",
        )


def with_dev_mailbox(settings: ApiSettings, port: int) -> ApiSettings:
    """``settings`` whose email goes to the development mailbox on ``port`` (plain SMTP)."""
    email = settings.email.model_copy(
        update={"smtp_server": "127.0.0.1", "smtp_port": port, "smtp_security": "none"}
    )
    return settings.model_copy(update={"email": email})


def create_app(
    settings: ApiSettings | None = None,
    state: AppState | None = None,
    *,
    worker: bool = False,
) -> FastAPI:
    """Build the application. Pass ``state`` to reuse clients you own (tests); otherwise the
    lifespan builds them at start-up and disposes of them at shutdown. ``worker``: also run the
    background worker in this process (what `tabashir up` does), started and stopped with it."""
    settings = settings or get_api_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if state is not None:
            app.state.tabashir = state
            yield
            return
        owned = await build_state(settings)
        app.state.tabashir = owned
        mailbox: DevMailbox | None = None
        if (
            worker
            and settings.env == "development"
            and settings.dev_mailbox
            and not settings.email.enabled
        ):
            mailbox = DevMailbox(mailbox_dir())
            owned.settings = with_dev_mailbox(settings, await asyncio.to_thread(mailbox.start))
        # Upload parsing runs in sandboxed worker processes: start them before the first upload.
        get_extraction_pool().warm_up(wait=False)
        # The model loads in the background: the API answers at once, and the first request
        # that needs vectors waits for the load (the embedder's lock) instead of the start-up.
        settling = asyncio.create_task(settle(owned.embedder))
        worker_task = (
            asyncio.create_task(run_in_process_worker(owned, settings.worker_poll_s))
            if worker
            else None
        )
        log.info(
            "started",
            env=settings.env,
            worker="in-process" if worker else "separate",
            mailbox=f"127.0.0.1:{mailbox.port}" if mailbox else None,
            database=owned.database_url.render_as_string(hide_password=True),
        )
        try:
            yield
        finally:
            if not settling.done():
                settling.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await settling
            if worker_task is not None:
                worker_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker_task
            if mailbox is not None:
                await asyncio.to_thread(mailbox.stop)
            await close_stripe(app)
            shutdown_extraction_pool()
            await owned.engine.dispose()

    app = FastAPI(
        title="Tabashir API",
        version=VERSION,
        summary="CVs, jobs and explainable matching for the Gulf job market.",
        lifespan=lifespan,
        # api.docs serves these pages with their files from this server, not a CDN.
        docs_url=None,
        redoc_url=None,
    )
    install_docs(app)
    if state is not None:
        # httpx's ASGITransport does not run the lifespan; the state is ready anyway.
        app.state.tabashir = state
    install_error_handlers(app)
    # Inside the request context (ids, logs, metrics): a refusal is logged like any answer.
    app.add_middleware(RejectNulMiddleware)
    # Outside the NUL guard, which reads JSON bodies whole: those reads are bounded too.
    app.add_middleware(
        BodySizeLimitMiddleware,
        upload_bytes=get_ingestion_settings().max_upload_bytes,
        other_bytes=settings.max_body_bytes,
    )
    app.add_middleware(RequestContextMiddleware)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    app.include_router(health_routes.router)
    # Before the jobs router: /api/v1/resume/jobs/match must not be read as a job id.
    app.include_router(search_routes.router)
    app.include_router(job_routes.router)
    app.include_router(application_routes.router)
    app.include_router(job_sync_routes.router)
    app.include_router(saved_job_routes.router)
    app.include_router(recruiter_routes.router)
    app.include_router(home_routes.router)
    app.include_router(account_routes.router)
    app.include_router(admin_routes.router)
    app.include_router(billing_routes.router)
    app.include_router(resume_routes.router)
    app.include_router(resume_ats_routes.router)
    app.include_router(ai_resume_routes.router)
    # The web console: server-rendered pages on the same services and cookie sessions.
    app.include_router(console_routes.router)
    app.mount("/console/static", StaticFiles(directory=CONSOLE_STATIC), name="console-static")

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        state: AppState = request.app.state.tabashir
        allow_metrics(request, state.settings)
        await refresh_lag_metrics(state.sessionmaker)  # never raises: /metrics stays up
        await lexical_health(state)  # sets tabashir_lexical_index_up; never raises
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app
