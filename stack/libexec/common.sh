# shellcheck shell=bash
# Sourced by stack/bin/stack and by the component scripts beside this file.
# Defines the folders of one environment's stack and loads its settings
# (stack/settings/$HITO_ENV.env) and generated secrets (secrets.env).

HITO_ROOT=${HITO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
HITO_ENV=${HITO_ENV:-dev}
HITO_SETTINGS=$HITO_ROOT/stack/settings/$HITO_ENV.env
HITO_RUN=$HITO_ROOT/run/$HITO_ENV
HITO_SECRETS=$HITO_RUN/secrets.env
export HITO_ROOT HITO_ENV HITO_SETTINGS HITO_RUN HITO_SECRETS

PG_BIN=/usr/lib/postgresql/15/bin
# The PostgreSQL role the metrics exporter logs in as (stack/libexec/pg-roles-sql).
PG_EXPORTER_ROLE=exporter

die() {
    echo "stack: $*" >&2
    exit 1
}

# Exports every KEY=VALUE of a file (comments and blank lines allowed).
load_env_file() {
    [ -r "$1" ] || die "$1 is missing or not readable"
    set -a
    # shellcheck disable=SC1090
    . "$1"
    set +a
}

load_settings() {
    [ -f "$HITO_SETTINGS" ] ||
        die "no settings for HITO_ENV=$HITO_ENV: $HITO_SETTINGS is missing"
    load_env_file "$HITO_SETTINGS"
    case "${HITO_HOST:-}" in
    127.0.0.1 | ::1) ;;
    *) die "$HITO_SETTINGS sets HITO_HOST=${HITO_HOST:-}; the local stack runs on loopback only" ;;
    esac
}

load_secrets() {
    load_env_file "$HITO_SECRETS"
}
