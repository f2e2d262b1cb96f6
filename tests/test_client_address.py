"""unionledger.client_address: X-Forwarded-For is believed only as far as the settings name the proxies."""

import pytest
from django.test import RequestFactory

from unionledger.client_address import client_address

NGINX = "127.0.0.1"


def address(remote_addr, forwarded=None):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **headers))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES, settings.TRUSTED_PROXY_COUNT = [], 0
    assert address("198.51.100.7", "203.0.113.9") == "198.51.100.7"
    assert address(NGINX, "203.0.113.9") == NGINX
    assert address("") is None
    assert address("not-an-address") is None


@pytest.mark.parametrize(
    ("remote_addr", "forwarded", "expected"),
    [
        (NGINX, "203.0.113.9", "203.0.113.9"),  # nginx: $proxy_add_x_forwarded_for
        (NGINX, "1.2.3.4, 203.0.113.9", "203.0.113.9"),  # the client's own header is left of nginx's entry
        (NGINX, "garbage, 203.0.113.9", "203.0.113.9"),
        (NGINX, " 2001:db8::7 ", "2001:db8::7"),
        ("10.0.0.2", "203.0.113.9, 10.0.0.3", "203.0.113.9"),  # two proxies, both in 10.0.0.0/8
        ("198.51.100.7", "203.0.113.9", "198.51.100.7"),  # not through the proxy: the header is the client's
        (NGINX, None, NGINX),
        (NGINX, "", NGINX),
        (NGINX, "203.0.113.9, not-an-ip", NGINX),  # nothing beyond the last proxy can be read
        (NGINX, "10.0.0.3", "10.0.0.3"),  # a header of trusted hops only: the leftmost one
    ],
)
def test_trusted_proxies_by_address_or_network(settings, remote_addr, forwarded, expected):
    settings.TRUSTED_PROXIES, settings.TRUSTED_PROXY_COUNT = [NGINX, "10.0.0.0/8"], 0
    assert address(remote_addr, forwarded) == expected


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("1.2.3.4, 203.0.113.9", "203.0.113.9"),
        (None, "192.0.2.1"),  # fewer hops than proxies: the request bypassed them, trust only the peer
        ("not-an-ip", "192.0.2.1"),
    ],
)
def test_trusted_proxies_by_count(settings, forwarded, expected):
    settings.TRUSTED_PROXIES, settings.TRUSTED_PROXY_COUNT = [], 1
    assert address("192.0.2.1", forwarded) == expected


def test_two_proxies_by_count(settings):
    settings.TRUSTED_PROXIES, settings.TRUSTED_PROXY_COUNT = [], 2
    assert address("192.0.2.1", "1.2.3.4, 203.0.113.9, 10.0.0.3") == "203.0.113.9"
    assert address("192.0.2.1", "10.0.0.3") == "192.0.2.1"
