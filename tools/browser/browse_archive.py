"""Walks the archive browser in headless Chromium as a person would, for ArchiveBrowserTests.

    python3 tools/browser/browse_archive.py BASE_URL WALLET SESSION HOSTILE_SESSION SCREENSHOTS_DIR

Opens the wallets page, follows the wallet, a thread and an exchange by their links, searches
with the header's box and follows the first hit to its message, downloads the session's HAR,
and opens the session whose messages are hostile HTML. Prints one JSON report on stdout: the
pages reached, the HAR's entry count, any JavaScript dialog or console error, and whether a
script ran. Screenshots of each page go to SCREENSHOTS_DIR.
"""

import json
import os
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def driver_for(downloads):
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1600"]:
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"download.default_directory": downloads, "download.prompt_for_download": False})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def main():
    base, wallet, session, hostile, shots = sys.argv[1:6]
    os.makedirs(shots, exist_ok=True)
    downloads = os.path.join(shots, "downloads")
    os.makedirs(downloads, exist_ok=True)
    report = {"pages": [], "dialogs": [], "console_errors": [], "script_ran": False}
    driver = driver_for(downloads)
    driver.set_page_load_timeout(60)

    def visited(name):
        report["pages"].append({"name": name, "url": driver.current_url, "title": driver.title})
        driver.save_screenshot(os.path.join(shots, name + ".png"))
        try:
            report["dialogs"].append(driver.switch_to.alert.text)
        except NoAlertPresentException:
            pass
        for entry in driver.get_log("browser"):
            if entry.get("level") == "SEVERE":
                report["console_errors"].append(entry.get("message", ""))

    try:
        driver.get(base + "/")
        visited("wallets")
        driver.find_element(By.CSS_SELECTOR, 'a[href="/wallets/%s"]' % wallet).click()
        visited("wallet")
        driver.find_element(By.CSS_SELECTOR, 'a[href="/sessions/%s"]' % session).click()
        visited("session")
        report["messages_shown"] = len(driver.find_elements(By.CSS_SELECTOR, ".message"))
        driver.find_element(By.CSS_SELECTOR, 'table a[href*="/exchanges/"]').click()
        visited("exchange")
        box = driver.find_element(By.CSS_SELECTOR, 'header input[name="q"]')
        box.send_keys("staking OR price")
        box.submit()
        visited("search")
        report["hits"] = len(driver.find_elements(By.CSS_SELECTOR, "main table a[href*='/sessions/']"))
        driver.find_element(By.CSS_SELECTOR, "main table a[href*='/sessions/']").click()
        visited("hit")
        fragment = driver.current_url.split("#", 1)[1] if "#" in driver.current_url else ""
        report["hit_target_found"] = bool(fragment) and len(driver.find_elements(By.ID, fragment)) == 1
        driver.get(base + "/sessions/%s" % session)
        driver.find_element(By.CSS_SELECTOR, 'a[href$="export.har"]').click()
        har = None
        for _ in range(600):
            names = [name for name in os.listdir(downloads) if name.endswith(".har")]
            if names:
                har = os.path.join(downloads, names[0])
                break
            time.sleep(0.1)
        if har:
            with open(har) as handle:
                report["har_entries"] = len(json.load(handle)["log"]["entries"])
        driver.get(base + "/sessions/%s" % hostile)
        visited("hostile")
        report["script_ran"] = driver.execute_script("return typeof window.__aomi_pwned !== 'undefined'") or bool(report["dialogs"])
        report["hostile_text_shown"] = "<img src=x onerror=alert(1)>" in driver.find_element(By.TAG_NAME, "main").text
    finally:
        driver.quit()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
