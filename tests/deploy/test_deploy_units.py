"""The systemd units in deploy/ parse (systemd-analyze verify), where systemd-analyze exists.
The code path /opt/tro-ly-dan-so does not exist here, so only that complaint is tolerated."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = ["tro-ly-dan-so.service", "tro-ly-dan-so-backup.service", "tro-ly-dan-so-backup.timer"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
@pytest.mark.parametrize("unit", UNITS)
def test_the_unit_file_parses(unit: str) -> None:
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", f"./{unit}"], cwd=DEPLOY,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    complaints = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and "/opt/tro-ly-dan-so/" not in line
    ]
    assert not complaints, complaints
