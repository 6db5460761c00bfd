"""The saturation baseline: a bare FastAPI app on PostgreSQL whose one route inserts one row.

`BENCH_BASELINE_DATABASE_URL=postgresql+asyncpg://… uvicorn --factory bench.baseline_app:create_app`;
run with the same uvicorn options as the soknad service so the two figures differ only by the service."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI
from pydantic import BaseModel, Field
from sqlalchemy import BigInteger, Column, DateTime, Identity, MetaData, Table, Text, insert
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

metadata = MetaData()
rad = Table(
    "rad",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("tekst", Text, nullable=False),
    Column("opprettet_at", DateTime(timezone=True), nullable=False),
)


class RadIn(BaseModel):
    tekst: str = Field(max_length=20_000)


class RadOut(BaseModel):
    id: int


def create_app() -> FastAPI:
    # The same pool as the services' engine (shared.platform.db.engine), so neither side has more connections.
    engine = create_async_engine(os.environ["BENCH_BASELINE_DATABASE_URL"], pool_size=10, max_overflow=10)
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        yield
        await engine.dispose()

    app = FastAPI(lifespan=lifespan)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/rad", status_code=201)
    async def add(body: RadIn) -> RadOut:
        async with sessions() as session:
            new_id = await session.scalar(
                insert(rad).values(tekst=body.tekst, opprettet_at=datetime.now(UTC)).returning(rad.c.id)
            )
            await session.commit()
        return RadOut(id=int(new_id or 0))

    return app
