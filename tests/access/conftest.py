"""Shared by the access tests: a cheap password hasher, a user's password, the audit trail."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from analytics.access import audit, users
from analytics.storage import store

T0 = pd.Timestamp("2017-10-13 08:00", tz="Asia/Seoul")
PW = "correct horse battery"
MIN = pd.Timedelta(minutes=1)


def cheap_hasher(time_cost: int = 1) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=8, parallelism=1)


class CountingHasher(PasswordHasher):
    """A cheap hasher that counts its verifications."""

    def __init__(self):
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.verified = 0

    def verify(self, hash, password):
        self.verified += 1
        return super().verify(hash, password)


@pytest.fixture
def fast_hashing(monkeypatch):
    """Argon2 with tiny parameters: the same code paths, a thousandth of the time."""
    monkeypatch.setattr(users, "PASSWORD_HASHER", cheap_hasher())


def stored_hash(engine, name: str) -> str:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(store.users.c.password_hash).where(store.users.c.name == name)
        ).scalar_one()


def actions(engine) -> list[str]:
    """The audit log's actions, oldest first."""
    return audit.read_audit(engine, limit=None)["action"].tolist()[::-1]
