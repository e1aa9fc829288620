"""The webhook receiver every scenario here posts to (tests/fakes/webhook_receiver.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.webhook_receiver import WebhookReceiver
from tests.features.webhooks.helpers import SECRET


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    hook = WebhookReceiver(SECRET)
    await hook.start()
    yield hook
    await hook.stop()
