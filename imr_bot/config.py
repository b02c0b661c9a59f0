"""Settings from the environment (and a .env file), in one place."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
    allowed_tenants: str = Field("", validation_alias=AliasChoices(
        "IMR_ALLOWED_TENANTS", "allowed_tenants"))  # comma-separated tenant ids; empty: any

    @property
    def tenant_allow_list(self) -> set[str]:
        return {t.strip().lower() for t in self.allowed_tenants.split(",") if t.strip()}

    @property
    def base_url(self) -> str:
        """Where people's browsers reach the bot (download links)."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def local_mode(self) -> bool:
        """No app id: no Bot Framework authentication (for the Playground and tests only)."""
        return not self.app_id
