"""The web widget's calls from a page on another origin, in headless Chromium, for the CORS tests.

    python3 tools/browser/cors_client.py NAME=BASE_URL [NAME=BASE_URL ...]

Serves a small page from its own loopback origin (a port of its own), and for each target
opens it: the page calls the target cross-origin as the real client does (fetch with
X-Session-Id and X-API-Key, POST /api/sessions with a JSON body, a streamed GET /api/updates
read as bytes, POST /api/chat with the arguments in the query string, GET /api/state polled
until the turn ends, the thread list without X-Session-Id) and reports each call's status, the
SSE events it read, the final messages, whether a thread just created is in the thread list
fetched at once (createThread then listThreads, as the widget does: at the start, and for a
second thread at the end), and the browser's console errors. Prints one JSON object:
{NAME: report, ...}.
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>widget</title></head><body><script>
(async () => {
  const target = new URLSearchParams(location.search).get("target");
  const session = crypto.randomUUID(), clientId = crypto.randomUUID();
  const wallet = "0x5aeda56215b167893e80b4fe645ba6d5bab767de";
  const report = { calls: [], events: [], messages: [], listed: [], errors: [] };
  const call = async (method, path, { withSession = true, body, sessionId = session } = {}) => {
    const headers = { "X-API-Key": "widget-key" };
    if (withSession) headers["X-Session-Id"] = sessionId;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(target + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    report.calls.push(method + " " + path.split("?")[0] + " " + response.status);
    return response.json();
  };
  const createAndList = async (sessionId, expected) => {
    await call("POST", "/api/sessions", { body: { public_key: wallet }, sessionId });
    const threads = await call("GET", "/api/sessions?" + new URLSearchParams({ public_key: wallet }), { withSession: false });
    const ids = threads.map(t => t.session_id);
    report.listed.push(expected.every(id => ids.includes(id)));
  };
  try {
    await createAndList(session, [session]);
    const updates = await fetch(target + "/api/updates", { headers: { "X-Session-Id": session, Accept: "text/event-stream" } });
    report.calls.push("GET /api/updates " + updates.status);
    const reader = updates.body.getReader(), decoder = new TextDecoder();
    let buffered = "";
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffered += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffered.indexOf("\\n\\n")) >= 0) {
          const block = buffered.slice(0, end); buffered = buffered.slice(end + 2);
          const data = block.split("\\n").filter(l => l.startsWith("data:")).map(l => l.slice(5).trim()).join("\\n");
          if (data) { try { report.events.push(JSON.parse(data).type); } catch (e) { report.events.push("unparsed"); } }
        }
      }
    })().catch(e => report.errors.push("updates: " + e));
    const query = new URLSearchParams({ message: "What is the price of ETH?", public_key: wallet, client_id: clientId });
    await call("POST", "/api/chat?" + query);
    let state;
    for (let poll = 0; poll < 400; poll++) {
      state = await call("GET", "/api/state?" + new URLSearchParams({ client_id: clientId }));
      if (!state.is_processing) break;
      await new Promise(r => setTimeout(r, 20));
    }
    report.messages = (state.messages || []).map(m => m.sender + ": " + m.content);
    await call("GET", "/api/sessions?" + new URLSearchParams({ public_key: wallet }), { withSession: false });
    for (let wait = 0; wait < 100 && !report.events.includes("title_changed"); wait++) await new Promise(r => setTimeout(r, 30));
    reader.cancel().catch(() => {});
    const second = crypto.randomUUID();
    await createAndList(second, [session, second]);
  } catch (e) {
    report.errors.push(String(e));
  }
  window.__report = report;
})();
</script></body></html>"""


class Page(BaseHTTPRequestHandler):
    def do_GET(self):
        body = PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *arguments):
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = "http://127.0.0.1:%d" % server.server_address[1]
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    reports = {}
    try:
        for pair in sys.argv[1:]:
            name, target = pair.split("=", 1)
            driver.get(origin + "/?target=" + target)
            report = None
            for _ in range(1200):
                report = driver.execute_script("return window.__report")
                if report:
                    break
                time.sleep(0.05)
            report = report or {"errors": ["the page never finished"]}
            report["console_errors"] = [e.get("message", "") for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
            report["origin"] = origin
            reports[name] = report
    finally:
        driver.quit()
        server.shutdown()
    print(json.dumps(reports))


if __name__ == "__main__":
    main()
