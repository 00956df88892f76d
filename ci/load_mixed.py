"""Mixed load on a running `ironclad serve`: valid what-ifs alongside oversized, malformed and
too-expensive requests from several threads at once. Every bad request must get its 4xx JSON
error, every valid one a 200, and the server must stay up; prints latency and the server's peak
memory. Standard library only.

    python3 ci/load_mixed.py http://127.0.0.1:8181 SERVER_PID SPEC_FILE [SECONDS]
"""

import json
import socket
import sys
import threading
import time
import urllib.error
import urllib.request

base, pid, spec_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 15.0
spec = open(spec_path, encoding="utf-8").read()

KINDS = {
    # name: (body bytes, expected status, expected error kind)
    "valid": (json.dumps({"spec": spec, "runs": 20000, "seed": 3}).encode(), 200, None),
    "oversized": (json.dumps({"spec": "#" * (3 << 19)}).encode(), 413, "too_large"),
    "malformed": (b'{"spec": "[framework]\\nid = ', 400, "bad_request"),
    "unknown-field": (json.dumps({"spec": spec, "runz": 5}).encode(), 400, "bad_request"),
    "too-expensive": (json.dumps({"spec": spec, "runs": 10**12}).encode(), 422, "too_expensive"),
    "invalid-spec": (json.dumps({"spec": "[framework]\nid = 3\n"}).encode(), 422, "invalid_input"),
}
results = {k: [] for k in KINDS}
failures = []
lock = threading.Lock()


def rss_kib(field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def oversized():
    """A body over the limit, announced with `Expect: 100-continue` as curl and other clients do
    for large bodies: the server answers 413 on the headers, before the body is sent. (Without
    it, a server that refuses to read the body must close the connection, and the client may
    see the close before the answer.)"""
    body = KINDS["oversized"][0]
    host, port = base.split("//", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(
            f"POST /api/simulate HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n".encode()
        )
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1]) if head else 0
        if status == 100:
            # The server may answer 413 and close while the body is still being sent: the
            # answer is then already in the receive buffer, so read it, as curl does.
            try:
                s.sendall(body)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return oversized_rest(s)
        length = next((int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")), 0)
        while len(rest) < length:
            chunk = s.recv(65536)
            if not chunk:
                break
            rest += chunk
        return status, rest


def oversized_rest(s):
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return (int(head.split(b" ", 2)[1]) if head else 0), rest


def one(kind):
    body, want, want_kind = KINDS[kind]
    if kind == "oversized":
        started = time.perf_counter()
        try:
            status, payload = oversized()
        except OSError as e:
            with lock:
                failures.append(f"oversized: no answer ({e})")
            return
        finish(kind, status, payload, started)
        return
    req = urllib.request.Request(base + "/api/simulate", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            status, payload = res.status, res.read()
    except urllib.error.HTTPError as e:
        status, payload = e.code, e.read()
    except (ConnectionError, urllib.error.URLError) as e:
        with lock:
            failures.append(f"{kind}: no answer ({e})")
        return
    finish(kind, status, payload, started)


def finish(kind, status, payload, started):
    _, want, want_kind = KINDS[kind]
    ms = (time.perf_counter() - started) * 1e3
    problem = None
    if status != want:
        problem = f"{kind}: status {status}, expected {want}: {payload[:200]!r}"
    elif want_kind is not None:
        try:
            got = json.loads(payload)["error"]["kind"]
        except (ValueError, KeyError, TypeError):
            got = None
        if got != want_kind:
            problem = f"{kind}: error kind {got}, expected {want_kind}"
    with lock:
        results[kind].append(ms)
        if problem:
            failures.append(problem)


def worker(i, deadline):
    order = list(KINDS)
    n = i
    while time.perf_counter() < deadline:
        # Half the requests valid, the rest cycling through the bad kinds.
        kind = "valid" if n % 2 == 0 else order[1 + (n // 2) % (len(order) - 1)]
        one(kind)
        n += 1


deadline = time.perf_counter() + seconds
threads = [threading.Thread(target=worker, args=(i, deadline)) for i in range(6)]
peak = 0
for t in threads:
    t.start()
while any(t.is_alive() for t in threads):
    peak = max(peak, rss_kib("VmRSS:"))
    time.sleep(0.1)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] if xs else float("nan")


print(f"mixed load, 6 threads, {seconds:.0f} s:")
for kind, xs in results.items():
    print(f"  {kind:14} {len(xs):5} requests  p50 {pct(xs, 0.5):7.1f} ms  p99 {pct(xs, 0.99):7.1f} ms")
print(f"  server RSS: peak sampled {peak / 1024:.1f} MiB, high-water mark {rss_kib('VmHWM:') / 1024:.1f} MiB")
with urllib.request.urlopen(base + "/api/health", timeout=5) as res:
    assert res.status == 200, "the server stopped answering"
if failures:
    print(f"{len(failures)} unexpected answers, e.g.:")
    for f in failures[:10]:
        print("  " + f)
    sys.exit(1)
if not results["valid"]:
    print("no valid request was answered")
    sys.exit(1)
print("every request got its expected answer, and the server is still up")
