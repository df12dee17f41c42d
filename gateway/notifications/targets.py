"""Where webhooks may be sent. A webhook makes the gateway open a connection to a URL a
principal chose, from inside the operator's network: without limits, a way to probe or call
internal services (server-side request forgery). So:

- only ``http`` and ``https`` URLs, without credentials in them; in production only ``https``;
- when the operator lists allowed targets (``CREDGATE_WEBHOOK_ALLOWED_TARGETS``: host names,
  ``.example.com`` for a domain and its subdomains, or networks such as ``203.0.113.0/24``),
  only those;
- otherwise only public addresses, except in development and test (the embedded setting), where
  loopback and private addresses are allowed too (``webhook_allow_private_targets``).

A URL is checked when it is registered and its host's addresses again before every delivery
(DNS may have changed). httpx resolves the name once more when it connects, so an egress proxy
or firewall remains the operator's real boundary; docs/notifications.md says so.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class TargetRefused(Exception):
    """The URL may not receive webhooks; the message says why."""


@dataclass(frozen=True, slots=True)
class TargetRules:
    allowed: tuple[str, ...] = ()
    allow_private: bool = False
    require_https: bool = False

    @property
    def networks(self) -> list[IpNetwork]:
        found = []
        for item in self.allowed:
            try:
                found.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                continue
        return found

    @property
    def hosts(self) -> list[str]:
        return [item.lower() for item in self.allowed if not _is_network(item)]


def _is_network(item: str) -> bool:
    try:
        ipaddress.ip_network(item, strict=False)
    except ValueError:
        return False
    return True


def _literal(host: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _host_listed(host: str, hosts: Sequence[str]) -> bool:
    return any(
        host == h or (h.startswith(".") and (host.endswith(h) or host == h[1:])) for h in hosts
    )


def _address_allowed(address: IpAddress, rules: TargetRules, host_listed: bool) -> bool:
    if host_listed or any(address in network for network in rules.networks):
        return True
    if rules.allowed:
        return False
    return address.is_global or rules.allow_private


def check_url(url: str, rules: TargetRules) -> tuple[str, int]:
    """Refuse a URL no webhook may go to, by its text alone; return its host and port."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise TargetRefused("only http and https URLs receive webhooks")
    if rules.require_https and parts.scheme != "https":
        raise TargetRefused("webhooks are sent over https only")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("a webhook URL carries no credentials")
    host = (parts.hostname or "").lower()
    if not host:
        raise TargetRefused("the URL names no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise TargetRefused("the URL's port is not valid") from exc
    listed = _host_listed(host, rules.hosts)
    literal = _literal(host)
    if literal is not None:
        if not _address_allowed(literal, rules, listed):
            raise TargetRefused(f"{host} is not an allowed webhook target")
    elif rules.allowed and not listed and not rules.networks:
        raise TargetRefused(f"{host} is not an allowed webhook target")
    elif host == "localhost" and not rules.allow_private and not listed:
        raise TargetRefused("localhost is not an allowed webhook target")
    return host, port


def check_resolved(url: str, rules: TargetRules) -> None:
    """Refuse a URL whose host now resolves to an address it may not reach (before sending)."""
    host, port = check_url(url, rules)
    listed = _host_listed(host, rules.hosts)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise TargetRefused(f"cannot resolve {host}: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not _address_allowed(address, rules, listed):
            raise TargetRefused(f"{host} resolves to {address}, not an allowed webhook target")
