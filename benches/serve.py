#!/usr/bin/env python3
"""Live-preview benchmark: from a saved edit of one brief to the reload message in
the browser, on a generated site.

    python3 benches/serve.py [N_BRIEFS] [EDITS]     # defaults: 1000 briefs, 30 edits

Starts the release `tumen serve` on a free port of 127.0.0.1 on a site of
N_BRIEFS briefs (benches/gen_site.py), listens to the reload event stream as a
browser does, then edits briefs one at a time: the body of a brief (which changes
the brief's page and the list pages that show its reading time), then its title.
For each edit it measures the time from the file being saved to the `reload`
event arriving, and reads the server's own rebuild time from its terminal line
(`Rebuilt briefs/x/ + 12 other files in 6 ms`). Prints medians and 90th
percentiles, and the load average before and after, as the machine may be
shared. Run `cargo build --release` first (benches/serve.sh does); TUMEN_BIN
names another binary (to compare with an older build); TUMEN_BENCH_SITE names a
site to serve instead of a generated one (benches/changes.sh serves one with a
long git history), whose briefs are named as benches/gen_site.py names them.
"""
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
edits = int(sys.argv[2]) if len(sys.argv) > 2 else 30
binary = os.environ.get("TUMEN_BIN") or os.path.join(repo, "target", "release", "tumen")
work = tempfile.mkdtemp(prefix="tumen-serve-bench-")
site = os.environ.get("TUMEN_BENCH_SITE") or os.path.join(work, "site")
if not os.environ.get("TUMEN_BENCH_SITE"):
    subprocess.run([sys.executable, os.path.join(repo, "benches", "gen_site.py"), str(n), site], check=True)

server = subprocess.Popen(
    [binary, "serve", "--site", site, "--output", os.path.join(work, "out"), "--port", "0"],
    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
rebuilds = []  # (summary line, ms)
rebuilt = threading.Condition()


def read_stderr():
    for line in server.stderr:
        m = re.match(r"Rebuilt (.*) in (\d+) ms", line)
        if m:
            with rebuilt:
                rebuilds.append((m.group(1), int(m.group(2))))
                rebuilt.notify_all()
        elif line.startswith("error"):
            print("server:", line.rstrip(), file=sys.stderr)


try:
    line = server.stdout.readline()
    url = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    assert url, f"no address in {line!r}"
    port = int(url.group(1))
    threading.Thread(target=read_stderr, daemon=True).start()

    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(b"GET /__tumen/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
    buf = b""

    def next_event():
        global buf
        while b"\n\n" not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                raise SystemExit("the event stream closed")
            buf += chunk
        raw, buf = buf.split(b"\n\n", 1)
        for l in raw.decode().splitlines():
            if l.startswith("event: "):
                return l[7:]
        return next_event()  # a keep-alive comment

    while next_event() != "hello":
        pass

    def measure(kind):
        latencies, rebuild_ms, lines = [], [], []
        for i in range(edits):
            path = os.path.join(site, "briefs", f"brief-{(i * 37) % n:05}.md")
            text = open(path).read()
            if kind == "body":
                text = text.replace("## Section two", f"## Section two\n\nEdit {i} {time.time()}.", 1)
            else:
                text = re.sub(r'^title: "', f'title: "Edited {i} ', text, count=1, flags=re.M)
            with rebuilt:
                before = len(rebuilds)
            t0 = time.perf_counter()
            # Save as an editor that writes in place does.
            with open(path, "w") as f:
                f.write(text)
            ev = next_event()
            t1 = time.perf_counter()
            assert ev == "reload", ev
            with rebuilt:
                rebuilt.wait_for(lambda: len(rebuilds) > before, timeout=5)
                summary, ms = rebuilds[-1]
            latencies.append((t1 - t0) * 1000)
            rebuild_ms.append(ms)
            lines.append(summary)
            time.sleep(0.05)
        p90 = lambda xs: sorted(xs)[int(len(xs) * 0.9) - 1] if len(xs) >= 10 else max(xs)
        print(f"{kind} edits on {n} briefs ({edits} edits), e.g. 'Rebuilt {lines[-1]}':")
        print(f"  rebuild (server's own timing): median {statistics.median(rebuild_ms):.0f} ms, p90 {p90(rebuild_ms)} ms, max {max(rebuild_ms)} ms")
        print(f"  save -> reload event:          median {statistics.median(latencies):.1f} ms, p90 {p90(latencies):.1f} ms, max {max(latencies):.1f} ms")

    print(f"load average before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    measure("body")
    measure("title")
    print(f"load average after: {os.getloadavg()[0]:.2f} (1 min)")
finally:
    server.kill()
    server.wait()
    subprocess.run(["rm", "-rf", work])
