"""The fake DHIS2 server of the DHIS2 tests, with the metadata of dhis2_setup."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.dhis2_api import FakeDhis2
from tests.features.dhis2.dhis2_setup import new_fake


@pytest.fixture
async def fake_dhis2() -> AsyncIterator[FakeDhis2]:
    """A fake DHIS2 that knows births and deaths (not "moved in") and both communes' units."""
    fake = new_fake()
    await fake.start()
    yield fake
    await fake.stop()
