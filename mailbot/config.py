"""Settings: TOML file, then ``MAILBOT_<SECTION>__<KEY>`` environment overrides, validated in one place.

Every error names the key and stops the program with exit 2 (see cli.py), never a traceback.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

PACKAGE_ROOT = Path(__file__).resolve().parent
DEFAULT_TEMPLATES = PACKAGE_ROOT.parent / "templates"
REQUEST_TYPES = ("access", "rectification", "erasure", "restriction", "portability", "objection")


class ConfigError(Exception):
    """A configuration problem, worded for the person who wrote the file."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Company(Section):
    name: str = "IT Services Best"
    address: str = "Adriaan van Ostadepad 3, 5684 AS Best, Nederland"
    email: str = "info@itsb.nu"
    phone: str = "(064) 588-5588"
    website: str = "http://www.itsb.nu"
    privacy_contact: str = "Mylène Mooijman"
    language: str = "nl"
    languages: list[str] = ["nl", "en", "de"]
    reference_prefix: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]{0,9}$")] = "AVG"
    timezone: str = "Europe/Amsterdam"
    response_days: Annotated[int, Field(ge=1, le=30)] = 30

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class OAuth(Section):
    """Office 365 app-only (client credentials) settings; used when ``auth = "oauth2"``."""

    tenant_id: str = ""
    client_id: str = ""
    client_secret: str = ""
    authority: str = "https://login.microsoftonline.com"
    scope: str = ""


class MailboxSettings(Section):
    """``address`` is the mailbox EWS and Graph open (empty: ``username``), for when another account logs in.

    ``ca_file`` (imap, ews): a PEM bundle trusted for this server instead of the system's CAs, e.g. an internal CA.
    """

    backend: Literal["maildir", "imap", "graph", "ews"] = "maildir"
    path: Path = Path("var/mail")
    host: str = "outlook.office365.com"
    port: Annotated[int, Field(ge=1, le=65535)] = 993
    security: Literal["ssl", "starttls", "none"] = "ssl"
    ca_file: str = ""
    auth: Literal["password", "oauth2"] = "password"
    username: str = "info@itsb.nu"
    password: str = ""
    address: str = ""
    folder: str = "INBOX"
    request_action: Literal["leave", "flag", "move"] = "leave"
    move_to: str = "Privacy"
    idle: bool = True
    idle_renew_seconds: Annotated[int, Field(ge=30, le=1740)] = 1500
    poll_seconds: Annotated[int, Field(ge=1, le=3600)] = 30
    timeout_seconds: Annotated[int, Field(ge=1, le=600)] = 60
    graph_url: str = "https://graph.microsoft.com/v1.0"
    ews_url: str = ""
    oauth: OAuth = OAuth()

    @property
    def mailbox_address(self) -> str:
        return self.address or self.username


class OutgoingSettings(Section):
    """``ca_file`` (smtp, ews) as in :class:`MailboxSettings`; EWS and Graph send from ``from_address``'s mailbox."""

    backend: Literal["file", "smtp", "graph", "ews"] = "file"
    path: Path = Path("var/outbox")
    host: str = "smtp.office365.com"
    port: Annotated[int, Field(ge=1, le=65535)] = 587
    security: Literal["ssl", "starttls", "none"] = "starttls"
    ca_file: str = ""
    auth: Literal["password", "oauth2", "none"] = "password"
    username: str = "info@itsb.nu"
    password: str = ""
    from_address: str = "info@itsb.nu"
    from_name: str = "IT Services Best"
    timeout_seconds: Annotated[int, Field(ge=1, le=600)] = 60
    graph_url: str = "https://graph.microsoft.com/v1.0"
    ews_url: str = ""
    oauth: OAuth = OAuth()


class DatabaseSettings(Section):
    url: str = "sqlite:///var/mailbot.db"


class RepliesSettings(Section):
    templates: Path = DEFAULT_TEMPLATES
    auto_send: list[Literal["acknowledgement", "identity_request"]] = ["acknowledgement", "identity_request"]
    confidence_threshold: Annotated[float, Field(ge=0.0, le=1.0)] = 0.5
    max_per_sender_per_day: Annotated[int, Field(ge=0)] = 10
    max_per_hour: Annotated[int, Field(ge=0)] = 100
    resend_window_days: Annotated[int, Field(ge=0)] = 14


class DigestSettings(Section):
    recipients: list[str] = ["privacy@itsb.nu"]
    weekday: Annotated[int, Field(ge=1, le=7)] = 1
    time: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] = "08:00"
    desk_url: str = "http://127.0.0.1:8025"
    daily_alert: bool = False
    alert_days: Annotated[int, Field(ge=0)] = 3


class Processor(Section):
    name: str
    purpose: str
    categories: list[str]


DEFAULT_PROCESSORS = [
    Processor(name="WooCommerce (webwinkel, hosting Siteground)", purpose="webwinkel en hosting",
              categories=["naam", "adres", "e-mailadres", "telefoonnummer", "bestellingen"]),
    Processor(name="Microsoft Office 365", purpose="zakelijke e-mail",
              categories=["naam", "e-mailadres", "correspondentie"]),
    Processor(name="Mollie", purpose="betalingen",
              categories=["naam", "adres", "woonplaats", "betaalgegevens"]),
    Processor(name="PostNL", purpose="verzending en bezorging", categories=["naam", "adres", "woonplaats"]),
    Processor(name="MoneyBird", purpose="facturatie en boekhouding",
              categories=["naam", "adres", "woonplaats", "bestelgegevens", "facturen"]),
]


class DeskSettings(Section):
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8025
    secret_key: str = ""
    session_minutes: Annotated[int, Field(ge=1)] = 480
    language: Literal["nl", "en"] = "nl"


class Settings(Section):
    company: Company = Company()
    mailbox: MailboxSettings = MailboxSettings()
    outgoing: OutgoingSettings = OutgoingSettings()
    database: DatabaseSettings = DatabaseSettings()
    replies: RepliesSettings = RepliesSettings()
    digest: DigestSettings = DigestSettings()
    desk: DeskSettings = DeskSettings()
    processors: list[Processor] = DEFAULT_PROCESSORS
    base_dir: Path = Field(default_factory=Path.cwd, exclude=True)
    source: str = Field(default="built-in defaults", exclude=True)


def _leaf_type(parts: list[str]) -> Any:
    """The annotation of the setting a MAILBOT_ variable names, or None when there is no such setting."""
    model: Any = Settings
    annotation: Any = None
    for part in parts:
        field = model.model_fields.get(part) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if field is None:
            return None
        annotation = model = field.annotation
    return annotation


def _env_value(raw: str, annotation: Any) -> Any:
    """Text settings take the variable's text as it is (a password may be ``123456`` or ``true``); lists of text
    take ``a@x.nl, b@x.nl`` or a TOML list; numbers and booleans are read as TOML."""
    if annotation in (str, Path) or get_origin(annotation) is Literal:
        return raw
    if get_origin(annotation) is list and get_args(annotation) and get_args(annotation)[0] is str \
            and not raw.lstrip().startswith("["):
        return [item.strip() for item in raw.split(",") if item.strip()]
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _env_overrides(environ: dict[str, str]) -> dict[str, Any]:
    """``MAILBOT_MAILBOX__PASSWORD=x`` → ``{"mailbox": {"password": "x"}}``, each value read as its setting's type."""
    tree: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith("MAILBOT_") or "__" not in name:
            continue
        parts = [p.lower() for p in name[len("MAILBOT_"):].split("__")]
        value = _env_value(raw, _leaf_type(parts))
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"{name}: conflicts with another MAILBOT_ variable")
        node[parts[-1]] = value
    return tree


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _resolve_paths(settings: Settings) -> None:
    base = settings.base_dir
    for section in (settings.mailbox, settings.outgoing):
        if not section.path.is_absolute():
            section.path = base / section.path
        if section.ca_file and not Path(section.ca_file).is_absolute():
            section.ca_file = str(base / section.ca_file)
    if not settings.replies.templates.is_absolute():
        settings.replies.templates = base / settings.replies.templates
    url = settings.database.url
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite://" and ":memory:" not in url:
        settings.database.url = prefix + str(base / url[len(prefix):])


def _describe(error: ValidationError, source: str, env: dict[str, Any]) -> str:
    """One line naming the key, and where it came from: the file, or the MAILBOT_ variable that set it."""
    first = error.errors()[0]
    loc = [str(p) for p in first["loc"]]
    key = ".".join(loc) or "(top level)"
    msg = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
    node: Any = env
    for part in loc:
        node = node.get(part) if isinstance(node, dict) else None
    if node is not None and not isinstance(node, dict):
        return f"MAILBOT_{'__'.join(p.upper() for p in loc)} (environment): {key}: {msg}"
    return f"{source}: {key}: {msg}"


def load(path: str | os.PathLike[str] | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read the configuration in the contract's order: --config, $MAILBOT_CONFIG, ./config/mailbot.toml, defaults."""
    environ = dict(os.environ if environ is None else environ)
    if path is None:
        path = environ.get("MAILBOT_CONFIG") or None
    if path is None and Path("config/mailbot.toml").is_file():
        path = "config/mailbot.toml"
    data: dict[str, Any] = {}
    base_dir = Path.cwd()
    source = "built-in defaults"
    if path is not None:
        file = Path(path)
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{file}: configuration file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{file}: cannot read: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: not valid TOML: {exc}") from None
        base_dir = file.resolve().parent
        source = str(file)
    env = _env_overrides(environ)
    data = _merge(data, env)
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source, env)) from None
    settings.base_dir = base_dir
    settings.source = source
    _resolve_paths(settings)
    return settings
