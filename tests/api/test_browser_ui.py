"""The home page in headless Chromium: a typed query runs in YASGUI and shows results; entity search works.

Needs Debian's ``chromium`` and ``chromium-driver`` (driven by selenium; nothing is downloaded).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
                       reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"),
]

TYPED_QUERY = "SELECT ?party WHERE { agreement:ukr-rus-314-exchange dt:hasParty ?party } ORDER BY ?party"


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1400,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def test_typed_query_runs_and_shows_results(live, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 60)
    browser.get(live.url + "/")
    editor = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".yasqe .CodeMirror")))
    editor.click()
    typing = browser.find_element(By.CSS_SELECTOR, ".yasqe .CodeMirror textarea")
    typing.send_keys(Keys.CONTROL, "a")
    typing.send_keys(Keys.DELETE)
    typing.send_keys(TYPED_QUERY)
    typed = browser.execute_script("return window.detenteYasgui.getTab().getYasqe().getValue()")
    assert typed == TYPED_QUERY
    browser.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    wait.until(lambda d: "state/UKR" in d.find_element(By.CSS_SELECTOR, ".yasr").text)
    results = browser.find_element(By.CSS_SELECTOR, ".yasr").text
    assert "state/RUS" in results and "state/UKR" in results


def test_example_button_and_entity_search(live, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 60)
    browser.get(live.url + "/")
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".yasqe .CodeMirror")))
    browser.find_element(By.XPATH, "//button[contains(., 'Sources of the 314-prisoner claim')]").click()
    wait.until(lambda d: "Kyiv Independent" in d.find_element(By.CSS_SELECTOR, ".yasr").text)
    assert "Meridian Wire" in browser.find_element(By.CSS_SELECTOR, ".yasr").text
    # A claim IRI in the results opens this server's claim page, not the (w3id.org) IRI itself.
    browser.find_element(By.CSS_SELECTOR, ".yasr a[href*='/id/claim/']").click()
    wait.until(lambda d: d.find_element(By.TAG_NAME, "h1").text.startswith("Claim"))
    assert browser.current_url.startswith(live.url + "/claims/")
    assert "314 prisoners" in browser.page_source

    browser.get(live.url + "/")
    box = wait.until(ec.presence_of_element_located((By.ID, "entity-q")))
    box.send_keys("Ukraine")
    browser.find_element(By.CSS_SELECTOR, "#entity-search button").click()
    link = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#entity-results a")))
    assert link.get_attribute("href").endswith("/entities/state/UKR")
    link.click()
    wait.until(lambda d: d.find_element(By.TAG_NAME, "h1").text == "Ukraine")
    claim_link = browser.find_element(By.CSS_SELECTOR, "ul.claims a")
    claim_link.click()
    wait.until(lambda d: d.find_element(By.TAG_NAME, "h1").text.startswith("Claim"))
    assert "Statements" in browser.page_source
