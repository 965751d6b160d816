"""The database: tables, migrations, the inbound ledger, and the one transaction helper."""
