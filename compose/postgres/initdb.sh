#!/usr/bin/env bash
# Run by the postgres image once, when it initialises an empty data volume:
# creates the roles and databases of stack/libexec/pg-roles-sql (mounted at
# /usr/local/lib/hito/pg-roles-sql) with the passwords of secrets.env.
set -euo pipefail

# pg-roles-sql sets the superuser's password too; keep the image's.
export PG_PASSWORD_POSTGRES=$POSTGRES_PASSWORD
/usr/local/lib/hito/pg-roles-sql |
    psql -X -q --username "$POSTGRES_USER" --dbname postgres >/dev/null
