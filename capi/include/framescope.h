/* framescope.h: Framescope's C API (libframescope-0.so, pkg-config
 * framescope-0, GObject introspection namespace Framescope 0).
 *
 * Call framescope_init() once, after gtk_init() when showing video, and call
 * every function from the thread that runs GTK's main loop. State lives in
 * GObject properties and signals (g_object_get/set, g_signal_connect: see
 * docs/embedding.md); the functions below are what is not a property.
 * Times are nanoseconds from the media's start. A NULL or wrongly typed
 * object logs a critical and the call does nothing.
 *
 * SPDX-License-Identifier: MPL-2.0
 */
#ifndef FRAMESCOPE_H
#define FRAMESCOPE_H

#include <gtk/gtk.h>

G_BEGIN_DECLS

/**
 * framescope_init:
 * @error: return location for a #GError, or %NULL
 *
 * Initialises GStreamer and Framescope's engine and, when GTK is already
 * initialised (call gtk_init() first to show video), the widget types, so
 * that GtkBuilder files can name `FramescopePlayerView`. Idempotent.
 *
 * Returns: %TRUE on success, %FALSE with @error set when GStreamer or
 *   the GTK video sink is unavailable
 *
 * Since: 0.1
 */
gboolean framescope_init (GError **error);

/**
 * framescope_prefer_cheap_drawing:
 * @gl_off: (out) (optional): set to %TRUE when GL was turned off in this
 *   process (no GPU device exists), or %NULL
 *
 * Makes this process draw as cheaply as its OpenGL allows, as the
 * framescope app does: nothing changes on a GPU; on a software rasteriser
 * (Mesa llvmpipe) GTK draws with its cairo renderer; without any GPU device
 * GL is also kept out of the process (`GDK_DEBUG=gl-disable`), about 60 MB
 * less resident memory. It decides for the whole process, so it is the
 * host's call. Call it before gtk_init(); later, or with `GSK_RENDERER`
 * set, it changes nothing.
 *
 * Returns: %TRUE when GTK will draw with its cairo renderer because of
 *   this call
 *
 * Since: 0.1
 */
gboolean framescope_prefer_cheap_drawing (gboolean *gl_off);

/* Enumerations */

/**
 * FramescopePlayerState:
 * @FRAMESCOPE_PLAYER_STATE_STOPPED: nothing loaded, or stopped
 * @FRAMESCOPE_PLAYER_STATE_LOADING: opening the media
 * @FRAMESCOPE_PLAYER_STATE_BUFFERING: waiting for network data
 * @FRAMESCOPE_PLAYER_STATE_PAUSED: paused on a frame
 * @FRAMESCOPE_PLAYER_STATE_PLAYING: playing
 * @FRAMESCOPE_PLAYER_STATE_ERROR: stopped by an error
 *
 * The player's state (property `state`).
 *
 * Since: 0.1
 */
typedef enum {
  FRAMESCOPE_PLAYER_STATE_STOPPED,
  FRAMESCOPE_PLAYER_STATE_LOADING,
  FRAMESCOPE_PLAYER_STATE_BUFFERING,
  FRAMESCOPE_PLAYER_STATE_PAUSED,
  FRAMESCOPE_PLAYER_STATE_PLAYING,
  FRAMESCOPE_PLAYER_STATE_ERROR
} FramescopePlayerState;

/**
 * FramescopeVideoMode:
 * @FRAMESCOPE_VIDEO_MODE_AUTO: probe GL and choose
 * @FRAMESCOPE_VIDEO_MODE_GL: the GL chain
 * @FRAMESCOPE_VIDEO_MODE_SOFTWARE: the software chain
 * @FRAMESCOPE_VIDEO_MODE_HEADLESS: decode into a fake sink (no display)
 * @FRAMESCOPE_VIDEO_MODE_DISABLED: do not decode video
 *
 * How video is shown (property `video-mode`).
 *
 * Since: 0.1
 */
typedef enum {
  FRAMESCOPE_VIDEO_MODE_AUTO,
  FRAMESCOPE_VIDEO_MODE_GL,
  FRAMESCOPE_VIDEO_MODE_SOFTWARE,
  FRAMESCOPE_VIDEO_MODE_HEADLESS,
  FRAMESCOPE_VIDEO_MODE_DISABLED
} FramescopeVideoMode;

/**
 * FramescopeVideoPath:
 * @FRAMESCOPE_VIDEO_PATH_GL: `glupload ! glcolorconvert ! gtk4paintablesink`
 * @FRAMESCOPE_VIDEO_PATH_SOFTWARE: `videoconvert ! gtk4paintablesink`
 *
 * The video chain in use (property `video-path`).
 *
 * Since: 0.1
 */
typedef enum {
  FRAMESCOPE_VIDEO_PATH_GL,
  FRAMESCOPE_VIDEO_PATH_SOFTWARE
} FramescopeVideoPath;

/**
 * FramescopeSeekMode:
 * @FRAMESCOPE_SEEK_MODE_ACCURATE: the frame shown at the target
 * @FRAMESCOPE_SEEK_MODE_KEYFRAME: the keyframe nearest the target
 * @FRAMESCOPE_SEEK_MODE_SNAP_BEFORE: the keyframe at or before the target
 * @FRAMESCOPE_SEEK_MODE_SNAP_AFTER: the keyframe at or after the target
 *
 * How a seek chooses the frame it lands on.
 *
 * Since: 0.1
 */
typedef enum {
  FRAMESCOPE_SEEK_MODE_ACCURATE,
  FRAMESCOPE_SEEK_MODE_KEYFRAME,
  FRAMESCOPE_SEEK_MODE_SNAP_BEFORE,
  FRAMESCOPE_SEEK_MODE_SNAP_AFTER
} FramescopeSeekMode;

/**
 * FramescopeRepeat:
 * @FRAMESCOPE_REPEAT_NONE: play the playlist once
 * @FRAMESCOPE_REPEAT_ONE: repeat the current item
 * @FRAMESCOPE_REPEAT_ALL: repeat the whole playlist
 *
 * Playlist repetition (property `repeat`).
 *
 * Since: 0.1
 */
typedef enum {
  FRAMESCOPE_REPEAT_NONE,
  FRAMESCOPE_REPEAT_ONE,
  FRAMESCOPE_REPEAT_ALL
} FramescopeRepeat;

/**
 * FramescopeEndAction:
 * @FRAMESCOPE_END_ACTION_ADVANCE: the next item as `repeat` says, else stay on the last frame
 * @FRAMESCOPE_END_ACTION_LAST_FRAME: stay on the last frame
 * @FRAMESCOPE_END_ACTION_BLACK: stop and release
 * @FRAMESCOPE_END_ACTION_LOOP: play the item again
 *
 * What happens when an item ends (property `end-action`).
 *
 * Since: 0.1
 */
typedef enum {
  FRAMESCOPE_END_ACTION_ADVANCE,
  FRAMESCOPE_END_ACTION_LAST_FRAME,
  FRAMESCOPE_END_ACTION_BLACK,
  FRAMESCOPE_END_ACTION_LOOP
} FramescopeEndAction;

/**
 * FramescopeTrackKind:
 * @FRAMESCOPE_TRACK_KIND_VIDEO: video
 * @FRAMESCOPE_TRACK_KIND_AUDIO: audio
 * @FRAMESCOPE_TRACK_KIND_SUBTITLE: subtitles
 *
 * The kind of a track.
 *
 * Since: 0.1
 */
typedef enum {
  FRAMESCOPE_TRACK_KIND_VIDEO,
  FRAMESCOPE_TRACK_KIND_AUDIO,
  FRAMESCOPE_TRACK_KIND_SUBTITLE
} FramescopeTrackKind;

/**
 * FramescopeErrorKind:
 * @FRAMESCOPE_ERROR_KIND_NOT_FOUND: the file or address does not exist
 * @FRAMESCOPE_ERROR_KIND_NOT_MEDIA: not a media file
 * @FRAMESCOPE_ERROR_KIND_CORRUPT: damaged media
 * @FRAMESCOPE_ERROR_KIND_MISSING_PLUGIN: a GStreamer plugin is missing
 * @FRAMESCOPE_ERROR_KIND_NETWORK: a network failure
 * @FRAMESCOPE_ERROR_KIND_NO_VIDEO_PATH: no way to show video
 * @FRAMESCOPE_ERROR_KIND_ENCRYPTED: encrypted media
 * @FRAMESCOPE_ERROR_KIND_BAD_PIPELINE: a custom pipeline that does not build
 * @FRAMESCOPE_ERROR_KIND_OTHER: anything else
 *
 * The kind of a #FramescopePlayerError.
 *
 * Since: 0.1
 */
typedef enum {
  FRAMESCOPE_ERROR_KIND_NOT_FOUND,
  FRAMESCOPE_ERROR_KIND_NOT_MEDIA,
  FRAMESCOPE_ERROR_KIND_CORRUPT,
  FRAMESCOPE_ERROR_KIND_MISSING_PLUGIN,
  FRAMESCOPE_ERROR_KIND_NETWORK,
  FRAMESCOPE_ERROR_KIND_NO_VIDEO_PATH,
  FRAMESCOPE_ERROR_KIND_ENCRYPTED,
  FRAMESCOPE_ERROR_KIND_BAD_PIPELINE,
  FRAMESCOPE_ERROR_KIND_OTHER
} FramescopeErrorKind;

/**
 * FramescopeControlsMode:
 * @FRAMESCOPE_CONTROLS_MODE_OFF: no on-screen controls
 * @FRAMESCOPE_CONTROLS_MODE_MINIMAL: play/pause and the seek bar
 * @FRAMESCOPE_CONTROLS_MODE_FULL: every control
 *
 * The on-screen controls of a #FramescopePlayerView (property `controls`).
 *
 * Since: 0.1
 */
typedef enum {
  FRAMESCOPE_CONTROLS_MODE_OFF,
  FRAMESCOPE_CONTROLS_MODE_MINIMAL,
  FRAMESCOPE_CONTROLS_MODE_FULL
} FramescopeControlsMode;

GType framescope_player_state_get_type (void);
GType framescope_video_mode_get_type (void);
GType framescope_video_path_get_type (void);
GType framescope_seek_mode_get_type (void);
GType framescope_repeat_get_type (void);
GType framescope_end_action_get_type (void);
GType framescope_track_kind_get_type (void);
GType framescope_error_kind_get_type (void);
GType framescope_controls_mode_get_type (void);
#define FRAMESCOPE_TYPE_PLAYER_STATE (framescope_player_state_get_type ())
#define FRAMESCOPE_TYPE_VIDEO_MODE (framescope_video_mode_get_type ())
#define FRAMESCOPE_TYPE_VIDEO_PATH (framescope_video_path_get_type ())
#define FRAMESCOPE_TYPE_SEEK_MODE (framescope_seek_mode_get_type ())
#define FRAMESCOPE_TYPE_REPEAT (framescope_repeat_get_type ())
#define FRAMESCOPE_TYPE_END_ACTION (framescope_end_action_get_type ())
#define FRAMESCOPE_TYPE_TRACK_KIND (framescope_track_kind_get_type ())
#define FRAMESCOPE_TYPE_ERROR_KIND (framescope_error_kind_get_type ())
#define FRAMESCOPE_TYPE_CONTROLS_MODE (framescope_controls_mode_get_type ())

/* Boxed types */

/**
 * FramescopeVideoSize:
 *
 * Width, height and pixel aspect ratio of the video (property `video-size`).
 *
 * Since: 0.1
 */
typedef struct _FramescopeVideoSize FramescopeVideoSize;

/**
 * FramescopePlaybackStats:
 *
 * Playback statistics (the `stats` signal).
 *
 * Since: 0.1
 */
typedef struct _FramescopePlaybackStats FramescopePlaybackStats;

/**
 * FramescopePlayerError:
 *
 * A playback error (the `error` signal): its kind and a sentence for people.
 *
 * Since: 0.1
 */
typedef struct _FramescopePlayerError FramescopePlayerError;

GType framescope_video_size_get_type (void);
GType framescope_playback_stats_get_type (void);
GType framescope_player_error_get_type (void);
#define FRAMESCOPE_TYPE_VIDEO_SIZE (framescope_video_size_get_type ())
#define FRAMESCOPE_TYPE_PLAYBACK_STATS (framescope_playback_stats_get_type ())
#define FRAMESCOPE_TYPE_PLAYER_ERROR (framescope_player_error_get_type ())

/**
 * framescope_video_size_get_width:
 * @size: a #FramescopeVideoSize
 *
 * Returns: the width in pixels
 *
 * Since: 0.1
 */
guint framescope_video_size_get_width (const FramescopeVideoSize *size);

/**
 * framescope_video_size_get_height:
 * @size: a #FramescopeVideoSize
 *
 * Returns: the height in pixels
 *
 * Since: 0.1
 */
guint framescope_video_size_get_height (const FramescopeVideoSize *size);

/**
 * framescope_player_error_get_kind:
 * @error: a #FramescopePlayerError
 *
 * Returns: what kind of failure it is
 *
 * Since: 0.1
 */
FramescopeErrorKind framescope_player_error_get_kind (const FramescopePlayerError *error);

/**
 * framescope_player_error_get_message:
 * @error: a #FramescopePlayerError
 *
 * Returns: (transfer full): one sentence: what failed, on which input, what to do
 *
 * Since: 0.1
 */
char *framescope_player_error_get_message (const FramescopePlayerError *error);

/* Objects */

/**
 * FramescopePlayer:
 *
 * Plays one media item or a playlist; usable without any widget.
 *
 * Since: 0.1
 */
typedef struct _FramescopePlayer FramescopePlayer;
typedef struct _FramescopePlayerClass FramescopePlayerClass;

/**
 * FramescopePlaylistItem:
 *
 * One entry of a player's `playlist`: properties `uri` and `title`.
 *
 * Since: 0.1
 */
typedef struct _FramescopePlaylistItem FramescopePlaylistItem;
typedef struct _FramescopePlaylistItemClass FramescopePlaylistItemClass;

/**
 * FramescopeTrackItem:
 *
 * One track in a player's `tracks-model`.
 *
 * Since: 0.1
 */
typedef struct _FramescopeTrackItem FramescopeTrackItem;
typedef struct _FramescopeTrackItemClass FramescopeTrackItemClass;

/**
 * FramescopeChapterItem:
 *
 * One chapter in a player's `chapters-model`.
 *
 * Since: 0.1
 */
typedef struct _FramescopeChapterItem FramescopeChapterItem;
typedef struct _FramescopeChapterItemClass FramescopeChapterItemClass;

/**
 * FramescopeVariantItem:
 *
 * One variant of an adaptive stream in a player's `variants-model`.
 *
 * Since: 0.1
 */
typedef struct _FramescopeVariantItem FramescopeVariantItem;
typedef struct _FramescopeVariantItemClass FramescopeVariantItemClass;

/**
 * FramescopePlayerView:
 *
 * The playback widget (GtkBuilder type `FramescopePlayerView`).
 *
 * Since: 0.1
 */
typedef struct _FramescopePlayerView FramescopePlayerView;
typedef struct _FramescopePlayerViewClass FramescopePlayerViewClass;

/**
 * FramescopeQueuePanel:
 *
 * A side panel showing and editing a player's playlist.
 *
 * Since: 0.1
 */
typedef struct _FramescopeQueuePanel FramescopeQueuePanel;
typedef struct _FramescopeQueuePanelClass FramescopeQueuePanelClass;

/**
 * FramescopeInspectorWindow:
 *
 * The stream inspector of one player.
 *
 * Since: 0.1
 */
typedef struct _FramescopeInspectorWindow FramescopeInspectorWindow;
typedef struct _FramescopeInspectorWindowClass FramescopeInspectorWindowClass;

/**
 * FramescopeRemoteControl:
 *
 * A player offered on the D-Bus session bus, for `framescope ctl`, scripts
 * and (optionally) MPRIS clients; it leaves the bus when its last
 * reference is dropped. Property `bus-names`: the names asked for.
 *
 * Since: 0.1
 */
typedef struct _FramescopeRemoteControl FramescopeRemoteControl;
typedef struct _FramescopeRemoteControlClass FramescopeRemoteControlClass;

GType framescope_player_get_type (void);
GType framescope_playlist_item_get_type (void);
GType framescope_track_item_get_type (void);
GType framescope_chapter_item_get_type (void);
GType framescope_variant_item_get_type (void);
GType framescope_player_view_get_type (void);
GType framescope_queue_panel_get_type (void);
GType framescope_inspector_window_get_type (void);
GType framescope_remote_control_get_type (void);
#define FRAMESCOPE_TYPE_PLAYER (framescope_player_get_type ())
#define FRAMESCOPE_TYPE_PLAYLIST_ITEM (framescope_playlist_item_get_type ())
#define FRAMESCOPE_TYPE_TRACK_ITEM (framescope_track_item_get_type ())
#define FRAMESCOPE_TYPE_CHAPTER_ITEM (framescope_chapter_item_get_type ())
#define FRAMESCOPE_TYPE_VARIANT_ITEM (framescope_variant_item_get_type ())
#define FRAMESCOPE_TYPE_PLAYER_VIEW (framescope_player_view_get_type ())
#define FRAMESCOPE_TYPE_QUEUE_PANEL (framescope_queue_panel_get_type ())
#define FRAMESCOPE_TYPE_INSPECTOR_WINDOW (framescope_inspector_window_get_type ())
#define FRAMESCOPE_TYPE_REMOTE_CONTROL (framescope_remote_control_get_type ())
#define FRAMESCOPE_PLAYER(obj) (G_TYPE_CHECK_INSTANCE_CAST ((obj), FRAMESCOPE_TYPE_PLAYER, FramescopePlayer))
#define FRAMESCOPE_IS_PLAYER(obj) (G_TYPE_CHECK_INSTANCE_TYPE ((obj), FRAMESCOPE_TYPE_PLAYER))
#define FRAMESCOPE_PLAYER_VIEW(obj) (G_TYPE_CHECK_INSTANCE_CAST ((obj), FRAMESCOPE_TYPE_PLAYER_VIEW, FramescopePlayerView))
#define FRAMESCOPE_IS_PLAYER_VIEW(obj) (G_TYPE_CHECK_INSTANCE_TYPE ((obj), FRAMESCOPE_TYPE_PLAYER_VIEW))
#define FRAMESCOPE_QUEUE_PANEL(obj) (G_TYPE_CHECK_INSTANCE_CAST ((obj), FRAMESCOPE_TYPE_QUEUE_PANEL, FramescopeQueuePanel))
#define FRAMESCOPE_IS_QUEUE_PANEL(obj) (G_TYPE_CHECK_INSTANCE_TYPE ((obj), FRAMESCOPE_TYPE_QUEUE_PANEL))
#define FRAMESCOPE_REMOTE_CONTROL(obj) (G_TYPE_CHECK_INSTANCE_CAST ((obj), FRAMESCOPE_TYPE_REMOTE_CONTROL, FramescopeRemoteControl))
#define FRAMESCOPE_IS_REMOTE_CONTROL(obj) (G_TYPE_CHECK_INSTANCE_TYPE ((obj), FRAMESCOPE_TYPE_REMOTE_CONTROL))

/* FramescopePlayer */

/**
 * framescope_player_new:
 *
 * Returns: (transfer full): a new player whose `paintable` shows its video
 *
 * Since: 0.1
 */
FramescopePlayer *framescope_player_new (void);

/**
 * framescope_player_new_headless:
 *
 * Returns: (transfer full): a new player that decodes video without a display
 *
 * Since: 0.1
 */
FramescopePlayer *framescope_player_new_headless (void);

/**
 * framescope_player_open:
 * @self: a #FramescopePlayer
 * @path_or_uri: a file name or URI
 *
 * Opens media (paused on its first frame until framescope_player_play()).
 *
 * Since: 0.1
 */
void framescope_player_open (FramescopePlayer *self, const char *path_or_uri);

/**
 * framescope_player_open_pipeline:
 * @self: a #FramescopePlayer
 * @description: a GStreamer launch description your user wrote
 *
 * Plays a custom pipeline (as `framescope --pipeline`).
 *
 * Since: 0.1
 */
void framescope_player_open_pipeline (FramescopePlayer *self, const char *description);

/**
 * framescope_player_play:
 * @self: a #FramescopePlayer
 *
 * Since: 0.1
 */
void framescope_player_play (FramescopePlayer *self);

/**
 * framescope_player_pause:
 * @self: a #FramescopePlayer
 *
 * Since: 0.1
 */
void framescope_player_pause (FramescopePlayer *self);

/**
 * framescope_player_toggle_play:
 * @self: a #FramescopePlayer
 *
 * Since: 0.1
 */
void framescope_player_toggle_play (FramescopePlayer *self);

/**
 * framescope_player_stop:
 * @self: a #FramescopePlayer
 *
 * Stops and releases the pipeline; framescope_player_play() opens the item again.
 *
 * Since: 0.1
 */
void framescope_player_stop (FramescopePlayer *self);

/**
 * framescope_player_seek:
 * @self: a #FramescopePlayer
 * @position: nanoseconds from the media's start
 * @mode: how to choose the frame
 *
 * Seeks; past the end it lands on the last frame.
 *
 * Since: 0.1
 */
void framescope_player_seek (FramescopePlayer *self, guint64 position, FramescopeSeekMode mode);

/**
 * framescope_player_seek_by:
 * @self: a #FramescopePlayer
 * @delta: nanoseconds to move, negative backward
 *
 * Since: 0.1
 */
void framescope_player_seek_by (FramescopePlayer *self, gint64 delta);

/**
 * framescope_player_step:
 * @self: a #FramescopePlayer
 * @frames: frames to step, negative backward
 *
 * Pauses and steps frame-exactly; `frame-pts` and `frame-number` follow.
 *
 * Since: 0.1
 */
void framescope_player_step (FramescopePlayer *self, gint64 frames);

/**
 * framescope_player_step_forward:
 * @self: a #FramescopePlayer
 *
 * Since: 0.1
 */
void framescope_player_step_forward (FramescopePlayer *self);

/**
 * framescope_player_step_backward:
 * @self: a #FramescopePlayer
 *
 * Since: 0.1
 */
void framescope_player_step_backward (FramescopePlayer *self);

/**
 * framescope_player_faster:
 * @self: a #FramescopePlayer
 *
 * The next speed step up.
 *
 * Since: 0.1
 */
void framescope_player_faster (FramescopePlayer *self);

/**
 * framescope_player_slower:
 * @self: a #FramescopePlayer
 *
 * The next speed step down.
 *
 * Since: 0.1
 */
void framescope_player_slower (FramescopePlayer *self);

/**
 * framescope_player_cycle_ab_loop:
 * @self: a #FramescopePlayer
 *
 * Sets A, then B, then clears the A-B loop.
 *
 * Since: 0.1
 */
void framescope_player_cycle_ab_loop (FramescopePlayer *self);

/**
 * framescope_player_clear_ab_loop:
 * @self: a #FramescopePlayer
 *
 * Since: 0.1
 */
void framescope_player_clear_ab_loop (FramescopePlayer *self);

/**
 * framescope_player_set_items:
 * @self: a #FramescopePlayer
 * @items: (array zero-terminated=1): file names or URIs
 *
 * Replaces the playlist.
 *
 * Since: 0.1
 */
void framescope_player_set_items (FramescopePlayer *self, const char * const *items);

/**
 * framescope_player_append_item:
 * @self: a #FramescopePlayer
 * @path_or_uri: a file name or URI
 *
 * Since: 0.1
 */
void framescope_player_append_item (FramescopePlayer *self, const char *path_or_uri);

/**
 * framescope_player_move_item:
 * @self: a #FramescopePlayer
 * @from: the item's index
 * @to: its new index
 *
 * Since: 0.1
 */
void framescope_player_move_item (FramescopePlayer *self, guint from, guint to);

/**
 * framescope_player_remove_item:
 * @self: a #FramescopePlayer
 * @index: the item's index
 *
 * Since: 0.1
 */
void framescope_player_remove_item (FramescopePlayer *self, guint index);

/**
 * framescope_player_next:
 * @self: a #FramescopePlayer
 *
 * Returns: whether there was a next item to go to
 *
 * Since: 0.1
 */
gboolean framescope_player_next (FramescopePlayer *self);

/**
 * framescope_player_previous:
 * @self: a #FramescopePlayer
 *
 * Returns: whether there was a previous item (or the item restarted)
 *
 * Since: 0.1
 */
gboolean framescope_player_previous (FramescopePlayer *self);

/**
 * framescope_player_has_next:
 * @self: a #FramescopePlayer
 *
 * Returns: whether framescope_player_next() has an item to go to
 *
 * Since: 0.1
 */
gboolean framescope_player_has_next (FramescopePlayer *self);

/**
 * framescope_player_has_previous:
 * @self: a #FramescopePlayer
 *
 * Returns: whether framescope_player_previous() has an item to go to
 *
 * Since: 0.1
 */
gboolean framescope_player_has_previous (FramescopePlayer *self);

/**
 * framescope_player_next_chapter:
 * @self: a #FramescopePlayer
 *
 * Returns: whether there was a next chapter
 *
 * Since: 0.1
 */
gboolean framescope_player_next_chapter (FramescopePlayer *self);

/**
 * framescope_player_previous_chapter:
 * @self: a #FramescopePlayer
 *
 * Returns: whether there was a chapter to go to
 *
 * Since: 0.1
 */
gboolean framescope_player_previous_chapter (FramescopePlayer *self);

/**
 * framescope_player_go_to_live_edge:
 * @self: a #FramescopePlayer
 *
 * Returns: whether the player is on a live stream and went to its edge
 *
 * Since: 0.1
 */
gboolean framescope_player_go_to_live_edge (FramescopePlayer *self);

/**
 * framescope_player_is_live:
 * @self: a #FramescopePlayer
 *
 * Returns: whether the source is live (camera, UDP, SRT, RTSP)
 *
 * Since: 0.1
 */
gboolean framescope_player_is_live (FramescopePlayer *self);

/**
 * framescope_player_select_track:
 * @self: a #FramescopePlayer
 * @kind: the kind of track
 * @index: the track's index among those of @kind, or -1 for none
 * @error: return location for a #GError, or %NULL
 *
 * Returns: %TRUE when the track was chosen
 *
 * Since: 0.1
 */
gboolean framescope_player_select_track (FramescopePlayer *self, FramescopeTrackKind kind, int index, GError **error);

/**
 * framescope_player_get_current_track:
 * @self: a #FramescopePlayer
 * @kind: the kind of track
 *
 * Returns: the index of the @kind track playing, or -1
 *
 * Since: 0.1
 */
int framescope_player_get_current_track (FramescopePlayer *self, FramescopeTrackKind kind);

/**
 * framescope_player_select_variant:
 * @self: a #FramescopePlayer
 * @index: a variant's index, or -1 to let the stream adapt
 * @error: return location for a #GError, or %NULL
 *
 * Returns: %TRUE when the variant was chosen
 *
 * Since: 0.1
 */
gboolean framescope_player_select_variant (FramescopePlayer *self, int index, GError **error);

/**
 * framescope_player_describe_pipeline:
 * @self: a #FramescopePlayer
 * @uri: a URI
 *
 * Returns: (transfer full): the launch description the player would build for @uri
 *
 * Since: 0.1
 */
char *framescope_player_describe_pipeline (FramescopePlayer *self, const char *uri);

/**
 * framescope_player_get_current_texture:
 * @self: a #FramescopePlayer
 *
 * Returns: (transfer full) (nullable): the decoded frame on screen, or %NULL
 *
 * Since: 0.1
 */
GdkTexture *framescope_player_get_current_texture (FramescopePlayer *self);

/**
 * framescope_player_get_current_png:
 * @self: a #FramescopePlayer
 * @error: return location for a #GError, or %NULL
 *
 * Returns: (transfer full): the decoded frame on screen as PNG bytes
 *
 * Since: 0.1
 */
GBytes *framescope_player_get_current_png (FramescopePlayer *self, GError **error);

/* FramescopePlayerView */

/**
 * framescope_player_view_new:
 *
 * Returns: a new view with its own player
 *
 * Since: 0.1
 */
GtkWidget *framescope_player_view_new (void);

/**
 * framescope_player_view_new_with_player:
 * @player: the player to show (the host's: the view does not stop it)
 *
 * Returns: a new view of @player
 *
 * Since: 0.1
 */
GtkWidget *framescope_player_view_new_with_player (FramescopePlayer *player);

/**
 * framescope_player_view_get_player:
 * @self: a #FramescopePlayerView
 *
 * Returns: (transfer none): the player the view shows
 *
 * Since: 0.1
 */
FramescopePlayer *framescope_player_view_get_player (FramescopePlayerView *self);

/**
 * framescope_player_view_open:
 * @self: a #FramescopePlayerView
 * @path_or_uri: a file name or URI
 *
 * Opens media and, with `autoplay`, plays it.
 *
 * Since: 0.1
 */
void framescope_player_view_open (FramescopePlayerView *self, const char *path_or_uri);

/**
 * framescope_player_view_get_action_group:
 * @self: a #FramescopePlayerView
 *
 * Returns: (transfer none): the `player.` actions, for gtk_widget_insert_action_group()
 *
 * Since: 0.1
 */
GActionGroup *framescope_player_view_get_action_group (FramescopePlayerView *self);

/**
 * framescope_player_view_add_overlay:
 * @self: a #FramescopePlayerView
 * @widget: a host widget to show over the video
 *
 * Since: 0.1
 */
void framescope_player_view_add_overlay (FramescopePlayerView *self, GtkWidget *widget);

/**
 * framescope_player_view_remove_overlay:
 * @self: a #FramescopePlayerView
 * @widget: a widget added with framescope_player_view_add_overlay()
 *
 * Since: 0.1
 */
void framescope_player_view_remove_overlay (FramescopePlayerView *self, GtkWidget *widget);

/**
 * framescope_player_view_show_message:
 * @self: a #FramescopePlayerView
 * @message: a line for the on-screen display
 *
 * Since: 0.1
 */
void framescope_player_view_show_message (FramescopePlayerView *self, const char *message);

/**
 * framescope_player_view_toggle_fullscreen:
 * @self: a #FramescopePlayerView
 *
 * Since: 0.1
 */
void framescope_player_view_toggle_fullscreen (FramescopePlayerView *self);

/* FramescopeQueuePanel, FramescopeInspectorWindow */

/**
 * framescope_queue_panel_new:
 * @player: (nullable): the player whose playlist to show
 *
 * Returns: a new queue panel
 *
 * Since: 0.1
 */
GtkWidget *framescope_queue_panel_new (FramescopePlayer *player);

/**
 * framescope_inspector_window_new:
 * @player: the player to inspect
 *
 * Returns: the inspector of @player (a #GtkWindow: GTK holds it until
 *   gtk_window_destroy())
 *
 * Since: 0.1
 */
GtkWidget *framescope_inspector_window_new (FramescopePlayer *player);

/* FramescopeRemoteControl */

/**
 * framescope_remote_control_export:
 * @player: the player to offer
 * @instance: (nullable): the instance part of the bus names (letters,
 *   digits and `_`, not starting with a digit), or %NULL for `instance<PID>`
 * @mpris: also offer MPRIS 2 as `org.mpris.MediaPlayer2.framescope.<instance>`
 * @error: return location for a #GError, or %NULL
 *
 * Offers @player on the session bus: the `org.framescope.Player1`
 * interface at `/org/framescope/Framescope/Player` under the name
 * `org.framescope.Framescope.<instance>`, which `framescope ctl` drives,
 * and with @mpris MPRIS 2 too. The names are requested, not waited for.
 * Remote calls arrive on the thread-default main context, which must be
 * the one running GTK's main loop. Anything on the session bus running as
 * the same user can then control the player (docs/embedding.md, "Remote
 * control").
 *
 * Returns: (transfer full): the remote control, or %NULL with @error set
 *   (%G_IO_ERROR_NOT_CONNECTED: no session bus; %G_IO_ERROR_INVALID_ARGUMENT:
 *   a bad @instance; %G_IO_ERROR_EXISTS: the objects are already offered on
 *   this connection); drop the last reference to leave the bus
 *
 * Since: 0.1
 */
FramescopeRemoteControl *framescope_remote_control_export (FramescopePlayer *player, const char *instance, gboolean mpris, GError **error);

/**
 * framescope_remote_control_get_bus_names:
 * @self: a #FramescopeRemoteControl
 *
 * Returns: (transfer full) (array zero-terminated=1): the bus names asked
 *   for, granted or not (also property `bus-names`)
 *
 * Since: 0.1
 */
char **framescope_remote_control_get_bus_names (FramescopeRemoteControl *self);

G_END_DECLS

#endif /* FRAMESCOPE_H */
