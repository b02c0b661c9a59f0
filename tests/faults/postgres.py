"""Restart the PostgreSQL server the tests use, as an operator (or a failover) would."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url


def can_restart() -> bool:
    return shutil.which("pg_ctlcluster") is not None and os.geteuid() == 0 and any(
        Path("/etc/postgresql").glob("*/main"))


async def restart_postgres(url: str) -> None:
    """A fast restart (sessions are ended, the server stops and starts again); returns once it
    accepts connections again."""
    version = sorted(p.parent.name for p in Path("/etc/postgresql").glob("*/main"))[-1]
    process = await asyncio.create_subprocess_exec(
        "pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    _, error = await process.communicate()
    assert process.returncode == 0, error.decode()
    address = make_url(url)
    for _ in range(100):
        try:
            connection = await asyncpg.connect(host=address.host, port=address.port or 5432,
                                               user=address.username, database=address.database,
                                               timeout=2)
            await connection.close()
            return
        except (OSError, asyncpg.PostgresError):
            await asyncio.sleep(0.1)
    raise AssertionError("PostgreSQL did not come back within 10 s")
