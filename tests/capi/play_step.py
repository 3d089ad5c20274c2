#!/usr/bin/env python3
"""Framescope from Python through GObject introspection (tests/capi.rs).

Loads player.ui (a FramescopePlayerView in a window), plays CLIP, pauses,
seeks to the start, steps one frame and prints what it sees:
  frame-pts NS            the player's frame-pts after the step
  frame-size W H          the decoded frame on screen (framescope_player_get_current_texture)
  png BYTES signature     that frame as PNG (framescope_player_get_current_png)
  frame-pixel X Y R G B   pixels of that frame
  view-pixel X Y R G B    pixels of the view as GTK renders it
Exits 1 when something does not happen in time.
  play_step.py CLIP UI_FILE
"""
import ctypes
import sys

import gi

gi.require_version("Gtk", "4.0")
gi.require_version("Framescope", "0")
from gi.repository import Framescope, GLib, Gdk, Gtk  # noqa: E402


def wait_for(what, condition, seconds=20.0):
    """Runs the main context until condition() holds."""
    context = GLib.MainContext.default()
    deadline = GLib.get_monotonic_time() + int(seconds * 1e6)
    while not condition():
        if GLib.get_monotonic_time() > deadline:
            print(f"play_step.py: timed out waiting for {what}", file=sys.stderr)
            sys.exit(1)
        context.iteration(False)
        GLib.usleep(2000)


def pixels(texture, points):
    """(x, y, r, g, b) at each (fx, fy) fraction of the texture."""
    pixbuf = Gdk.pixbuf_get_from_texture(texture)
    data = pixbuf.get_pixels()
    stride, channels = pixbuf.get_rowstride(), pixbuf.get_n_channels()
    found = []
    for fx, fy in points:
        x, y = int(pixbuf.get_width() * fx), int(pixbuf.get_height() * fy)
        at = y * stride + x * channels
        found.append((x, y, data[at], data[at + 1], data[at + 2]))
    return found


def pointer(obj):
    """The C pointer of a PyGObject object."""
    get = ctypes.pythonapi.PyCapsule_GetPointer
    get.restype, get.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
    return get(obj.__gpointer__, None)


def render_pixels(window, view, points):
    """(x, y, r, g, b) at each (fx, fy) fraction of the view, as rendered."""
    gtk = ctypes.CDLL("libgtk-4.so.1")
    for name, res, args in [
        ("gtk_snapshot_new", ctypes.c_void_p, []),
        ("gtk_snapshot_free_to_node", ctypes.c_void_p, [ctypes.c_void_p]),
        ("gdk_paintable_snapshot", None,
         [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_double, ctypes.c_double]),
        ("gsk_renderer_render_texture", ctypes.c_void_p,
         [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]),
        ("gsk_render_node_unref", None, [ctypes.c_void_p]),
        ("gdk_texture_get_width", ctypes.c_int, [ctypes.c_void_p]),
        ("gdk_texture_get_height", ctypes.c_int, [ctypes.c_void_p]),
        ("gdk_texture_download", None, [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]),
        ("g_object_unref", None, [ctypes.c_void_p]),
    ]:
        getattr(gtk, name).restype = res
        getattr(gtk, name).argtypes = args
    paintable = Gtk.WidgetPaintable.new(view)
    snapshot = gtk.gtk_snapshot_new()
    gtk.gdk_paintable_snapshot(pointer(paintable), snapshot,
                               view.get_width(), view.get_height())
    node = gtk.gtk_snapshot_free_to_node(snapshot)
    if not node:
        print("play_step.py: the view drew nothing", file=sys.stderr)
        sys.exit(1)
    renderer = window.get_native().get_renderer()
    texture = gtk.gsk_renderer_render_texture(pointer(renderer), node, None)
    gtk.gsk_render_node_unref(node)
    width, height = gtk.gdk_texture_get_width(texture), gtk.gdk_texture_get_height(texture)
    data = (ctypes.c_ubyte * (width * height * 4))()
    # GDK_MEMORY_DEFAULT: B, G, R, A (premultiplied) in memory.
    gtk.gdk_texture_download(texture, data, width * 4)
    gtk.g_object_unref(texture)
    found = []
    for fx, fy in points:
        x, y = int(width * fx), int(height * fy)
        at = (y * width + x) * 4
        found.append((x, y, data[at + 2], data[at + 1], data[at]))
    return found


def main():
    clip, ui_file = sys.argv[1], sys.argv[2]
    Framescope.init()
    builder = Gtk.Builder()
    builder.add_from_file(ui_file)
    window, view = builder.get_object("window"), builder.get_object("view")
    assert isinstance(view, Framescope.PlayerView), type(view)
    window.present()

    player = view.get_player()
    view.open(clip)
    player.play()
    wait_for("playing", lambda: player.props.state == Framescope.PlayerState.PLAYING
             and player.props.position > 200_000_000)
    player.pause()
    wait_for("paused", lambda: player.props.state == Framescope.PlayerState.PAUSED)
    player.seek(0, Framescope.SeekMode.ACCURATE)
    wait_for("the first frame", lambda: player.props.frame_pts == 0)
    player.step(1)
    wait_for("a step", lambda: player.props.frame_pts > 0)
    # Let the view draw the new frame.
    end = GLib.get_monotonic_time() + 300_000
    wait_for("a redraw", lambda: GLib.get_monotonic_time() > end)
    print(f"frame-pts {player.props.frame_pts}")

    frame = player.get_current_texture()
    if frame is None:
        print("play_step.py: the player has no current frame", file=sys.stderr)
        sys.exit(1)
    print(f"frame-size {frame.get_width()} {frame.get_height()}")
    png = player.get_current_png().get_data()
    signature = "signature" if png[:8] == b"\x89PNG\r\n\x1a\n" else "bad"
    print(f"png {len(png)} {signature}")
    for x, y, r, g, b in pixels(frame, [(0.25, 0.5), (0.75, 0.5)]):
        print(f"frame-pixel {x} {y} {r} {g} {b}")

    # The view as GTK draws it: a snapshot of the widget, rendered by the
    # window's renderer. PyGObject cannot hold a GskRenderNode, so these
    # few calls go through ctypes.
    for x, y, r, g, b in render_pixels(window, view, [(0.4, 0.5), (0.6, 0.5)]):
        print(f"view-pixel {x} {y} {r} {g} {b}")

    player.stop()
    window.destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
