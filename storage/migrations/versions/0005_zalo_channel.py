"""zalo channel: numbered choices per conversation, preferred channel, processed updates

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('choices', sa.Text(), nullable=True))
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preferred_channel', sa.String(length=20), nullable=True))
    op.create_table('processed_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('update_id', sa.String(length=120), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'update_id')
    )


def downgrade() -> None:
    op.drop_table('processed_update')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('preferred_channel')
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_column('choices')
