"""The client's address, as the sign-in lockout (django-axes) and the audit trail both see it.

Behind a reverse proxy every request arrives from the proxy, and only the proxy knows the client: it adds the
address it saw to ``X-Forwarded-For`` (nginx: ``$proxy_add_x_forwarded_for``). That header is read only when
the settings name the proxies, for anyone can send it:

- ``TRUSTED_PROXIES`` (addresses or networks): if the request comes from one of them, walk the header from
  the right past further trusted proxies; the first address that is not one is the client.
- ``TRUSTED_PROXY_COUNT`` (when the proxies' addresses are not fixed): the client is that many hops before
  the direct peer. A request that bypasses the proxy can forge the header, so prefer ``TRUSTED_PROXIES``.

With neither, the client is ``REMOTE_ADDR``. django-ipware is not used: its proxy count and proxy list describe
the header alone and never check the peer, so one nginx in front must be configured as "0 proxies", and a
list of trusted proxies never matches nginx's header (nginx does not add its own address).
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _parse(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address as text, or None when the request carries none that parses."""
    peer = _parse(request.META.get("REMOTE_ADDR") or "")
    networks = [ipaddress.ip_network(proxy, strict=False) for proxy in settings.TRUSTED_PROXIES]
    count = settings.TRUSTED_PROXY_COUNT
    if peer is None or not (networks or count):
        return str(peer) if peer is not None else None
    hops = [_parse(item) for item in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if item.strip()]
    if networks:
        address = peer
        while hops and any(address in network for network in networks):
            hop = hops.pop()
            if hop is None:  # a malformed entry: nothing left of it can be read, so stop at the last proxy
                break
            address = hop
        return str(address)
    if len(hops) < count or hops[-count] is None:
        return str(peer)  # the request did not pass through all the proxies: its header says nothing
    return str(hops[-count])
