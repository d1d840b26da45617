"""The SIP OPTIONS health probe against a real UDP responder on loopback."""

from __future__ import annotations

import socket

from portal_app.services.sip_probe import DOWN, REACHABLE, UP, parse_response, sip_options
from tests.sipresponder import SipResponder


def test_a_200_ok_is_up_with_a_latency_and_the_request_is_a_proper_options():
    with SipResponder("ok") as sip:
        outcome = sip_options("127.0.0.1", sip.port, timeout=2)
    assert (outcome.result, outcome.code, outcome.reason) == (UP, 200, "OK")
    assert outcome.latency_ms is not None and 0 <= outcome.latency_ms < 2000
    request = sip.requests[0]
    head, _, body = request.partition("\r\n\r\n")
    lines = head.split("\r\n")
    assert lines[0] == f"OPTIONS sip:127.0.0.1:{sip.port} SIP/2.0" and body == ""
    headers = {line.split(":", 1)[0]: line.split(":", 1)[1].strip() for line in lines[1:]}
    assert headers["Via"].startswith("SIP/2.0/UDP 127.0.0.1:")
    assert ";branch=z9hG4bK" in headers["Via"]
    assert headers["Max-Forwards"] == "70" and headers["CSeq"] == "1 OPTIONS"
    assert ";tag=" in headers["From"] and headers["To"] == f"<sip:127.0.0.1:{sip.port}>"
    assert headers["Call-ID"] and headers["Contact"].startswith("<sip:probe@127.0.0.1:")
    assert headers["Content-Length"] == "0"


def test_each_probe_has_its_own_call_id_and_branch():
    with SipResponder("ok") as sip:
        sip_options("127.0.0.1", sip.port, timeout=2)
        sip_options("127.0.0.1", sip.port, timeout=2)
    first, second = (parse_request_ids(r) for r in sip.requests)
    assert first != second


def parse_request_ids(request: str) -> tuple[str, str]:
    lines = request.split("\r\n")
    via = next(line for line in lines if line.startswith("Via:"))
    call_id = next(line for line in lines if line.startswith("Call-ID:"))
    return via, call_id


def test_a_503_is_reachable_with_its_code():
    with SipResponder("busy") as sip:
        outcome = sip_options("127.0.0.1", sip.port, timeout=2)
    assert (outcome.result, outcome.code, outcome.reason) == (REACHABLE, 503, "Service Unavailable")


def test_no_answer_within_the_timeout_is_down():
    with SipResponder("silent") as sip:
        outcome = sip_options("127.0.0.1", sip.port, timeout=0.3)
    assert outcome.result == DOWN and outcome.code is None and outcome.latency_ms is None
    assert "0.3 s" in outcome.error and len(sip.requests) == 1


def test_a_slow_answer_counts_within_the_timeout_and_not_after_it():
    with SipResponder("slow", delay=0.3) as sip:
        late = sip_options("127.0.0.1", sip.port, timeout=0.1)
        in_time = sip_options("127.0.0.1", sip.port, timeout=2)
    assert late.result == DOWN
    # The late 200 of the first probe arrives on another socket: the second is its own.
    assert in_time.result == UP and in_time.latency_ms >= 250


def test_garbage_before_the_answer_is_ignored():
    with SipResponder("garbage") as sip:
        outcome = sip_options("127.0.0.1", sip.port, timeout=2)
    assert outcome.result == UP and outcome.code == 200 and sip.sent == 2


def test_an_answer_to_another_call_id_is_not_ours():
    with SipResponder("wrong_call_id") as sip:
        outcome = sip_options("127.0.0.1", sip.port, timeout=0.3)
    assert outcome.result == DOWN and sip.sent == 1  # an answer came: it was not ours


def test_a_provisional_100_trying_waits_for_the_final_answer():
    with SipResponder("trying") as sip:
        outcome = sip_options("127.0.0.1", sip.port, timeout=2)
    assert (outcome.result, outcome.code) == (UP, 200)


def test_a_closed_port_or_an_unknown_host_is_down():
    spare = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    spare.bind(("127.0.0.1", 0))
    port = spare.getsockname()[1]
    spare.close()  # nothing listens there now: the kernel answers ICMP port unreachable
    closed = sip_options("127.0.0.1", port, timeout=1)
    assert closed.result == DOWN and "refused" in closed.error
    unknown = sip_options("no-such-host.invalid", 5060, timeout=1)
    assert unknown.result == DOWN and "could not be resolved" in unknown.error


def test_parse_response_reads_compact_headers_and_refuses_requests():
    resp = parse_response(b"SIP/2.0 200 OK\r\ni: abc\r\nv: SIP/2.0/UDP x;branch=z9hG4bKq\r\n\r\n")
    assert resp is not None and resp.headers["call-id"] == ["abc"]
    assert resp.headers["via"] == ["SIP/2.0/UDP x;branch=z9hG4bKq"]
    assert parse_response(b"OPTIONS sip:x SIP/2.0\r\n\r\n") is None
    assert parse_response(b"\xff\xfe") is None
