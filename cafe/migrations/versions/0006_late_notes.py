"""late notes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 03:00:57.198033

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accept_late', sa.Boolean(), server_default=sa.true(), nullable=False))

    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('late', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.drop_column('late')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('accept_late')

