-- Databases and roles of the docker-compose.yml stack (local development and trials only).
--
-- The postgres image runs this file once, as the superuser, when its data volume is empty
-- (/docker-entrypoint-initdb.d). After changing a password in .env, either recreate the volume
-- (`docker compose down -v`, which deletes all data) or `ALTER ROLE ... PASSWORD ...` by hand.
--
-- One database per service and trust (and one for the trust's directory, `<hf>_katalog`, shared by its
-- services), as in scripts/run_distributed.py, owned by one role per trust,
-- and the national overview's database owned by its own role: a trust's services cannot connect to
-- another trust's databases or to the national one. The services create their tables themselves
-- (Alembic migrations at start-up); as database owners they may create in the public schema.
--
-- Passwords come from the environment of the postgres container (see docker-compose.yml and
-- .env.example; the defaults there are local-development values, never real secrets). \getenv needs
-- psql 15 or later, which the postgres:15 image has.

\set ON_ERROR_STOP on

\getenv pg_hbe_password PG_HBE_PASSWORD
\getenv pg_ous_password PG_OUS_PASSWORD
\getenv pg_oversikt_password PG_OVERSIKT_PASSWORD

CREATE ROLE sp_hbe LOGIN PASSWORD :'pg_hbe_password';
CREATE ROLE sp_ous LOGIN PASSWORD :'pg_ous_password';
CREATE ROLE sp_oversikt LOGIN PASSWORD :'pg_oversikt_password';

-- Helse Bergen (HBE)
CREATE DATABASE hbe_soknad OWNER sp_hbe;
CREATE DATABASE hbe_vurdering OWNER sp_hbe;
CREATE DATABASE hbe_beslutning OWNER sp_hbe;
CREATE DATABASE hbe_integrasjon OWNER sp_hbe;
CREATE DATABASE hbe_katalog OWNER sp_hbe;

-- Oslo universitetssykehus (OUS)
CREATE DATABASE ous_soknad OWNER sp_ous;
CREATE DATABASE ous_vurdering OWNER sp_ous;
CREATE DATABASE ous_beslutning OWNER sp_ous;
CREATE DATABASE ous_integrasjon OWNER sp_ous;
CREATE DATABASE ous_katalog OWNER sp_ous;

-- The national overview, and its own directory (the national team; the people and roles it grants)
CREATE DATABASE nasjonal_oversikt OWNER sp_oversikt;
CREATE DATABASE nasjonal_katalog OWNER sp_oversikt;

-- Only the owner (and the superuser) may connect.
REVOKE ALL ON DATABASE hbe_soknad, hbe_vurdering, hbe_beslutning, hbe_integrasjon, hbe_katalog FROM PUBLIC;
REVOKE ALL ON DATABASE ous_soknad, ous_vurdering, ous_beslutning, ous_integrasjon, ous_katalog FROM PUBLIC;
REVOKE ALL ON DATABASE nasjonal_oversikt, nasjonal_katalog FROM PUBLIC;
