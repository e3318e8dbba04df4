"""The web console: server-rendered pages (Jinja2) over the same services as the API.

Sessions are the API's web cookies (HttpOnly access cookie, CSRF double submit): signing in here
sets the same cookies as ``POST /api/auth/web/login``. Every form that changes something carries
the CSRF token in a hidden field, checked against the CSRF cookie and the hash in the access
token, exactly as the API checks the ``X-CSRF-Token`` header. Scores and explanations come from
the services the API routes call (search, applications, recruiter); nothing is computed here.
"""

from __future__ import annotations

import hmac
import uuid
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from sqlalchemy import func, select

from api.accounts import repository as account_repository
from api.accounts import service as account_service
from api.accounts.cookies import ACCESS_COOKIE, CSRF_COOKIE, clear_session_cookies
from api.accounts.helpers import second_factor_claims, throttle, web_session
from api.accounts.permissions import SECOND_FACTOR_PERMISSIONS, effective_permissions
from api.accounts.schemas import RegisterIn, normalize_email
from api.accounts.security import (
    AccessClaims,
    ExpiredTokenError,
    InvalidTokenError,
    csrf_hash,
    decode_access_token,
)
from api.admin import repository as admin_repository
from api.applications import repository as application_repository
from api.applications import service as application_service
from api.applications.matching_port import MatchPortDep
from api.applications.settings import ApplySettings, get_apply_settings
from api.console.i18n import LANG_COOKIE, Lang, pick_lang, translate
from api.deps import MetaDep, SessionDep, StateDep
from api.errors import TabashirError
from api.home import notifications as notification_service
from api.integrations.dev_mailbox import find_message, list_messages, mailbox_dir
from api.jobs.settings import JobsSettings, get_jobs_settings
from api.recruiter import service as recruiter_service
from api.resumes import repository as resume_repository
from api.resumes import service as resume_service
from api.resumes.routes import CvSettingsDep, LlmDep, SinkDep, StorageDep, file_response
from api.resumes.schemas import ResumeUpdate
from api.saved_jobs import repository as saved_repository
from api.search import service as search_service
from api.search.schemas import SearchFilters
from ingestion.cv_schema import Skill
from ingestion.extract import read_limited_async
from ingestion.render import DOCX_MIME, PDF_MIME
from ingestion.settings import get_ingestion_settings
from models import Job, JobApplication, Resume, User
from models.enums import ApplicationStage, JobStatus, Permission, UserType

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(prefix="/console", include_in_schema=False)

ApplySettingsDep = Annotated[ApplySettings, Depends(get_apply_settings)]
JobsSettingsDep = Annotated[JobsSettings, Depends(get_jobs_settings)]
HOME_OF = {
    UserType.CANDIDATE: "/console/candidate",
    UserType.RECRUITER: "/console/recruiter",
    UserType.ADMIN: "/console/admin",
}


# -- session, language, rendering ---------------------------------------------------------------


class Viewer:
    """Who is looking, in which language; what every template gets."""

    def __init__(self, request: Request, user: User | None, claims: AccessClaims | None) -> None:
        self.request = request
        self.user = user
        self.claims = claims
        self.lang: Lang = pick_lang(
            request.query_params.get("lang"),
            request.cookies.get(LANG_COOKIE),
            request.headers.get("accept-language"),
        )

    @property
    def csrf(self) -> str:
        return self.request.cookies.get(CSRF_COOKIE, "")

    def t(self, key: str) -> str:
        return translate(self.lang, key)


async def _viewer(request: Request, session: SessionDep, state: StateDep) -> Viewer:
    token = request.cookies.get(ACCESS_COOKIE)
    if not token:
        return Viewer(request, None, None)
    try:
        claims = decode_access_token(state.settings.auth, token)
    except (ExpiredTokenError, InvalidTokenError):
        return Viewer(request, None, None)
    user = await account_repository.get_user(session, claims.user_id)
    if (
        user is None
        or user.deleted_at is not None
        or not user.is_active
        or user.token_epoch != claims.epoch
    ):
        return Viewer(request, None, None)
    return Viewer(request, user, claims)


ViewerDep = Annotated[Viewer, Depends(_viewer)]


def _csrf_ok(viewer: Viewer, form_token: str) -> bool:
    """The form's hidden token must be the CSRF cookie and the one this session was issued with
    (the API's double-submit check, with the token in the form instead of a header)."""
    cookie = viewer.csrf
    return bool(
        form_token
        and viewer.claims is not None
        and viewer.claims.csrf_hash is not None
        and hmac.compare_digest(form_token.encode(), cookie.encode())
        and hmac.compare_digest(csrf_hash(form_token).encode(), viewer.claims.csrf_hash.encode())
    )


def render(viewer: Viewer, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    response = templates.TemplateResponse(
        viewer.request,
        template,
        {
            "v": viewer,
            "t": viewer.t,
            "lang": viewer.lang,
            "dir": "rtl" if viewer.lang == "ar" else "ltr",
            "path": viewer.request.url.path,
            **context,
        },
        status_code=status_code,
    )
    if viewer.request.query_params.get("lang") == viewer.lang:
        response.set_cookie(LANG_COOKIE, viewer.lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


def _to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/console/login?next={quote(target)}", status_code=303)


def _back(path: str, message: str | None = None, error: str | None = None) -> RedirectResponse:
    """Post/redirect/get. Handlers that wrote commit first: the request's session commits only
    after the response has gone (FastAPI runs a yield dependency's exit after sending), and the
    browser follows a redirect at once, so the next page could miss the write."""
    query = []
    if message:
        query.append(f"msg={quote(message)}")
    if error:
        query.append(f"err={quote(error)}")
    sep = "&" if "?" in path else "?"
    return RedirectResponse(path + (sep + "&".join(query) if query else ""), status_code=303)


def _forbidden(viewer: Viewer) -> HTMLResponse:
    return render(viewer, "message.html", 403, title=viewer.t("not_allowed"), text="")


def _safe_next(target: str | None) -> str | None:
    return target if target and target.startswith("/console") and "//" not in target else None


# -- sign in and out -----------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
@router.get("/", response_class=HTMLResponse)
async def console_home(viewer: ViewerDep) -> Response:
    if viewer.user is None:
        return _to_login(viewer.request)
    return RedirectResponse(HOME_OF[viewer.user.user_type], status_code=303)


@router.get("/login", response_class=HTMLResponse)
async def login_page(viewer: ViewerDep, state: StateDep, next: str | None = None) -> Response:
    return _login_form(viewer, state, next, None)


def _login_form(
    viewer: Viewer, state: Any, next_url: str | None, error: str | None, status_code: int = 200
) -> HTMLResponse:
    from api.demo.loader import DEMO_ACCOUNTS, DEMO_PASSWORD

    development = state.settings.env == "development"
    return render(
        viewer,
        "login.html",
        status_code,
        next=_safe_next(next_url) or "",
        error=error,
        demo=DEMO_ACCOUNTS if development else None,
        demo_password=DEMO_PASSWORD if development else None,
    )


@router.post("/login", response_class=HTMLResponse)
async def login_submit(
    viewer: ViewerDep,
    session: SessionDep,
    state: StateDep,
    meta: MetaDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    limits = state.settings.rate_limits
    try:
        await throttle(
            state,
            ("login:ip", meta.ip, limits.login_ip),
            ("login:account", normalize_email(email), limits.login_account),
        )
        user = await account_service.authenticate_password(session, state.settings, email, password)
        result = await account_service.start_session(session, state.settings, user, meta, web=True)
    except TabashirError as exc:
        message = viewer.t("bad_login") if exc.status_code == 401 else exc.message
        return _login_form(viewer, state, next, message, exc.status_code)
    if isinstance(result, account_service.MfaChallenge):
        return render(viewer, "two_factor.html", mfa_token=result.mfa_token, next=next, error=None)
    target = _safe_next(next) or HOME_OF[user.user_type]
    response = RedirectResponse(target, status_code=303)
    await web_session(response, session, state.settings, result)
    await session.commit()  # before the browser follows the redirect (see _back)
    return response


@router.post("/login/2fa", response_class=HTMLResponse)
async def login_second_factor(
    viewer: ViewerDep,
    session: SessionDep,
    state: StateDep,
    meta: MetaDep,
    mfa_token: Annotated[str, Form(max_length=4096)] = "",
    code: Annotated[str, Form(max_length=32)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        claims = await second_factor_claims(state, meta, mfa_token)
        tokens = await account_service.complete_second_factor(
            session,
            state.settings,
            claims,
            code=code.strip(),
            recovery_code=None,
            meta=meta,
            web=True,
        )
    except TabashirError as exc:
        return render(
            viewer,
            "two_factor.html",
            exc.status_code,
            mfa_token=mfa_token,
            next=next,
            error=exc.message,
        )
    target = _safe_next(next) or HOME_OF[tokens.user.user_type]
    response = RedirectResponse(target, status_code=303)
    await web_session(response, session, state.settings, tokens)
    await session.commit()
    return response


@router.post("/logout")
async def logout(
    viewer: ViewerDep,
    session: SessionDep,
    state: StateDep,
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    response = RedirectResponse("/console/login", status_code=303)
    if viewer.user is not None and _csrf_ok(viewer, csrf):
        await account_service.logout(
            session,
            state.settings,
            user=viewer.user,
            session_id=viewer.claims.session_id if viewer.claims else None,
            refresh_token=None,
            all_devices=False,
        )
        clear_session_cookies(response, state.settings.auth)
        await session.commit()
    return response


@router.get("/signup", response_class=HTMLResponse)
async def signup_page(viewer: ViewerDep) -> Response:
    return render(viewer, "signup.html", error=None, done=False, email="")


@router.post("/signup", response_class=HTMLResponse)
async def signup_submit(
    viewer: ViewerDep,
    session: SessionDep,
    state: StateDep,
    meta: MetaDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """A candidate account, through the same service as POST /api/mobile/auth/register: the
    verification link goes out by email (in development: the mailbox page)."""
    try:
        body = RegisterIn(email=email, password=password, name=name or None)
    except ValidationError as exc:
        reason = "; ".join(str(e.get("msg", "")) for e in exc.errors())
        return render(viewer, "signup.html", 400, error=reason, done=False, email=email)
    try:
        await throttle(state, ("register:ip", meta.ip, state.settings.rate_limits.register_ip))
        await account_service.register(session, state.settings, body, meta)
        await session.commit()
    except TabashirError as exc:
        return render(
            viewer, "signup.html", exc.status_code, error=exc.message, done=False, email=email
        )
    development = state.settings.env == "development"
    return render(viewer, "signup.html", error=None, done=True, email=email, dev=development)


# -- candidate -----------------------------------------------------------------------------------


def _candidate(viewer: Viewer) -> Response | None:
    if viewer.user is None:
        return _to_login(viewer.request)
    if viewer.user.user_type != UserType.CANDIDATE:
        return _forbidden(viewer)
    return None


async def _my_resumes(session: SessionDep, user: User) -> list[Resume]:
    rows, _ = await resume_repository.list_for_user(session, user.id, 0, 50)
    return list(rows)


@router.get("/candidate", response_class=HTMLResponse)
async def candidate_home(
    viewer: ViewerDep, session: SessionDep, msg: str | None = None, err: str | None = None
) -> Response:
    if (denied := _candidate(viewer)) is not None:
        return denied
    assert viewer.user is not None
    resumes = await _my_resumes(session, viewer.user)
    return render(viewer, "candidate_home.html", resumes=resumes, msg=msg, err=err)


@router.post("/candidate/cv", response_class=HTMLResponse)
async def candidate_upload(
    viewer: ViewerDep,
    session: SessionDep,
    storage: StorageDep,
    settings: CvSettingsDep,
    llm: LlmDep,
    sink: SinkDep,
    file: Annotated[UploadFile, File()],
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if (denied := _candidate(viewer)) is not None:
        return denied
    assert viewer.user is not None
    if not _csrf_ok(viewer, csrf):
        return _back("/console/candidate", error="csrf_failed")
    try:
        data = await read_limited_async(file, get_ingestion_settings().max_upload_bytes)
        result = await resume_service.upload(
            session, storage, settings, viewer.user, data, file.filename, None, llm=llm, sink=sink
        )
        await session.commit()
    except TabashirError as exc:
        return _back("/console/candidate", error=exc.message)
    return _back(f"/console/candidate/cv/{result.resume.id}", message=viewer.t("saved"))


@router.get("/candidate/cv/{resume_id}", response_class=HTMLResponse)
async def candidate_cv(
    resume_id: uuid.UUID,
    viewer: ViewerDep,
    session: SessionDep,
    msg: str | None = None,
    err: str | None = None,
) -> Response:
    if (denied := _candidate(viewer)) is not None:
        return denied
    assert viewer.user is not None
    try:
        resume = await resume_service.owned(session, viewer.user, resume_id)
    except TabashirError:
        return render(viewer, "message.html", 404, title="404", text="")
    cv = await resume_service.structured_or_none(resume)
    return render(viewer, "candidate_cv.html", resume=resume, cv=cv, msg=msg, err=err)


def _split(value: str) -> list[str]:
    return [p.strip() for p in value.replace("،", ",").split(",") if p.strip()]


@router.post("/candidate/cv/{resume_id}", response_class=HTMLResponse)
async def candidate_cv_correct(
    resume_id: uuid.UUID,
    viewer: ViewerDep,
    session: SessionDep,
    csrf: Annotated[str, Form(max_length=200)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    headline: Annotated[str, Form(max_length=300)] = "",
    summary: Annotated[str, Form(max_length=5000)] = "",
    skills: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Correct the parsed CV (name, headline, summary, skills) through the resume service, which
    rebuilds the text matching reads and queues a new vector."""
    if (denied := _candidate(viewer)) is not None:
        return denied
    assert viewer.user is not None
    back = f"/console/candidate/cv/{resume_id}"
    if not _csrf_ok(viewer, csrf):
        return _back(back, error="csrf_failed")
    try:
        resume = await resume_service.owned(session, viewer.user, resume_id)
        cv = await resume_service.structured(resume)
        kept = {s.name.casefold(): s for s in cv.skills}
        corrected = cv.model_copy(
            update={
                "personal": cv.personal.model_copy(update={"name": name.strip() or None}),
                "title": headline.strip() or None,
                "summary": summary.strip() or None,
                "skills": [kept.get(n.casefold()) or Skill(name=n) for n in _split(skills)],
            }
        )
        await resume_service.update(session, viewer.user, resume_id, ResumeUpdate(parsed=corrected))
        await session.commit()
    except (TabashirError, ValidationError) as exc:
        return _back(back, error=getattr(exc, "message", None) or str(exc))
    return _back(back, message=viewer.t("saved"))


@router.post("/candidate/cv/{resume_id}/export")
async def candidate_cv_export(
    resume_id: uuid.UUID,
    viewer: ViewerDep,
    session: SessionDep,
    fmt: Annotated[Literal["pdf", "docx"], Form()],
    language: Annotated[Literal["en", "ar"], Form()],
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The CV as PDF or Word, in English or Arabic layout (the API's export service)."""
    if (denied := _candidate(viewer)) is not None:
        return denied
    assert viewer.user is not None
    back = f"/console/candidate/cv/{resume_id}"
    if not _csrf_ok(viewer, csrf):
        return _back(back, error="csrf_failed")
    try:
        resume = await resume_service.readable(session, viewer.user, resume_id)
        data = await resume_service.export(resume, fmt, language)
        file_name = await resume_service.export_file_name(resume, fmt, language)
    except TabashirError as exc:
        return _back(back, error=exc.message)
    return file_response(data, PDF_MIME if fmt == "pdf" else DOCX_MIME, file_name)


@router.get("/candidate/jobs", response_class=HTMLResponse)
async def candidate_jobs(
    viewer: ViewerDep,
    session: SessionDep,
    state: StateDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    city: Annotated[str | None, Query(max_length=100)] = None,
    msg: str | None = None,
    err: str | None = None,
) -> Response:
    if (denied := _candidate(viewer)) is not None:
        return denied
    assert viewer.user is not None
    filters = search_service.to_filters(SearchFilters(city=[city] if city else []))
    facets: dict[str, Any] = {}
    total: int | None = None
    needs_cv = False
    if q and q.strip():
        hits, total, facets = await search_service.search_jobs(
            session, state.matcher, q, filters, 20, 0
        )
    else:
        try:
            query = await search_service.query_for_user(session, viewer.user, None, filters)
            hits, total = await search_service.match_jobs(session, state.matcher, query, 20, 0)
        except TabashirError:
            hits, needs_cv = [], True
    applied = set(
        (
            await session.execute(
                select(JobApplication.job_id).where(JobApplication.user_id == viewer.user.id)
            )
        ).scalars()
    )
    saved_rows, _ = await saved_repository.list_saved(session, viewer.user.id, 0, 500)
    saved = {job.id for _, job, _ in saved_rows}
    return render(
        viewer,
        "candidate_jobs.html",
        hits=hits,
        q=q or "",
        city=city or "",
        facets=facets,
        total=total,
        applied=applied,
        saved=saved,
        needs_cv=needs_cv,
        msg=msg,
        err=err,
    )


@router.post("/candidate/jobs/{job_id}/apply")
async def candidate_apply(
    job_id: uuid.UUID,
    viewer: ViewerDep,
    session: SessionDep,
    port: MatchPortDep,
    settings: ApplySettingsDep,
    jobs_settings: JobsSettingsDep,
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if (denied := _candidate(viewer)) is not None:
        return denied
    assert viewer.user is not None
    if not _csrf_ok(viewer, csrf):
        return _back("/console/candidate/jobs", error="csrf_failed")
    try:
        await application_service.apply_to_job(
            session, port, settings, jobs_settings.time_zone, viewer.user, job_id, None
        )
        await session.commit()
    except TabashirError as exc:
        return _back("/console/candidate/jobs", error=exc.message)
    return _back("/console/candidate/applications", message=viewer.t("applied"))


@router.post("/candidate/jobs/{job_id}/save")
async def candidate_save(
    job_id: uuid.UUID,
    viewer: ViewerDep,
    session: SessionDep,
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Save a job for later (the saved-jobs repository, as POST /api/mobile/saved-jobs)."""
    if (denied := _candidate(viewer)) is not None:
        return denied
    assert viewer.user is not None
    if not _csrf_ok(viewer, csrf):
        return _back("/console/candidate/jobs", error="csrf_failed")
    job = await session.get(Job, job_id)
    if job is None or job.status == JobStatus.DRAFT:
        return _back("/console/candidate/jobs", error="Job not found")
    await saved_repository.save(session, viewer.user.id, job.id)
    await session.commit()
    return _back("/console/candidate/saved", message=viewer.t("saved"))


@router.get("/candidate/saved", response_class=HTMLResponse)
async def candidate_saved(
    viewer: ViewerDep, session: SessionDep, msg: str | None = None
) -> Response:
    if (denied := _candidate(viewer)) is not None:
        return denied
    assert viewer.user is not None
    rows, total = await saved_repository.list_saved(session, viewer.user.id, 0, 100)
    return render(viewer, "candidate_saved.html", rows=rows, total=total, msg=msg)


@router.get("/notifications", response_class=HTMLResponse)
async def notifications_page(
    viewer: ViewerDep, session: SessionDep, msg: str | None = None
) -> Response:
    if viewer.user is None:
        return _to_login(viewer.request)
    rows, total, unread = await notification_service.list_notifications(
        session, viewer.user.id, unread_only=False, offset=0, limit=100
    )
    return render(viewer, "notifications.html", rows=rows, total=total, unread=unread, msg=msg)


@router.post("/notifications/read-all")
async def notifications_read_all(
    viewer: ViewerDep, session: SessionDep, csrf: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    if viewer.user is None:
        return _to_login(viewer.request)
    if not _csrf_ok(viewer, csrf):
        return _back("/console/notifications", error="csrf_failed")
    await notification_service.mark_all_read(session, viewer.user.id)
    await session.commit()
    return _back("/console/notifications", message=viewer.t("saved"))


@router.get("/candidate/applications", response_class=HTMLResponse)
async def candidate_applications(
    viewer: ViewerDep, session: SessionDep, msg: str | None = None
) -> Response:
    if (denied := _candidate(viewer)) is not None:
        return denied
    assert viewer.user is not None
    rows, total = await application_repository.list_for_user(session, viewer.user.id, None, 0, 100)
    return render(viewer, "candidate_applications.html", rows=rows, total=total, msg=msg)


# -- recruiter -----------------------------------------------------------------------------------


def _reviewer_allowed(viewer: Viewer) -> Response | None:
    if viewer.user is None:
        return _to_login(viewer.request)
    if viewer.user.user_type not in (UserType.RECRUITER, UserType.ADMIN):
        return _forbidden(viewer)
    return None


@router.get("/recruiter", response_class=HTMLResponse)
async def recruiter_home(viewer: ViewerDep, session: SessionDep) -> Response:
    if (denied := _reviewer_allowed(viewer)) is not None:
        return denied
    assert viewer.user is not None
    counts = (
        select(JobApplication.job_id, func.count().label("n"))
        .group_by(JobApplication.job_id)
        .subquery()
    )
    stmt = (
        select(Job, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.job_id == Job.id)
        .where(Job.owner_id == viewer.user.id)
        .order_by(Job.posted_at.desc().nulls_last(), Job.id)
        .limit(200)
    )
    jobs = list((await session.execute(stmt)).all())
    return render(viewer, "recruiter_home.html", jobs=jobs)


@router.get("/recruiter/jobs/{job_id}", response_class=HTMLResponse)
async def recruiter_job(
    job_id: uuid.UUID,
    viewer: ViewerDep,
    session: SessionDep,
    port: MatchPortDep,
    settings: ApplySettingsDep,
    blind: bool = False,
    msg: str | None = None,
    err: str | None = None,
) -> Response:
    if (denied := _reviewer_allowed(viewer)) is not None:
        return denied
    assert viewer.user is not None
    who = await recruiter_service.reviewer(session, viewer.user)
    try:
        job = await recruiter_service.reviewable_job(session, who, job_id)
    except TabashirError:
        return render(viewer, "message.html", 404, title="404", text="")
    hidden = blind or job.blind_review
    ranked, total = await recruiter_service.ranked_applicants(
        session, port, job, None, settings.rank_limit
    )
    applicants = [
        recruiter_service.applicant_view(row, rank=i + 1, result=result, blind=hidden)
        for i, (row, result) in enumerate(ranked)
    ]
    return render(
        viewer,
        "recruiter_job.html",
        job=job,
        applicants=applicants,
        total=total,
        blind=hidden,
        stages=list(ApplicationStage),
        msg=msg,
        err=err,
    )


@router.post("/recruiter/applications/{application_id}/stage")
async def recruiter_move(
    application_id: uuid.UUID,
    viewer: ViewerDep,
    session: SessionDep,
    stage: Annotated[ApplicationStage, Form()],
    job_id: Annotated[uuid.UUID, Form()],
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if (denied := _reviewer_allowed(viewer)) is not None:
        return denied
    assert viewer.user is not None
    back = f"/console/recruiter/jobs/{job_id}"
    if not _csrf_ok(viewer, csrf):
        return _back(back, error="csrf_failed")
    who = await recruiter_service.reviewer(session, viewer.user)
    try:
        await recruiter_service.change_stage(session, who, application_id, stage, None)
        await session.commit()
    except TabashirError as exc:
        return _back(back, error=exc.message)
    return _back(back, message=viewer.t("saved"))


# -- admin ---------------------------------------------------------------------------------------


@router.get("/admin", response_class=HTMLResponse)
async def admin_home(
    viewer: ViewerDep,
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    if viewer.user is None:
        return _to_login(viewer.request)
    if viewer.user.user_type != UserType.ADMIN:
        return _forbidden(viewer)
    permissions = await effective_permissions(session, viewer.user)
    users: list[User] = []
    if Permission.MANAGE_USERS in permissions:
        rows, _ = await admin_repository.list_users(
            session, admin_repository.UserFilters(q=q or None), 0, 50
        )
        users = list(rows)
    audit: list[Any] | None = None
    audit_blocked = Permission.MANAGE_ADMIN_PERMISSIONS in SECOND_FACTOR_PERMISSIONS
    if Permission.MANAGE_ADMIN_PERMISSIONS in permissions:
        has_2fa = bool(await admin_repository.with_second_factor(session, [viewer.user.id]))
        if has_2fa:
            audit_blocked = False
            entries, _ = await admin_repository.list_audit(
                session, admin_repository.AuditFilters(), 0, 50
            )
            audit = list(entries)
    return render(
        viewer,
        "admin_home.html",
        users=users,
        q=q or "",
        can_users=Permission.MANAGE_USERS in permissions,
        audit=audit,
        audit_blocked=audit_blocked,
    )


# -- development mailbox -------------------------------------------------------------------------


def _mailbox_allowed(state: Any) -> bool:
    return bool(state.settings.env == "development")


@router.get("/mailbox", response_class=HTMLResponse)
async def mailbox(
    viewer: ViewerDep, state: StateDep, to: Annotated[str | None, Query(max_length=320)] = None
) -> Response:
    if not _mailbox_allowed(state):
        return render(viewer, "message.html", 404, title="404", text="")
    messages = list_messages(mailbox_dir(), to=to or None)
    return render(viewer, "mailbox.html", messages=messages, to=to or "")


@router.get("/mailbox/{message_id}", response_class=HTMLResponse)
async def mailbox_message(message_id: str, viewer: ViewerDep, state: StateDep) -> Response:
    if not _mailbox_allowed(state):
        return render(viewer, "message.html", 404, title="404", text="")
    message = find_message(mailbox_dir(), message_id)
    if message is None:
        return render(viewer, "message.html", 404, title="404", text="")
    return render(viewer, "mailbox_message.html", message=message)
