"""The audit trail (操作记录): writing it, the sign-in and user-change receivers, the sign-in throttle,
reading it filtered, its pages and its Excel export. The ``AuditEvent`` table itself stays in the ledger's
models (``ledger_auditevent``, guarded append-only by the ledger's migrations)."""
