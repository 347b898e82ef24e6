"""send rate: the send slots of one bot token, shared by every process

One row per bot token (chat_id '') with its next free send slot and the end of a flood-control pause, and one
row per recently messaged chat, so that several processes sending for the same bot keep the platform's limits
together (scheduler/limiter.py, storage/send_rate.py). Times are seconds since the epoch on the database's clock.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('send_rate',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('chat_id', sa.String(length=64), nullable=False),
    sa.Column('next_at', sa.Float(), nullable=False),
    sa.Column('paused_until', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('key', 'chat_id')
    )


def downgrade() -> None:
    op.drop_table('send_rate')
