"""polls and questions

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 02:10:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def _when():
    return sa.DateTime(timezone=True)


def upgrade():
    op.create_table('polls',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('question', sa.Text(), nullable=False),
        sa.Column('kind', sa.Enum('single', 'multiple', 'scale', 'ranking', 'open', 'quiz', name='pollkind', native_enum=False, length=16), nullable=False),
        sa.Column('max_choices', sa.Integer(), server_default='1', nullable=False),
        sa.Column('scale_min', sa.Integer(), server_default='1', nullable=False),
        sa.Column('scale_max', sa.Integer(), server_default='5', nullable=False),
        sa.Column('low_label', sa.String(length=60), server_default='', nullable=False),
        sa.Column('high_label', sa.String(length=60), server_default='', nullable=False),
        sa.Column('state', sa.Enum('draft', 'open', 'closed', name='pollstate', native_enum=False, length=16), server_default='draft', nullable=False),
        sa.Column('hide_results', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('revealed', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('named', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('created_at', _when(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_polls_event_id_events'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_polls')),
    )
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_polls_event_id'), ['event_id'], unique=False)

    op.create_table('poll_options',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('poll_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text', sa.String(length=200), nullable=False),
        sa.Column('correct', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_options_poll_id_polls'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_options')),
    )
    with op.batch_alter_table('poll_options', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_options_poll_id'), ['poll_id'], unique=False)

    answer_state = sa.Enum('visible', 'review', 'hidden', 'answered', name='answerstate', native_enum=False, length=16)
    op.create_table('poll_responses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('poll_id', sa.Integer(), nullable=False),
        sa.Column('device', sa.String(length=64), nullable=False),
        sa.Column('client_id', sa.String(length=64), nullable=False),
        sa.Column('choices', sa.String(length=200), server_default='', nullable=False),
        sa.Column('value', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), server_default='', nullable=False),
        sa.Column('author', sa.String(length=60), server_default='', nullable=False),
        sa.Column('state', answer_state, server_default='visible', nullable=False),
        sa.Column('created_at', _when(), nullable=False),
        sa.Column('changed_at', _when(), nullable=False),
        sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_responses_poll_id_polls'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_responses')),
        sa.UniqueConstraint('poll_id', 'device', name=op.f('uq_poll_responses_poll_id_device')),
    )
    with op.batch_alter_table('poll_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_responses_poll_id'), ['poll_id'], unique=False)

    op.create_table('questions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.String(length=64), nullable=False),
        sa.Column('device', sa.String(length=64), server_default='', nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('author', sa.String(length=60), server_default='', nullable=False),
        sa.Column('state', answer_state, nullable=False),
        sa.Column('pinned', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('votes', sa.Integer(), server_default='0', nullable=False),
        sa.Column('created_at', _when(), nullable=False),
        sa.Column('answered_at', _when(), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_questions_event_id_events'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_questions')),
        sa.UniqueConstraint('event_id', 'client_id', name=op.f('uq_questions_event_id_client_id')),
    )
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questions_event_id'), ['event_id'], unique=False)

    op.create_table('question_votes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('device', sa.String(length=64), nullable=False),
        sa.Column('created_at', _when(), nullable=False),
        sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_votes_question_id_questions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_question_votes')),
        sa.UniqueConstraint('question_id', 'device', name=op.f('uq_question_votes_question_id_device')),
    )
    with op.batch_alter_table('question_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_votes_question_id'), ['question_id'], unique=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('activity', sa.String(length=16), server_default='cafe', nullable=False))
        batch_op.add_column(sa.Column('activity_poll_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('qa_premoderation', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('moderator_token', sa.String(length=32), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_events_activity_poll_id_polls'), 'polls', ['activity_poll_id'], ['id'],
                                    ondelete='SET NULL', use_alter=True)

    # Every existing event gets its moderators' link before the column may be required.
    events = sa.table('events', sa.column('id', sa.Integer()), sa.column('moderator_token', sa.String()))
    connection = op.get_bind()
    for (eid,) in connection.execute(sa.select(events.c.id)).all():
        connection.execute(events.update().where(events.c.id == eid).values(moderator_token=secrets.token_urlsafe(18)))
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.alter_column('moderator_token', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_events_moderator_token'), ['moderator_token'])


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_events_moderator_token'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_events_activity_poll_id_polls'), type_='foreignkey')
        batch_op.drop_column('moderator_token')
        batch_op.drop_column('qa_premoderation')
        batch_op.drop_column('activity_poll_id')
        batch_op.drop_column('activity')
    op.drop_table('question_votes')
    op.drop_table('questions')
    op.drop_table('poll_responses')
    op.drop_table('poll_options')
    op.drop_table('polls')
