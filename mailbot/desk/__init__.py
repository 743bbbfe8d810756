"""The staff web desk (`mailbot serve`)."""

from mailbot.desk.web import create_app, serve

__all__ = ["create_app", "serve"]
