"""The client's address, as the trusted proxies (TRUSTED_PROXY_HOPS) saw it."""

import pytest
from django.test import RequestFactory

from rencontres.ratelimit import client_address


def address(settings, hops, remote, forwarded=None):
    settings.TRUSTED_PROXY_HOPS = hops
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **extra))


def test_without_trusted_proxy_a_forwarded_header_is_ignored(settings):
    assert address(settings, 0, "203.0.113.7", "198.51.100.1") == "203.0.113.7"


@pytest.mark.parametrize(
    ("hops", "forwarded", "client"),
    [
        (1, "198.51.100.1", "198.51.100.1"),
        # The client wrote the first value itself: only what the proxy appended counts.
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),
        # Load balancer then nginx: the client is the second address from the right.
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.2", "198.51.100.1"),
        # Fewer addresses than proxies (a request that skipped one): the leftmost.
        (2, "198.51.100.1", "198.51.100.1"),
        # Garbage in the header: the proxy's own address, never the garbage.
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
    ],
)
def test_rightmost_untrusted_address(settings, hops, forwarded, client):
    assert address(settings, hops, "10.0.0.1", forwarded) == client


def test_ipv6_clients_count_per_network(settings):
    one = address(settings, 1, "10.0.0.1", "2001:db8:1:2::1")
    other = address(settings, 1, "10.0.0.1", "2001:db8:1:2:ffff::9")
    assert one == other == "2001:db8:1:2::/64"
    assert address(settings, 1, "10.0.0.1", "::ffff:198.51.100.1") == "198.51.100.1"
