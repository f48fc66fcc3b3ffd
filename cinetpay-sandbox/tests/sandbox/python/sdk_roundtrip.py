"""CinetPay's official Python SDK (PyPI `cinetpay-python`) against the sandbox.

Run by the Rust test `rest::python` with the venv it makes under `target/`:

    python sdk_roundtrip.py <sandbox base URL> <api_key> <api_password>

It logs in, creates a payment, reads its status, has the sandbox pay it
(admin API), receives the JSON notification on a local HTTP server and parses
it with the SDK's parser, then checks how the SDK copes with an expired token
in the default form (HTTP 401) and in the fixtures' form (HTTP 200, `message`
only). Prints one JSON object on stdout for the Rust test to assert on.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
from importlib.metadata import version

from cinetpay import (
    CinetPayClient,
    ClientConfig,
    CountryCredentials,
    PaymentRequest,
    parse_notification,
    verify_notification,
)
from cinetpay.errors import ApiError

base_url, api_key, api_password = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
received: list[dict] = []


class Receiver(BaseHTTPRequestHandler):
    """The shop's notify_url: keeps each POST, answers 200."""

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8")
        received.append({"content_type": self.headers.get("Content-Type"), "body": body})
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"OK")

    def log_message(self, *args: object) -> None:
        pass


def admin(method: str, path: str, body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{base_url}/_sandbox{path}",
        data=data,
        method=method,
        headers={"Content-Type": "application/json", "User-Agent": "sdk-roundtrip"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        text = answer.read().decode()
        return json.loads(text) if text else {}


def status_dict(status) -> dict:
    return {
        "code": status.code,
        "status": status.status,
        "merchant_transaction_id": status.merchant_transaction_id,
        "transaction_id": status.transaction_id,
        "user": {"name": status.user.name, "email": status.user.email},
    }


server = HTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=server.serve_forever, daemon=True).start()
notify_url = f"http://127.0.0.1:{server.server_address[1]}/notify"

client = CinetPayClient(
    ClientConfig(
        credentials={"CI": CountryCredentials(api_key=api_key, api_password=api_password)},
        base_url=base_url,
        timeout=10,
    )
)
merchant_id = f"PY-{int(time.time() * 1000) % 10**9}"
request = PaymentRequest(
    currency="XOF",
    merchant_transaction_id=merchant_id,
    amount=1500,
    lang="fr",
    designation="Commande Python",
    client_email="jane@example.com",
    client_first_name="Jane",
    client_last_name="Doe",
    success_url="http://127.0.0.1:9/success",
    failed_url="http://127.0.0.1:9/failed",
    notify_url=notify_url,
    channel="PUSH",
)
out: dict = {"sdk_version": version("cinetpay-python")}

payment = client.payment.initialize(request, "CI")
out["init"] = {
    "code": payment.code,
    "status": payment.status,
    "merchant_transaction_id": payment.merchant_transaction_id,
    "transaction_id": payment.transaction_id,
    "payment_token": payment.payment_token,
    "payment_url": payment.payment_url,
    "notify_token_len": len(payment.notify_token),
    "details": {
        "code": payment.details.code,
        "status": payment.details.status,
        "must_be_redirected": payment.details.must_be_redirected,
    },
}
out["status_by_token"] = status_dict(client.payment.get_status(payment.payment_token, "CI"))
out["status_by_merchant_id"] = status_dict(client.payment.get_status(merchant_id, "CI"))

try:
    client.payment.initialize(request, "CI")
    out["duplicate"] = None
except ApiError as error:
    out["duplicate"] = {"api_code": error.api_code, "api_status": error.api_status}

admin("POST", f"/payments/{merchant_id}/pay", {"operator": "OM", "phone": "+2250707070700"})
deadline = time.time() + 10
while not received and time.time() < deadline:
    time.sleep(0.05)
if received:
    payload = parse_notification(received[0]["body"])
    out["notification"] = {
        "content_type": received[0]["content_type"],
        "merchant_transaction_id": payload.merchant_transaction_id,
        "transaction_id": payload.transaction_id,
        "user_name": payload.user.name if payload.user else None,
        "verified": verify_notification(payment.notify_token, payload.notify_token),
    }
else:
    out["notification"] = None
out["status_after_payment"] = status_dict(client.payment.get_status(merchant_id, "CI"))

# An expired token in the default form (HTTP 401): the SDK logs in again and retries.
admin("POST", "/rest/tokens/expire")
out["status_after_expiry_401"] = status_dict(client.payment.get_status(merchant_id, "CI"))

# In the fixtures' form (HTTP 200, `message` only) the SDK does not see an error.
admin("PUT", "/rest/faults", {"token_error": {"http_status": 200}})
admin("POST", "/rest/tokens/expire")
out["status_after_expiry_200"] = status_dict(client.payment.get_status(merchant_id, "CI"))
admin("PUT", "/rest/faults", {})

print(json.dumps(out))
