"""The outside systems videos talk to: ffprobe (probe), ffmpeg (transcoding) and the file
storage holding uploads and renditions (storage). They return results or raise; they never
import services or tasks: the services decide what a result means for a video."""
