"""A real SMTP server on loopback (aiosmtpd) for the email tests."""

import socket

import pytest
from aiosmtpd.controller import Controller

from rencontres.settings import parse_email_url


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content.decode())
        return "250 Message accepted"


@pytest.fixture
def smtp_port(settings):
    port = free_port()
    settings.MAILERS = {"default": parse_email_url(f"smtp://127.0.0.1:{port}?timeout=2")}
    return port


def start_smtp(port):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return inbox, controller
