#!/usr/bin/env bash
# A local PostgreSQL server holding the example data, for the database
# source's tests. Sourced by `.ci/run` (it exports `BOARDPACK_PG_URL`); run it
# alone with `source .ci/postgres.sh` to develop against the same server.
#
# Idempotent and quiet: Debian's `postgresql` package is installed only if it
# is missing; a dedicated cluster `boardpack` (port $BOARDPACK_PG_PORT,
# default 54329, data under /var/lib/postgresql, owned by the `postgres`
# user, so it works when CI runs as root) is created once and started if it
# is down; the role and database `boardpack` are created once; the example's
# `data/*.csv` are loaded afresh every run (so the tables always match the
# files). Fails loudly on any problem: the database tests must never skip.

bp_pg_setup() {
  local port="${BOARDPACK_PG_PORT:-54329}"
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  if ! command -v pg_ctlcluster >/dev/null || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "   installing postgresql (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi
  local version
  version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
  local clusters
  clusters="$(pg_lsclusters -h)"
  if ! awk '{print $2}' <<<"$clusters" | grep -qx boardpack; then
    pg_createcluster --port "$port" "$version" boardpack -- \
      --auth-local=peer --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if [[ "$(pg_lsclusters -h | awk '$2 == "boardpack" {print $4}')" != online ]]; then
    pg_ctlcluster "$version" boardpack start
  fi
  local as_postgres=(runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres)
  if [[ "$(id -un)" == postgres ]]; then
    as_postgres=(psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres)
  fi
  if [[ -z "$("${as_postgres[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'boardpack'")" ]]; then
    "${as_postgres[@]}" -c "CREATE ROLE boardpack LOGIN PASSWORD 'boardpack'"
  fi
  if [[ -z "$("${as_postgres[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = 'boardpack'")" ]]; then
    "${as_postgres[@]}" -c "CREATE DATABASE boardpack OWNER boardpack"
  fi
  export BOARDPACK_PG_URL="postgresql://boardpack:boardpack@127.0.0.1:${port}/boardpack"
  # Loaded by this (root or CI) user over TCP, so the files need not be
  # readable by the `postgres` user.
  (cd "$root" && psql -X -q -v ON_ERROR_STOP=1 "$BOARDPACK_PG_URL" >/dev/null <<'SQL'
SET client_min_messages = warning;
BEGIN;
DROP TABLE IF EXISTS victims, population, offenders, first_time_entrants;
CREATE TABLE victims (
  crime_id text NOT NULL, victim_id text NOT NULL, offence_date date NOT NULL,
  offence_group text NOT NULL, district text NOT NULL, victim_age bigint NOT NULL,
  victim_sex text NOT NULL, victim_nationality text NOT NULL,
  domestic_abuse boolean NOT NULL, resident_in_county boolean NOT NULL);
CREATE TABLE population (district text NOT NULL, age_band text NOT NULL, population bigint NOT NULL);
CREATE TABLE offenders (offender_id text NOT NULL, assessment_date date NOT NULL, need text NOT NULL);
CREATE TABLE first_time_entrants (year_start date NOT NULL, financial_year text NOT NULL, first_time_entrants bigint NOT NULL);
\copy victims FROM 'data/victims.csv' WITH (FORMAT csv, HEADER true)
\copy population FROM 'data/population.csv' WITH (FORMAT csv, HEADER true)
\copy offenders FROM 'data/offenders.csv' WITH (FORMAT csv, HEADER true)
\copy first_time_entrants FROM 'data/first_time_entrants.csv' WITH (FORMAT csv, HEADER true)
CREATE INDEX ON victims (offence_date);
CREATE INDEX ON offenders (assessment_date);
COMMIT;
ANALYZE victims, population, offenders, first_time_entrants;
SQL
  )
  echo "   PostgreSQL $version on 127.0.0.1:$port, database boardpack loaded (BOARDPACK_PG_URL exported)" >&2
}

bp_pg_setup
