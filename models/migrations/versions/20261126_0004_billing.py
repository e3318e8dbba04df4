"""billing: provider customers, checkout idempotency and fulfilment on payments, ledger shortfalls

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "billing_customers",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column(
            "provider",
            sa.Enum(
                "stripe",
                "ziina",
                name="provider",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("customer_id", sa.String(length=255), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_billing_customers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_customers")),
        sa.UniqueConstraint(
            "provider", "customer_id", name=op.f("uq_billing_customers_provider_customer_id")
        ),
        sa.UniqueConstraint(
            "provider", "user_id", name=op.f("uq_billing_customers_provider_user_id")
        ),
    )
    op.add_column("payments", sa.Column("idempotency_key", sa.String(length=255), nullable=True))
    op.add_column("payments", sa.Column("fulfilled_at", sa.DateTime(timezone=True), nullable=True))
    # A plain VARCHAR + named CHECK, as str_enum() declares it (add_column would not emit the CHECK).
    op.add_column("payments", sa.Column("fulfilment_status", sa.String(length=32), nullable=True))
    op.create_check_constraint(
        op.f("ck_payments_fulfilment_status"),
        "payments",
        "fulfilment_status IN ('pending', 'done', 'cancelled')",
    )
    op.create_unique_constraint(
        op.f("uq_payments_idempotency_key"), "payments", ["idempotency_key"]
    )
    # A refund of credits that were all used already records a shortfall and moves nothing.
    op.drop_constraint(op.f("ck_credit_ledger_delta_non_zero"), "credit_ledger", type_="check")
    op.create_check_constraint(
        op.f("ck_credit_ledger_delta_or_shortfall"), "credit_ledger", "delta <> 0 OR shortfall > 0"
    )
    op.create_check_constraint(
        op.f("ck_credit_ledger_shortfall_non_negative"), "credit_ledger", "shortfall >= 0"
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("ck_credit_ledger_shortfall_non_negative"), "credit_ledger", type_="check"
    )
    op.drop_constraint(op.f("ck_credit_ledger_delta_or_shortfall"), "credit_ledger", type_="check")
    op.create_check_constraint(
        op.f("ck_credit_ledger_delta_non_zero"), "credit_ledger", "delta <> 0"
    )
    op.drop_constraint(op.f("uq_payments_idempotency_key"), "payments", type_="unique")
    op.drop_constraint(op.f("ck_payments_fulfilment_status"), "payments", type_="check")
    op.drop_column("payments", "fulfilment_status")
    op.drop_column("payments", "fulfilled_at")
    op.drop_column("payments", "idempotency_key")
    op.drop_table("billing_customers")
