"""The directory: units, leaders, cost centres, the committee, people, their roles and sessions.

Reads are cached in-process for a few seconds (the hot path, autosave, asks for the principal on every
request) and the cache is dropped on this process's own writes; another process sees a change after
at most `cache_ttl_s`. Every change is written to `endring` in the same transaction."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import secrets
import time
import unicodedata
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, and_, delete, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.platform.auth.principal import Principal, Role
from shared.platform.clock import Clock, SystemClock
from shared.platform.db.engine import create_engine
from shared.platform.db.migrate import alembic_config
from shared.platform.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from shared.platform.katalog import tables as t

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

GRANTABLE_ROLES = (Role.SOKER, Role.FAGDIREKTOR, Role.CONTROLLER, Role.NASJONAL, Role.PERSONVERN, Role.ADMIN)
"""Roles granted directly. `leder` follows from leading a unit and `komite` from committee membership,
so each has one source of truth."""

START_LOCK_KEY = 0x6B61_7461  # "kata": PostgreSQL advisory lock held while migrating and seeding

SESSION_CACHE_S = 30.0
"""The longest a process trusts a session it has looked up (bounded further by the cache TTL, 5 s by
default): a session revoked in another process lives at most that long there. Revoking in this process
takes effect at once. Each browser sends its session with every autosave: re-checking it every 2 s cost
the embedded default's autosave a directory query on nearly every save (p99 59–108 ms against 33 ms)."""

SESSION_CLEANUP_S = 60 * 60.0
"""How often (at most) a login clears expired and revoked sessions out of the table."""

_KODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,39}$")
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "ß": "ss", "đ": "d", "ł": "l"})


def fold(text: str) -> str:
    """Lower case without accents (Ås → as, Sørli → sorli, Bjørn → bjorn): how names are searched."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


@dataclass(frozen=True)
class Enhet:
    kode: str
    navn: str
    hf: str
    resh_id: str | None = None
    aktiv: bool = True
    ledere: tuple[str, ...] = ()
    kostnadssteder: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Person:
    user_id: str
    hf: str
    navn: str
    hpr_nummer: str | None
    enhet: str | None
    aktiv: bool
    kilde: str
    tildelte_roller: frozenset[Role]
    leder_for: str | None
    komite: bool

    @property
    def roller(self) -> frozenset[Role]:
        roles = set(self.tildelte_roller)
        if self.leder_for:
            roles.add(Role.LEDER)
        if self.komite:
            roles.add(Role.KOMITE)
        return frozenset(roles)

    def principal(self, *, via_session: bool = False) -> Principal:
        return self._principals[via_session]

    @cached_property
    def _principals(self) -> tuple[Principal, Principal]:
        # Built once per cached read of the person, not per request.
        fields: dict[str, Any] = {
            "user_id": self.user_id,
            "name": self.navn,
            "roles": self.roller,
            "hf": self.hf,
            "enhet": self.leder_for or self.enhet,
            "hpr_number": self.hpr_nummer,
        }
        return Principal(**fields), Principal(**fields, via_session=True)


@dataclass(frozen=True)
class Organisasjon:
    """One trust's units (active and not), their leaders and cost centres, and its committee."""

    hf: str
    alle_enheter: tuple[Enhet, ...]
    komite: tuple[str, ...]

    @property
    def enheter(self) -> list[Enhet]:
        """The units one can send to or delegate to."""
        return [e for e in self.alle_enheter if e.aktiv]

    @property
    def koder(self) -> set[str]:
        return {e.kode for e in self.enheter}

    def enhet(self, kode: str) -> Enhet | None:
        return next((e for e in self.alle_enheter if e.kode == kode), None)

    def enhet_navn(self, kode: str) -> str:
        found = self.enhet(kode)
        return found.navn if found else kode

    def ledere(self, kode: str) -> list[str]:
        found = self.enhet(kode)
        return sorted(found.ledere) if found else []


@dataclass(frozen=True)
class Endring:
    at: Any
    av_id: str
    av_navn: str
    handling: str
    objekt: str
    detaljer: dict[str, Any]


Seed = Callable[["Katalog", AsyncConnection], Awaitable[None]]


class Katalog:
    def __init__(
        self,
        url: str,
        *,
        clock: Clock | None = None,
        cache_ttl_s: float = 5.0,
        migrate: bool = True,
        seed: Seed | None = None,
        session_max_age_s: float = 10 * 60 * 60,
    ):
        self.url = url
        # Few connections: reads are cached, writes are rare, and it is one more pool per service.
        self.engine = create_engine(url, pool_size=2)
        self.clock = clock or SystemClock()
        self.cache_ttl_s = cache_ttl_s
        self.session_cache_s = min(SESSION_CACHE_S, cache_ttl_s)
        self.session_max_age_s = session_max_age_s
        self._migrate = migrate
        self._seed = seed
        self._start_lock = asyncio.Lock()
        self._started = False
        self._org: dict[str, tuple[float, Organisasjon]] = {}
        self._people: dict[str, tuple[float, Person | None]] = {}
        self._sessions: dict[str, tuple[float, str]] = {}
        self._sessions_cleared_at: float | None = None
        self._login_list: tuple[float, list[Person]] | None = None

    # --- life cycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Migrate and seed once, however many services share this instance or this database."""
        async with self._start_lock:
            if self._started:
                return
            if self._migrate or self._seed is not None:
                async with self.engine.begin() as conn:
                    if conn.dialect.name == "postgresql":
                        # Every service of a trust starts at once against the one directory database:
                        # the first migrates and seeds, the others wait and then find it done.
                        await conn.execute(
                            text("SELECT pg_advisory_xact_lock(:key)"), {"key": START_LOCK_KEY}
                        )
                    if self._migrate:
                        await conn.run_sync(_upgrade)
                    if self._seed is not None and not await conn.scalar(
                        select(func.count()).select_from(t.person)
                    ):
                        # Seeded only when empty: an admin's later changes are left alone.
                        await self._seed(self, conn)
            self._started = True

    async def close(self) -> None:
        await self.engine.dispose()

    async def is_current(self) -> bool:
        heads = set(ScriptDirectory.from_config(alembic_config(MIGRATIONS_DIR)).get_heads())

        def current(connection: Connection) -> set[str]:
            context = MigrationContext.configure(connection, opts={"version_table": t.VERSION_TABLE})
            return set(context.get_current_heads())

        async with self.engine.connect() as conn:
            return await conn.run_sync(current) == heads

    def _invalidate(self) -> None:
        self._login_list = None
        self._org.clear()
        self._people.clear()
        self._sessions.clear()

    # --- reads ------------------------------------------------------------------------------------

    async def org(self, hf: str) -> Organisasjon:
        now = time.monotonic()
        cached = self._org.get(hf)
        if cached is not None and cached[0] > now:
            return cached[1]
        async with self.engine.connect() as conn:
            units = (await conn.execute(select(t.enhet).where(t.enhet.c.hf == hf))).all()
            codes = [u.kode for u in units]
            leaders: dict[str, list[str]] = {}
            costs: dict[str, list[tuple[str, str]]] = {}
            if codes:
                for row in await conn.execute(
                    select(t.leder.c.enhet_kode, t.leder.c.user_id)
                    .join(t.person, t.person.c.user_id == t.leder.c.user_id)
                    .where(t.leder.c.enhet_kode.in_(codes), t.person.c.aktiv.is_(True))
                ):
                    leaders.setdefault(row.enhet_kode, []).append(row.user_id)
                for row in await conn.execute(
                    select(t.kostnadssted).where(t.kostnadssted.c.enhet_kode.in_(codes))
                ):
                    costs.setdefault(row.enhet_kode, []).append((row.kode, row.navn))
            committee = (
                await conn.scalars(
                    select(t.komite.c.user_id)
                    .join(t.person, t.person.c.user_id == t.komite.c.user_id)
                    .where(t.komite.c.hf == hf, t.person.c.aktiv.is_(True))
                )
            ).all()
        org = Organisasjon(
            hf=hf,
            alle_enheter=tuple(
                sorted(
                    (
                        Enhet(
                            kode=u.kode,
                            navn=u.navn,
                            hf=u.hf,
                            resh_id=u.resh_id,
                            aktiv=u.aktiv,
                            ledere=tuple(sorted(leaders.get(u.kode, []))),
                            kostnadssteder=tuple(sorted(costs.get(u.kode, []))),
                        )
                        for u in units
                    ),
                    key=lambda e: e.navn,
                )
            ),
            komite=tuple(sorted(committee)),
        )
        self._org[hf] = (now + self.cache_ttl_s, org)
        return org

    async def person(self, user_id: str) -> Person | None:
        now = time.monotonic()
        cached = self._people.get(user_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        async with self.engine.connect() as conn:
            people = await self._load_people(conn, t.person.c.user_id == user_id)
        found = people[0] if people else None
        if len(self._people) > 10_000:
            self._people.clear()
        self._people[user_id] = (now + self.cache_ttl_s, found)
        return found

    async def person_by_hpr(self, hpr: str, *, hf: Iterable[str]) -> Person | None:
        """The person with this HPR-number in one of the trusts `hf` (an active one before a deactivated
        one): how a physician is known from a token that names them by HPR-number (a SMART launch)."""
        async with self.engine.connect() as conn:
            people = await self._load_people(
                conn, and_(t.person.c.hpr_nummer == hpr, t.person.c.hf.in_(sorted(set(hf))))
            )
        return next((p for p in people if p.aktiv), people[0] if people else None)

    async def personer(
        self, hf: str, *, sok: str = "", rolle: Role | None = None, limit: int = 200
    ) -> list[Person]:
        """The trust's people (active first, by name); `sok` matches any part of the name, ignoring
        case and accents."""
        condition = t.person.c.hf == hf
        folded = fold(sok)
        if folded:
            escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            condition = and_(condition, t.person.c.navn_sok.like(f"%{escaped}%", escape="\\"))
        async with self.engine.connect() as conn:
            people = await self._load_people(conn, condition, limit=None if rolle else limit)
        if rolle is not None:
            people = [p for p in people if rolle in p.roller]
        return people[:limit]

    async def medforfatter_kandidater(
        self, hf: str, sok: str, *, unntatt: Iterable[str] = ()
    ) -> list[Person]:
        """Active physicians (role soker) of the trust whose name matches, except those given."""
        taken = set(unntatt)
        found = await self.personer(hf, sok=sok, rolle=Role.SOKER, limit=50)
        return [p for p in found if p.aktiv and p.user_id not in taken][:20]

    async def innloggbare(self, *, limit: int = 500) -> list[Person]:
        """Active people with a role, of every trust: the demo login's list."""
        now = time.monotonic()
        if self._login_list is not None and self._login_list[0] > now:
            return self._login_list[1]
        async with self.engine.connect() as conn:
            people = await self._load_people(conn, t.person.c.aktiv.is_(True), limit=limit)
        order = list(Role)
        found = sorted(
            (p for p in people if p.roller),
            key=lambda p: (p.hf, min(order.index(r) for r in p.roller), p.user_id),
        )
        self._login_list = (now + self.cache_ttl_s, found)
        return found

    async def navn(self, user_id: str) -> str:
        found = await self.person(user_id)
        return found.navn if found else user_id

    async def endringer(self, hf: str, *, limit: int = 50) -> list[Endring]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(t.endring).where(t.endring.c.hf == hf).order_by(t.endring.c.seq.desc()).limit(limit)
            )
            return [
                Endring(r.at, r.av_id, r.av_navn, r.handling, r.objekt, json.loads(r.detaljer)) for r in rows
            ]

    async def _load_people(
        self, conn: AsyncConnection, condition: Any, *, limit: int | None = None
    ) -> list[Person]:
        query = select(t.person).where(condition).order_by(t.person.c.aktiv.desc(), t.person.c.navn_sok)
        if limit is not None:
            query = query.limit(limit)
        rows = (await conn.execute(query)).all()
        if not rows:
            return []
        ids = [r.user_id for r in rows]
        roles: dict[str, set[Role]] = {}
        for r in await conn.execute(select(t.rolle).where(t.rolle.c.user_id.in_(ids))):
            roles.setdefault(r.user_id, set()).add(Role(r.rolle))
        leads: dict[str, str] = {
            row.user_id: row.enhet_kode
            for row in await conn.execute(
                select(t.leder.c.user_id, t.leder.c.enhet_kode).where(t.leder.c.user_id.in_(ids))
            )
        }
        committee = set(
            (await conn.scalars(select(t.komite.c.user_id).where(t.komite.c.user_id.in_(ids)))).all()
        )
        return [
            Person(
                user_id=r.user_id,
                hf=r.hf,
                navn=r.navn,
                hpr_nummer=r.hpr_nummer,
                enhet=r.enhet,
                aktiv=r.aktiv,
                kilde=r.kilde,
                tildelte_roller=frozenset(roles.get(r.user_id, set())),
                leder_for=leads.get(r.user_id),
                komite=r.user_id in committee,
            )
            for r in rows
        ]

    # --- sessions ---------------------------------------------------------------------------------

    async def open_session(self, user_id: str) -> str:
        """A new random session id for the cookie; only its hash is stored. Logging in also clears
        out expired sessions, at most once an hour per process, so the table holds live ones only."""
        session_id = secrets.token_urlsafe(32)
        async with self.engine.begin() as conn:
            await conn.execute(
                insert(t.okt).values(
                    id_hash=session_hash(session_id), user_id=user_id, opprettet_at=self.clock.now()
                )
            )
        now = time.monotonic()
        if self._sessions_cleared_at is None or now - self._sessions_cleared_at > SESSION_CLEANUP_S:
            self._sessions_cleared_at = now
            await self.clear_expired_sessions()
        return session_id

    async def clear_expired_sessions(self) -> int:
        """Delete sessions that can no longer open anything: expired, or revoked. Returns how many."""
        oldest = self.clock.now() - timedelta(seconds=self.session_max_age_s)
        async with self.engine.begin() as conn:
            result = await conn.execute(
                delete(t.okt).where(or_(t.okt.c.opprettet_at <= oldest, t.okt.c.revoked_at.is_not(None)))
            )
        return int(result.rowcount or 0)

    async def session_user(self, session_id: str) -> str | None:
        """The user of a live session (not revoked, not expired)."""
        key = session_hash(session_id)
        now = time.monotonic()
        cached = self._sessions.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        oldest = self.clock.now() - timedelta(seconds=self.session_max_age_s)
        async with self.engine.connect() as conn:
            user_id = await conn.scalar(
                select(t.okt.c.user_id).where(
                    t.okt.c.id_hash == key, t.okt.c.revoked_at.is_(None), t.okt.c.opprettet_at > oldest
                )
            )
        if user_id is not None:
            # Only what is valid is remembered: a revoked or unknown id asks the database every time.
            if len(self._sessions) > 10_000:
                self._sessions.clear()
            self._sessions[key] = (now + self.session_cache_s, user_id)
        return user_id

    async def session_person(self, session_id: str) -> Person | None:
        """The active person of a live session: what a session cookie stands for."""
        user_id = await self.session_user(session_id)
        person = await self.person(user_id) if user_id is not None else None
        return person if person is not None and person.aktiv else None

    async def revoke_session(self, session_id: str) -> None:
        key = session_hash(session_id)
        async with self.engine.begin() as conn:
            await conn.execute(
                update(t.okt)
                .where(t.okt.c.id_hash == key, t.okt.c.revoked_at.is_(None))
                .values(revoked_at=self.clock.now())
            )
        self._sessions.pop(key, None)

    # --- people from the identity provider --------------------------------------------------------

    async def register_from_token(
        self, *, hf: str, user_id: str, navn: str, hpr_nummer: str | None
    ) -> Person:
        """The person a valid token names; the first login creates them, without roles."""
        if not user_id or len(user_id) > 100:
            raise Unauthenticated("Tilgangsbeviset har en identitet Søknadsportalen ikke kan bruke.")
        # The issuer's text, stored as it can be: no lone surrogates, within the columns.
        navn = navn.encode("utf-8", "replace").decode()[:200]
        hpr_nummer = hpr_nummer.encode("utf-8", "replace").decode()[:20] if hpr_nummer else None
        known = await self.person(user_id)
        if known is not None:
            return known
        try:
            async with self.engine.begin() as conn:
                await self._insert_person(
                    conn, hf=hf, user_id=user_id, navn=navn, hpr_nummer=hpr_nummer, enhet=None, kilde="oidc"
                )
                await self._log(
                    conn,
                    hf=hf,
                    av_id=user_id,
                    av_navn="Innlogging (HelseID)",
                    handling="person_registrert",
                    objekt=user_id,
                    detaljer={"navn": navn, "hpr_nummer": hpr_nummer},
                )
        except IntegrityError:
            pass  # a second request of the same first login
        self._people.pop(user_id, None)
        created = await self.person(user_id)
        assert created is not None
        return created

    # --- the admin's changes ----------------------------------------------------------------------

    async def legg_til_enhet(self, actor: Principal, *, kode: str, navn: str, resh_id: str = "") -> Enhet:
        hf = _require_admin(actor)
        kode = kode.strip().upper()
        if kode and not kode.startswith(f"{hf}-"):
            kode = f"{hf}-{kode}"
        if not _KODE.match(kode):
            raise ValidationFailed(
                "Koden kan ha store bokstaver, sifre og bindestrek (2–40 tegn).", field="kode"
            )
        navn = _text(navn, "navn", "Skriv enhetens navn.")
        resh_id = resh_id.strip()
        if resh_id and not (resh_id.isascii() and resh_id.isdigit() and len(resh_id) <= 12):
            raise ValidationFailed("RESH-id er et tall med høyst 12 sifre.", field="resh_id")

        async def change(conn: AsyncConnection) -> None:
            if await conn.scalar(select(t.enhet.c.kode).where(t.enhet.c.kode == kode)):
                raise ValidationFailed(f"Enheten {kode} finnes allerede.", field="kode")
            await conn.execute(
                insert(t.enhet).values(
                    kode=kode,
                    hf=hf,
                    navn=navn,
                    resh_id=resh_id or None,
                    aktiv=True,
                    opprettet_at=self.clock.now(),
                )
            )

        await self._change(actor, "enhet_lagt_til", kode, {"navn": navn, "resh_id": resh_id or None}, change)
        return Enhet(kode=kode, navn=navn, hf=hf, resh_id=resh_id or None)

    async def sett_enhet_aktiv(self, actor: Principal, *, enhet: str, aktiv: bool) -> None:
        """Take a unit out of use (or back): it leaves the forms' unit lists, while what was already
        sent to it keeps its leaders, so nothing in flight loses the one who must anchor it."""
        _require_admin(actor)

        async def change(conn: AsyncConnection) -> None:
            await self._own_unit(conn, actor, enhet)
            now = await conn.scalar(select(t.enhet.c.aktiv).where(t.enhet.c.kode == enhet))
            if bool(now) == aktiv:
                raise ValidationFailed(
                    "Enheten er allerede i bruk." if aktiv else "Enheten er allerede tatt ut av bruk.",
                    field="enhet",
                )
            await conn.execute(update(t.enhet).where(t.enhet.c.kode == enhet).values(aktiv=aktiv))

        await self._change(actor, "enhet_aktivert" if aktiv else "enhet_deaktivert", enhet, {}, change)

    async def legg_til_kostnadssted(self, actor: Principal, *, enhet: str, kode: str, navn: str) -> None:
        _require_admin(actor)
        kode = _text(kode, "kode", "Skriv kostnadsstedets kode.")
        if len(kode) > 40:
            raise ValidationFailed("Koden kan være høyst 40 tegn.", field="kode")
        navn = _text(navn, "navn", "Skriv kostnadsstedets navn.")

        async def change(conn: AsyncConnection) -> None:
            await self._own_unit(conn, actor, enhet)
            exists = await conn.scalar(
                select(t.kostnadssted.c.kode).where(
                    t.kostnadssted.c.enhet_kode == enhet, t.kostnadssted.c.kode == kode
                )
            )
            if exists:
                raise ValidationFailed("Enheten har allerede dette kostnadsstedet.", field="kode")
            await conn.execute(insert(t.kostnadssted).values(enhet_kode=enhet, kode=kode, navn=navn))

        await self._change(actor, "kostnadssted_lagt_til", enhet, {"kode": kode, "navn": navn}, change)

    async def utnevn_leder(self, actor: Principal, *, enhet: str, user_id: str) -> None:
        _require_admin(actor)

        async def change(conn: AsyncConnection) -> None:
            await self._own_unit(conn, actor, enhet)
            await self._own_person(conn, actor, user_id, active=True)
            leads = await conn.scalar(select(t.leder.c.enhet_kode).where(t.leder.c.user_id == user_id))
            if leads == enhet:
                raise ValidationFailed("Personen er allerede leder for denne enheten.", field="user_id")
            if leads is not None:
                raise ValidationFailed(
                    f"Personen er leder for {leads}. Fjern vedkommende som leder der først.", field="user_id"
                )
            await conn.execute(insert(t.leder).values(enhet_kode=enhet, user_id=user_id))

        await self._change(actor, "leder_utnevnt", enhet, {"user_id": user_id}, change)

    async def fjern_leder(self, actor: Principal, *, enhet: str, user_id: str) -> None:
        _require_admin(actor)

        async def change(conn: AsyncConnection) -> None:
            await self._own_unit(conn, actor, enhet)
            result = await conn.execute(
                delete(t.leder).where(t.leder.c.enhet_kode == enhet, t.leder.c.user_id == user_id)
            )
            if not result.rowcount:
                raise NotFound("Personen er ikke leder for denne enheten.")

        await self._change(actor, "leder_fjernet", enhet, {"user_id": user_id}, change)

    async def legg_til_komite(self, actor: Principal, *, user_id: str) -> None:
        hf = _require_admin(actor)

        async def change(conn: AsyncConnection) -> None:
            await self._own_person(conn, actor, user_id, active=True)
            if await conn.scalar(
                select(t.komite.c.user_id).where(t.komite.c.hf == hf, t.komite.c.user_id == user_id)
            ):
                raise ValidationFailed("Personen er allerede medlem av komiteen.", field="user_id")
            await conn.execute(insert(t.komite).values(hf=hf, user_id=user_id))

        await self._change(actor, "komitemedlem_lagt_til", user_id, {}, change)

    async def fjern_komite(self, actor: Principal, *, user_id: str) -> None:
        hf = _require_admin(actor)

        async def change(conn: AsyncConnection) -> None:
            result = await conn.execute(
                delete(t.komite).where(t.komite.c.hf == hf, t.komite.c.user_id == user_id)
            )
            if not result.rowcount:
                raise NotFound("Personen er ikke medlem av komiteen.")

        await self._change(actor, "komitemedlem_fjernet", user_id, {}, change)

    async def tildel_rolle(self, actor: Principal, *, user_id: str, rolle: str) -> None:
        _require_admin(actor)
        role = _grantable(rolle)

        async def change(conn: AsyncConnection) -> None:
            await self._own_person(conn, actor, user_id, active=True)
            has = await conn.scalar(
                select(t.rolle.c.rolle).where(t.rolle.c.user_id == user_id, t.rolle.c.rolle == role.value)
            )
            if has:
                raise ValidationFailed("Personen har allerede denne rollen.", field="rolle")
            await conn.execute(
                insert(t.rolle).values(
                    user_id=user_id, rolle=role.value, tildelt_av=actor.user_id, tildelt_at=self.clock.now()
                )
            )

        await self._change(actor, "rolle_tildelt", user_id, {"rolle": role.value}, change)

    async def trekk_rolle(self, actor: Principal, *, user_id: str, rolle: str) -> None:
        _require_admin(actor)
        role = _grantable(rolle)
        if role is Role.ADMIN and user_id == actor.user_id:
            raise ValidationFailed("Du kan ikke trekke din egen administratorrolle.", field="rolle")

        async def change(conn: AsyncConnection) -> None:
            await self._own_person(conn, actor, user_id, active=False)
            result = await conn.execute(
                delete(t.rolle).where(t.rolle.c.user_id == user_id, t.rolle.c.rolle == role.value)
            )
            if not result.rowcount:
                raise NotFound("Personen har ikke denne rollen.")

        await self._change(actor, "rolle_trukket", user_id, {"rolle": role.value}, change)

    async def deaktiver(self, actor: Principal, *, user_id: str) -> None:
        """The person can no longer log in; their open sessions end at once."""
        _require_admin(actor)
        if user_id == actor.user_id:
            raise ValidationFailed("Du kan ikke deaktivere deg selv.", field="user_id")
        now = self.clock.now()

        async def change(conn: AsyncConnection) -> None:
            await self._own_person(conn, actor, user_id, active=True)
            await conn.execute(
                update(t.person).where(t.person.c.user_id == user_id).values(aktiv=False, deaktivert_at=now)
            )
            await conn.execute(
                update(t.okt)
                .where(t.okt.c.user_id == user_id, t.okt.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )

        await self._change(actor, "person_deaktivert", user_id, {}, change)

    async def aktiver(self, actor: Principal, *, user_id: str) -> None:
        _require_admin(actor)

        async def change(conn: AsyncConnection) -> None:
            found = await self._own_person(conn, actor, user_id, active=False)
            if found.aktiv:
                raise ValidationFailed("Personen er allerede aktiv.", field="user_id")
            await conn.execute(
                update(t.person).where(t.person.c.user_id == user_id).values(aktiv=True, deaktivert_at=None)
            )

        await self._change(actor, "person_aktivert", user_id, {}, change)

    # --- helpers ----------------------------------------------------------------------------------

    async def _change(
        self,
        actor: Principal,
        handling: str,
        objekt: str,
        detaljer: dict[str, Any],
        change: Callable[[AsyncConnection], Awaitable[None]],
    ) -> None:
        """The change and its row in the change log, in one transaction."""
        async with self.engine.begin() as conn:
            await change(conn)
            await self._log(
                conn,
                hf=actor.hf,
                av_id=actor.user_id,
                av_navn=actor.name,
                handling=handling,
                objekt=objekt,
                detaljer=detaljer,
            )
        self._invalidate()

    async def _log(
        self,
        conn: AsyncConnection,
        *,
        hf: str,
        av_id: str,
        av_navn: str,
        handling: str,
        objekt: str,
        detaljer: dict[str, Any],
    ) -> None:
        await conn.execute(
            insert(t.endring).values(
                hf=hf,
                at=self.clock.now(),
                av_id=av_id,
                av_navn=av_navn,
                handling=handling,
                objekt=objekt,
                detaljer=json.dumps(detaljer, ensure_ascii=False, sort_keys=True),
            )
        )

    async def _own_unit(self, conn: AsyncConnection, actor: Principal, kode: str) -> None:
        hf = await conn.scalar(select(t.enhet.c.hf).where(t.enhet.c.kode == kode))
        if hf is None or hf != actor.hf:
            # Another trust's unit is answered like a unit that does not exist.
            raise NotFound("Fant ikke enheten i ditt helseforetak.")

    async def _own_person(
        self, conn: AsyncConnection, actor: Principal, user_id: str, *, active: bool
    ) -> Any:
        row = (await conn.execute(select(t.person).where(t.person.c.user_id == user_id))).first()
        if row is None or row.hf != actor.hf:
            raise NotFound("Fant ikke personen i ditt helseforetak.")
        if active and not row.aktiv:
            raise ValidationFailed("Personen er deaktivert.", field="user_id")
        return row

    async def _insert_person(
        self,
        conn: AsyncConnection,
        *,
        hf: str,
        user_id: str,
        navn: str,
        hpr_nummer: str | None,
        enhet: str | None,
        kilde: str,
    ) -> None:
        await conn.execute(
            insert(t.person).values(
                user_id=user_id,
                hf=hf,
                navn=navn,
                navn_sok=fold(navn),
                hpr_nummer=hpr_nummer,
                enhet=enhet,
                aktiv=True,
                kilde=kilde,
                opprettet_at=self.clock.now(),
            )
        )


def _upgrade(connection: Connection) -> None:
    config = alembic_config(MIGRATIONS_DIR)
    config.attributes["connection"] = connection
    command.upgrade(config, "heads")


def _require_admin(actor: Principal) -> str:
    if Role.ADMIN not in actor.roles:
        raise Forbidden("Bare administrator kan endre katalogen.")
    return actor.hf


def _grantable(rolle: str) -> Role:
    try:
        role = Role(rolle)
    except ValueError:
        raise ValidationFailed("Velg en rolle fra listen.", field="rolle") from None
    if role is Role.LEDER:
        raise ValidationFailed("Ledere utnevnes på enheten de skal lede.", field="rolle")
    if role is Role.KOMITE:
        raise ValidationFailed("Komitémedlemmer legges til i komiteen.", field="rolle")
    return role


def _text(value: str, field: str, message: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise ValidationFailed(message, field=field)
    if len(value) > 200:
        raise ValidationFailed("Teksten kan være høyst 200 tegn.", field=field)
    return value
