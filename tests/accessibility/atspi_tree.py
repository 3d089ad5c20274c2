#!/usr/bin/env python3
"""Reads Framescope's real accessibility tree over AT-SPI (run by
tests/accessibility.rs inside `dbus-run-session`, on an X display).

    atspi_tree.py FRAMESCOPE [ARGS...]

Starts FRAMESCOPE ARGS (the app playing a clip), opens the queue panel (F9)
and the inspector (Ctrl+I) with real keys (xdotool), then walks every
window of the app and fails on:

- an interactive control (buttons, toggles, sliders, check boxes, combos,
  entries, spin buttons, tabs, focusable list items, rows and text) with
  no name: empty, or the GType name GTK 4.8 falls back to ("GtkImage",
  "GtkScale", "GtkListItemWidget") when nothing names it;
- the seek and volume sliders' value text ("1:23 of 4:56", "volume 80 %"),
  read from AT-SPI's Value.Text where the toolkit has it (GTK >= 4.10),
  else from the description GTK 4.8 carries it in, not matching the
  slider's value;
- the play and mute buttons' names not following their state (clicked
  through AT-SPI's Action interface: Pause -> Play, Unmute -> Mute);
- Tab not reaching every button and slider of the main window.

Prints what it found and every problem, one a line; exits 1 on any
problem, 2 when the app or its windows never appeared.
"""

import re
import subprocess
import sys
import time

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402
import pyatspi  # noqa: E402

# Roles a person operates; each needs a name.
CONTROLS = {
    "push button", "toggle button", "check box", "radio button", "slider",
    "spin button", "combo box", "entry", "password text", "page tab",
    "menu item", "check menu item", "radio menu item", "switch", "link",
}
# Roles that need a name when they take the keyboard focus.
WHEN_FOCUSABLE = {"list item", "table row", "list", "tree table", "table", "text", "tree"}
# The title bar's own buttons, drawn by GTK when no window manager does
# (as under Xvfb); GTK leaves them out of the Tab order.
WINDOW_BUTTONS = {"Minimize", "Maximize", "Close"}
# GTK 4.8 names an unnamed widget after its type.
TYPE_NAME = re.compile(r"^(Gtk|Adw|Framescope)[A-Z][A-Za-z]*$")
SEEK_TEXT = re.compile(r"^(\d+):(\d\d)(?::(\d\d))? of (\d+):(\d\d)(?::(\d\d))?$")
VOLUME_TEXT = re.compile(r"^volume (\d+) %(, muted)?$")

problems = []


def say(line):
    print(line, flush=True)


def problem(line):
    problems.append(line)
    say("PROBLEM: " + line)


def xdotool(*args):
    return subprocess.run(["xdotool", *args], capture_output=True, text=True).stdout


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


def walk(o, path=()):
    """Every accessible under `o`, with the names of its ancestors."""
    yield o, path
    here = path + (f"{role(o)} {o.name!r}",)
    for c in children(o):
        yield from walk(c, here)


def has(o, state):
    try:
        return o.getState().contains(state)
    except Exception:
        return False


def on_screen(o):
    """Whether `o` has a size on screen (GTK 4.8 sets no SHOWING state;
    a widget on a hidden page has none)."""
    try:
        box = o.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        return box.width > 0 and box.height > 0
    except Exception:
        return False


def unnamed(o):
    name = (o.name or "").strip()
    return not name or bool(TYPE_NAME.match(name))


def value_text(o):
    """The slider's value text: Value.Text, else the description."""
    try:
        text = Atspi.Value.get_text(o)
    except Exception:
        text = None
    return text or o.description or ""


def check_seek_text(seek, text, current):
    """The seek slider's text says its value (read at about the same
    time: within a second, the text being to the second) and its end."""
    m = SEEK_TEXT.match(text)
    if not m:
        problem(f"the seek slider's value text {text!r} is not like '1:23 of 4:56'")
        return
    at, of = seconds(m.groups()[:3]), seconds(m.groups()[3:])
    end = seek.queryValue().maximumValue
    if abs(at - current) > 1.5 or abs(of - end) > 1:
        problem(f"the seek slider says {text!r} at value {current:.2f} of {end:.2f}")


def seconds(groups):
    parts = [int(g) for g in groups if g is not None]
    total = 0
    for p in parts:
        total = total * 60 + p
    return total


def wait_for(what, within, poll=0.2):
    deadline = time.monotonic() + within
    while True:
        found = what()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(poll)


def app_accessible():
    desktop = pyatspi.Registry.getDesktop(0)
    for a in children(desktop):
        if a.name.startswith("framescope"):
            return a
    return None


def frames(app):
    return [f for f in children(app) if role(f) == "frame"]


def frame_named(app, test):
    for f in frames(app):
        if test(f.name or ""):
            return f
    return None


def main():
    app_process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
    try:
        return check(app_process)
    finally:
        app_process.kill()
        app_process.wait()


def check(app_process):
    started = time.monotonic()
    app = wait_for(app_accessible, 30)
    main_window = app and wait_for(
        lambda: frame_named(app, lambda n: n.endswith("Framescope")), 20
    )
    if not main_window:
        say("FATAL: the app's main window never appeared on the AT-SPI bus")
        return 2
    windows = wait_for(
        lambda: xdotool("search", "--onlyvisible", "--pid", str(app_process.pid),
                        "--name", "Framescope").split(), 10)
    if not windows:
        say("FATAL: no X window of the app")
        return 2
    x_window = windows[-1]
    xdotool("windowfocus", "--sync", x_window)
    time.sleep(0.5)
    xdotool("key", "F9")
    time.sleep(0.5)
    xdotool("key", "ctrl+i")
    inspector = wait_for(lambda: frame_named(app, lambda n: n.startswith("Inspector")), 15)
    if not inspector:
        say("FATAL: Ctrl+I opened no inspector window")
        return 2
    # The Frames tab fills its table once the clip is scanned.
    wait_for(lambda: any(role(o) == "table row" for o, _ in walk(inspector)), 10, 0.5)
    say(f"windows: {[f.name for f in frames(app)]} after {time.monotonic() - started:.1f} s")

    # 1. Every control has a name.
    checked = 0
    for window in frames(app):
        for o, path in walk(window):
            r = role(o)
            if r in CONTROLS or (r in WHEN_FOCUSABLE and has(o, pyatspi.STATE_FOCUSABLE)):
                checked += 1
                if unnamed(o):
                    problem(f"{r} without a name (it says {o.name!r}) in "
                            + " > ".join(path[-4:]))
    say(f"controls checked for a name: {checked}")

    # 2. The sliders' value text.
    sliders = [o for o, _ in walk(main_window) if role(o) == "slider"]
    if len(sliders) != 2:
        problem(f"the main window has {len(sliders)} sliders, not the seek and volume bars")
        return finish()
    seek, volume = sliders
    wait_for(lambda: seek.queryValue().maximumValue > 0.5, 10)
    text = value_text(seek)
    current = seek.queryValue().currentValue
    say(f"seek slider {seek.name!r}: value {current:.2f} of "
        f"{seek.queryValue().maximumValue:.2f}, text {text!r}")
    check_seek_text(seek, text, current)
    # Playing (and looping), the text moves with the position. Between two
    # rounds the item is opened again and, for that moment, has no duration
    # yet: the text is then the position alone ("0:00"), so wait for a new
    # text that has its end again.
    changed = wait_for(
        lambda: value_text(seek) != text and SEEK_TEXT.match(value_text(seek)), 5)
    if not changed:
        problem(f"the seek slider's value text stayed {text!r} while playing")
    else:
        after = value_text(seek)
        say(f"seek slider text then {after!r}")
        check_seek_text(seek, after, seek.queryValue().currentValue)
    text = value_text(volume)
    say(f"volume slider {volume.name!r}: value {volume.queryValue().currentValue:.2f}, "
        f"text {text!r}")
    m = VOLUME_TEXT.match(text)
    if not m:
        problem(f"the volume slider's value text {text!r} is not like 'volume 80 %'")
    elif int(m.group(1)) != round(volume.queryValue().currentValue * 100):
        problem(f"the volume slider says {text!r} at value "
                f"{volume.queryValue().currentValue:.2f}")
    elif not m.group(2):
        problem(f"the volume slider's text {text!r} does not say muted (started with --mute)")

    # 3. Names follow the state (the app plays, muted).
    buttons = {o.name: o for o, _ in walk(main_window) if role(o) == "push button"}
    for name, becomes in [("Pause", "Play"), ("Unmute", "Mute")]:
        button = buttons.get(name)
        if button is None:
            problem(f"no button named {name!r} (names: {sorted(buttons)})")
            continue
        button.queryAction().doAction(0)
        if not wait_for(lambda: button.name == becomes, 3):
            problem(f"the {name!r} button is called {button.name!r} after a click, "
                    f"not {becomes!r}")
        else:
            say(f"{name!r} clicked through AT-SPI: now {button.name!r}")
    if "Fullscreen" not in buttons:
        problem(f"no button named 'Fullscreen' (names: {sorted(buttons)})")
    if (m := VOLUME_TEXT.match(value_text(volume))) and m.group(2):
        problem(f"the volume text {value_text(volume)!r} still says muted after unmuting")

    # 4. A click on the (paused) seek bar seeks and leaves the keyboard
    # focus where it was, so the view's keys keep working.
    # Without a window manager the inspector or the queue window may lie
    # over the main one: the pointer's motion and click would go to them.
    xdotool("windowraise", x_window)
    xdotool("windowfocus", "--sync", x_window)
    time.sleep(0.3)
    try:
        box = seek.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
        end = seek.queryValue().maximumValue
        # The pointer's motion shows the controls bar (hidden after 3 s
        # still); the click comes once it is there. On a loaded machine the
        # bar can still be fading in when the click lands, so the pointer
        # leaves and comes back for a second and third try.
        moved = False
        for attempt in range(3):
            xdotool("mousemove", "--window", x_window, str(box.x + box.width // 2),
                    str(max(box.y - 60, 0)))
            time.sleep(0.2)
            xdotool("mousemove", "--window", x_window, str(box.x + box.width // 4),
                    str(box.y + box.height // 2))
            time.sleep(0.8 + 0.4 * attempt)
            xdotool("click", "1")
            moved = wait_for(
                lambda: abs(seek.queryValue().currentValue - end / 4) < end * 0.2, 3)
            if moved:
                break
            say(f"try {attempt + 1}: the click did not seek (value "
                f"{seek.queryValue().currentValue:.2f}, seek bar showing: "
                f"{has(seek, pyatspi.STATE_SHOWING)}); again")
        say(f"clicked the seek bar at a quarter: value {seek.queryValue().currentValue:.2f} "
            f"of {end:.2f}")
        if not moved:
            problem("a click on the seek bar at a quarter of its length did not seek there")
        if has(seek, pyatspi.STATE_FOCUSED):
            problem("a click on the seek bar took the keyboard focus from the video")
    except Exception as e:  # noqa: BLE001
        problem(f"the seek bar could not be clicked: {e}")

    # 5. Tab reaches every button and slider of the main window.
    wanted = []
    for o, path in walk(main_window):
        if (role(o) in {"push button", "toggle button", "slider"}
                and has(o, pyatspi.STATE_FOCUSABLE) and on_screen(o)
                and not any(p.startswith("list item") for p in path)
                and o.name not in WINDOW_BUTTONS):
            wanted.append(o)
    say("Tab should reach: " + ", ".join(repr(o.name) for o in wanted))
    # With the pointer still, the controls bar hides after 3 s: Tab must
    # bring it back.
    xdotool("windowfocus", "--sync", x_window)
    time.sleep(3.5)
    reached = set()
    for _ in range(3 * len(wanted) + 10):
        xdotool("key", "Tab")
        time.sleep(0.12)
        for i, o in enumerate(wanted):
            if has(o, pyatspi.STATE_FOCUSED):
                reached.add(i)
        if len(reached) == len(wanted):
            break
    missed = [f"{role(o)} {o.name!r}" for i, o in enumerate(wanted) if i not in reached]
    say(f"Tab reached {len(reached)} of {len(wanted)} buttons and sliders")
    if missed:
        problem("Tab never reached: " + ", ".join(missed))
    return finish()


def finish():
    if problems:
        say(f"{len(problems)} problem(s)")
        return 1
    say("no problems")
    return 0


if __name__ == "__main__":
    sys.exit(main())
