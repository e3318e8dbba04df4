"""Write the demo data set into the database, in one transaction. Vectors and the lexical index
are derived afterwards by the indexer (`tabashir reindex`), as for any other data."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, func, select, update
from sqlalchemy.orm import Session

from api.demo.dataset import DemoDataset, build_dataset
from models import (
    AdminPermissionAssignment,
    Candidate,
    Job,
    JobApplication,
    Recruiter,
    Resume,
    SavedJob,
    Task,
    User,
)
from models.enums import (
    AdminRole,
    ApplicationOrigin,
    ApplicationStage,
    JobStatus,
    JobType,
    OnboardingState,
    ParseStatus,
    Permission,
    SalaryPeriod,
    UserType,
    WorkMode,
)

Progress = Callable[[str], None]

#: Development only: every demo user signs in with this password (README, the console's sign-in
#: page). Never set outside development: `tabashir demo` refuses to run in production.
DEMO_PASSWORD = "tabashir-demo-2026"  # noqa: S105 - a documented development credential
#: One documented account per role (stable across seeds' dates: the generator's first records).
DEMO_ACCOUNTS: dict[str, str] = {
    "candidate": "joseph.sharma@example.com",
    "candidate (Arabic CV)": "huda.almansoori@example.com",
    "recruiter": "mariam.fahmy@example.org",
    "admin (super admin)": "super.admin@example.com",
    "admin (regular)": "ops.admin@example.com",
}


def _quiet(_: str) -> None:
    pass


def write_dataset(
    session: Session, data: DemoDataset, password_hash: str | None = None
) -> dict[str, int]:
    """Insert every record of ``data``; the caller owns the transaction. ``password_hash``: the
    demo users' password (development), else they have none."""
    users: dict[str, uuid.UUID] = {}

    def _user(email: str, name: str, user_type: UserType, role: AdminRole | None = None) -> User:
        return User(
            id=uuid.uuid4(),
            email=email.lower(),
            name=name,
            user_type=user_type,
            admin_role=role,
            email_verified_at=func.now(),
            password_hash=password_hash,
        )

    for a in data.admins:
        admin = _user(a.email, a.name, UserType.ADMIN, AdminRole(a.role))
        session.add(admin)
        users[a.key] = admin.id
        session.add_all(
            AdminPermissionAssignment(user_id=admin.id, permission=Permission(p))
            for p in a.permissions
        )

    for r in data.recruiters:
        recruiter = _user(r.email, r.name, UserType.RECRUITER)
        session.add(recruiter)
        session.add(
            Recruiter(
                user_id=recruiter.id,
                company_name=r.company,
                contact_person_name=r.contact_person,
                phone=r.phone,
            )
        )
        users[r.key] = recruiter.id

    for c in data.candidates:
        candidate = _user(c.email, c.name, UserType.CANDIDATE)
        session.add(candidate)
        session.add(
            Candidate(
                user_id=candidate.id,
                phone=c.phone,
                city=c.city,
                country=c.country,
                nationality=c.nationality,
                gender=c.gender,
                date_of_birth=c.date_of_birth,
                desired_positions=list(c.desired_positions),
                desired_locations=list(c.desired_locations),
                salary_expectation=c.salary_expectation,
                years_experience=c.years_experience,
                onboarding_state=OnboardingState.COMPLETED,
            )
        )
        users[c.key] = candidate.id
    session.flush()

    jobs: dict[str, uuid.UUID] = {}
    for j in data.jobs:
        job = Job(
            id=uuid.uuid4(),
            title=j.title,
            company=j.company,
            description=j.description,
            requirements=list(j.requirements),
            skills=list(j.skills),
            city=j.city,
            country=j.country,
            salary_min=j.salary_min,
            salary_max=j.salary_max,
            salary_currency=j.salary_currency,
            salary_period=SalaryPeriod(j.salary_period),
            job_type=JobType(j.job_type),
            work_mode=WorkMode(j.work_mode),
            experience_min=j.experience_min,
            experience_max=j.experience_max,
            language=j.language,
            status=JobStatus(j.status),
            source=j.source,
            source_id=j.source_id,
            posted_at=j.posted_at,
            expires_at=j.expires_at,
            owner_id=users[j.recruiter_key] if j.recruiter_key else None,
        )
        session.add(job)
        jobs[j.key] = job.id

    resumes: dict[str, uuid.UUID] = {}
    for c in data.candidates:
        raw = c.cv_text.encode("utf-8")
        resume = Resume(
            id=uuid.uuid4(),
            user_id=users[c.key],
            title=f"CV - {c.name}",
            file_name=f"cv-{c.key}.txt",
            mime_type="text/plain",
            size_bytes=len(raw),
            sha256=hashlib.sha256(raw).hexdigest(),
            extracted_text=c.cv_text,
            parsed=c.cv_parsed,
            language=c.cv_language,
            parse_status=ParseStatus.OK,
        )
        session.add(resume)
        resumes[c.key] = resume.id
    session.flush()

    session.add_all(
        JobApplication(
            user_id=users[a.candidate_key],
            job_id=jobs[a.job_key],
            resume_id=resumes[a.candidate_key],
            stage=ApplicationStage(a.stage),
            origin=ApplicationOrigin(a.origin),
            matched_score=a.matched_score,
            created_at=a.applied_at,
            updated_at=a.applied_at,
        )
        for a in data.applications
    )
    session.add_all(
        SavedJob(user_id=users[s.candidate_key], job_id=jobs[s.job_key], created_at=s.saved_at)
        for s in data.saved_jobs
    )
    session.flush()
    return {
        "users": len(users),
        "jobs": len(jobs),
        "resumes": len(resumes),
        "applications": len(data.applications),
        "saved_jobs": len(data.saved_jobs),
    }


def load_demo(
    conn: Connection,
    *,
    seed: int,
    today: date,
    if_empty: bool = False,
    progress: Progress = _quiet,
    password_hash: str | None = None,
) -> str:
    """Load the demo set on ``conn`` inside the caller's transaction; return a one-line summary.

    With ``if_empty`` nothing happens when any job exists (what `make run` wants). Without it, the
    load is refused when demo users are already there, rather than failing half-way on a duplicate.
    """
    with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
        existing = session.execute(select(func.count()).select_from(Job)).scalar_one()
        if if_empty and existing:
            return f"demo: the database already has {existing} jobs; nothing loaded"
        data = build_dataset(seed=seed, today=today)
        emails = [a.email.lower() for a in data.admins]
        emails += [r.email.lower() for r in data.recruiters]
        emails += [c.email.lower() for c in data.candidates]
        clash = session.execute(
            select(func.count()).select_from(User).where(User.email.in_(emails))
        ).scalar_one()
        if clash:
            return f"demo: {clash} demo users already exist; nothing loaded"
        progress(f"building the demo data set (seed {seed}, reference date {today}) ...")
        counts = write_dataset(session, data, password_hash)
        session.commit()
    return "demo: loaded " + ", ".join(f"{v} {k}" for k, v in counts.items())


def queue_derived_work(conn: Connection) -> None:
    """Queue what a freshly loaded data set needs, for the worker `tabashir up` runs: vectors and
    the lexical index first, then the batch recommendations (a second later, so a single worker
    claims them in that order). The server answers meanwhile; nothing here blocks start-up."""
    now = datetime.now(UTC)
    with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
        session.add(Task(id=uuid.uuid4(), kind="embed_missing", payload={}, run_after=now))
        session.add(
            Task(
                id=uuid.uuid4(),
                kind="refresh_recommendations",
                payload={},
                run_after=now + timedelta(seconds=1),
            )
        )
        session.commit()


def missing_demo_passwords(conn: Connection) -> bool:
    """Whether a documented demo account exists without a password."""
    count = conn.execute(
        select(func.count())
        .select_from(User)
        .where(User.email.in_(list(DEMO_ACCOUNTS.values())), User.password_hash.is_(None))
    ).scalar_one()
    return bool(count)


def set_demo_passwords(conn: Connection, password_hash: str) -> int:
    """Give the documented demo accounts the demo password where they have none (a database
    loaded before demo credentials existed). Development only; returns how many were set."""
    result = conn.execute(
        update(User)
        .where(User.email.in_(list(DEMO_ACCOUNTS.values())), User.password_hash.is_(None))
        .values(password_hash=password_hash)
    )
    return int(result.rowcount or 0)
