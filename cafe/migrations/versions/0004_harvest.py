"""harvest: votes, themes, moderation, hide until reveal, host links

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 02:32:01.578819

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('themes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('table_id', sa.Integer(), nullable=True),
    sa.Column('heading_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_themes_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['heading_id'], ['headings.id'], name=op.f('fk_themes_heading_id_headings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['table_id'], ['tables.id'], name=op.f('fk_themes_table_id_tables'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_themes'))
    )
    with op.batch_alter_table('themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_themes_event_id'), ['event_id'], unique=False)

    op.create_table('votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('device', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['note_id'], ['notes.id'], name=op.f('fk_votes_note_id_notes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_votes_round_id_rounds'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_votes')),
    sa.UniqueConstraint('note_id', 'device', name=op.f('uq_votes_note_id_device'))
    )
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_votes_device'), ['device'], unique=False)
        batch_op.create_index(batch_op.f('ix_votes_note_id'), ['note_id'], unique=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vote_limit', sa.Integer(), server_default='3', nullable=False))
        batch_op.add_column(sa.Column('event_wide_voting', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('premoderation', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('flag_words', sa.Text(), server_default='', nullable=False))

    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('votes', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('pinned', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('original_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('theme_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_notes_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notes_theme_id'), ['theme_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_notes_merged_into_id_notes'), 'notes', ['merged_into_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_notes_theme_id_themes'), 'themes', ['theme_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('tables', schema=None) as batch_op:
        batch_op.add_column(sa.Column('host_token', sa.String(length=32), nullable=True))

    # Every existing table gets a host link before the column may be required.
    tables = sa.table('tables', sa.column('id', sa.Integer()), sa.column('host_token', sa.String()))
    connection = op.get_bind()
    for (tid,) in connection.execute(sa.select(tables.c.id)).all():
        connection.execute(tables.update().where(tables.c.id == tid).values(host_token=secrets.token_urlsafe(18)))
    with op.batch_alter_table('tables', schema=None) as batch_op:
        batch_op.alter_column('host_token', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_tables_host_token'), ['host_token'])



def downgrade():
    with op.batch_alter_table('tables', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_tables_host_token'), type_='unique')
        batch_op.drop_column('host_token')

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('hidden')

    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notes_theme_id_themes'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_notes_merged_into_id_notes'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_notes_theme_id'))
        batch_op.drop_index(batch_op.f('ix_notes_merged_into_id'))
        batch_op.drop_column('theme_id')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('version')
        batch_op.drop_column('original_text')
        batch_op.drop_column('pinned')
        batch_op.drop_column('votes')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('flag_words')
        batch_op.drop_column('premoderation')
        batch_op.drop_column('event_wide_voting')
        batch_op.drop_column('vote_limit')

    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_votes_note_id'))
        batch_op.drop_index(batch_op.f('ix_votes_device'))

    op.drop_table('votes')
    with op.batch_alter_table('themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_themes_event_id'))

    op.drop_table('themes')
