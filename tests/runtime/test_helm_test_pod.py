"""The `helm test` pod's curl command, run as rendered against a local HTTPS server whose
certificate a throwaway CA signed for the Service name: it passes with that CA in the mounted
bundle, and fails with another CA or an unhealthy server."""

from __future__ import annotations

import datetime
import http.server
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from helpers import find, objects, require_program, with_minimal
from shipped import free_port


class CA:
    """A throwaway certificate authority."""

    def __init__(self, name: str) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        self.cert = (
            _builder(subject, subject, self.key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )

    def issue(self, host: str) -> tuple[bytes, bytes]:
        """A server certificate and key (PEM) for ``host``."""
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            _builder(
                x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]),
                self.cert.subject,
                key.public_key(),
            )
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        key_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return cert.public_bytes(serialization.Encoding.PEM), key_pem

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def _builder(subject: x509.Name, issuer: x509.Name, public_key: Any) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
    )


@contextmanager
def https_server(cert_file: Path, key_file: Path, status: int) -> Iterator[int]:
    """certctl's /health on 127.0.0.1 (a free port), answering ``status``; stopped on exit."""

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b'{"status":"healthy"}' if self.path == "/health" and status == 200 else b"{}"
            self.send_response(status if self.path == "/health" else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Health)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def pod() -> dict[str, Any]:
    return find(objects(with_minimal({})), "Pod", "certctl-test")


@pytest.fixture(scope="module")
def chart_ca() -> CA:
    return CA("certctl test CA")


def run_test_pod(
    pod: dict[str, Any], bundle: bytes, port: int, workdir: Path
) -> subprocess.CompletedProcess[str]:
    """The container's args with each volume mount mapped to a local directory (the CA bundle
    projected as ca.crt), and the Service name connected to the local server."""
    [container] = pod["spec"]["containers"]
    args = list(container["args"])
    for mount in container.get("volumeMounts", []):
        local = workdir / mount["name"]
        local.mkdir(exist_ok=True)
        volume = next(v for v in pod["spec"]["volumes"] if v["name"] == mount["name"])
        for item in (volume.get("secret") or volume.get("configMap") or {})["items"]:
            (local / item["path"]).write_bytes(bundle)
        args = [arg.replace(mount["mountPath"], str(local)) for arg in args]
    url = urlsplit(args[-1])
    connect = f"{url.hostname}:{url.port}:127.0.0.1:{port}"
    return subprocess.run(
        [require_program("curl"), "--connect-to", connect, *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.fixture
def serving(chart_ca: CA, pod: dict[str, Any], tmp_path: Path) -> Iterator[Any]:
    """Start the server with a certificate of the chart's CA for the name the pod calls."""
    host = urlsplit(pod["spec"]["containers"][0]["args"][-1]).hostname
    cert, key = chart_ca.issue(host)
    (tmp_path / "tls.crt").write_bytes(cert)
    (tmp_path / "tls.key").write_bytes(key)

    @contextmanager
    def start(status: int = 200) -> Iterator[int]:
        with https_server(tmp_path / "tls.crt", tmp_path / "tls.key", status) as port:
            yield port

    return start


def test_passes_with_the_charts_ca(pod: dict[str, Any], chart_ca: CA, serving: Any, tmp_path: Path) -> None:
    assert "--cacert" in pod["spec"]["containers"][0]["args"]
    with serving() as port:
        done = run_test_pod(pod, chart_ca.pem, port, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "healthy" in done.stdout


def test_fails_with_another_ca(pod: dict[str, Any], serving: Any, tmp_path: Path) -> None:
    with serving() as port:
        done = run_test_pod(pod, CA("some other CA").pem, port, tmp_path)
    assert done.returncode == 60, done.stderr  # curl: peer certificate cannot be authenticated


def test_fails_when_the_server_is_unhealthy(
    pod: dict[str, Any], chart_ca: CA, serving: Any, tmp_path: Path
) -> None:
    with serving(status=503) as port:
        done = run_test_pod(pod, chart_ca.pem, port, tmp_path)
    assert done.returncode == 22, done.stderr  # curl --fail: HTTP error
