"""web links: signed, expiring upload/download/photo links served by the bot's web server

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('web_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_id', sa.String(length=32), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('file_path', sa.String(length=300), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('mime_type', sa.String(length=127), nullable=True),
    sa.Column('expires_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_id')
    )
    with op.batch_alter_table('web_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_link_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_web_link_task_id'), ['task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_web_link_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_web_link_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('web_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_link_expires_at'))
        batch_op.drop_index(batch_op.f('ix_web_link_unit_id'))
        batch_op.drop_index(batch_op.f('ix_web_link_task_id'))
        batch_op.drop_index(batch_op.f('ix_web_link_member_id'))
    op.drop_table('web_link')
