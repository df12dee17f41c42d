"""Which URLs may receive webhooks (SSRF limits)."""

from __future__ import annotations

import pytest

from gateway.notifications.targets import TargetRefused, TargetRules, check_resolved, check_url

DEV = TargetRules(allow_private=True)
PUBLIC_ONLY = TargetRules()


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/x", "file:///etc/passwd", "http://user:pw@example.com/", "http:///x"],
)
def test_only_plain_http_urls(url: str) -> None:
    with pytest.raises(TargetRefused):
        check_url(url, DEV)


def test_loopback_only_where_private_targets_are_allowed() -> None:
    assert check_url("http://127.0.0.1:9000/hook", DEV) == ("127.0.0.1", 9000)
    for url in ["http://127.0.0.1/", "http://localhost/", "http://10.1.2.3/", "http://[::1]/"]:
        with pytest.raises(TargetRefused):
            check_url(url, PUBLIC_ONLY)
    with pytest.raises(TargetRefused):
        check_resolved("http://localhost:9/", PUBLIC_ONLY)


def test_an_allow_list_admits_only_its_hosts_and_networks() -> None:
    rules = TargetRules(allowed=(".bank.example", "10.20.0.0/16"))
    check_url("https://hooks.bank.example/x", rules)
    check_url("https://10.20.3.4/x", rules)
    for url in ["https://10.21.0.1/", "https://127.0.0.1/"]:
        with pytest.raises(TargetRefused):
            check_url(url, rules)
    # a name outside the list is refused at once, or (with networks listed) by its addresses
    with pytest.raises(TargetRefused):
        check_url("https://evil.example/", TargetRules(allowed=(".bank.example",)))
    with pytest.raises(TargetRefused):
        check_resolved("https://localhost/", rules)


def test_production_requires_https() -> None:
    with pytest.raises(TargetRefused, match="https"):
        check_url("http://hooks.example.com/", TargetRules(require_https=True))
