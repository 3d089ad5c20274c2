#!/usr/bin/env python3
"""A kiosk in Python through GObject introspection: plays the files given
on the command line in a window, looping forever, with the watchdog
restarting an item that fails or stalls, and answers `framescope ctl`.
  GI_TYPELIB_PATH=target/capi/lib/girepository-1.0 LD_LIBRARY_PATH=target/capi/lib \\
    python3 examples/kiosk.py CLIP...
"""
import signal
import sys

import gi

gi.require_version("Gtk", "4.0")
gi.require_version("Framescope", "0")
from gi.repository import Framescope, GLib, Gtk  # noqa: E402

Framescope.init()
view = Framescope.PlayerView(controls=Framescope.ControlsMode.OFF)
player = view.get_player()
player.props.repeat = Framescope.Repeat.ALL  # the playlist loops forever
player.props.max_restarts = 3  # the watchdog: 3 restarts, then the next item
try:  # org.framescope.Framescope.instance<PID> (and MPRIS) until exit
    remote = Framescope.RemoteControl.export(player, None, True)
except GLib.Error as e:
    sys.exit(f"kiosk.py: {e.message}")
player.set_items(sys.argv[1:])
player.play()

window = Gtk.Window(title="Framescope kiosk", child=view, default_width=640, default_height=360)
loop = GLib.MainLoop()
window.connect("close-request", lambda _: loop.quit())
GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
window.present()
loop.run()
