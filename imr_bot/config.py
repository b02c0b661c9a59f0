"""Settings from the environment (and a .env file), in one place."""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from imr_bot.domain.urls import parse_hosts

PROJECT_ROOT = Path(__file__).resolve().parent.parent


log = logging.getLogger(__name__)

MIN_AUDIT_KEY_LENGTH = 32


class RefusedToStart(RuntimeError):
    """The settings would run the bot unsafely; the message says what to set."""


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:  # a host name (or empty: every address) may reach the network
        return False


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    host: str = Field("127.0.0.1", validation_alias=AliasChoices("IMR_HOST", "host"))
    port: int = Field(3978, validation_alias=AliasChoices("IMR_PORT", "port"))
    database_url: str = Field(
        f"sqlite:///{PROJECT_ROOT / 'var' / 'imr.db'}",
        validation_alias=AliasChoices("IMR_DATABASE_URL", "database_url"))
    cards_dir: Path = Field(PROJECT_ROOT / "cards",
                            validation_alias=AliasChoices("IMR_CARDS_DIR", "cards_dir"))
    log_level: str = Field("INFO", validation_alias=AliasChoices("IMR_LOG_LEVEL", "log_level"))
    protective_marking: str = Field(
        "RESTRICTED", validation_alias=AliasChoices("IMR_PROTECTIVE_MARKING", "protective_marking"))
    public_url: str = Field("", validation_alias=AliasChoices("IMR_PUBLIC_URL", "public_url"))
    lean_adapter: bool = Field(True, validation_alias=AliasChoices("IMR_LEAN_ADAPTER", "lean_adapter"))
    test_clock: bool = Field(False, validation_alias=AliasChoices("IMR_TEST_CLOCK", "test_clock"))
    log_json: bool = Field(True, validation_alias=AliasChoices("IMR_LOG_JSON", "log_json"))
    commands_per_minute: int = Field(30, validation_alias=AliasChoices(
        "IMR_COMMANDS_PER_MINUTE", "commands_per_minute"))
    scheduler: bool = Field(True, validation_alias=AliasChoices("IMR_SCHEDULER", "scheduler"))
    # how long a claimed notification is held by its sender before another pass may take it
    # again (after a crash); the fault tests shorten it
    delivery_lease_seconds: int = Field(120, ge=1, validation_alias=AliasChoices(
        "IMR_DELIVERY_LEASE_SECONDS", "delivery_lease_seconds"))
    bot_name: str = Field("IMR bot", validation_alias=AliasChoices("IMR_BOT_NAME", "bot_name"))

    # Bot Framework names, as Azure and the samples spell them
    app_id: str = Field("", validation_alias=AliasChoices("MicrosoftAppId", "MICROSOFTAPPID", "app_id"))
    app_password: str = Field("", validation_alias=AliasChoices(
        "MicrosoftAppPassword", "MICROSOFTAPPPASSWORD", "app_password"), repr=False)
    app_type: str = Field("SingleTenant", validation_alias=AliasChoices(
        "MicrosoftAppType", "MICROSOFTAPPTYPE", "app_type"))
    app_tenant_id: str = Field("", validation_alias=AliasChoices(
        "MicrosoftAppTenantId", "MICROSOFTAPPTENANTID", "app_tenant_id"))

    # where Bot Connector tokens are checked (defaults: the public cloud); set for a sovereign
    # cloud, or in tests with a local key set
    bot_openid_metadata_url: str = Field("", validation_alias=AliasChoices(
        "IMR_BOT_OPENID_METADATA_URL", "bot_openid_metadata_url"))
    bot_token_issuer: str = Field("", validation_alias=AliasChoices(
        "IMR_BOT_TOKEN_ISSUER", "bot_token_issuer"))
    # comma-separated tenant ids; empty: MicrosoftAppTenantId (authenticated), any (local mode)
    allowed_tenants: str = Field("", validation_alias=AliasChoices(
        "IMR_ALLOWED_TENANTS", "allowed_tenants"))
    # local mode (no MicrosoftAppId) on an address other than loopback: refused unless this is set
    allow_unauthenticated: bool = Field(False, validation_alias=AliasChoices(
        "IMR_ALLOW_UNAUTHENTICATED", "allow_unauthenticated"))
    # the key of the audit chain's HMAC: never in the database (Key Vault in production)
    audit_key: str = Field("", validation_alias=AliasChoices("IMR_AUDIT_KEY", "audit_key"),
                           repr=False)
    # the organisation's own SharePoint hosts, e.g. derbyshire.sharepoint.com,
    # derbyshire-my.sharepoint.com: links elsewhere are refused. Empty: any SharePoint or
    # OneDrive (another tenant's too), so a deployment should set it.
    sharepoint_hosts: str = Field("", validation_alias=AliasChoices(
        "IMR_SHAREPOINT_HOSTS", "sharepoint_hosts"))
    # the action plan: the themes a recommendation may carry (comma-separated; empty: the
    # default list in domain/action_plan.py), and who confirms that an action's evidence shows
    # its outcome: the review's QA senior lead ("qa_lead") or the Service Director QPP ("sd_qpp")
    action_themes: str = Field("", validation_alias=AliasChoices(
        "IMR_ACTION_THEMES", "action_themes"))
    impact_decided_by: Literal["qa_lead", "sd_qpp"] = Field(
        "qa_lead", validation_alias=AliasChoices("IMR_IMPACT_DECIDED_BY", "impact_decided_by"))
    # where the bot may download the files people send it from (https only; *.name for every
    # host under a name). Empty: IMR_SHAREPOINT_HOSTS if set, else *.sharepoint.com
    attachment_hosts: str = Field("", validation_alias=AliasChoices(
        "IMR_ATTACHMENT_HOSTS", "attachment_hosts"))
    # the Playground and tests serve files from 127.0.0.1 over http; never in production
    attachments_from_loopback: bool = Field(False, validation_alias=AliasChoices(
        "IMR_ATTACHMENTS_FROM_LOOPBACK", "attachments_from_loopback"))
    # how long a fetch of the Bot Framework's signing keys may take before the request is refused
    signing_key_timeout_seconds: float = Field(10.0, gt=0, le=60, validation_alias=AliasChoices(
        "IMR_SIGNING_KEY_TIMEOUT_SECONDS", "signing_key_timeout_seconds"))

    # how long a document link in a card works; cards mint a fresh one each time they are shown
    document_link_minutes: int = Field(15, ge=1, le=24 * 60, validation_alias=AliasChoices(
        "IMR_DOCUMENT_LINK_MINUTES", "document_link_minutes"))

    # files people send: the zip inside a .docx is checked before anything parses it
    # (documents/safety.py), then parsed in a worker process capped in memory and time
    archive_max_mb: int = Field(50, ge=1, le=1024, validation_alias=AliasChoices(
        "IMR_ARCHIVE_MAX_MB", "archive_max_mb"))
    archive_entry_max_mb: int = Field(25, ge=1, le=1024, validation_alias=AliasChoices(
        "IMR_ARCHIVE_ENTRY_MAX_MB", "archive_entry_max_mb"))
    archive_max_entries: int = Field(1000, ge=10, le=100_000, validation_alias=AliasChoices(
        "IMR_ARCHIVE_MAX_ENTRIES", "archive_max_entries"))
    archive_max_ratio: int = Field(100, ge=2, le=10_000, validation_alias=AliasChoices(
        "IMR_ARCHIVE_MAX_RATIO", "archive_max_ratio"))
    # 0: parse in the bot's own process, uncapped (unit tests only)
    document_workers: int = Field(2, ge=0, le=32, validation_alias=AliasChoices(
        "IMR_DOCUMENT_WORKERS", "document_workers"))
    document_memory_mb: int = Field(768, ge=128, le=65_536, validation_alias=AliasChoices(
        "IMR_DOCUMENT_MEMORY_MB", "document_memory_mb"))
    document_seconds: float = Field(30.0, gt=0, le=600, validation_alias=AliasChoices(
        "IMR_DOCUMENT_SECONDS", "document_seconds"))

    @property
    def tenant_allow_list(self) -> set[str]:
        """The tenants whose people may use the bot; empty means any (local mode only)."""
        listed = {t.strip().lower() for t in self.allowed_tenants.split(",") if t.strip()}
        if not listed and not self.local_mode and self.app_tenant_id.strip():
            listed = {self.app_tenant_id.strip().lower()}
        return listed

    @property
    def sharepoint_host_patterns(self) -> tuple[str, ...]:
        return parse_hosts(self.sharepoint_hosts)

    @property
    def attachment_host_patterns(self) -> tuple[str, ...]:
        return (parse_hosts(self.attachment_hosts) or self.sharepoint_host_patterns
                or (".sharepoint.com",))

    @property
    def audit_key_bytes(self) -> bytes | None:
        """The audit chain's key; None: the development key (local mode only, see startup_problems)."""
        return self.audit_key.encode() if self.audit_key else None

    def startup_problems(self) -> list[str]:
        """Why the bot must not start with these settings (empty: it may)."""
        problems = []
        if self.test_clock and not self.local_mode:
            problems.append("IMR_TEST_CLOCK is for local end-to-end tests only; it is refused "
                            "when MicrosoftAppId is set")
        if self.local_mode and not is_loopback(self.host) and not self.allow_unauthenticated:
            problems.append(f"MicrosoftAppId is empty (local mode, no authentication) and "
                            f"IMR_HOST is {self.host or 'every address'}: anyone who reaches it "
                            "could act as anyone. Set MicrosoftAppId, listen on 127.0.0.1, or "
                            "set IMR_ALLOW_UNAUTHENTICATED=1 for a closed test network")
        if not self.local_mode and not self.tenant_allow_list:
            problems.append("MicrosoftAppId is set but neither MicrosoftAppTenantId nor "
                            "IMR_ALLOWED_TENANTS names the council's tenant")
        if not self.local_mode and not self.audit_key:
            problems.append("MicrosoftAppId is set but IMR_AUDIT_KEY is empty: the audit chain "
                            "needs its key (from Key Vault), or anyone who can write to the "
                            "database could rewrite the audit trail undetected")
        if self.attachments_from_loopback and not self.local_mode:
            problems.append("IMR_ATTACHMENTS_FROM_LOOPBACK is for the Playground and local tests "
                            "only; it is refused when MicrosoftAppId is set")
        for name, value in (("IMR_SHAREPOINT_HOSTS", self.sharepoint_hosts),
                            ("IMR_ATTACHMENT_HOSTS", self.attachment_hosts)):
            try:
                parse_hosts(value)
            except ValueError as error:
                problems.append(f"{name}: {error}")
        problems.extend(self.audit_key_problems())
        return problems

    def audit_key_problems(self) -> list[str]:
        if self.audit_key and len(self.audit_key) < MIN_AUDIT_KEY_LENGTH:
            return [f"IMR_AUDIT_KEY is too short: use at least {MIN_AUDIT_KEY_LENGTH} random "
                    "characters (e.g. openssl rand -hex 32)"]
        return []

    @property
    def base_url(self) -> str:
        """Where people's browsers reach the bot (download links)."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def local_mode(self) -> bool:
        """No app id: no Bot Framework authentication (for the Playground and tests only)."""
        return not self.app_id


def audit_key(settings: Settings) -> bytes | None:
    """The audit chain's key for the store; None, without IMR_AUDIT_KEY (local mode only: signed
    in, startup_problems refuses it), is the development key, which everyone knows."""
    if settings.audit_key_bytes is None:
        log.warning("IMR_AUDIT_KEY is not set: the audit chain uses the development key, which "
                    "protects nothing. Set it (from Key Vault) for any real deployment.")
    return settings.audit_key_bytes
