"""facilitator link

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 04:25:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facilitator_token', sa.String(length=32), nullable=True))

    # Every existing event gets its facilitator link before the column may be required.
    events = sa.table('events', sa.column('id', sa.Integer()), sa.column('facilitator_token', sa.String()))
    connection = op.get_bind()
    for (eid,) in connection.execute(sa.select(events.c.id)).all():
        connection.execute(events.update().where(events.c.id == eid).values(facilitator_token=secrets.token_urlsafe(18)))
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.alter_column('facilitator_token', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_events_facilitator_token'), ['facilitator_token'])


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_events_facilitator_token'), type_='unique')
        batch_op.drop_column('facilitator_token')
