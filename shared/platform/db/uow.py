"""The unit of work: one session and one commit per use case, with the outbox rows and audit
entries it staged written in the same transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Insert, insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from shared.events.base import EventContract
from shared.events.envelope import Envelope
from shared.platform.bus.base import exchange_for
from shared.platform.clock import Clock
from shared.platform.db.tables import SpineTables
from shared.platform.errors import DomainError, InvalidTransition, StaleVersion
from shared.platform.observability.logging import current_correlation_id

NATIONAL = "national"
LOCAL = "local"


class Actor(Protocol):
    """Who is acting; `shared.platform.auth.Principal` satisfies it."""

    @property
    def user_id(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def hf(self) -> str: ...


@dataclass
class _Staged:
    envelope: Envelope
    envelope_json: str
    destination: str
    exchange: str
    routing_key: str
    user_id: str | None


@dataclass
class Database:
    """Everything a use case needs to touch storage; built once per service in `create_app`."""

    engine: AsyncEngine
    tables: SpineTables
    service: str
    clock: Clock
    on_outbox_commit: Callable[[], None] = lambda: None
    sessions: async_sessionmaker[AsyncSession] = field(init=False)
    # Built once: a statement object caches its compiled form, so autosave does not rebuild it per save.
    outbox_insert: Insert = field(init=False)
    audit_insert: Insert = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.outbox_insert = insert(self.tables.outbox)
        self.audit_insert = insert(self.tables.audit)

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        """One transaction. A lost race on a version column, or a duplicate the use case declared
        with `on_duplicate`, leaves it as the use case's domain error, whether it surfaced at a flush
        inside the use case or at the commit: this is the one place that translation happens."""
        async with self.sessions() as session:
            uow = UnitOfWork(self, session)
            try:
                yield uow
            except StaleDataError as exc:
                await uow.rollback()
                raise await uow.stale_conflict() from exc
            except IntegrityError as exc:
                if uow.duplicate_message is None or not is_unique_violation(exc):
                    raise
                await uow.rollback()
                raise InvalidTransition(uow.duplicate_message) from exc
            finally:
                if not uow.committed:
                    await session.rollback()


StaleConflict = Callable[["UnitOfWork"], Awaitable[DomainError]]

DEFAULT_STALE_MESSAGE = "Noen andre har endret dette i mellomtiden. Last siden på nytt og se over endringene."


class UnitOfWork:
    def __init__(self, db: Database, session: AsyncSession):
        self.db = db
        self.session = session
        self.committed = False
        self.duplicate_message: str | None = None
        self._events: list[_Staged] = []
        self._audit: list[dict[str, Any]] = []
        self._stale: StaleConflict | None = None

    def on_stale(self, conflict: StaleConflict) -> None:
        """How this use case answers a lost race on a version: called after the rollback, on this unit
        of work, so it may read the winner's state (and audit that read) for its 409."""
        self._stale = conflict

    def on_duplicate(self, message: str) -> None:
        """A unique violation in this use case means the thing was already done (a second click)."""
        self.duplicate_message = message

    async def stale_conflict(self) -> DomainError:
        if self._stale is None:
            return StaleVersion(DEFAULT_STALE_MESSAGE)
        conflict = await self._stale(self)
        # A conflict that read personal data to show both versions audited that read: keep the record.
        if self._audit:
            await self.commit()
        return conflict

    @property
    def now(self) -> Any:
        return self.db.clock.now()

    def publish(
        self,
        event: EventContract,
        *,
        hf: str,
        subject: str | None,
        destination: str = LOCAL,
        exchange: str | None = None,
        user_id: str | None = None,
        routing_key: str | None = None,
    ) -> Envelope:
        """Stage an integration event; it is written to the outbox by `commit`, atomically.

        `routing_key` defaults to `<hf>.<type>` (what broker permissions restrict a trust to); an exchange
        meant for outside readers (the integrators') may route on keys of their own."""
        envelope = Envelope(
            source=f"/hf/{hf}/{self.db.service}",
            type=event.TYPE,
            subject=subject,
            hf=hf,
            correlationid=current_correlation_id(),
            data=event.model_dump(mode="json"),
            time=self.db.clock.now(),
        )
        self._events.append(
            _Staged(
                envelope=envelope,
                # Serialised now, inside the use case: an event that cannot be written fails the use case
                # before its transaction commits, never after.
                envelope_json=envelope.model_dump_json(),
                destination=destination,
                exchange=exchange or exchange_for(self.db.service),
                routing_key=routing_key or envelope.routing_key,
                user_id=user_id,
            )
        )
        return envelope

    def audit(
        self,
        actor: Actor,
        *,
        action: str,
        what: str,
        case_ref: str | None,
        purpose: str,
        felt: Sequence[str] | None = None,
    ) -> None:
        """Record a read or write of personal data (pasientjournalloven § 22); `felt`: the fields a write
        changed (ids, never values)."""
        self._audit.append(
            {
                "at": self.db.clock.now(),
                "actor_id": actor.user_id,
                "actor_role": actor.role,
                "hf": actor.hf,
                "case_ref": case_ref,
                "action": action,
                "what": what,
                "purpose": purpose,
                "correlation_id": current_correlation_id(),
                # A person has a name; a system actor (a consumer, a job) may not.
                "actor_navn": getattr(actor, "name", None),
                "felt": list(felt) if felt is not None else None,
            }
        )

    async def mark_processed(self, *, consumer: str, event_id: str, event_type: str) -> bool:
        """Inbox: record the event in this transaction. False if it was already processed."""
        inbox = self.db.tables.inbox
        dialect_insert = pg_insert if self.db.engine.dialect.name == "postgresql" else sqlite_insert
        result = await self.session.execute(
            dialect_insert(inbox)
            .values(
                consumer=consumer, event_id=event_id, event_type=event_type, processed_at=self.db.clock.now()
            )
            .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
        )
        # One round trip: a conflicting row means the event was already processed.
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def commit(self) -> None:
        try:
            if self._events:
                await self.session.execute(
                    self.db.outbox_insert,
                    [
                        {
                            "event_id": s.envelope.id,
                            "destination": s.destination,
                            "exchange": s.exchange,
                            "routing_key": s.routing_key,
                            "event_type": s.envelope.type,
                            "user_id": s.user_id,
                            "envelope": s.envelope_json,
                            "created_at": self.db.clock.now(),
                            "attempts": 0,
                        }
                        for s in self._events
                    ],
                )
            if self._audit:
                # One row is the common case (a save): a single execute, not an executemany.
                rows = self._audit[0] if len(self._audit) == 1 else self._audit
                # Core, on the session's connection: the ORM's execution path adds nothing to an INSERT.
                # What the session has pending is flushed by its commit below, in the same transaction.
                await (await self.session.connection()).execute(self.db.audit_insert, rows)
            await self.session.commit()
        except BaseException:
            self._events.clear()
            self._audit.clear()
            raise
        self.committed = True
        if self._events:
            self.db.on_outbox_commit()
        self._events.clear()
        self._audit.clear()

    async def rollback(self) -> None:
        await self.session.rollback()
        self._events.clear()
        self._audit.clear()


def is_unique_violation(exc: IntegrityError) -> bool:
    text = str(exc.orig).lower()
    return "unique" in text or "duplicate key" in text
