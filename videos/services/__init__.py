"""Writes of videos, a module per use case: uploads (resumable uploads and accepting a clip),
processing (the lifecycle of making the renditions, retries, upkeep), publishing (the video's
post: published once the video can play, the fast path first; deleted with the video) and
watching (watch events).

Authorisation and rate limits are checked here; interfaces only parse and render. Files are
never left behind: a refused upload stores nothing, a failed write removes what it stored, and
a video deleted while a worker is still making its files has them removed by that worker."""
