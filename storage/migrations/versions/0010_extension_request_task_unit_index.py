"""extension_request (task, unit, id) index

The approved extension of one assignment is looked up by (task, unit) many times per summary and per planning
run. With only the single-column indexes, SQLite without statistics may pick the unit's index, which lists every
request of the unit: loading a day's assignments over 100,000 tasks took 2 s instead of 0.5 s.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 18:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('extension_request', schema=None) as batch_op:
        batch_op.create_index('ix_extension_request_task_unit', ['task_id', 'unit_id', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('extension_request', schema=None) as batch_op:
        batch_op.drop_index('ix_extension_request_task_unit')
