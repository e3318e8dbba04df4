"""scale-out: batch recommendations, and CV changes in the index outbox

``recommendations`` holds each CV's batch-computed top jobs (faiss retrieval, re-ranked by the
matching features); ``recommendation_notices`` remembers the pairs already announced. A trigger
on ``resumes`` puts every CV change in ``search_outbox`` in the same transaction, as jobs do since
0003, so the indexer re-embeds changed CVs and drops the chunks and recommendations of deleted
ones.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Columns a CV's derived data is made from: an UPDATE touching only others (embedding,
# content_hash, parse bookkeeping) is not a change to re-index.
_INDEXED_RESUME_COLUMNS = "user_id, extracted_text, parsed, language"


def upgrade() -> None:
    op.create_table(
        "recommendation_notices",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs.id"],
            name=op.f("fk_recommendation_notices_job_id_jobs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recommendation_notices_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "job_id", name=op.f("pk_recommendation_notices")),
    )
    op.create_table(
        "recommendations",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("resume_id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("retrieval_score", sa.Float(), nullable=False),
        sa.Column("explanation", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("embedding_model", sa.String(length=200), nullable=False),
        sa.Column(
            "computed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "score >= 0 AND score <= 1",
            name=op.f("ck_recommendations_score_unit_interval"),
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_recommendations_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["resume_id"],
            ["resumes.id"],
            name=op.f("fk_recommendations_resume_id_resumes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recommendations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendations")),
    )
    op.create_index("ix_recommendations_job_id", "recommendations", ["job_id"], unique=False)
    op.create_index(
        "ix_recommendations_user_id_score", "recommendations", ["user_id", "score"], unique=False
    )
    op.create_index(
        "uq_recommendations_resume_id_job_id",
        "recommendations",
        ["resume_id", "job_id"],
        unique=True,
    )
    # Every change to a CV lands in the outbox in the same transaction, whatever code path made
    # it (as for jobs, migration 0003).
    op.execute(
        """
        CREATE FUNCTION search_outbox_enqueue_resume() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                INSERT INTO search_outbox (doc_type, doc_id) VALUES ('resume', OLD.id);
                RETURN OLD;
            END IF;
            INSERT INTO search_outbox (doc_type, doc_id) VALUES ('resume', NEW.id);
            RETURN NEW;
        END
        $$
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER resumes_search_outbox
        AFTER INSERT OR DELETE OR UPDATE OF {_INDEXED_RESUME_COLUMNS} ON resumes
        FOR EACH ROW EXECUTE FUNCTION search_outbox_enqueue_resume()
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS resumes_search_outbox ON resumes")
    op.execute("DROP FUNCTION IF EXISTS search_outbox_enqueue_resume()")
    op.drop_index("uq_recommendations_resume_id_job_id", table_name="recommendations")
    op.drop_index("ix_recommendations_user_id_score", table_name="recommendations")
    op.drop_index("ix_recommendations_job_id", table_name="recommendations")
    op.drop_table("recommendations")
    op.drop_table("recommendation_notices")
