#!/usr/bin/env bash
# Regenerates resources/demo.webm, the clip the player opens when started
# without arguments: 6 s of 640x360 VP8 at 30 fps (a moving test pattern with a
# running clock) and Opus audio (a 440 Hz tone, one short beep a second).
set -euo pipefail
cd "$(dirname "$0")/.."
out=resources/demo.webm
gst-launch-1.0 -q -e \
  videotestsrc pattern=ball num-buffers=180 motion=sweep background-color=0xff202a44 foreground-color=0xffffc040 \
  ! video/x-raw,width=640,height=360,framerate=30/1 \
  ! textoverlay text="Framescope demo" valignment=top halignment=left font-desc="Sans Bold 20" \
  ! taginject 'tags="title=\"Framescope demo\""' \
  ! timeoverlay valignment=bottom halignment=right font-desc="Monospace 18" \
  ! videoconvert ! vp8enc deadline=1 target-bitrate=600000 keyframe-max-dist=30 \
  ! queue ! mux. \
  audiotestsrc wave=ticks freq=440 samplesperbuffer=960 num-buffers=300 volume=0.4 \
  ! audio/x-raw,rate=48000,channels=2 ! audioconvert ! opusenc bitrate=64000 \
  ! queue ! mux. \
  webmmux name=mux ! filesink location="$out"
ls -l "$out"
