#!/usr/bin/env python3
"""The Keel dashboard in a real browser.

Starts the real `keel dev --port 0 --data <tmp>` binary, drives Debian's Chromium through
Playwright, and checks what a user does: log in, watch a run change live, open its timeline
and journal, re-run it with an edited input, approve a waiting run, bulk-cancel runs. Saves
screenshots under .build/screenshots/. Prints `N passed, M failed` last; exits 1 on a failure.

    python3 Tests/Browser/dashboard_test.py            # uses .build/debug/keel
    KEEL_BIN=/path/to/keel python3 Tests/Browser/dashboard_test.py
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request

from playwright.sync_api import expect, sync_playwright

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("KEEL_BIN", os.path.join(ROOT, ".build", "debug", "keel"))
SHOTS = os.path.join(ROOT, ".build", "screenshots")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
KEY = "keel_browser_test_key"
TIMEOUT_MS = 20_000


class Server:
    """`keel dev` on a free port and a temporary data directory."""

    def __init__(self):
        self.data = tempfile.mkdtemp(prefix="keel-browser-")
        env = dict(os.environ, KEEL_API_KEY=KEY)
        self.process = subprocess.Popen(
            [BINARY, "dev", "--port", "0", "--data", self.data],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        )
        self.url = None
        deadline = time.time() + 60
        lines = []
        while time.time() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            lines.append(line)
            match = re.search(r"url\s+(http://\S+)", line)
            if match:
                self.url = match.group(1)
                break
        if not self.url:
            self.stop()
            raise RuntimeError("keel dev did not print its url:\n" + "".join(lines))

    def api(self, method, path, body=None):
        request = urllib.request.Request(
            self.url + path, method=method, data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": "Bearer " + KEY, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{method} {path} answered {error.code}: {error.read().decode()}") from None

    def trigger(self, task, payload, tags=None):
        return self.api("POST", f"/api/v1/tasks/{task}/trigger", {"input": payload, "options": {"tags": tags or []}})["id"]

    def run(self, run_id):
        return self.api("GET", f"/api/v1/runs/{run_id}")

    def wait_for_status(self, run_id, status, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            run = self.run(run_id)
            if run["status"] == status:
                return run
            time.sleep(0.1)
        raise AssertionError(f"run {run_id} is {self.run(run_id)['status']}, not {status}, after {timeout} s")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.data, ignore_errors=True)


class Suite:
    def __init__(self, server, browser):
        self.server = server
        self.browser = browser
        self.context = browser.new_context(viewport={"width": 1280, "height": 800})
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.console_errors = []
        self.page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        self.steps_run = None

    def goto(self, path):
        self.page.goto(self.server.url + path)

    def login(self, page, key=KEY):
        page.fill("#key", key)
        page.click("#login-form button[type=submit]")

    # The tests, in order: later ones use what earlier ones made.

    def test_every_page_shows_only_the_login_page_without_a_key(self):
        anonymous = self.browser.new_context(viewport={"width": 1280, "height": 800})
        page = anonymous.new_page()
        for path in ["/", "/tasks", "/queues", "/schedules", "/runs/01a00000-0000-7000-8000-000000000000", "/live/runs", "/no-such-page"]:
            page.goto(self.server.url + path)
            assert "/login" in page.url, f"{path} led to {page.url}, not the login page"
            assert page.locator("#login-form").count() == 1, f"{path} shows no login form"
            assert page.locator("table, nav.nav, #run-live").count() == 0, f"{path} shows more than the login page"
        self.login(page, "wrong-key")
        expect(page.locator(".error")).to_contain_text("not an API key")
        assert page.context.cookies() == [] or all(c["name"] != "keel_session" for c in page.context.cookies())
        anonymous.close()

    def test_log_in(self):
        self.goto("/schedules")
        assert "/login" in self.page.url
        self.login(self.page)
        expect(self.page.locator("h1")).to_have_text("Schedules")
        session = [c for c in self.context.cookies() if c["name"] == "keel_session"]
        assert session and session[0]["httpOnly"] and session[0]["sameSite"] == "Strict", f"session cookie: {session}"

    def test_a_triggered_run_appears_and_completes_live(self):
        self.goto("/")
        expect(self.page.locator("h1")).to_have_text("Runs")
        self.page.evaluate("window.__noReload = 'still here'")
        self.page.wait_for_timeout(300)  # the event stream is connected
        run_id = self.server.trigger("demo.steps", {"count": 3, "sleepSeconds": 1}, tags=["browser"])
        self.steps_run = run_id
        row = self.page.locator(f"#run-{run_id}")
        expect(row).to_be_visible()
        expect(row.locator(".status")).to_have_text(re.compile("running|waiting|queued"))
        expect(row.locator(".status")).to_have_text("completed")
        assert self.page.evaluate("window.__noReload") == "still here", "the page reloaded"

    def test_timeline_journal_and_logs(self):
        self.page.click(f"#run-{self.steps_run} a[href='/runs/{self.steps_run}']")
        expect(self.page.locator("#run-status")).to_have_text("completed")
        expect(self.page.locator("svg.timeline .bar-ok")).to_have_count(4)  # the run and its three steps
        expect(self.page.locator("svg.timeline .bar-wait")).to_have_count(2)  # the two sleeps
        entries = self.page.locator(".journal-entry")
        expect(entries).to_have_count(5)
        self.page.locator(".journal-entry", has_text="step.completed").first.click()
        expect(self.page.locator("#entry-json")).to_contain_text('"kind" : "step.completed"')
        expect(self.page.locator("#entry-json")).to_contain_text('"payload" : "step 1 of 3"')
        expect(self.page.locator("#logs")).to_contain_text("finished step 3 of 3")
        os.makedirs(SHOTS, exist_ok=True)
        self.page.screenshot(path=os.path.join(SHOTS, "run.png"), full_page=True)

    def test_rerun_refuses_bad_input_then_runs_an_edited_one(self):
        before = len(self.server.api("GET", "/api/v1/runs?task=demo.steps&limit=50")["runs"])
        editor = self.page.locator("#rerun-input")
        expect(editor).to_have_value(re.compile('"count" : 3'))
        editor.fill('{"count": ')
        self.page.click("#rerun-button")
        expect(self.page.locator("#rerun-error")).to_contain_text("not valid JSON")
        editor.fill('{"count": "three"}')
        self.page.click("#rerun-button")
        expect(self.page.locator("#rerun-error")).to_contain_text("count")
        assert f"/runs/{self.steps_run}" in self.page.url
        after = len(self.server.api("GET", "/api/v1/runs?task=demo.steps&limit=50")["runs"])
        assert after == before, f"a refused input created a run ({before} → {after})"
        editor.fill('{"count": 2, "sleepSeconds": 0}')
        self.page.click("#rerun-button")
        old = self.steps_run
        self.page.wait_for_url(lambda url: re.search(r"/runs/[0-9a-f-]{36}$", url) is not None and old not in url)
        new_id = self.page.url.rsplit("/", 1)[1]
        assert new_id != self.steps_run
        run = self.server.wait_for_status(new_id, "completed")
        assert run["input"] == {"count": 2, "sleepSeconds": 0}, run["input"]
        expect(self.page.locator("#run-status")).to_have_text("completed")
        expect(self.page.locator("#run-output")).to_contain_text("step 2 of 2")

    def test_approve_a_waiting_run_from_its_page(self):
        run_id = self.server.trigger("demo.approval", {"subject": "deploy", "timeoutSeconds": 600})
        self.server.wait_for_status(run_id, "waiting")
        self.goto(f"/runs/{run_id}")
        form = self.page.locator(".token-form")
        expect(form).to_be_visible()
        form.locator("textarea").fill("{not json")
        form.locator("button").click()
        expect(form.locator("[data-json-error]")).to_contain_text("Not valid JSON")
        form.locator("textarea").fill('{"approved": true, "by": "the browser test"}')
        form.locator("button").click()
        expect(self.page.locator("#run-status")).to_have_text("completed")
        expect(self.page.locator("#run-output")).to_contain_text("the browser test")
        assert self.server.run(run_id)["output"]["payload"]["by"] == "the browser test"

    def test_bulk_cancel_the_selected_runs(self):
        ids = [self.server.trigger("demo.approval", {"subject": f"bulk {n}"}, tags=["bulk"]) for n in range(3)]
        for run_id in ids:
            self.server.wait_for_status(run_id, "waiting")
        self.goto("/?tag=bulk")
        expect(self.page.locator("#runs-body .run-row")).to_have_count(3)
        for run_id in ids:
            self.page.check(f"#run-{run_id} input[name=run]")
        expect(self.page.locator("[data-selection-count]")).to_have_text("3 selected")
        self.page.click("button[value=cancel-selected]")
        expect(self.page.locator(".confirm-question")).to_contain_text("Cancel 3 runs")
        self.page.click("#confirm-button")
        expect(self.page.locator(".notice")).to_contain_text("Cancelled 3 runs")
        for run_id in ids:
            assert self.server.run(run_id)["status"] == "cancelled"

    def test_screenshots(self):
        os.makedirs(SHOTS, exist_ok=True)
        self.goto("/")
        expect(self.page.locator("#runs-body .run-row").first).to_be_visible()
        self.page.screenshot(path=os.path.join(SHOTS, "runs.png"))
        flaky = self.server.trigger("demo.flaky", {"failures": 2})
        self.server.wait_for_status(flaky, "completed")
        self.goto(f"/runs/{flaky}")
        expect(self.page.locator("svg.timeline .bar-backoff")).to_have_count(2)
        self.page.screenshot(path=os.path.join(SHOTS, "run-retries.png"))
        for scheme in ["dark"]:
            context = self.browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme, storage_state=self.context.storage_state())
            page = context.new_page()
            page.goto(self.server.url + "/")
            page.screenshot(path=os.path.join(SHOTS, f"runs-narrow-{scheme}.png"), full_page=True)
            page.goto(self.server.url + f"/runs/{self.steps_run}")
            page.screenshot(path=os.path.join(SHOTS, f"run-narrow-{scheme}.png"), full_page=True)
            context.close()

    def test_no_script_errors(self):
        assert not self.console_errors, "errors in the browser console: " + "; ".join(self.console_errors)


def main():
    if not os.path.exists(BINARY):
        print(f"the keel binary is missing at {BINARY}: run `swift build` first", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    passed, failed = 0, 0
    server = Server()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            suite = Suite(server, browser)
            tests = [name for name in Suite.__dict__ if name.startswith("test_")]
            for name in tests:
                started = time.time()
                try:
                    getattr(suite, name)()
                    passed += 1
                    print(f"✔ {name} ({time.time() - started:.1f} s)")
                except Exception:
                    failed += 1
                    print(f"✘ {name} ({time.time() - started:.1f} s)")
                    traceback.print_exc()
                    try:
                        os.makedirs(SHOTS, exist_ok=True)
                        suite.page.screenshot(path=os.path.join(SHOTS, f"failure-{name}.png"), full_page=True)
                    except Exception:
                        pass
            browser.close()
    finally:
        server.stop()
    print(f"screenshots in {SHOTS}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
