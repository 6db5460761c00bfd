"""Statements sent past SQLAlchemy to asyncpg (`shared.platform.db.driver_sql`) belong to the session's
transaction: they commit and roll back with it, also when they are the first thing the session runs."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from shared.platform.db.driver_sql import DriverStatement, driver_connection

pytestmark = pytest.mark.postgres

metadata = MetaData()
teller = Table("teller", metadata, Column("navn", String(20), primary_key=True), Column("antall", Integer))

OPP_EN = DriverStatement.of(
    insert(teller)
    .values(navn=bindparam("navn"), antall=1)
    .on_conflict_do_update(index_elements=[teller.c.navn], set_={"antall": teller.c.antall + 1})
    .returning(teller.c.antall)
)


@pytest_asyncio.fixture
async def engine(pg_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(pg_url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


async def _antall(engine: AsyncEngine, navn: str) -> int | None:
    async with engine.connect() as connection:
        value = (await connection.execute(select(teller.c.antall).where(teller.c.navn == navn))).scalar()
    return None if value is None else int(value)


def test_the_statement_carries_the_values_it_binds_itself() -> None:
    # `antall + 1` and the inserted 1 are parameters of the compiled statement: only `navn` is given.
    assert OPP_EN.arguments({"navn": "a"}) == ["a", 1, 1]
    assert OPP_EN.sql.count("$") == 3


@pytest.mark.parametrize("first", ["driver", "session"])
async def test_a_rollback_takes_back_what_went_through_the_driver(engine: AsyncEngine, first: str) -> None:
    sessions = async_sessionmaker(engine)
    async with sessions() as session:
        if first == "session":
            await session.execute(text("SELECT 1"))
        driver = await driver_connection(session)
        assert [row["antall"] for row in await OPP_EN.fetch(driver, {"navn": "x"})] == [1]
        await session.rollback()
    assert await _antall(engine, "x") is None


async def test_a_commit_keeps_it_and_a_second_transaction_sees_it(engine: AsyncEngine) -> None:
    sessions = async_sessionmaker(engine)
    for expected in (1, 2):
        async with sessions() as session:
            driver = await driver_connection(session)
            await OPP_EN.execute(driver, {"navn": "y"})
            await session.commit()
        assert await _antall(engine, "y") == expected
