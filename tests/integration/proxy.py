"""The shipped reverse proxy (deploy/nginx.conf) run by Debian's nginx on this
machine, for the deploy smoke test and bench/deploy_throughput.py.

The configuration is the shipped file adapted only in what must differ here:
the two ``listen`` ports (free ports on 127.0.0.1), the upstream servers
(assistant instances on 127.0.0.1), and the certificate folder (a self-signed
certificate for 127.0.0.1 made for the run). Everything else (TLS, HSTS, rate
limits, body limits, failover) is the shipped configuration, as is.
"""

from __future__ import annotations

import datetime
import http.client
import ipaddress
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

from bot.config import PROJECT_ROOT
from tests.integration.live import free_port

SHIPPED = PROJECT_ROOT / "deploy" / "nginx.conf"
CERT_DIR = "/etc/nginx/tls/"


def nginx_binary() -> str | None:
    """Debian's nginx (``make deploy-tools`` installs it), wherever it is here."""
    found = shutil.which("nginx")
    return found or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def self_signed_certificate(folder: Path) -> Path:
    """Writes fullchain.pem and privkey.pem for 127.0.0.1 and localhost; returns the cert."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    cert = folder / "fullchain.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    os.chmod(folder / "privkey.pem", 0o600)
    return cert


def adapt(shipped: str, upstreams: list[int], http_port: int, https_port: int, tls: Path) -> str:
    """The shipped configuration with this machine's ports, instances and certificates."""
    assert shipped.count("listen 80;") == 1 and shipped.count("listen 443 ssl;") == 1
    text = shipped.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    text = text.replace("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;")
    servers = re.findall(r"^(\s*)server rasa-\d+:5005( [^;]*)?;\n", text, flags=re.M)
    assert servers, "the shipped upstream block lists no rasa-N:5005 servers"
    indent, parameters = servers[0]
    lines = "".join(f"{indent}server 127.0.0.1:{port}{parameters};\n" for port in upstreams)
    text = re.sub(r"(^\s*server rasa-\d+:5005[^;]*;\n)+", lines, text, count=1, flags=re.M)
    assert "rasa-" not in text.split("upstream", 1)[1].split("}", 1)[0]
    text, count = re.subn(rf"^(\s*ssl_certificate(?:_key)? ){CERT_DIR}", rf"\g<1>{tls}/", text,
                          flags=re.M)  # fmt: skip
    assert count == 2, "the shipped certificate paths moved"
    return text


class Proxy:
    """nginx with the adapted configuration, in its own folder, on free ports."""

    def __init__(self, upstreams: list[int]) -> None:
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("Debian's nginx is not installed: run `make deploy-tools`.")
        self.binary = binary
        self.folder = Path(tempfile.mkdtemp(prefix="cce-nginx-"))
        self.http_port, self.https_port = free_port(), free_port()
        self.certificate = self_signed_certificate(self.folder / "tls")
        self.upstreams = upstreams
        temp = self.folder / "temp"
        temp.mkdir()
        os.chmod(self.folder, 0o755)
        os.chmod(temp, 0o777)  # nginx's workers (nobody, when started as root) write here
        self.main = self.folder / "nginx.conf"
        self.main.write_text(
            f"pid {self.folder}/nginx.pid;\n"
            f"error_log {self.folder}/error.log warn;\n"
            "worker_processes 1;\n"
            "events { worker_connections 1024; }\n"
            "http {\n"
            # Which server answered each request (a retried one lists both), and when.
            '    log_format cce \'$msec $remote_addr "$request" $status "$upstream_addr"\';\n'
            f"    access_log {self.folder}/access.log cce;\n"
            f"    client_body_temp_path {temp}/body;\n"
            f"    proxy_temp_path {temp}/proxy;\n"
            f"    fastcgi_temp_path {temp}/fastcgi;\n"
            f"    uwsgi_temp_path {temp}/uwsgi;\n"
            f"    scgi_temp_path {temp}/scgi;\n"
            f"    include {self.folder}/cce.conf;\n"
            "}\n"
        )
        self._write_site()
        self.process: subprocess.Popen | None = None

    @property
    def https_url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def _write_site(self) -> None:
        site = adapt(SHIPPED.read_text(), self.upstreams, self.http_port, self.https_port,
                     self.folder / "tls")  # fmt: skip
        (self.folder / "cce.conf").write_text(site)

    def _nginx(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([self.binary, "-p", str(self.folder), "-c", str(self.main), *args],
                              capture_output=True, text=True, timeout=30)  # fmt: skip

    def start(self) -> Proxy:
        checked = self._nginx("-t")
        if checked.returncode != 0:
            raise RuntimeError(f"nginx refused the configuration:\n{checked.stderr}")
        self.process = subprocess.Popen(
            [self.binary, "-p", str(self.folder), "-c", str(self.main), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=(self.folder / "stderr.log").open("w"),
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.https_port), timeout=1):
                    return self
            except OSError:
                assert self.process.poll() is None, self.error_log()
                time.sleep(0.1)
        raise RuntimeError(f"nginx did not listen in 20 s:\n{self.error_log()}")

    def point_at(self, upstreams: list[int]) -> None:
        """Re-points the upstream block at other instances (a graceful reload)."""
        self.upstreams = upstreams
        self._write_site()
        reloaded = self._nginx("-s", "reload")
        if reloaded.returncode != 0:
            raise RuntimeError(reloaded.stderr)
        time.sleep(1.0)  # the old workers finish; new ones take the new configuration

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)

    def access_log(self) -> list[str]:
        path = self.folder / "access.log"
        return path.read_text(errors="replace").splitlines() if path.exists() else []

    def error_log(self) -> str:
        path = self.folder / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def tls_context(self) -> ssl.SSLContext:
        """A client context that trusts only this run's certificate."""
        return ssl.create_default_context(cafile=str(self.certificate))

    def connection(
        self, source: str = "127.0.0.1", timeout: float = 60
    ) -> http.client.HTTPSConnection:
        """An https connection to the proxy from ``source`` (any 127.x.y.z address)."""
        return http.client.HTTPSConnection("127.0.0.1", self.https_port, timeout=timeout,
                                           context=self.tls_context(),
                                           source_address=(source, 0))  # fmt: skip
