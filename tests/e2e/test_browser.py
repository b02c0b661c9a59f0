"""What a person sees: the Playground in headless Chromium (Debian's, never a downloaded one)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, UNDER_CI

pytestmark = pytest.mark.e2e
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def test_typing_a_command_and_pressing_a_card_button_in_the_browser(stack):
    if not Path(CHROMIUM).exists():
        if UNDER_CI:
            pytest.fail("Debian's chromium is missing: .ci/run installs it", pytrace=False)
        pytest.skip("chromium is not installed (apt-get install chromium)")
    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    result = subprocess.run([shutil.which("node"), str(ROOT / "scripts/browser_smoke.js"),
                             str(stack["ports"]["bea"]), str(out)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("playground-plan.png", "playground-new.png", "playground-cancelled.png"):
        assert (out / name).stat().st_size > 10_000
