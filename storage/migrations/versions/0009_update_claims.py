"""processed_update claims: when claimed, when done

An update is now marked done in the same commit as what its handling recorded, and a claim whose process died
before that commit can be taken over once it is stale, so a platform's redelivery after a crash is handled
instead of skipped. Rows from before were all handled: they are done.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('processed_update', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('done_at', UTCDateTime(), nullable=True))
    op.execute("UPDATE processed_update SET claimed_at = created_at, done_at = created_at")


def downgrade() -> None:
    with op.batch_alter_table('processed_update', schema=None) as batch_op:
        batch_op.drop_column('done_at')
        batch_op.drop_column('claimed_at')
