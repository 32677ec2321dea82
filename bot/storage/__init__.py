"""Everything stored, through SQLAlchemy 1.4: the check records (a repository
behind a unit of work) and their Alembic migrations. SQLite file by default,
any SQLAlchemy URL (PostgreSQL in production) by configuration."""
