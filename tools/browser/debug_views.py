"""Walks the debugging views of the archive browser in headless Chromium, for BrowserDebugViewsTests.

    python3 tools/browser/debug_views.py BASE_URL EMPTY_BASE_URL SESSION RERUN SCREENSHOTS_DIR

BASE_URL serves the demo's archive, EMPTY_BASE_URL an empty one. Reads what a person sees on
every page type: the wallet list (short addresses, the full one to copy, traffic without a
session), a wallet's activity, a session's turns (tool spans, wallet cards, the time line's
bands), an exchange (the query table, previous/next, a poll's changes, copy as curl, nothing
wider than the window), a rerun's comparison, search (totals, inflections, no match, a page
past the last, a hit's highlighted message), a 404 and the empty archive. Prints one JSON
report on stdout; screenshots of each page go to SCREENSHOTS_DIR.
"""

import json
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def driver_for():
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1024,1400"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def main():
    base, empty, session, rerun, shots = sys.argv[1:6]
    os.makedirs(shots, exist_ok=True)
    report = {"console_errors": []}
    driver = driver_for()
    driver.set_page_load_timeout(60)

    def visit(name, url, expect_error=False):
        driver.get(url)
        driver.save_screenshot(os.path.join(shots, name + ".png"))
        for entry in driver.get_log("browser"):
            if entry.get("level") == "SEVERE" and not expect_error:
                report["console_errors"].append(entry.get("message", ""))

    def text(selector):
        found = driver.find_elements(By.CSS_SELECTOR, selector)
        return found[0].text if found else None

    def texts(selector):
        return [element.text for element in driver.find_elements(By.CSS_SELECTOR, selector)]

    def overflows():
        return driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth")

    try:
        visit("wallets", base + "/")
        link = driver.find_element(By.CSS_SELECTOR, "main table a[href^='/wallets/']")
        report["wallet_link"] = {"text": link.text, "title": link.get_attribute("title")}
        report["copy_value"] = driver.find_element(By.CSS_SELECTOR, "main input.copy").get_attribute("value")
        report["unbound_link"] = text("p.unbound a")
        link.click()
        report["activity_heading"] = [heading for heading in texts("h2") if heading.startswith("Messages per")]
        report["activity_labels"] = texts("svg[aria-label^='Messages per'] text")

        visit("session", base + "/sessions/" + session)
        report["summary"] = text("p.summary")
        report["turns"] = len(driver.find_elements(By.CSS_SELECTOR, "section.turn"))
        report["tool_spans"] = texts("ul.tools li")
        report["wallet_cards"] = texts(".wallet-card")
        report["turn_bands"] = len(driver.find_elements(By.CSS_SELECTOR, "svg rect.turnband"))
        report["span_bars"] = len(driver.find_elements(By.CSS_SELECTOR, "svg rect.span"))
        report["session_overflows"] = overflows()
        driver.find_element(By.CSS_SELECTOR, ".chat .message a.source").click()
        report["source_page"] = driver.find_element(By.TAG_NAME, "h1").text

        report["exchange_overflows"] = overflows()
        report["parameters"] = texts("table.parameters td.mono")
        report["has_previous_next"] = [bool(driver.find_elements(By.CSS_SELECTOR, "a[rel=%s]" % rel)) for rel in ["prev", "next"]]
        report["curl"] = text("pre.curl")
        changes = None
        for _ in range(60):
            found = driver.find_elements(By.CSS_SELECTOR, "ul.changes li")
            if found:
                changes = [element.text for element in found]
                break
            nexts = driver.find_elements(By.CSS_SELECTOR, "a[rel=next]")
            if not nexts:
                break
            nexts[0].click()
        driver.save_screenshot(os.path.join(shots, "poll-changes.png"))
        report["poll_changes"] = changes
        report["changes_heading"] = [heading for heading in texts("h2") if heading.startswith("Changes")]

        visit("compare", base + "/sessions/" + rerun + "/compare")
        report["compare_text"] = driver.find_element(By.TAG_NAME, "main").text
        report["compare_marks"] = [len(driver.find_elements(By.TAG_NAME, tag)) for tag in ["ins", "del"]]

        visit("search", base + "/search?q=swapped")
        report["search_totals"] = text("span.totals")
        report["search_hits"] = len(driver.find_elements(By.CSS_SELECTOR, "main table a[href*='/sessions/']"))
        report["search_marks"] = texts("main table mark")[:3]
        driver.find_element(By.CSS_SELECTOR, "main table a[href*='/sessions/']").click()
        fragment = driver.current_url.split("#", 1)[1] if "#" in driver.current_url else ""
        targets = driver.find_elements(By.ID, fragment) if fragment else []
        report["hit_outline"] = driver.execute_script("return getComputedStyle(arguments[0]).outlineStyle", targets[0]) if targets else None

        visit("no-match", base + "/search?q=zzzzqqq")
        report["no_match_text"] = driver.find_element(By.TAG_NAME, "main").text
        visit("past-last", base + "/search?q=swap&page=999")
        report["past_last_text"] = driver.find_element(By.TAG_NAME, "main").text
        visit("not-found", base + "/nope", expect_error=True)
        report["not_found_footer"] = driver.find_element(By.TAG_NAME, "footer").text
        visit("unbound", base + "/unbound")
        report["unbound_heading"] = driver.find_element(By.TAG_NAME, "h1").text
        report["unbound_rows"] = len(driver.find_elements(By.CSS_SELECTOR, "main tbody tr"))
        visit("empty", empty + "/")
        report["empty_text"] = driver.find_element(By.TAG_NAME, "main").text
    finally:
        driver.quit()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
