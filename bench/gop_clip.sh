# Sourced by bench/timing.sh and bench/scaler.sh: makes (once) and names the
# 20 s 1080p30 H.264 clip with 2 s GOPs (60 frames) and 2 B-frames both
# measure, bench/out/1080p30-20s-gop60-b2.mp4, in $gop_clip.
gop_clip="bench/out/1080p30-20s-gop60-b2.mp4"
mkdir -p bench/out
if [ ! -s "$gop_clip" ]; then
  echo "bench: generating $gop_clip (takes a minute)" >&2
  gst-launch-1.0 -q -e \
    videotestsrc num-buffers=600 pattern=smpte horizontal-speed=8 \
    ! video/x-raw,width=1920,height=1080,framerate=30/1 ! timeoverlay font-desc="Sans 48" \
    ! videoconvert ! video/x-raw,format=I420 \
    ! x264enc bitrate=6000 key-int-max=60 bframes=2 b-adapt=false option-string=scenecut=0 \
    ! h264parse ! mp4mux ! filesink location="$gop_clip.part"
  mv "$gop_clip.part" "$gop_clip"
fi
