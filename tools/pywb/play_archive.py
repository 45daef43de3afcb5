#!/usr/bin/env python3
"""Plays a WARC through pywb (the reference WARC replay) and compares what it serves.

Usage: play_archive.py WARC EXPECTATIONS.json
       play_archive.py WARC --every-request

EXPECTATIONS is a JSON list of {"name", "url", "timestamp" (14 digits), "body_base64"}.
The WARC is added to a throwaway pywb collection in a temporary folder, `wayback` serves it
on a free loopback port, and each URL is fetched in `id_` mode (the archived bytes as they
were, nothing rewritten). Prints one JSON line per expectation ({"name", "status", "equal",
"length", "expected_length"}) and exits 1 when any body differs.

With --every-request, every request record of the WARC is sent through wayback with its own
method, Content-Type and body, at the time of its answer (pywb indexes POST and other
methods with their bodies), and must get the status that was recorded: one JSON line per
request ({"name": "METHOD URL", "status", "expected_status", "equal"}), exit 1 when any differs.
pywb comes from PyPI (tools/setup.sh installs it in its own venv); run this script with that
venv's python.
"""
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, process, seconds=600):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError("wayback exited with %s" % process.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("wayback did not listen on %d" % port)


def recorded_requests(warc):
    """Each request record with the status and date of what answered it, in file order."""
    from warcio.archiveiterator import ArchiveIterator
    requests, answers = [], {}
    with open(warc, "rb") as stream:
        for record in ArchiveIterator(stream):
            headers = record.rec_headers
            if record.rec_type == "request":
                requests.append({
                    "id": headers.get_header("WARC-Record-ID"), "url": headers.get_header("WARC-Target-URI"),
                    "method": record.http_headers.protocol, "content_type": record.http_headers.get_header("Content-Type"),
                    "body": record.content_stream().read()})
            elif record.rec_type in ("response", "revisit"):
                answers[headers.get_header("WARC-Concurrent-To")] = {
                    "status": int(record.http_headers.get_statuscode()), "date": headers.get_header("WARC-Date")}
    for request in requests:
        answer = answers.get(request["id"])
        if answer:
            request["expected_status"] = answer["status"]
            request["timestamp"] = "".join(c for c in answer["date"] if c.isdigit())[:14]
            yield request


def play_every_request(port, warc):
    failed = False
    for request in recorded_requests(warc):
        url = "http://127.0.0.1:%d/aomi/%sid_/%s" % (port, request["timestamp"], request["url"])
        sent = urllib.request.Request(url, data=request["body"] if request["method"] != "GET" else None, method=request["method"])
        if request["content_type"]:
            sent.add_header("Content-Type", request["content_type"])
        try:
            with urllib.request.urlopen(sent, timeout=300) as answer:
                status = answer.status
                answer.read()
        except urllib.error.HTTPError as error:
            status = error.code
        equal = status == request["expected_status"]
        failed = failed or not equal
        print(json.dumps({"name": request["method"] + " " + request["url"], "status": status,
                          "expected_status": request["expected_status"], "equal": equal}))
    return failed


def play_expectations(port, expectations):
    failed = False
    for expected in expectations:
        url = "http://127.0.0.1:%d/aomi/%sid_/%s" % (port, expected["timestamp"], expected["url"])
        want = base64.b64decode(expected["body_base64"])
        try:
            with urllib.request.urlopen(url, timeout=300) as answer:
                status, body = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        equal = status == 200 and body == want
        failed = failed or not equal
        print(json.dumps({"name": expected["name"], "status": status, "equal": equal,
                          "length": len(body), "expected_length": len(want),
                          "body_start": body[:200].decode("utf-8", "replace") if not equal else ""}))
    return failed


def main():
    # A parent may start us with signals blocked (Swift's test runner does); wayback's event
    # loop (gevent) then never wakes up. Its child inherits our mask: clear it.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    warc, what = sys.argv[1], sys.argv[2]
    bin_dir = os.path.dirname(sys.executable)
    folder = tempfile.mkdtemp(prefix="aomi-pywb-")
    server = None
    failed = False
    try:
        subprocess.run([os.path.join(bin_dir, "wb-manager"), "init", "aomi"], cwd=folder, check=True, capture_output=True)
        subprocess.run([os.path.join(bin_dir, "wb-manager"), "add", "aomi", warc], cwd=folder, check=True, capture_output=True)
        port = free_port()
        log = open(os.path.join(folder, "wayback.log"), "w+")
        server = subprocess.Popen(
            [os.path.join(bin_dir, "wayback"), "-b", "127.0.0.1", "-p", str(port), "-t", "2"],
            cwd=folder, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(port, server)
        except RuntimeError:
            log.seek(0)
            sys.stderr.write(log.read()[-4000:])
            raise
        if what == "--every-request":
            failed = play_every_request(port, warc)
        else:
            with open(what) as f:
                failed = play_expectations(port, json.load(f))
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(folder, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
