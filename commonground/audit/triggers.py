"""The append-only guard as SQL, for SQLite and PostgreSQL alike.

Inserting is allowed. Deleting (and on PostgreSQL truncating) is refused. Updating is refused except
the one time the sealing job fills the seal columns of a row that has none yet, changing nothing else.
"""

from __future__ import annotations

TABLE = "audit_auditevent"
GUARDED_COLUMNS = (
    "id",
    "occurred_at",
    "organisation_id",
    "actor_id",
    "actor_username",
    "actor_role",
    "on_behalf_of_id",
    "action",
    "outcome",
    "patient_id",
    "object_type",
    "object_id",
    "request_id",
    "client_address",
    "break_glass_reason",
    "detail",
)
MESSAGE = "audit events are append-only"


def _changed_sqlite() -> str:
    return " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in GUARDED_COLUMNS)


def _changed_postgres() -> str:
    return " OR ".join(f"NEW.{column} IS DISTINCT FROM OLD.{column}" for column in GUARDED_COLUMNS)


def create_statements(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
            f"CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON {TABLE} "
            f"WHEN OLD.row_hash IS NOT NULL OR {_changed_sqlite()} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        ]
    if vendor == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION audit_event_guard() RETURNS trigger AS $$
            BEGIN
              IF TG_OP <> 'UPDATE' THEN RAISE EXCEPTION '{MESSAGE}'; END IF;
              IF OLD.row_hash IS NOT NULL OR {_changed_postgres()} THEN
                RAISE EXCEPTION '{MESSAGE}';
              END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql""",
            f"CREATE TRIGGER audit_event_guard_rows BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_guard()",
            f"CREATE TRIGGER audit_event_guard_truncate BEFORE TRUNCATE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_guard()",
        ]
    raise NotImplementedError(f"No append-only guard for the {vendor} database")


def drop_statements(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return ["DROP TRIGGER IF EXISTS audit_event_no_delete", "DROP TRIGGER IF EXISTS audit_event_no_update"]
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS audit_event_guard_rows ON {TABLE}",
            f"DROP TRIGGER IF EXISTS audit_event_guard_truncate ON {TABLE}",
            "DROP FUNCTION IF EXISTS audit_event_guard()",
        ]
    raise NotImplementedError(f"No append-only guard for the {vendor} database")
