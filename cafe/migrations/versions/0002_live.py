"""live: round clock, event live settings, notes, api tokens

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 01:30:32.514791

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('digest', name=op.f('uq_api_tokens_digest'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('table_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('heading_id', sa.Integer(), nullable=True),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author', sa.String(length=60), nullable=False),
    sa.Column('state', sa.Enum('visible', 'hidden', 'merged', name='notestate', native_enum=False, length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_notes_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['heading_id'], ['headings.id'], name=op.f('fk_notes_heading_id_headings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_notes_round_id_rounds'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['table_id'], ['tables.id'], name=op.f('fk_notes_table_id_tables'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notes')),
    sa.UniqueConstraint('event_id', 'client_id', name=op.f('uq_notes_event_id_client_id')),
    sa.UniqueConstraint('event_id', 'seq', name=op.f('uq_notes_event_id_seq'))
    )
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notes_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notes_heading_id'), ['heading_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notes_round_id'), ['round_id'], unique=False)
        batch_op.create_index('ix_notes_table_seq', ['table_id', 'seq'], unique=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('posting_open', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('auto_advance', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('warnings', sa.String(length=40), nullable=False, server_default='120,30'))
        batch_op.add_column(sa.Column('chime', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('announcement', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('last_seq', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.Enum('pending', 'running', 'paused', 'ended', 'skipped', name='roundstate', native_enum=False, length=16), nullable=False, server_default='pending'))
        batch_op.add_column(sa.Column('started_at', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('ends_at', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('remaining_s', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('ended_at', sa.Float(), nullable=True))



def downgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('ended_at')
        batch_op.drop_column('remaining_s')
        batch_op.drop_column('ends_at')
        batch_op.drop_column('started_at')
        batch_op.drop_column('state')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('last_seq')
        batch_op.drop_column('announcement')
        batch_op.drop_column('chime')
        batch_op.drop_column('warnings')
        batch_op.drop_column('auto_advance')
        batch_op.drop_column('posting_open')

    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.drop_index('ix_notes_table_seq')
        batch_op.drop_index(batch_op.f('ix_notes_round_id'))
        batch_op.drop_index(batch_op.f('ix_notes_heading_id'))
        batch_op.drop_index(batch_op.f('ix_notes_event_id'))

    op.drop_table('notes')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
