"""task_unit latest report, kept by the database

Each (task, unit) row carries its latest status report (id, status, time), written by triggers on
status_report and task_unit in the same transaction as the report itself. Summaries and the reminder planner
then read an assignment's current state from its own row instead of finding the newest of its reports in the
whole history (1,000,000 rows in a big office). Triggers rather than application code, because every writer
(the bot, imports, bulk loads, a process killed mid-batch) then keeps the columns right, and the guard on the id
makes the newest report win even when two transactions commit out of order.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 16:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COPY = """
    UPDATE task_unit SET latest_report_id = NEW.id, latest_status = NEW.status, latest_at = NEW.created_at
    WHERE task_id = NEW.task_id AND unit_id = NEW.unit_id
      AND (latest_report_id IS NULL OR latest_report_id < NEW.id)"""

_SQLITE = (
    f"""CREATE TRIGGER status_report_latest AFTER INSERT ON status_report
        BEGIN {_COPY}; END""",
    # A unit (re)assigned to a task it already reported on (a revised plan) starts from that report.
    """CREATE TRIGGER task_unit_latest AFTER INSERT ON task_unit
       WHEN EXISTS (SELECT 1 FROM status_report WHERE task_id = NEW.task_id AND unit_id = NEW.unit_id)
       BEGIN
           UPDATE task_unit SET (latest_report_id, latest_status, latest_at) = (
               SELECT id, status, created_at FROM status_report
               WHERE task_id = NEW.task_id AND unit_id = NEW.unit_id ORDER BY id DESC LIMIT 1)
           WHERE id = NEW.id;
       END""",
)
_POSTGRESQL = (
    f"""CREATE FUNCTION status_report_latest() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN {_COPY}; RETURN NULL; END $$""",
    """CREATE TRIGGER status_report_latest AFTER INSERT ON status_report
       FOR EACH ROW EXECUTE FUNCTION status_report_latest()""",
    """CREATE FUNCTION task_unit_latest() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
           SELECT id, status, created_at INTO NEW.latest_report_id, NEW.latest_status, NEW.latest_at
           FROM status_report WHERE task_id = NEW.task_id AND unit_id = NEW.unit_id ORDER BY id DESC LIMIT 1;
           RETURN NEW;
       END $$""",
    """CREATE TRIGGER task_unit_latest BEFORE INSERT ON task_unit
       FOR EACH ROW EXECUTE FUNCTION task_unit_latest()""",
)
_BACKFILL = """
    UPDATE task_unit SET latest_report_id = (
        SELECT max(s.id) FROM status_report s WHERE s.task_id = task_unit.task_id AND s.unit_id = task_unit.unit_id)"""
_BACKFILL_COPY = """
    UPDATE task_unit SET
        latest_status = (SELECT s.status FROM status_report s WHERE s.id = task_unit.latest_report_id),
        latest_at = (SELECT s.created_at FROM status_report s WHERE s.id = task_unit.latest_report_id)
    WHERE latest_report_id IS NOT NULL"""


def upgrade() -> None:
    with op.batch_alter_table('task_unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('latest_report_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('latest_status', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('latest_at', UTCDateTime(), nullable=True))
    op.execute(_BACKFILL)
    op.execute(_BACKFILL_COPY)
    statements = _POSTGRESQL if op.get_bind().dialect.name == 'postgresql' else _SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER task_unit_latest ON task_unit")
        op.execute("DROP TRIGGER status_report_latest ON status_report")
        op.execute("DROP FUNCTION task_unit_latest()")
        op.execute("DROP FUNCTION status_report_latest()")
    else:
        op.execute("DROP TRIGGER task_unit_latest")
        op.execute("DROP TRIGGER status_report_latest")
    with op.batch_alter_table('task_unit', schema=None) as batch_op:
        batch_op.drop_column('latest_at')
        batch_op.drop_column('latest_status')
        batch_op.drop_column('latest_report_id')
