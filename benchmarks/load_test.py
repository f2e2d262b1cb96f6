"""Load test on loopback: the production server (gunicorn, DEBUG off, WhiteNoise) under simulated treasurers.

    .venv/bin/python benchmarks/load_test.py [--users 8] [--seconds 20] [--workers 2] [--database-url URL]

It builds a throwaway database (SQLite in a temporary folder unless --database-url names an empty
PostgreSQL database), loads the demo books, starts gunicorn on 127.0.0.1, and has each simulated user
sign in and then loop: home page, voucher list, cash journal, a 收入 form posted (a real voucher), and the
annual report page when the reports app serves it. It prints throughput, latency percentiles and error
counts per page. Traffic goes to 127.0.0.1 only; every loop is bounded by --seconds and --max-requests.
"""

import argparse
import http.client
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
BOOK = "/u/blzq-hospital/2012/"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ONCE = re.compile(r'name="token" value="([0-9a-f]{32})"')  # the form's one-time token (ledger.submissions)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Client:
    """A tiny cookie-keeping HTTP client for one simulated user."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, dict]:
        headers = {"Host": "127.0.0.1", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1{path}"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text, dict(response.getheaders())


def run(command: list[str], env: dict) -> None:
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--max-requests", type=int, default=20000, help="upper bound on requests in all")
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database (default: SQLite)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="unionledger-load-"))
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "VAR_DIR": str(folder),
        # Plain HTTP on loopback: no TLS redirect and cookies that a plain-HTTP client may send back.
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "LOGIN_FAILURE_LIMIT": "1000",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    print(f"setting up in {folder} ({'PostgreSQL' if args.database_url else 'SQLite'}) …", flush=True)
    run([str(PYTHON), "manage.py", "migrate", "--no-input", "-v0"], env)
    run([str(PYTHON), "manage.py", "load_demo", "--force"], env)
    run([str(PYTHON), "manage.py", "collectstatic", "--no-input", "-v0"], env)
    server = subprocess.Popen(
        [
            str(GUNICORN),
            "unionledger.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        probe = Client(port)
        report_path = "/reports/blzq-hospital/2012/"
        latencies: dict[str, list[float]] = defaultdict(list)
        errors: dict[str, int] = defaultdict(int)
        lock = threading.Lock()
        budget = [args.max_requests]
        deadline = time.monotonic() + args.seconds

        def timed(client: Client, name: str, method: str, path: str, form=None, expect=(200,)):
            with lock:
                if budget[0] <= 0:
                    raise TimeoutError
                budget[0] -= 1
            started = time.perf_counter()
            try:
                status, text, _ = client.request(method, path, form)
            except (OSError, http.client.HTTPException):
                status, text = 0, ""
            elapsed = time.perf_counter() - started
            with lock:
                latencies[name].append(elapsed)
                if status not in expect:
                    errors[name] += 1
            return text

        probe_status = probe.request("GET", "/login/")[0]
        if probe_status != 200:
            print(f"server not ready: /login/ answered {probe_status}", file=sys.stderr)
            return 1

        def user(index: int) -> None:
            client = Client(port)
            try:
                page = timed(client, "登录页", "GET", "/login/")
                token = CSRF.search(page).group(1)
                timed(
                    client,
                    "登录",
                    "POST",
                    "/login/",
                    {"csrfmiddlewaretoken": token, "username": "treasurer", "password": "unionledger-demo"},
                    expect=(302,),
                )
                report = timed(client, "财务报告", "GET", report_path, expect=(200, 404))
                has_report = bool(report) and "财务工作报告" in report
                n = 0
                while time.monotonic() < deadline:
                    n += 1
                    timed(client, "首页", "GET", BOOK)
                    timed(client, "凭证列表", "GET", BOOK + "vouchers/")
                    timed(client, "现金日记账", "GET", BOOK + "cash/")
                    form = timed(client, "收入表单", "GET", BOOK + "receipt/")
                    token = CSRF.search(form).group(1)
                    category = re.search(r'<option value="(\d+)"[^>]*>[^<]*会费收入', form).group(1)
                    timed(
                        client,
                        "记账（收入）",
                        "POST",
                        BOOK + "receipt/",
                        {
                            "csrfmiddlewaretoken": token,
                            "token": ONCE.search(form).group(1),
                            "date": "2012-06-01",
                            "category": category,
                            "amount": f"{index + 1}.{n % 100:02d}",
                            "via": "bank",
                            "summary": f"压测会费 {index}-{n}",
                            "payer": "",
                            "attachment_count": "0",
                        },
                        expect=(302,),
                    )
                    if has_report:
                        timed(client, "财务报告", "GET", report_path)
            except TimeoutError:
                pass

        started = time.perf_counter()
        threads = [threading.Thread(target=user, args=(i,)) for i in range(args.users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.seconds + 120)
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    total = sum(len(v) for v in latencies.values())
    print(
        f"\n{args.users} users, {args.workers}×{args.threads} gunicorn, {wall:.1f} s: "
        f"{total} requests, {total / wall:.1f} req/s, {sum(errors.values())} errors"
    )
    print(f"{'page':<12}{'count':>8}{'errors':>8}{'p50 ms':>10}{'p90 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for name, values in latencies.items():
        ordered = sorted(values)
        q = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else ordered * 99
        print(
            f"{name:<12}{len(values):>8}{errors[name]:>8}{q[49] * 1000:>10.1f}{q[89] * 1000:>10.1f}"
            f"{q[98] * 1000:>10.1f}{ordered[-1] * 1000:>10.1f}"
        )
    return 1 if sum(errors.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
