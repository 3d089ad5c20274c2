#!/usr/bin/env python3
"""FramescopeRemoteControl from Python (tests/capi.rs), on the session bus
the test gives it. Prints, in order:
  bad-instance DOMAIN CODE MESSAGE   the GLib.Error of a bad instance name
  names NAME...                      get_bus_names() of instance py_test
  property NAME...                   its bus-names property
  owned NAME yes|no                  NameHasOwner (while it is held)
  second-export DOMAIN CODE MESSAGE  a second export on the same connection
  owned NAME yes|no                  (after the last reference is dropped)
  names-with-mpris NAME...           instance py_mpris, with MPRIS, made
                                     once the first is gone
  owned NAME yes|no                  (while held, then dropped)
  remote.py
"""
import gc
import time

import gi

gi.require_version("Framescope", "0")
gi.require_version("Gio", "2.0")
from gi.repository import Framescope, Gio, GLib  # noqa: E402


def owned(bus, name):
    """Whether NAME has an owner on the bus (asked after every earlier
    message of this connection, so a name asked for or given up before
    is already settled)."""
    reply = bus.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "NameHasOwner",
                          GLib.Variant("(s)", (name,)), GLib.VariantType("(b)"),
                          Gio.DBusCallFlags.NONE, -1, None)
    print(f"owned {name} {'yes' if reply.unpack()[0] else 'no'}")


def settle():
    """Turns the main context for a while: the bus answers requests for
    names (and releases) there."""
    end = time.monotonic() + 0.5
    while time.monotonic() < end:
        GLib.MainContext.default().iteration(False)
        time.sleep(0.01)


def main():
    Framescope.init()
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    player = Framescope.Player.new_headless()
    try:
        Framescope.RemoteControl.export(player, "9 lives", False)
        print("bad-instance accepted")
    except GLib.Error as e:
        print(f"bad-instance {e.domain} {e.code} {e.message}")

    plain = Framescope.RemoteControl.export(player, "py_test", False)
    print("names", *plain.get_bus_names())
    print("property", *plain.props.bus_names)
    settle()
    owned(bus, "org.framescope.Framescope.py_test")
    try:
        Framescope.RemoteControl.export(player, "py_other", False)
        print("second-export accepted")
    except GLib.Error as e:
        print(f"second-export {e.domain} {e.code} {e.message}")
    del plain
    gc.collect()
    settle()
    owned(bus, "org.framescope.Framescope.py_test")

    both = Framescope.RemoteControl.export(player, "py_mpris", True)
    print("names-with-mpris", *both.get_bus_names())
    settle()
    owned(bus, "org.mpris.MediaPlayer2.framescope.py_mpris")
    del both
    gc.collect()
    settle()
    owned(bus, "org.mpris.MediaPlayer2.framescope.py_mpris")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
