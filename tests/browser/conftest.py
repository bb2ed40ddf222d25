"""Browser tests: the real application under gunicorn, on a fresh database, driven by the system Chromium.

One server and one browser per session; every test gets a fresh browser context (no shared cookies).
The database is an SQLite file in a temporary folder, or — when DATABASE_URL names a PostgreSQL
server — a database of its own (`commonground_browser_<pid>`), dropped at the end.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin" if (ROOT / ".venv" / "bin").is_dir() else Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "common-ground-demo"
HEALTH_WAIT_SECONDS = 30
TIMEOUT_MS = 10_000


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "app_bug(reason): this test fails because of a known bug in the application (see the reason); "
        "it is neither skipped nor loosened, and passes once the application is fixed",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Guard the house rule: everything in tests/browser carries the `browser` mark."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents and item.get_closest_marker("browser") is None:
            raise pytest.UsageError(f"{item.nodeid} lives in tests/browser but is not marked @pytest.mark.browser")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    """A failing test marked `app_bug` says so in its report, with the bug's description."""
    report: pytest.TestReport = yield
    marker = item.get_closest_marker("app_bug")
    if marker is not None and report.when == "call" and report.failed:
        report.sections.append(("known application bug", str(marker.args[0] if marker.args else "")))
    return report


# --- the database ----------------------------------------------------------------------------------


@dataclass
class Database:
    url: str
    postgres_admin_url: str | None = None  # set when we created a PostgreSQL database to drop later
    name: str = ""

    def drop(self) -> None:
        if self.postgres_admin_url is None:
            return
        import psycopg

        with psycopg.connect(self.postgres_admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _postgres_database(base_url: str) -> Database:
    import psycopg

    parts = urlsplit(base_url)
    name = f"commonground_browser_{os.getpid()}"
    admin_url = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
    return Database(url=url, postgres_admin_url=admin_url, name=name)


@pytest.fixture(scope="session")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    configured = os.environ.get("DATABASE_URL", "")
    if urlsplit(configured).scheme.startswith("postgres"):
        db = _postgres_database(configured)
    else:  # unset (or SQLite): a fresh file of this run's own
        db = Database(url=f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'commonground.sqlite3'}")
    try:
        yield db
    finally:
        db.drop()


# --- the server ------------------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    host: str
    process: subprocess.Popen[bytes]
    log: Path
    static_served_without_collectstatic: bool = True
    static_problem: str = ""

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0:
        raise RuntimeError(
            f"`{' '.join(command)}` failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-6000:]}"
        )


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through an HTTP proxy


def _get(url: str) -> int:
    try:
        with _DIRECT.open(url, timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _wait_for_health(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + HEALTH_WAIT_SECONDS
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"gunicorn exited with code {process.returncode} before /health answered:\n"
                f"{log.read_text(errors='replace')[-6000:]}"
            )
        try:
            status = _get(f"{url}/health")
            if status == 200:
                return
            last = f"HTTP {status}"
        except OSError as error:
            last = repr(error)
        time.sleep(0.2)
    raise RuntimeError(
        f"/health did not answer 200 within {HEALTH_WAIT_SECONDS}s (last: {last}); gunicorn's log:\n"
        f"{log.read_text(errors='replace')[-6000:]}"
    )


@pytest.fixture(scope="session")
def server(database: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    var_dir = tmp_path_factory.mktemp("browser-var")
    env = {
        **os.environ,
        "COMMONGROUND_ENV": "test",
        "DATABASE_URL": database.url,
        "COMMONGROUND_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Keep the run apart from the working copy's var/ (its database and any collected static files).
        "COMMONGROUND_VAR_DIR": str(var_dir),
        "PYTHONUNBUFFERED": "1",
        # The application's own settings module, as deployed (pytest itself may use tests.settings).
        "DJANGO_SETTINGS_MODULE": "commonground.settings",
    }
    env.pop("COMMONGROUND_DEBUG", None)
    _run([str(BIN / "commonground"), "migrate", "--no-input", "-v", "0"], env)
    _run([str(BIN / "commonground"), "demo", "seed"], env)

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = var_dir / "gunicorn.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "commonground.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_health(url, process, log)
        running = Server(url=url, host=f"127.0.0.1:{port}", process=process, log=log)
        _make_sure_static_files_are_served(running, env)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _make_sure_static_files_are_served(running: Server, env: dict[str, str]) -> None:
    """The test profile should serve /static/ without collectstatic (plain storage, finders).

    If it does not, that is recorded for `test_static_files_are_served_without_collectstatic` to report,
    and the files are collected into this run's own STATIC_ROOT so the other tests still see a styled,
    scripted page (whitenoise's autorefresh in the test profile picks them up without a restart).
    """
    missing = [path for path in ("/static/css/app.css", "/static/js/app.js") if _get(running.url + path) != 200]
    if not missing:
        return
    running.static_served_without_collectstatic = False
    running.static_problem = f"{', '.join(missing)} answered 404 from a fresh checkout without collectstatic"
    _run([str(BIN / "commonground"), "collectstatic", "--no-input", "-v", "0"], env)
    if _get(running.url + "/static/css/app.css") != 200:
        raise RuntimeError(f"Static files are not served even after collectstatic:\n{running.log_text()}")


# --- the browser -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()


@dataclass
class Recorder:
    """What the pages of one context did: every request URL, console errors and uncaught exceptions."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def on_page_error(self, error: Exception) -> None:
        self.console_errors.append(f"uncaught: {error}")

    def watch(self, page: Page) -> None:
        page.on("console", self.on_console)
        page.on("pageerror", self.on_page_error)


# Reports CSP violations to the console even where Chromium would not (for example a blocked eval).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def new_context(browser: Browser, server: Server, recorder: Recorder, **options: object) -> BrowserContext:
    context = browser.new_context(base_url=server.url, **options)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    context.add_init_script(CSP_LISTENER)
    context.on("request", lambda request: recorder.requests.append(request.url))
    context.on("page", recorder.watch)
    return context


@pytest.fixture
def context(browser: Browser, server: Server, recorder: Recorder) -> Iterator[BrowserContext]:
    context = new_context(browser, server, recorder, viewport={"width": 1280, "height": 800})
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def sign_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the form, the way a person does: by the labels, then the button."""
    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


@dataclass(frozen=True)
class KnownPatient:
    family_name: str
    first_name: str  # the preferred name, or else the given name
    chart_path: str

    @property
    def listed_as(self) -> str:
        return f"{self.family_name}, {self.first_name}"

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.family_name}"


@pytest.fixture(scope="session")
def known_patient(browser: Browser, server: Server) -> KnownPatient:
    """One patient on the coordinator's caseload, found the way the coordinator finds them."""
    context = new_context(browser, server, Recorder())
    try:
        page = context.new_page()
        sign_in(page, "coordinator")
        page.goto(f"{server.url}/clinician/")
        link = page.locator("#caseload-rows tbody tr td a").first
        name, href = link.inner_text().strip(), link.get_attribute("href")
        assert href and ", " in name, f"the coordinator's caseload lists no patient (first link: {name!r})"
        family_name, first_name = name.split(", ", 1)
        return KnownPatient(family_name=family_name, first_name=first_name, chart_path=href)
    finally:
        context.close()
