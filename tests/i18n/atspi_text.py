#!/usr/bin/env python3
"""Prints what Framescope's windows say, read over AT-SPI (run by
tests/i18n.rs inside `dbus-run-session`, on an X display).

    atspi_text.py FRAMESCOPE [ARGS...]

Starts FRAMESCOPE ARGS, waits for its main window, prints the role and
name of everything in it (`TEXT<tab>role<tab>name`, one a line), then opens
the main menu with F10 (a real key, through xdotool) and prints the
menu's items the same way (`MENU<tab>role<tab>name`). Exits 2 when the
app or its window never appeared.
"""

import subprocess
import sys
import time

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402,F401
import pyatspi  # noqa: E402


def say(line):
    print(line, flush=True)


def role(o):
    try:
        return o.getRoleName()
    except Exception:
        return "?"


def children(o):
    try:
        return [c for c in o if c is not None]
    except Exception:
        return []


def walk(o):
    yield o
    for c in children(o):
        yield from walk(c)


def wait_for(what, within, poll=0.2):
    deadline = time.monotonic() + within
    while True:
        found = what()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(poll)


def app_accessible():
    for a in children(pyatspi.Registry.getDesktop(0)):
        if (a.name or "").startswith("framescope"):
            return a
    return None


def main_window(app):
    for f in children(app):
        if role(f) == "frame" and (f.name or "").endswith("Framescope"):
            return f
    return None


def names(window, kind):
    seen = []
    for o in walk(window):
        name = (o.name or "").strip()
        if name:
            seen.append(f"{kind}\t{role(o)}\t{name}")
    return seen


def xdotool(*args):
    return subprocess.run(["xdotool", *args], capture_output=True, text=True).stdout


def main():
    app_process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
    try:
        app = wait_for(app_accessible, 30)
        window = app and wait_for(lambda: main_window(app), 20)
        if not window:
            say("FATAL: the app's main window never appeared on the AT-SPI bus")
            return 2
        # The error page shows once the player has tried the input.
        time.sleep(2)
        for line in names(window, "TEXT"):
            say(line)
        windows = wait_for(
            lambda: xdotool("search", "--onlyvisible", "--pid", str(app_process.pid),
                            "--name", "Framescope").split(), 10)
        if not windows:
            say("FATAL: no X window of the app")
            return 2
        xdotool("windowfocus", "--sync", windows[-1])
        time.sleep(0.5)
        xdotool("key", "F10")
        items = wait_for(
            lambda: [o for o in walk(window) if role(o) == "menu item"], 10)
        for o in items or []:
            say(f"MENU\t{role(o)}\t{(o.name or '').strip()}")
        return 0
    finally:
        app_process.kill()
        app_process.wait()


if __name__ == "__main__":
    sys.exit(main())
