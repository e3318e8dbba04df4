"""The indexer and `tabashir reindex`: incremental by content hash, every change through the
outbox (jobs and CVs, deletions included), versions, the lag metric, the advisory lock, and a run
killed with SIGKILL at several points that a rerun completes to exactly the uninterrupted state."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from psycopg import sql
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.demo.loader import load_demo
from api.indexer import (
    INDEX_LOCK_KEY,
    OUTBOX_OLDEST_AGE,
    OUTBOX_PENDING,
    drain_outbox,
    job_hash,
    refresh_indexes,
    update_lag_metrics,
)
from api.migrations import upgrade
from api.reindex import ReindexLocked, clean_tantivy, run_reindex_async
from indexing.elasticsearch import ElasticsearchJobIndex, ElasticsearchSettings
from indexing.embedder import HashingEmbedder
from indexing.filters import JobFilters
from indexing.lexical import TantivyJobIndex
from models import Job, Resume, User
from models.db import make_sync_engine
from models.enums import JobStatus, UserType
from models.search import DocType, SearchChunk, SearchOutbox
from tests.conftest import ROOT
from tests.indexing.test_elasticsearch import Recorder

ALL = JobFilters(status=())


class Other(HashingEmbedder):
    """The same vectors under another model id: what a model upgrade looks like."""

    @property
    def model_id(self) -> str:
        return "another-model"


async def _outbox(session: AsyncSession) -> list[tuple[str, uuid.UUID]]:
    rows = await session.execute(
        select(SearchOutbox.doc_type, SearchOutbox.doc_id).order_by(SearchOutbox.id)
    )
    return [(str(t), i) for t, i in rows.all()]


async def _user(session: AsyncSession) -> User:
    user = User(email=f"cv-{uuid.uuid4().hex[:8]}@example.com", user_type=UserType.CANDIDATE)
    session.add(user)
    await session.flush()
    return user


async def _resume(session: AsyncSession, user: User, text_: str) -> Resume:
    resume = Resume(
        user_id=user.id,
        file_name="cv.pdf",
        mime_type="application/pdf",
        size_bytes=100,
        sha256=uuid.uuid4().hex,
        extracted_text=text_,
    )
    session.add(resume)
    await session.flush()
    return resume


# -- incremental by content hash ----------------------------------------------------------------


@pytest.mark.integration
async def test_incremental_embeds_only_what_changed(
    session: AsyncSession, lexical_index: TantivyJobIndex, job_factory
) -> None:  # type: ignore[no-untyped-def]
    jobs = [await job_factory(embedded=False, title=f"Payroll Officer {n}") for n in range(3)]
    embedder = HashingEmbedder()
    first = await refresh_indexes(session, embedder, lexical_index, scan=True, search=None)
    assert first.jobs_embedded == 3
    assert first.jobs_checked == 3
    stored = await session.get(Job, jobs[0].id)
    assert stored is not None
    assert stored.content_hash == job_hash(stored)

    again = await refresh_indexes(session, embedder, lexical_index, scan=True, search=None)
    assert (again.jobs_embedded, again.jobs_checked) == (0, 3)

    # Text changed behind the writers' back, and its outbox row lost: the hash scan finds it.
    await session.execute(
        update(Job).where(Job.id == jobs[1].id).values(description="Run monthly payroll in SAP.")
    )
    await session.execute(delete(SearchOutbox))
    changed = await refresh_indexes(session, embedder, lexical_index, scan=True, search=None)
    assert changed.jobs_embedded == 1

    # Another model's vectors are all re-embedded.
    upgraded = await refresh_indexes(session, Other(), lexical_index, search=None)
    assert upgraded.jobs_embedded == 3
    models_now = set((await session.execute(select(Job.embedding_model))).scalars())
    assert models_now == {"another-model"}


@pytest.mark.integration
async def test_an_outbox_change_is_re_embedded_and_re_indexed(
    session: AsyncSession, lexical_index: TantivyJobIndex, job_factory
) -> None:  # type: ignore[no-untyped-def]
    job = await job_factory(embedded=False, title="Warehouse Supervisor")
    embedder = HashingEmbedder()
    await refresh_indexes(session, embedder, lexical_index, search=None)
    before = (await session.execute(select(Job.embedding).where(Job.id == job.id))).scalar_one()
    # A raw update (no writer cleared the vector): the trigger's outbox row carries it.
    await session.execute(
        update(Job).where(Job.id == job.id).values(title="Falconry Trainer", skills=["Falconry"])
    )
    assert ("job", job.id) in await _outbox(session)
    report = await refresh_indexes(session, embedder, lexical_index, search=None)
    assert report.jobs_embedded == 1
    assert report.outbox_drained >= 1
    after = (await session.execute(select(Job.embedding).where(Job.id == job.id))).scalar_one()
    assert list(after) != list(before)
    hits = await lexical_index.search_lexical("falconry", ALL, 5)
    assert [h.id for h in hits] == [job.id]
    assert await _outbox(session) == []


@pytest.mark.integration
async def test_a_repeated_change_message_never_brings_back_old_data(
    session: AsyncSession, lexical_index: TantivyJobIndex, job_factory
) -> None:  # type: ignore[no-untyped-def]
    job = await job_factory(title="Night Auditor")
    await refresh_indexes(session, HashingEmbedder(), lexical_index, search=None)
    await session.execute(update(Job).where(Job.id == job.id).values(title="Day Receptionist"))
    await refresh_indexes(session, HashingEmbedder(), lexical_index, search=None)
    # The same message again, late: it carries no data, the current row is read again.
    await session.execute(insert(SearchOutbox).values(doc_type=DocType.JOB, doc_id=job.id))
    await refresh_indexes(session, HashingEmbedder(), lexical_index, search=None)
    assert await lexical_index.search_lexical("auditor", ALL, 5) == []
    assert [h.id for h in await lexical_index.search_lexical("receptionist", ALL, 5)] == [job.id]


@pytest.mark.integration
async def test_deleting_a_job_propagates_everywhere(
    session: AsyncSession, lexical_index: TantivyJobIndex, job_factory
) -> None:  # type: ignore[no-untyped-def]
    job = await job_factory(embedded=False, title="Crane Operator")
    await refresh_indexes(session, HashingEmbedder(), lexical_index, search=None)
    chunks = select(func.count()).where(SearchChunk.doc_id == job.id)
    assert (await session.execute(chunks)).scalar_one() >= 1
    await session.execute(delete(Job).where(Job.id == job.id))
    report = await refresh_indexes(session, HashingEmbedder(), lexical_index, search=None)
    assert report.deleted == 1
    assert (await session.execute(chunks)).scalar_one() == 0
    assert await lexical_index.search_lexical("crane operator", ALL, 5) == []


@pytest.mark.integration
async def test_cv_changes_go_through_the_outbox_too(
    session: AsyncSession, lexical_index: TantivyJobIndex
) -> None:
    user = await _user(session)
    resume = await _resume(session, user, "Accountant. IFRS, VAT returns, Excel.")
    assert ("resume", resume.id) in await _outbox(session)
    embedder = HashingEmbedder()
    first = await refresh_indexes(session, embedder, lexical_index, search=None)
    assert first.resumes_embedded == 1
    old = (await session.execute(select(Resume.content_hash).where(Resume.id == resume.id))).one()

    await session.execute(
        update(Resume)
        .where(Resume.id == resume.id)
        .values(extracted_text="Nurse. BLS, patient care, ICU.")
    )
    assert ("resume", resume.id) in await _outbox(session)
    changed = await drain_outbox(session, embedder, lexical_index)
    assert changed.resumes_embedded == 1
    new = (await session.execute(select(Resume.content_hash).where(Resume.id == resume.id))).one()
    assert new != old

    # Writing the vector is not a change to index: no outbox row, no loop.
    assert await _outbox(session) == []
    await session.execute(delete(Resume).where(Resume.id == resume.id))
    gone = await drain_outbox(session, embedder, lexical_index)
    assert gone.deleted == 1
    left = select(func.count()).where(
        SearchChunk.doc_type == DocType.RESUME, SearchChunk.doc_id == resume.id
    )
    assert (await session.execute(left)).scalar_one() == 0


# -- versions (Elasticsearch) -------------------------------------------------------------------


@pytest.mark.integration
async def test_elasticsearch_writes_carry_a_version_above_the_changes_they_apply(
    session: AsyncSession, lexical_index: TantivyJobIndex, job_factory
) -> None:  # type: ignore[no-untyped-def]
    """Elasticsearch is faked at the HTTP boundary (no server here; the real-server versioning
    test is in tests/indexing/test_elasticsearch.py): we check what the drain sends."""
    recorder = Recorder()
    es = ElasticsearchJobIndex(
        recorder.client, ElasticsearchSettings(ELASTICSEARCH_URL="http://es.invalid:9200")
    )
    recorder.indexes = {"tabashir-jobs-1": True}
    # Rows other tests committed for real (concurrency tests) may sit in the shared outbox;
    # this test is about its own two jobs (the deletion is rolled back with the test).
    await session.execute(delete(SearchOutbox))
    kept, won = await job_factory(title="Tailor"), await job_factory(title="Barista")
    ids = [r.id for r in (await session.execute(select(SearchOutbox.id))).all()]
    # Elasticsearch already holds a newer version of one of them (a concurrent writer won).
    recorder.bulk_status = lambda op, meta: 409 if meta["_id"] == str(won.id) else 201
    report = await drain_outbox(session, HashingEmbedder(), lexical_index, es)
    first, retry = [r for r in recorder.requests if r.path.endswith("/_bulk")]
    (version,) = {line["index"]["version"] for line in first.body[::2]}
    assert version > max(ids)
    assert all(line["index"]["version_type"] == "external" for line in first.body[::2])
    assert {line["index"]["_id"] for line in first.body[::2]} == {str(kept.id), str(won.id)}
    # The refused one is retried once with fresh data and a newer version, then left for the
    # next run (a newer writer keeps winning); the other one is done.
    assert [line["index"]["_id"] for line in retry.body[::2]] == [str(won.id)]
    assert retry.body[0]["index"]["version"] > version
    assert report.version_conflicts == 2
    assert await _outbox(session) == [("job", won.id)]
    recorder.bulk_status = lambda op, meta: 201
    await drain_outbox(session, HashingEmbedder(), lexical_index, es)
    last = [r for r in recorder.requests if r.path.endswith("/_bulk")][-1]
    assert last.body[0]["index"]["version"] > retry.body[0]["index"]["version"]
    assert await _outbox(session) == []


# -- lag metric, lock -----------------------------------------------------------------------------


@pytest.mark.integration
async def test_lag_is_exported_on_metrics(
    session: AsyncSession, client: httpx.AsyncClient, job_factory
) -> None:  # type: ignore[no-untyped-def]
    await job_factory()
    await session.execute(
        update(SearchOutbox).values(enqueued_at=func.now() - timedelta(minutes=10))
    )
    lag = await update_lag_metrics(session)
    assert lag.pending >= 1
    assert 590 <= lag.oldest_age_s <= 900
    assert OUTBOX_PENDING._value.get() == lag.pending
    assert OUTBOX_OLDEST_AGE._value.get() == pytest.approx(lag.oldest_age_s)
    body = (await client.get("/metrics")).text
    assert f"tabashir_index_outbox_pending {float(lag.pending)}" in body
    assert "tabashir_index_outbox_oldest_age_seconds" in body


@pytest.mark.integration
async def test_a_second_indexer_skips_while_the_lock_is_held(
    session: AsyncSession, engine: AsyncEngine, lexical_index: TantivyJobIndex, job_factory
) -> None:  # type: ignore[no-untyped-def]
    await job_factory(embedded=False)
    async with engine.connect() as other:
        await other.execute(select(func.pg_advisory_lock(INDEX_LOCK_KEY)))
        try:
            report = await refresh_indexes(session, HashingEmbedder(), lexical_index, search=None)
            assert report.skipped_locked
            assert report.jobs_embedded == 0
        finally:
            await other.execute(select(func.pg_advisory_unlock(INDEX_LOCK_KEY)))
            await other.commit()
    report = await refresh_indexes(session, HashingEmbedder(), lexical_index, search=None)
    assert not report.skipped_locked
    assert report.jobs_embedded == 1


@pytest.mark.integration
async def test_reindex_stops_at_once_when_another_run_holds_the_lock(
    database_url: URL, engine: AsyncEngine, tmp_path: Path
) -> None:
    async with engine.connect() as other:
        await other.execute(select(func.pg_advisory_lock(INDEX_LOCK_KEY)))
        try:
            with pytest.raises(ReindexLocked, match="another `tabashir reindex` is running"):
                await run_reindex_async(
                    database_url,
                    embedder=HashingEmbedder(),
                    lexical=TantivyJobIndex(tmp_path / "lexical"),
                )
        finally:
            await other.execute(select(func.pg_advisory_unlock(INDEX_LOCK_KEY)))
            await other.commit()
    assert not (tmp_path / "lexical").exists()  # nothing was touched


@pytest.mark.unit
def test_clean_tantivy_drops_half_built_generations(tmp_path: Path) -> None:
    index = TantivyJobIndex(tmp_path / "lexical")
    index.rebuild_sync([])
    current = os.readlink(index.root / "current")
    crashed = index.root / "gen-9999999999999999999"
    crashed.mkdir()
    (index.root / ".current-1").symlink_to(current)
    assert sorted(clean_tantivy(index)) == [".current-1", crashed.name]
    assert not crashed.exists()
    assert (index.root / current).exists()
    assert index.count_sync() == 0


# -- the command, killed ----------------------------------------------------------------------------


def _recreate(admin: URL, name: str, template: str | None = None) -> None:
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
        c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if template is None:
            c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        else:
            c.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )


def _drop(admin: URL, name: str) -> None:
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
        c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _reindex_command() -> list[str]:
    """The command an operator runs."""
    return [sys.executable, "-m", "api", "reindex"]


class Scratch:
    """A scratch database (a copy of the demo template) and a lexical folder of its own."""

    def __init__(self, url: URL, lexical: Path) -> None:
        self.url = url
        self.lexical = lexical

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "TABASHIR_DB_NAME": str(self.url.database),
            "TABASHIR_LEXICAL_DIR": str(self.lexical),
            "TABASHIR_REINDEX_EMBEDDER": "hashing",
            "TABASHIR_REINDEX_JOB_BATCH": "16",
            "TABASHIR_REINDEX_RESUME_BATCH": "4",
            "TABASHIR_BATCH_BLOCK": "8",
        }
        env.pop("ELASTICSEARCH_URL", None)
        if env.get("DATABASE_URL"):
            env["DATABASE_URL"] = self.url.render_as_string(hide_password=False)
        return env

    def run(self, *args: str, kill_after: int | None = None) -> tuple[int, list[str], str]:
        """Run the command; with ``kill_after``, SIGKILL it after that many progress lines."""
        proc = subprocess.Popen(
            [*_reindex_command(), *args],
            cwd=ROOT,
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stderr is not None
        assert proc.stdout is not None
        lines: list[str] = []
        for line in proc.stderr:
            lines.append(line.rstrip("\n"))
            if kill_after is not None and len(lines) >= kill_after:
                proc.send_signal(signal.SIGKILL)
                break
        out = proc.stdout.read()
        proc.wait(timeout=120)
        proc.stderr.close()
        proc.stdout.close()
        return proc.returncode, lines, out

    def state(self) -> dict[str, Any]:
        engine = make_sync_engine(self.url)
        queries = {
            "jobs": "SELECT id, content_hash, embedding_model, md5(embedding::text) FROM jobs "
            "ORDER BY id",
            "resumes": "SELECT id, content_hash, embedding_model, md5(embedding::text) "
            "FROM resumes ORDER BY id",
            "chunks": "SELECT doc_type, doc_id, ordinal, content_hash, md5(embedding::text) "
            "FROM search_chunks ORDER BY doc_type, doc_id, ordinal",
            "recommendations": "SELECT resume_id, job_id, rank, score, retrieval_score, "
            "explanation::text FROM recommendations ORDER BY resume_id, rank",
            "notices": "SELECT user_id, job_id FROM recommendation_notices ORDER BY 1, 2",
            "notifications": "SELECT user_id, title, data::text FROM notifications "
            "WHERE kind = 'job_recommendation' ORDER BY 1, 2",
            "outbox": "SELECT count(*) FROM search_outbox",
        }
        with engine.connect() as conn:
            state: dict[str, Any] = {
                name: [tuple(r) for r in conn.execute(text(q)).all()] for name, q in queries.items()
            }
        engine.dispose()
        index = TantivyJobIndex(self.lexical)
        state["lexical_count"] = index.count_sync()
        # Scores with their ids; equal scores in id order (tantivy's writer threads may order
        # ties differently from one build to the next).
        state["lexical_results"] = {
            q: sorted((-round(h.score, 4), str(h.id)) for h in index.search_sync(q, f, 400))
            for q, f in (
                ("accountant IFRS VAT", ALL),
                ("nurse patient care", JobFilters()),
                ("مهندس برمجيات", ALL),
                ("sales manager", JobFilters(city=("Dubai",))),
            )
        }
        state["lexical_generations"] = sorted(p.name for p in self.lexical.glob("gen-*"))[-1:]
        return state


@pytest.fixture
def scratch(database_url: URL, tmp_path: Path) -> Iterator[Callable[[str], Scratch]]:
    admin = database_url.set(drivername="postgresql", database="postgres")
    template = f"{database_url.database}_rx_template"
    _recreate(admin, template)
    engine = make_sync_engine(database_url.set(database=template))
    with engine.begin() as conn:
        upgrade(conn)
        load_demo(conn, seed=20261126, today=date(2026, 11, 26))
    engine.dispose()
    made: list[str] = []

    def make(name: str) -> Scratch:
        db = f"{database_url.database}_rx_{name}"
        _recreate(admin, db, template)
        made.append(db)
        return Scratch(database_url.set(database=db), tmp_path / f"lexical-{name}")

    yield make
    for db in [*made, template]:
        _drop(admin, db)


def _comparable(state: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in state.items() if k != "lexical_generations"}


@pytest.mark.slow
@pytest.mark.integration
def test_killed_runs_complete_to_the_uninterrupted_state(scratch) -> None:  # type: ignore[no-untyped-def]
    reference = scratch("reference")
    code, lines, out = reference.run("--full")
    assert code == 0, lines[-5:]
    assert out.startswith("reindex: ")
    expected = reference.state()
    assert len(expected["jobs"]) == 320
    assert all(r[3] for r in expected["jobs"])
    assert expected["lexical_count"] == 320
    assert expected["outbox"] == [(0,)]
    assert expected["recommendations"]
    assert expected["notifications"]
    assert all(expected["lexical_results"].values())
    # Progress lines: 20 job batches, 9 CV batches, the rebuild, 5 recommendation blocks.
    embedding = [n for n, line in enumerate(lines) if line.startswith("embedded")]
    rebuild = next(n for n, line in enumerate(lines) if line.startswith("lexical index rebuilt"))
    recommending = [n for n, line in enumerate(lines) if line.startswith("recommendations for")]
    assert len(embedding) >= 25
    assert recommending

    # Killed while embedding jobs, while embedding CVs, right after the lexical rebuild, while
    # storing recommendations; and one database killed three times in a row.
    points = [3, embedding[-3] + 1, rebuild + 1, recommending[1] + 1]
    for n, kill_after in enumerate(points):
        crashed = scratch(f"crash{n}")
        code, seen, _ = crashed.run("--full", kill_after=kill_after)
        assert code == -signal.SIGKILL, (kill_after, seen[-3:])
        code, seen, _ = crashed.run("--full")
        assert code == 0, seen[-5:]
        assert _comparable(crashed.state()) == _comparable(expected), f"killed after {kill_after}"
        # Nothing half-built is left behind: one generation, the current one.
        assert len(list(crashed.lexical.glob("gen-*"))) <= 2

    repeated = scratch("repeated")
    for kill_after in (5, 12, 20):
        code, _, _ = repeated.run("--full", kill_after=kill_after)
        assert code == -signal.SIGKILL
    code, _, out = repeated.run("--full")
    assert code == 0
    assert _comparable(repeated.state()) == _comparable(expected)
    # And an incremental run afterwards has nothing left to embed.
    code, _, out = repeated.run()
    assert code == 0
    assert '"jobs_embedded": 0' in out
    assert '"resumes_embedded": 0' in out


@pytest.mark.slow
@pytest.mark.integration
def test_a_second_run_exits_with_a_clear_message(scratch) -> None:  # type: ignore[no-untyped-def]
    db = scratch("locked")
    with psycopg.connect(
        db.url.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True
    ) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (INDEX_LOCK_KEY,))
        code, lines, out = db.run()
    assert code == 3
    assert any("another `tabashir reindex` is running" in line for line in lines)
    assert out == ""


@pytest.mark.integration
async def test_demo_data_reindexed_in_process_has_no_pending_changes(
    session: AsyncSession,
    connection,
    lexical_index: TantivyJobIndex,  # type: ignore[no-untyped-def]
) -> None:
    await connection.run_sync(lambda c: load_demo(c, seed=3, today=date(2026, 11, 26)))
    report = await refresh_indexes(session, HashingEmbedder(), lexical_index, search=None)
    assert report.jobs_embedded >= 300
    assert report.resumes_embedded >= 30
    assert await _outbox(session) == []
    assert await lexical_index.count() == report.jobs_embedded
    open_jobs = select(func.count()).where(Job.status == JobStatus.OPEN)
    assert (await session.execute(open_jobs)).scalar_one() > 0
