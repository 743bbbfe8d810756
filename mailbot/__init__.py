"""mailbot: a privacy-request desk on a company mailbox."""

__version__ = "0.1.0"
