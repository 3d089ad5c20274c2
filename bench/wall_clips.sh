# Sourced by bench/video_wall.sh and bench/wall_pair.sh: the wall's nine
# clips, a different moving test pattern per tile with its number and a
# running clock, 640x360 30 fps H.264 (x264's default preset at 1 Mbit/s,
# 2 s GOPs), each $seconds long, generated once into $out and reused.
#
# wall_clips: fills the array `clips` (needs `seconds`, `out`, `tiles` <= 9).

wall_clips() {
  local patterns=(smpte ball pinwheel circular colors spokes gradient checkers-8 bar) i clip
  clips=()
  for i in $(seq 0 $((tiles - 1))); do
    clip="$out/wall-640x360p30-${seconds}s-$((i + 1))-${patterns[$i]}.mp4"
    if [ ! -s "$clip" ]; then
      echo "bench: generating $clip" >&2
      gst-launch-1.0 -q -e \
        videotestsrc num-buffers=$((seconds * 30)) pattern="${patterns[$i]}" horizontal-speed=4 \
        ! video/x-raw,width=640,height=360,framerate=30/1 \
        ! timeoverlay text="$((i + 1))" font-desc="Sans 28" ! videoconvert ! video/x-raw,format=I420 \
        ! x264enc bitrate=1000 key-int-max=60 ! h264parse ! mp4mux ! filesink location="$clip.part"
      mv "$clip.part" "$clip"
    fi
    clips+=("$clip")
  done
}
