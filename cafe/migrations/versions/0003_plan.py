"""rotation plan: seats, participant links, choices and attendance

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 01:59:55.004180

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('seats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('round_index', sa.Integer(), nullable=False),
    sa.Column('table_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_seats_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_seats_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['table_id'], ['tables.id'], name=op.f('fk_seats_table_id_tables'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seats')),
    sa.UniqueConstraint('participant_id', 'round_index', name=op.f('uq_seats_participant_id_round_index'))
    )
    with op.batch_alter_table('seats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seats_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seats_table_id'), ['table_id'], unique=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_seed', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('plan_free', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('plan_choices', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('choices', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('absent', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('token', sa.String(length=32), nullable=True))

    # Every existing participant gets a personal link before the column may be required.
    participants = sa.table('participants', sa.column('id', sa.Integer()), sa.column('token', sa.String()))
    connection = op.get_bind()
    for (pid,) in connection.execute(sa.select(participants.c.id)).all():
        connection.execute(participants.update().where(participants.c.id == pid)
                           .values(token=secrets.token_urlsafe(18)))
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.alter_column('token', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_participants_token'), ['token'])



def downgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_participants_token'), type_='unique')
        batch_op.drop_column('token')
        batch_op.drop_column('absent')
        batch_op.drop_column('choices')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('plan_choices')
        batch_op.drop_column('plan_free')
        batch_op.drop_column('plan_seed')

    with op.batch_alter_table('seats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seats_table_id'))
        batch_op.drop_index(batch_op.f('ix_seats_event_id'))

    op.drop_table('seats')
