"""The bot refuses to start with settings that would run it unsafely, and says what to set."""

import os
import subprocess
import sys

import pytest

from imr_bot.app import build
from imr_bot.config import RefusedToStart, Settings

KEY = "0123456789abcdef" * 4
SIGNED_IN = {"app_id": "11111111-2222-3333-4444-555555555555", "app_password": "x",
             "app_tenant_id": "tenant-1", "audit_key": KEY}


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "", "192.168.1.20", "10.0.0.5",
                                  "imr-bot.council.test", "127.0.0.1.nip.io", "[::]"])
def test_local_mode_on_an_address_beyond_loopback_is_refused(host):
    with pytest.raises(RefusedToStart, match="IMR_ALLOW_UNAUTHENTICATED"):
        build(Settings(host=host, scheduler=False, database_url="sqlite://"))


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2", "[::1]"])
def test_local_mode_on_loopback_starts(host):
    build(Settings(host=host, scheduler=False, database_url="sqlite://"))


def test_local_mode_on_every_address_starts_when_explicitly_allowed():
    build(Settings(host="0.0.0.0", allow_unauthenticated=True, scheduler=False,
                   database_url="sqlite://"))


def test_authenticated_mode_needs_the_councils_tenant():
    settings = {**SIGNED_IN, "app_tenant_id": "", "allowed_tenants": ""}
    with pytest.raises(RefusedToStart, match="MicrosoftAppTenantId"):
        build(Settings(host="0.0.0.0", scheduler=False, database_url="sqlite://", **settings))


def test_authenticated_mode_allows_only_the_app_tenant_unless_others_are_listed():
    assert Settings(**SIGNED_IN).tenant_allow_list == {"tenant-1"}
    assert Settings(**SIGNED_IN, allowed_tenants="T-2, t-3").tenant_allow_list == {"t-2", "t-3"}
    assert Settings(app_tenant_id="tenant-1").tenant_allow_list == set()  # local mode: any


@pytest.mark.parametrize("key", ["", "short", "x" * 31])
def test_authenticated_mode_needs_an_audit_key_of_some_length(key):
    with pytest.raises(RefusedToStart, match="IMR_AUDIT_KEY"):
        build(Settings(host="0.0.0.0", scheduler=False, database_url="sqlite://",
                       **{**SIGNED_IN, "audit_key": key}))


def test_authenticated_mode_with_its_tenant_and_key_starts_on_every_address():
    build(Settings(host="0.0.0.0", scheduler=False, database_url="sqlite://", **SIGNED_IN))


def test_the_audit_key_never_shows_in_the_settings_repr():
    assert KEY not in repr(Settings(**SIGNED_IN))


def test_serve_refuses_unauthenticated_on_every_address_as_the_container_would_run_it(tmp_path):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "IMR_HOST": "0.0.0.0",
           "IMR_PORT": "0", "IMR_DATABASE_URL": f"sqlite:///{tmp_path / 'imr.db'}",
           "MicrosoftAppId": ""}
    result = subprocess.run([sys.executable, "-m", "imr_bot.cli", "serve"], env=env,
                            capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 2
    assert "refusing to start" in result.stderr and "IMR_ALLOW_UNAUTHENTICATED" in result.stderr


@pytest.mark.parametrize("after_seconds", [1.5, None])
def test_ctrl_c_stops_the_bot_quietly_at_any_moment(tmp_path, after_seconds):
    """While it starts (its own modules loading), or once it answers (None)."""
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "IMR_DATABASE_URL": f"sqlite:///{tmp_path / 'imr.db'}",
           "IMR_PORT": str(port), "IMR_SCHEDULER": "0", "MicrosoftAppId": "",
           "IMR_LOG_JSON": "0"}
    subprocess.run([sys.executable, "-m", "imr_bot.cli", "migrate"], env=env, check=True,
                   capture_output=True)
    bot = subprocess.Popen([sys.executable, "-m", "imr_bot.cli", "serve"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        if after_seconds is not None:
            time.sleep(after_seconds)
        else:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
        bot.send_signal(signal.SIGINT)
        output = bot.communicate(timeout=60)[0].decode()
    finally:
        if bot.poll() is None:
            bot.kill()
    assert "Traceback" not in output and "KeyboardInterrupt" not in output
    assert bot.returncode in (0, 130)
