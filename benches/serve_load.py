#!/usr/bin/env python3
"""Load benchmark of the live preview: many clients fetching pages while the
sources change, with open pages listening for reloads and a few slow clients.

    python3 benches/serve_load.py [CONNECTIONS] [SECONDS] [LISTENERS]
                                  # defaults: 200 connections, 30 s, 20 listeners

Copies the default site (content/) to a temporary folder and starts the release
`tumen serve` on a free port of 127.0.0.1. Then, for SECONDS:

- CONNECTIONS keep-alive connections each fetch, one request after the other,
  every file of the output in turn (pages, stylesheet, script, SVG, CSV, JSON,
  feeds) and a missing page;
- LISTENERS connections listen to the reload event stream as open pages do;
- a writer edits a brief (a sentence of its body) and a dataset (one value,
  which a chart, a table, the CSV and the brief's text show) every 0.5 s;
- SLOW connections (5) send their request one byte a second, as a slowloris
  does; the server must close them and they must not slow the others;
- the server's memory (VmRSS), open files and threads are read every second.

Checks, each failing the run (exit status 1):

- no failed request: every file of the output answers 200 and the missing page
  404, and a connection error or a response cut short counts as a failure;
- every body is complete: as long as its Content-Length, an HTML page ends with
  `</html>` and carries the reload script, an SVG ends with `</svg>`;
- every open page gets its reloads: the server sends one signal per rebuild to
  every listener, so each listener must see exactly as many `reload` events as
  the server printed `Rebuilt` lines (edits close together may be rebuilt as
  one, which is why edits are not counted one by one), no `failed` event, its
  last reload after the last edit; each listener loads the edited brief again
  after each reload, as an open page does, and must never see an older edit than
  the time before; the brief served at the end shows the last edit;
- memory is flat: the resident size at the end is within 20% (or 10 MB, the
  larger) of what it was after the first 5 s of load, when the caches, buffers
  and connections have been made;
- no file descriptor leaks: open files at the end, the clients gone, are within
  a few of those at the start;
- each slow client is closed by the server (it cannot finish its request).

Prints a table: requests, requests per second, latency p50/p99/max, failures,
reloads seen per listener, edit-to-reload latency, memory and open files. Run
`cargo build --release` first (benches/serve_load.sh does); TUMEN_BIN names
another binary.
"""
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONNECTIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 200
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 30
LISTENERS = int(sys.argv[3]) if len(sys.argv) > 3 else 20
SLOW = 5
EDIT_EVERY = 0.5
WARM_UP = 5.0
DRAIN = 3.0
LOAD_BEFORE = 0.0
binary = os.environ.get("TUMEN_BIN") or os.path.join(repo, "target", "release", "tumen")

BRIEF = "briefs/trade-turnover-1988-2022.md"
BRIEF_URL = "/briefs/trade-turnover-1988-2022/"
BRIEF_ANCHOR = "This brief walks through those phases"
DATASET = "data/trade-turnover.yaml"
DATASET_ROW = re.compile(r"(\{year: 2015, turnover: )[0-9.]+")


class Stats:
    def __init__(self):
        self.latencies = []
        self.failures = []  # (what, detail)
        self.by_status = {}
        self.bytes = 0

    def fail(self, what, detail):
        if len(self.failures) < 1000:
            self.failures.append((what, detail))
        else:
            self.failures.append(None)


def output_paths(out):
    """Every file of the output as a URL path: folders' pages by the folder."""
    paths = []
    for root, _, files in os.walk(out):
        for f in files:
            rel = os.path.relpath(os.path.join(root, f), out).replace(os.sep, "/")
            if rel.endswith("index.html"):
                rel = rel[: -len("index.html")]
            paths.append("/" + rel)
    return sorted(paths)


async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for l in lines[1:]:
        if ":" in l:
            k, v = l.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    if "content-length" not in headers:
        raise ValueError(f"no Content-Length (status {status})")
    n = int(headers["content-length"])
    body = await reader.readexactly(n)
    return status, headers, body


def check_body(path, status, headers, body):
    """What is wrong with a response, or None."""
    want = 404 if path == "/no/such/page/" else 200
    if status != want:
        return f"status {status}"
    ctype = headers.get("content-type", "")
    if ctype.startswith("text/html"):
        if not body.rstrip().endswith(b"</html>"):
            return "HTML cut short"
        if b"__tumen/events" not in body:
            return "no reload script"
    if ctype.startswith("image/svg") and not body.rstrip().endswith(b"</svg>"):
        return "SVG cut short"
    return None


async def fetcher(i, port, paths, stats, stop):
    k = i  # each connection starts at another file
    reader = writer = None
    while not stop.is_set():
        path = paths[k % len(paths)]
        k += 1
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            t0 = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            status, headers, body = await read_response(reader)
            stats.latencies.append(time.perf_counter() - t0)
            stats.by_status[status] = stats.by_status.get(status, 0) + 1
            stats.bytes += len(body)
            wrong = check_body(path, status, headers, body)
            if wrong:
                stats.fail(path, wrong)
            if headers.get("connection", "").lower() == "close":
                writer.close()
                writer = None
        except (OSError, asyncio.IncompleteReadError, ValueError, asyncio.LimitOverrunError) as e:
            stats.fail(path, f"{type(e).__name__}: {e}")
            if writer is not None:
                writer.close()
            writer = None
            await asyncio.sleep(0.01)
    if writer is not None:
        writer.close()


class Listener:
    def __init__(self):
        self.reloads = []  # arrival times
        self.shown = []  # the edit the brief showed when fetched after each reload
        self.other = {}
        self.hello = asyncio.Event()
        self.error = None


async def listen(port, lst, stop):
    writer = None
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            f"GET /__tumen/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n".encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        if b" 200 " not in head.split(b"\r\n")[0]:
            raise ValueError(head.split(b"\r\n")[0].decode())
        # Chunked: the size lines are neither `event:` lines nor empty.
        while not stop.is_set():
            line = await reader.readline()
            if not line:
                raise ValueError("the event stream closed")
            if line.startswith(b"event: "):
                name = line[7:].strip().decode()
                if name == "hello":
                    lst.hello.set()
                elif name == "reload":
                    lst.reloads.append(time.perf_counter())
                    # As an open page does: load it again.
                    lst.shown.append(await edit_shown(port))
                else:
                    lst.other[name] = lst.other.get(name, 0) + 1
        writer.close()
    except asyncio.CancelledError:
        if writer is not None:
            writer.close()
        raise
    except Exception as e:  # noqa: BLE001 (any error fails the listener)
        lst.error = f"{type(e).__name__}: {e}"
        lst.hello.set()


async def edit_shown(port):
    """The number of the edit the brief shows (0 before the first)."""
    body = await fetch_once(port, BRIEF_URL)
    if not body.rstrip().endswith(b"</html>"):
        raise ValueError("the brief, loaded after a reload, is cut short")
    m = re.search(rb"\(load edit (\d+)\)", body)
    return int(m.group(1)) if m else 0


async def slow_client(port, result, stop):
    """Send a request one byte a second; record when the server closed."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    t0 = time.perf_counter()
    request = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: {'y' * 200}\r\n\r\n".encode()
    sent = 0
    try:
        for b in request:
            if stop.is_set():
                break
            writer.write(bytes([b]))
            await writer.drain()
            sent += 1
            try:
                # Closed (b""), or answered, which an unfinished request must not be.
                data = await asyncio.wait_for(reader.read(1), 1.0)
                result.append((time.perf_counter() - t0, sent, data))
                writer.close()
                return
            except asyncio.TimeoutError:
                pass
    except OSError:
        result.append((time.perf_counter() - t0, sent, b""))
        return
    result.append((None, sent, b""))
    writer.close()


def edit_once(site, i):
    """Edit the brief and the dataset; both stay valid and show the edit."""
    p = os.path.join(site, BRIEF)
    text = open(p, encoding="utf-8").read()
    text = re.sub(r" \(load edit \d+\)", "", text)
    text = text.replace(BRIEF_ANCHOR, f"{BRIEF_ANCHOR} (load edit {i})", 1)
    with open(p, "w", encoding="utf-8") as f:
        f.write(text)
    p = os.path.join(site, DATASET)
    text = open(p, encoding="utf-8").read()
    text, n = DATASET_ROW.subn(lambda m: f"{m.group(1)}{60 + i % 10}.{i % 7}", text, count=1)
    assert n == 1, "the dataset row to edit is not there"
    with open(p, "w", encoding="utf-8") as f:
        f.write(text)


async def editor(site, edits, stop):
    i = 0
    while not stop.is_set():
        i += 1
        edit_once(site, i)
        edits.append((time.perf_counter(), i))
        try:
            await asyncio.wait_for(stop.wait(), EDIT_EVERY)
        except asyncio.TimeoutError:
            pass


def proc_status(pid):
    rss = threads = 0
    try:
        with open(f"/proc/{pid}/status") as f:
            for l in f:
                if l.startswith("VmRSS:"):
                    rss = int(l.split()[1]) / 1024
                elif l.startswith("Threads:"):
                    threads = int(l.split()[1])
        fds = len(os.listdir(f"/proc/{pid}/fd"))
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return None
    return rss, fds, threads, cpu


async def sampler(pid, samples, stop):
    t0 = time.perf_counter()
    while not stop.is_set():
        s = proc_status(pid)
        if s:
            samples.append((time.perf_counter() - t0, *s))
        try:
            await asyncio.wait_for(stop.wait(), 1.0)
        except asyncio.TimeoutError:
            pass


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else float("nan")


class Server:
    def __init__(self, site, out):
        self.proc = subprocess.Popen(
            [binary, "serve", "--site", site, "--output", out, "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.rebuilds = 0
        self.rebuild_ms = []
        self.errors = []
        self.lock = threading.Lock()
        line = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            self.proc.kill()
            raise SystemExit(f"no address in {line!r}: {self.proc.stderr.read()}")
        self.port = int(m.group(1))
        threading.Thread(target=self.read_stderr, daemon=True).start()

    def read_stderr(self):
        for line in self.proc.stderr:
            with self.lock:
                if line.startswith("Rebuilt "):
                    self.rebuilds += 1
                    m = re.search(r" in (\d+) ms", line)
                    if m:
                        self.rebuild_ms.append(int(m.group(1)))
                elif line.startswith(("error", "warning", "internal error")):
                    self.errors.append(line.rstrip())

    def rebuilt(self):
        with self.lock:
            return self.rebuilds


async def run(site, out, server):
    stats = Stats()
    paths = output_paths(out) + ["/no/such/page/"]
    stop_load = asyncio.Event()
    stop_all = asyncio.Event()
    samples, edits, slow = [], [], []
    await fetch_once(server.port, "/")  # the server is up, its threads started
    sampling = asyncio.create_task(sampler(server.proc.pid, samples, stop_all))
    await asyncio.sleep(1.1)  # a sample before any load
    listeners = [Listener() for _ in range(LISTENERS)]
    listening = [asyncio.create_task(listen(server.port, l, stop_all)) for l in listeners]
    await asyncio.wait_for(asyncio.gather(*(l.hello.wait() for l in listeners)), 10)
    rebuilt_before = server.rebuilt()
    t0 = time.perf_counter()
    fetching = [asyncio.create_task(fetcher(i, server.port, paths, stats, stop_load))
                for i in range(CONNECTIONS)]
    slowing = [asyncio.create_task(slow_client(server.port, slow, stop_load)) for _ in range(SLOW)]
    editing = asyncio.create_task(editor(site, edits, stop_load))
    await asyncio.sleep(SECONDS)
    stop_load.set()
    await asyncio.gather(*fetching, *slowing, editing)
    elapsed = time.perf_counter() - t0
    # Let the last edit be rebuilt and announced.
    await asyncio.sleep(DRAIN)
    final = await fetch_once(server.port, BRIEF_URL)
    rebuilds = server.rebuilt() - rebuilt_before
    for t in listening:
        t.cancel()
    await asyncio.gather(*listening, return_exceptions=True)
    await asyncio.sleep(1.1)  # a sample with the clients gone
    stop_all.set()
    await sampling
    return stats, elapsed, listeners, edits, slow, samples, rebuilds, final


async def fetch_once(port, path):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    status, _, body = await read_response(reader)
    writer.close()
    if status != 200:
        raise ValueError(f"{path}: status {status}")
    return body


def reload_latencies(listeners, edits):
    """Per edit, the time until each listener's first reload after it (when that
    reload came before the next edit)."""
    out = []
    times = [t for t, _ in edits] + [float("inf")]
    for lst in listeners:
        for t, nxt in zip(times, times[1:]):
            after = [r for r in lst.reloads if t <= r < nxt]
            if after:
                out.append(after[0] - t)
    return out


def report(stats, elapsed, listeners, edits, slow, samples, rebuilds, final, server):
    problems = []
    n = len(stats.latencies)
    lat = [x * 1000 for x in stats.latencies]
    print(f"tumen serve under load: {CONNECTIONS} keep-alive connections, {LISTENERS} reload listeners, "
          f"{SLOW} slow clients, {len(edits)} edits (a brief and a dataset every {EDIT_EVERY} s) "
          f"over {elapsed:.1f} s; {os.cpu_count()} cores, load average {LOAD_BEFORE:.2f} before, "
          f"{os.getloadavg()[0]:.2f} after")
    rows = [
        ("requests", f"{n} ({', '.join(f'{k}: {v}' for k, v in sorted(stats.by_status.items()))})"),
        ("requests per second", f"{n / elapsed:.0f} ({stats.bytes / elapsed / 1e6:.1f} MB/s)"),
        ("latency p50 / p99 / max", f"{pct(lat, 0.5):.1f} / {pct(lat, 0.99):.1f} / {max(lat, default=0):.1f} ms"),
        ("failed requests", str(len(stats.failures))),
    ]
    if stats.failures:
        problems.append(f"{len(stats.failures)} failed requests, e.g. {[f for f in stats.failures if f][:5]}")
    seen = [len(l.reloads) for l in listeners]
    ms = server.rebuild_ms[-rebuilds:] if rebuilds else []
    rows.append(("rebuilds (server's lines)", f"{rebuilds}" + (
        f", each {statistics.median(ms):.0f} ms (median), {max(ms)} ms at most" if ms else "")))
    rows.append(("reloads per listener", f"min {min(seen)}, max {max(seen)}"))
    rl = [x * 1000 for x in reload_latencies(listeners, edits)]
    if rl:
        rows.append(("edit -> reload p50 / p99", f"{pct(rl, 0.5):.0f} / {pct(rl, 0.99):.0f} ms "
                     f"({len(rl)} of {len(edits) * len(listeners)} edit x listener pairs before the next edit)"))
    for i, l in enumerate(listeners):
        if l.error:
            problems.append(f"listener {i}: {l.error}")
        if any(a > b for a, b in zip(l.shown, l.shown[1:])):
            problems.append(f"listener {i}: the brief went back to an older edit after a reload: {l.shown}")
        if len(l.reloads) != rebuilds:
            problems.append(f"listener {i} saw {len(l.reloads)} reloads for {rebuilds} rebuilds")
        if l.other:
            problems.append(f"listener {i} saw other events: {l.other}")
        if edits and (not l.reloads or l.reloads[-1] < edits[-1][0]):
            problems.append(f"listener {i}: no reload after the last edit")
    if edits and f"(load edit {edits[-1][1]})".encode() not in final:
        problems.append("the brief served at the end does not show the last edit")
    closed = [s for s in slow if s[0] is not None]
    rows.append(("slow clients closed", f"{len(closed)} of {SLOW}" + (
        f", after {min(s[0] for s in closed):.1f}-{max(s[0] for s in closed):.1f} s and "
        f"{min(s[1] for s in closed)}-{max(s[1] for s in closed)} bytes" if closed else "")))
    if len(closed) != SLOW or any(s[2] for s in closed):
        problems.append(f"slow clients not closed (or answered): {slow}")
    flat = memory_rows(samples, rows, problems)
    print("\n".join(f"  {k:<28} {v}" for k, v in rows))
    if server.errors:
        problems.append(f"server said: {server.errors[:5]}")
    if server.proc.poll() is not None:
        problems.append(f"the server exited with {server.proc.returncode}")
    for p in problems:
        print("FAIL:", p)
    print("all checks passed" if not problems else f"{len(problems)} checks failed")
    return not problems and flat


def memory_rows(samples, rows, problems):
    if len(samples) < 3:
        problems.append("too few memory samples")
        return False
    start = samples[0]
    warm = next((s for s in samples if s[0] >= 1.1 + WARM_UP), samples[-1])
    peak = max(s[1] for s in samples)
    end = samples[-1]
    rows.append(("memory (VmRSS)", f"start {start[1]:.1f} MB, after {WARM_UP:.0f} s of load {warm[1]:.1f} MB, "
                 f"peak {peak:.1f} MB, end {end[1]:.1f} MB"))
    rows.append(("memory by second", " ".join(f"{s[1]:.0f}" for s in samples) + " MB"))
    rows.append(("open files", f"start {start[2]}, peak {max(s[2] for s in samples)}, end {end[2]}"))
    rows.append(("server CPU", f"{end[4] - start[4]:.1f} s in {end[0] - start[0]:.0f} s"))
    rows.append(("threads", f"start {start[3]}, peak {max(s[3] for s in samples)}, end {end[3]}"))
    ok = True
    if end[1] > warm[1] + max(0.2 * warm[1], 10):
        problems.append(f"memory grew: {warm[1]:.1f} MB after warm-up, {end[1]:.1f} MB at the end")
        ok = False
    if end[2] > start[2] + 4:
        problems.append(f"open files: {start[2]} at the start, {end[2]} at the end")
        ok = False
    return ok


def main():
    if not os.path.exists(binary):
        raise SystemExit(f"no {binary}: run cargo build --release")
    global LOAD_BEFORE
    LOAD_BEFORE = os.getloadavg()[0]
    work = tempfile.mkdtemp(prefix="tumen-load-bench-")
    site, out = os.path.join(work, "site"), os.path.join(work, "out")
    shutil.copytree(os.path.join(repo, "content"), site)
    server = Server(site, out)
    try:
        results = asyncio.run(run(site, out, server))
        ok = report(*results, server)
    finally:
        server.proc.kill()
        server.proc.wait()
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
