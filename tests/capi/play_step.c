/* Framescope from C (tests/capi.rs), built with
 *   cc play_step.c $(pkg-config --cflags --libs framescope-0 gtk4)
 * Loads player.ui (a FramescopePlayerView in a window), plays CLIP,
 * pauses, seeks to the start, steps one frame and prints what it sees:
 *   frame-pts NS            the player's frame-pts after the step
 *   frame-size W H          the decoded frame on screen
 *   frame-pixel X Y R G B   pixels of that frame
 *   view-pixel X Y R G B    pixels of the view as GTK renders it
 *   null-survived           framescope_player_play (NULL) returned
 * Exits 1 when something does not happen in time.
 *   play_step CLIP UI_FILE
 */
#include <framescope.h>
#include <stdio.h>
#include <stdlib.h>

typedef gboolean (*Condition) (FramescopePlayer *player);

static void
wait_for (const char *what, Condition condition, FramescopePlayer *player)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!condition (player)) {
    if (g_get_monotonic_time () > deadline) {
      fprintf (stderr, "play_step: timed out waiting for %s\n", what);
      exit (1);
    }
    g_main_context_iteration (NULL, FALSE);
    g_usleep (2000);
  }
}

static gint64
int64_property (FramescopePlayer *player, const char *name)
{
  gint64 value = 0;
  g_object_get (player, name, &value, NULL);
  return value;
}

static gboolean
is_playing (FramescopePlayer *player)
{
  FramescopePlayerState state;
  g_object_get (player, "state", &state, NULL);
  return state == FRAMESCOPE_PLAYER_STATE_PLAYING && int64_property (player, "position") > 200000000;
}

static gboolean
is_paused (FramescopePlayer *player)
{
  FramescopePlayerState state;
  g_object_get (player, "state", &state, NULL);
  return state == FRAMESCOPE_PLAYER_STATE_PAUSED;
}

static gboolean
on_first_frame (FramescopePlayer *player)
{
  return int64_property (player, "frame-pts") == 0;
}

static gboolean
stepped (FramescopePlayer *player)
{
  return int64_property (player, "frame-pts") > 0;
}

static gint64 redraw_until;

static gboolean
redrawn (FramescopePlayer *player)
{
  (void) player;
  return g_get_monotonic_time () > redraw_until;
}

/* Prints "LABEL X Y R G B" at (fx, fy) of a texture. */
static void
print_pixels (const char *label, GdkTexture *texture, const double points[][2], int n)
{
  int width = gdk_texture_get_width (texture), height = gdk_texture_get_height (texture);
  guchar *data = g_malloc ((gsize) width * height * 4);
  /* GDK_MEMORY_DEFAULT: B, G, R, A in memory. */
  gdk_texture_download (texture, data, (gsize) width * 4);
  for (int i = 0; i < n; i++) {
    int x = (int) (width * points[i][0]), y = (int) (height * points[i][1]);
    const guchar *p = data + ((gsize) y * width + x) * 4;
    printf ("%s %d %d %d %d %d\n", label, x, y, p[2], p[1], p[0]);
  }
  g_free (data);
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  if (argc != 3) {
    fprintf (stderr, "usage: play_step CLIP UI_FILE\n");
    return 2;
  }
  /* The app's drawing choice, before GTK starts. */
  gboolean gl_off = FALSE;
  gboolean cairo = framescope_prefer_cheap_drawing (&gl_off);
  printf ("drawing cairo=%d gl-off=%d\n", cairo, gl_off);
  gtk_init ();
  /* Too late now: nothing changes. */
  if (framescope_prefer_cheap_drawing (NULL))
    printf ("drawing-changed-after-gtk-init\n");
  if (!framescope_init (&error)) {
    fprintf (stderr, "play_step: %s\n", error->message);
    return 1;
  }
  /* A NULL object: a critical on stderr, nothing done, no crash. */
  framescope_player_play (NULL);
  printf ("null-survived\n");
  GtkBuilder *builder = gtk_builder_new ();
  if (!gtk_builder_add_from_file (builder, argv[2], &error)) {
    fprintf (stderr, "play_step: %s\n", error->message);
    return 1;
  }
  GtkWindow *window = GTK_WINDOW (gtk_builder_get_object (builder, "window"));
  FramescopePlayerView *view = FRAMESCOPE_PLAYER_VIEW (gtk_builder_get_object (builder, "view"));
  gtk_window_present (window);

  FramescopePlayer *player = framescope_player_view_get_player (view);
  framescope_player_view_open (view, argv[1]);
  framescope_player_play (player);
  wait_for ("playing", is_playing, player);
  framescope_player_pause (player);
  wait_for ("paused", is_paused, player);
  framescope_player_seek (player, 0, FRAMESCOPE_SEEK_MODE_ACCURATE);
  wait_for ("the first frame", on_first_frame, player);
  framescope_player_step (player, 1);
  wait_for ("a step", stepped, player);
  redraw_until = g_get_monotonic_time () + 300000;
  wait_for ("a redraw", redrawn, player);
  printf ("frame-pts %" G_GINT64_FORMAT "\n", int64_property (player, "frame-pts"));

  GdkTexture *frame = framescope_player_get_current_texture (player);
  if (frame == NULL) {
    fprintf (stderr, "play_step: the player has no current frame\n");
    return 1;
  }
  printf ("frame-size %d %d\n", gdk_texture_get_width (frame), gdk_texture_get_height (frame));
  const double frame_points[][2] = { { 0.25, 0.5 }, { 0.75, 0.5 } };
  print_pixels ("frame-pixel", frame, frame_points, 2);
  g_object_unref (frame);

  /* The view as GTK draws it: a snapshot rendered by the window's renderer. */
  GdkPaintable *paintable = gtk_widget_paintable_new (GTK_WIDGET (view));
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, gtk_widget_get_width (GTK_WIDGET (view)),
                          gtk_widget_get_height (GTK_WIDGET (view)));
  GskRenderNode *node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL) {
    fprintf (stderr, "play_step: the view drew nothing\n");
    return 1;
  }
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  GdkTexture *rendered = gsk_renderer_render_texture (renderer, node, NULL);
  const double view_points[][2] = { { 0.4, 0.5 }, { 0.6, 0.5 } };
  print_pixels ("view-pixel", rendered, view_points, 2);
  g_object_unref (rendered);
  gsk_render_node_unref (node);
  g_object_unref (paintable);

  framescope_player_stop (player);
  gtk_window_destroy (window);
  g_object_unref (builder);
  return 0;
}
