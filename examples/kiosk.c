/* A kiosk in C: plays the files given on the command line in a window,
 * looping forever, with the watchdog restarting an item that fails or
 * stalls, and answers `framescope ctl` (the player is on the session bus
 * as org.framescope.Framescope.instance<PID>, and on MPRIS). examples/kiosk.py
 * is the same in Python. Build and run (after scripts/build-capi.sh):
 *   export PKG_CONFIG_PATH=target/capi/lib/pkgconfig LD_LIBRARY_PATH=target/capi/lib
 *   cc -o kiosk examples/kiosk.c $(pkg-config --cflags --libs framescope-0 gtk4)
 *   ./kiosk CLIP...
 */
#include <framescope.h>
#include <glib-unix.h>
#include <signal.h>

static gboolean
quit (gpointer window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  if (argc < 2) {
    g_printerr ("usage: kiosk CLIP...\n");
    return 2;
  }
  gtk_init ();
  if (!framescope_init (&error)) {
    g_printerr ("kiosk: %s\n", error->message);
    return 1;
  }
  GtkWidget *view = framescope_player_view_new ();
  g_object_set (view, "controls", FRAMESCOPE_CONTROLS_MODE_OFF, NULL);
  FramescopePlayer *player = framescope_player_view_get_player (FRAMESCOPE_PLAYER_VIEW (view));
  /* The playlist loops forever; the watchdog restarts a failed or stalled
   * item 3 times in a row, then the list moves on. */
  g_object_set (player, "repeat", FRAMESCOPE_REPEAT_ALL, "max-restarts", 3u, NULL);
  FramescopeRemoteControl *remote = framescope_remote_control_export (player, NULL, TRUE, &error);
  if (remote == NULL) {
    g_printerr ("kiosk: %s\n", error->message);
    return 1;
  }
  framescope_player_set_items (player, (const char *const *) argv + 1);
  framescope_player_play (player);

  GtkWidget *window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), "Framescope kiosk");
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 360);
  gtk_window_set_child (GTK_WINDOW (window), view);
  g_unix_signal_add (SIGTERM, quit, window);
  gtk_window_present (GTK_WINDOW (window));
  while (g_list_model_get_n_items (gtk_window_get_toplevels ()) > 0)
    g_main_context_iteration (NULL, TRUE);
  /* The last reference: the player leaves the bus. */
  g_object_unref (remote);
  return 0;
}
