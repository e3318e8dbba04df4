"""cv services: resume lineage, the AI builder's content, language-model usage per user

A duplicate or translated resume records its source in ``resume_derivations`` (its ``sha256``
is then not of an upload, so uploads stay idempotent); the AI builder keeps its source text,
the CV it started from and the validated result in ``ai_resume_contents``; every language-model
request (retries and repairs included) is one ``llm_usage`` row with its tokens and cost.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "llm_usage",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("feature", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "cost_usd",
            sa.Numeric(precision=12, scale=6),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column("duration_ms", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "prompt_tokens >= 0 AND completion_tokens >= 0",
            name=op.f("ck_llm_usage_tokens_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_llm_usage_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_llm_usage")),
    )
    op.create_index(op.f("ix_llm_usage_feature"), "llm_usage", ["feature"], unique=False)
    op.create_index(
        "ix_llm_usage_user_id_created_at", "llm_usage", ["user_id", "created_at"], unique=False
    )
    op.create_table(
        "resume_derivations",
        sa.Column("resume_id", sa.UUID(), nullable=False),
        sa.Column("source_resume_id", sa.UUID(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("target_language", sa.String(length=8), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('duplicate', 'translation')",
            name=op.f("ck_resume_derivations_derivation_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["resume_id"],
            ["resumes.id"],
            name=op.f("fk_resume_derivations_resume_id_resumes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_resume_id"],
            ["resumes.id"],
            name=op.f("fk_resume_derivations_source_resume_id_resumes"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("resume_id", name=op.f("pk_resume_derivations")),
    )
    op.create_index(
        op.f("ix_resume_derivations_source_resume_id"),
        "resume_derivations",
        ["source_resume_id"],
        unique=False,
    )
    op.create_table(
        "ai_resume_contents",
        sa.Column("ai_resume_id", sa.UUID(), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("source_cv", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("result_cv", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "rejected",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "options",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["ai_resume_id"],
            ["ai_resumes.id"],
            name=op.f("fk_ai_resume_contents_ai_resume_id_ai_resumes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ai_resume_id", name=op.f("pk_ai_resume_contents")),
    )


def downgrade() -> None:
    op.drop_table("ai_resume_contents")
    op.drop_index(op.f("ix_resume_derivations_source_resume_id"), table_name="resume_derivations")
    op.drop_table("resume_derivations")
    op.drop_index("ix_llm_usage_user_id_created_at", table_name="llm_usage")
    op.drop_index(op.f("ix_llm_usage_feature"), table_name="llm_usage")
    op.drop_table("llm_usage")
