"""What can be checked of the deployment here, where no Docker engine or Bicep compiler runs:
the app package validates against the official schema, the Dockerfile lints, and the templates
carry what the README promises."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "node_modules/@microsoft/app-manifest/build/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"
UNDER_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    env = {**os.environ, "MicrosoftAppId": "11111111-2222-3333-4444-555555555555",
           "IMR_PUBLIC_URL": "https://imr-bot.council.gov.uk"}
    subprocess.run([sys.executable, str(ROOT / "scripts/package.py")], env=env, check=True,
                   capture_output=True)
    return ROOT / "var/imr-bot-teams-app.zip"


def test_packaging_leaves_the_tracked_placeholder_package_alone_and_it_is_current(package):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import package as packaging
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    tracked = json.loads((ROOT / "deploy/appPackage/manifest.json").read_text())
    assert tracked == packaging.manifest(packaging.PLACEHOLDER_ID, "https://imr-bot.example.gov.uk")
    built = json.loads((ROOT / "var/appPackage/manifest.json").read_text())
    assert built["id"] == "11111111-2222-3333-4444-555555555555"


def test_the_app_package_validates_against_the_teams_schema(package):
    if not SCHEMA.exists():
        if UNDER_CI:
            pytest.fail("node_modules/@microsoft/app-manifest is missing: .ci/run installs it")
        pytest.skip("npm packages not installed (make test installs them when npm is present)")
    with zipfile.ZipFile(package) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        colour, outline = archive.read("color.png"), archive.read("outline.png")
    errors = [e.message for e in Draft4Validator(json.loads(SCHEMA.read_text())).iter_errors(manifest)]
    assert errors == []
    assert manifest["bots"][0]["botId"] == "11111111-2222-3333-4444-555555555555"
    assert manifest["validDomains"] == ["imr-bot.council.gov.uk"]
    scopes = {tuple(c["scopes"]): [x["title"] for x in c["commands"]]
              for c in manifest["bots"][0]["commandLists"]}
    assert {"help", "status", "new", "plan", "template"} <= set(scopes[("personal",)])
    assert int.from_bytes(colour[16:20], "big") == 192 and int.from_bytes(outline[16:20], "big") == 32


def test_the_dockerfile_is_slim_non_root_with_a_healthcheck():
    text = (ROOT / "deploy/Dockerfile").read_text()
    assert "FROM python:3.11-slim" in text and "USER 10001" in text
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert "PASSWORD" not in text.upper().replace("MICROSOFTAPPPASSWORD", "")
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if Path(hadolint).exists():
        result = subprocess.run([hadolint, str(ROOT / "deploy/Dockerfile")], capture_output=True,
                                text=True)
        assert result.returncode == 0, result.stdout


def test_compose_and_bicep_keep_secrets_out_of_the_files():
    compose = (ROOT / "deploy/compose.yaml").read_text()
    assert "${MicrosoftAppPassword:?" in compose and "${IMR_DB_PASSWORD:?" in compose
    bicep = (ROOT / "deploy/azure/main.bicep").read_text()
    for resource in ("Microsoft.BotService/botServices", "Microsoft.DBforPostgreSQL/flexibleServers",
                     "Microsoft.KeyVault/vaults", "Microsoft.Web/sites", "MsTeamsChannel"):
        assert resource in bicep
    assert "@secure()\n@description('The app registration client secret" in bicep
    assert "@Microsoft.KeyVault(SecretUri=" in bicep and "SingleTenant" in bicep


def test_the_container_refuses_to_run_unauthenticated_on_every_address_by_default():
    from imr_bot.config import Settings

    dockerfile = (ROOT / "deploy/Dockerfile").read_text()
    compose = (ROOT / "deploy/compose.yaml").read_text()
    assert "IMR_HOST=0.0.0.0" in dockerfile
    for text in (dockerfile, compose):
        assert "IMR_ALLOW_UNAUTHENTICATED" not in text
    # the image's environment, without the operator's settings: refused
    problems = Settings(host="0.0.0.0", app_id="", _env_file=None).startup_problems()
    assert any("IMR_ALLOW_UNAUTHENTICATED" in p for p in problems)


def test_the_audit_key_comes_from_the_operator_or_key_vault_never_the_files():
    compose = (ROOT / "deploy/compose.yaml").read_text()
    bicep = (ROOT / "deploy/azure/main.bicep").read_text()
    assert "IMR_AUDIT_KEY: ${IMR_AUDIT_KEY:?" in compose
    assert "@secure()\n@description('The audit chain key" in bicep
    assert "{ name: 'IMR_AUDIT_KEY', value: '@Microsoft.KeyVault(SecretUri=${auditKeySecret" in bicep
