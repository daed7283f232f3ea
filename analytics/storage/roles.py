"""PostgreSQL roles: the owner migrates the store, the app runs as a role that cannot
change the audit log.

The role that owns the tables may ``ALTER TABLE audit_log DISABLE TRIGGER`` and then
rewrite history, so the app and the CLI should not connect as it. The owner runs the
migrations (``open_store`` with the owner's URL, e.g. ``python -m analytics counts --db
OWNER_URL`` once after an upgrade) and grants the runtime role, once per store,
with :func:`grant_app_role` (``python -m analytics grant-app-role ROLE --db OWNER_URL``):

- every table of the store: SELECT, INSERT, UPDATE, DELETE;
- ``audit_log``: SELECT and INSERT only; ``alembic_version``: SELECT only;
- the sequences (the audit log's ids): USAGE and SELECT.

No TRUNCATE, no ownership: the runtime role can neither change an audit entry nor
switch off the triggers that forbid it. An up-to-date store needs nothing else from it
at start-up (checking the revision is one SELECT).
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from analytics.storage.tables import audit_log, metadata

_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_app_role(db: sa.Engine, role: str) -> list[str]:
    """As the store's owner, grant ``role`` what the app needs and no more.

    Parameters
    ----------
    db : sqlalchemy.Engine
        A PostgreSQL store, connected as its owner, at the head revision.
    role : str
        An existing role (lower-case letters, digits and ``_``).

    Returns
    -------
    list of str
        The statements run, in order.

    Raises
    ------
    ValueError
        The store is not PostgreSQL, or the role name is not a plain identifier.
    """
    if db.dialect.name != "postgresql":
        raise ValueError("roles apply to a PostgreSQL store only")
    if not _ROLE_NAME.match(role):
        raise ValueError(f"not a plain role name: {role!r}")
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT ON alembic_version TO {role}",
    ]
    for table in metadata.sorted_tables:
        rights = "SELECT, INSERT" if table is audit_log else "SELECT, INSERT, UPDATE, DELETE"
        statements.append(f'GRANT {rights} ON "{table.name}" TO {role}')
    statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    with db.begin() as conn:
        for sql in statements:
            conn.exec_driver_sql(sql)
    return statements
