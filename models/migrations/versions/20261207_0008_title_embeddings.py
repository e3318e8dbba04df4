"""title embeddings: one vector per distinct job title (and per CV's titles) for matching

Matching compares titles by meaning ("Python Developer" reads close to "Software Engineer"),
not by shared words. Titles repeat across jobs, so each distinct text is embedded once and kept
here, keyed by the text itself. Derived data: rebuilt with the documents that use it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 12:00:00.000000
"""

from collections.abc import Sequence

import pgvector.sqlalchemy
import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "title_embeddings",
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("embedding", pgvector.sqlalchemy.vector.VECTOR(dim=384), nullable=False),
        sa.Column("embedding_model", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("title", name=op.f("pk_title_embeddings")),
    )


def downgrade() -> None:
    op.drop_table("title_embeddings")
