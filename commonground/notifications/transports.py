"""E-mail transports: SMTP for clinics, the console for the demo, memory for tests."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.message import EmailMessage


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


class Transport(Protocol):
    def send(self, message: Message) -> None: ...


class SmtpTransport:
    def send(self, message: Message) -> None:
        connection = get_connection("django.core.mail.backends.smtp.EmailBackend")
        EmailMessage(
            message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.to], connection=connection
        ).send()


class ConsoleTransport:
    """The demo's mailbox: prints the whole message, links included, to the server's console.

    For the local demo only (nobody else reads that console); production refuses this transport.
    """

    def send(self, message: Message) -> None:
        sys.stdout.write(f"\n--- e-mail (demo transport) ---\nSubject: {message.subject}\n\n{message.body}\n---\n")
        sys.stdout.flush()


class MemoryTransport:
    """The test double: keeps every message in `outbox`."""

    outbox: list[Message] = []

    def send(self, message: Message) -> None:
        MemoryTransport.outbox.append(message)


TRANSPORTS: dict[str, type] = {"smtp": SmtpTransport, "console": ConsoleTransport, "memory": MemoryTransport}


def configured_transport() -> Transport:
    try:
        transport: Transport = TRANSPORTS[settings.EMAIL_TRANSPORT]()
    except KeyError as error:
        raise RuntimeError(f"Unknown COMMONGROUND_EMAIL_TRANSPORT {settings.EMAIL_TRANSPORT!r}") from error
    return transport
