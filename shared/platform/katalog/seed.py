"""The embedded default's directory, seeded from the demo users and units (`auth/demo.py`)."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.platform.auth.demo import DEMO_ENHETER, DEMO_USERS
from shared.platform.auth.principal import Role
from shared.platform.katalog import tables as t
from shared.platform.katalog.katalog import GRANTABLE_ROLES, Katalog


async def seed_demo(katalog: Katalog, conn: AsyncConnection) -> None:
    now = katalog.clock.now()
    for e in DEMO_ENHETER:
        await conn.execute(
            insert(t.enhet).values(
                kode=e.kode, hf=e.hf, navn=e.navn, resh_id=e.resh_id, aktiv=True, opprettet_at=now
            )
        )
        for kode, navn in e.kostnadssteder:
            await conn.execute(insert(t.kostnadssted).values(enhet_kode=e.kode, kode=kode, navn=navn))
    for p in DEMO_USERS.values():
        await katalog._insert_person(
            conn,
            hf=p.hf,
            user_id=p.user_id,
            navn=p.name,
            hpr_nummer=p.hpr_number,
            enhet=p.enhet,
            kilde="seed",
        )
        for role in p.roles:
            if role in GRANTABLE_ROLES:
                await conn.execute(
                    insert(t.rolle).values(
                        user_id=p.user_id, rolle=role.value, tildelt_av="seed", tildelt_at=now
                    )
                )
        if Role.LEDER in p.roles and p.enhet:
            await conn.execute(insert(t.leder).values(enhet_kode=p.enhet, user_id=p.user_id))
        if Role.KOMITE in p.roles:
            await conn.execute(insert(t.komite).values(hf=p.hf, user_id=p.user_id))
    await katalog._log(
        conn, hf="*", av_id="seed", av_navn="Demodata", handling="katalog_seedet", objekt="demo", detaljer={}
    )
