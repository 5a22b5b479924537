// One video player: the source (hls.js, the browser's own HLS, or the MP4 fallback), the
// controls of a player made by videos/includes/player.html (play/pause, mute, volume, full
// screen, "Tap to unmute"), the view (counted once per page visit after 1 s actually played)
// and the watch event sent when the viewer leaves the video (what recommendations learn from).
// swipe-feed.js drives players in the vertical feed; any other player on a page (a video post's
// card or page) is started here when it scrolls into view and stopped when it leaves.
//
// hls.js is a classic script (/static/vendor/hls.js/hls.min.js) read from window.Hls: the swipe
// feed loads it with the page (its first video starts at once); pages with video posts among
// other posts load it here when the first player appears. Without it the native HLS or the MP4
// plays.

import { ApiError, api, failureMessage } from '../lib/api.js';
import { announce, liveRegion } from '../lib/announce.js';
import { sendByScript } from '../lib/forms.js';
import { shareLinks } from '../lib/share.js';

const HLS_TYPE = 'application/vnd.apple.mpegurl';
const VIEW_AFTER_MS = 1000; // settings.VIDEO_VIEW_MIN_MS: played this long before a view counts
const SKIP_BEFORE_MS = 1000; // left sooner than this: a skip
const NORMAL_STEP = 1.5; // s; a larger jump of currentTime between two timeupdates is not playing

const sources = new WeakMap(); // <video> -> {engine, hls, mp4, onError}
const viewed = new Set(); // post ids whose view this page visit has sent
const players = new Set(); // every VideoPlayer, to show the one sound setting on all of them

// The sound setting follows the viewer from video to video: unmuted once, the next one speaks.
export const sound = { muted: true, volume: 1 };

// --- Sources -------------------------------------------------------------------------------------

function useMp4(video, state) {
  if (state.engine === 'mp4' || !state.mp4) return false;
  const wanted = video.dataset.wantsPlay === 'true';
  state.hls?.destroy();
  state.hls = null;
  state.engine = 'mp4';
  video.dataset.engine = 'mp4';
  video.src = state.mp4;
  if (wanted) video.play().catch(() => {});
  return true;
}

// Give `video` its source and return the engine used: "hls.js" where Media Source Extensions
// work (the same adaptive player everywhere, with an error hook for the fallback), the browser's
// own HLS where it has it and hls.js cannot run (Safari on older iPhones), else the MP4.
// A fatal hls.js error or a media error switches to the MP4 once.
export function attachSource(video, { playlist, mp4 } = {}) {
  detachSource(video);
  const state = { engine: 'none', hls: null, mp4: mp4 || '', onError: null };
  sources.set(video, state);
  const Hls = window.Hls;
  if (playlist && Hls?.isSupported()) {
    state.engine = 'hls.js';
    const hls = new Hls({ capLevelToPlayerSize: true, maxBufferLength: 10, backBufferLength: 10 });
    state.hls = hls;
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (!data.fatal) return;
      if (!useMp4(video, state) && data.type === Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
    });
    hls.loadSource(playlist);
    hls.attachMedia(video);
  } else if (playlist && video.canPlayType(HLS_TYPE)) {
    state.engine = 'native';
    video.src = playlist;
  } else if (mp4) {
    state.engine = 'mp4';
    video.src = mp4;
  }
  state.onError = () => {
    if (!useMp4(video, state)) video.dispatchEvent(new CustomEvent('videounplayable'));
  };
  video.addEventListener('error', state.onError);
  video.dataset.engine = state.engine;
  return state.engine;
}

// Let go of the source and its buffers (the poster shows again).
export function detachSource(video) {
  const state = sources.get(video);
  if (!state) return;
  sources.delete(video);
  video.removeEventListener('error', state.onError);
  state.hls?.destroy();
  video.removeAttribute('src');
  for (const source of video.querySelectorAll('source')) source.remove(); // the no-script MP4
  video.load();
  delete video.dataset.engine;
}

export function hasSource(video) {
  return sources.has(video);
}

// --- Shared helpers -----------------------------------------------------------------------------

// keepalive: the request outlives the page when the viewer leaves it. Resolves whatever the
// server answered (an error answer is not sent again); rejects when no answer came.
function send(url, json) {
  return api(url, { method: 'POST', json, keepalive: true }).catch((error) => {
    if (!(error instanceof ApiError)) throw error;
  });
}

// A polite live region that is also a visible toast. It exists from the start, so a message put
// in it later is read out.
function toastRegion() {
  return liveRegion(document, 'video-announcer', {
    className: 'video-toast',
    place: (region) => document.body.append(region),
  });
}

export function toast(message) {
  announce(toastRegion(), message, { hideAfter: 3500 });
}

// Whether a key press belongs to the focused control rather than to the player.
export function keyIsForControl(event) {
  const target = event.target;
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable || target.closest('textarea, select')) return true;
  if (target instanceof HTMLInputElement) {
    if (target.type !== 'range') return true;
    return ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'PageUp', 'PageDown', 'Home', 'End'].includes(event.key);
  }
  if (event.key === ' ' || event.key === 'Enter') return Boolean(target.closest('button, a[href], summary'));
  return false;
}

// --- The player ---------------------------------------------------------------------------------

export class VideoPlayer {
  // `root`: the [data-video-player] element; `fullscreenTarget`: what full screen shows (the
  // feed shows itself, so the viewer can go on swiping; a single player shows its stage).
  constructor(root, { fullscreenTarget } = {}) {
    this.root = root;
    this.video = root.querySelector('video[data-video]');
    this.stage = root.querySelector('.video-stage') ?? root;
    this.fullscreenTarget = fullscreenTarget ?? this.stage;
    this.postId = root.dataset.postId;
    this.session = null; // the watch being measured: {playedMs, replays, completed}
    this.playedMs = 0; // this page visit, for the view
    this.last = 0; // currentTime at the last timeupdate
    this.userPaused = false;
    root.videoPlayer = this;
    players.add(this);

    const video = this.video;
    // Without JavaScript the browser's own controls and the MP4 <source> play it; here ours do.
    root.dataset.playerReady = '';
    video.controls = false;
    video.loop = true;
    video.playsInline = true;
    video.muted = sound.muted;
    this.bind();
    this.showSound();
    this.showPlaying();
  }

  get duration() {
    const duration = this.video.duration;
    if (Number.isFinite(duration) && duration > 0) return duration;
    return Number.parseFloat(this.root.dataset.duration) || 0;
  }

  get playing() {
    return !this.video.paused;
  }

  bind() {
    const { root, video } = this;
    const on = (selector, type, handler) => root.querySelector(selector)?.addEventListener(type, handler);
    video.addEventListener('click', () => this.togglePlay());
    on('[data-play-toggle]', 'click', () => this.togglePlay());
    on('[data-mute-toggle]', 'click', () => this.setMuted(!sound.muted));
    on('[data-unmute]', 'click', () => this.setMuted(false));
    on('[data-volume]', 'input', (event) => this.setVolume(Number(event.target.value) / 100));
    on('[data-fullscreen]', 'click', () => this.toggleFullscreen());
    for (const type of ['play', 'pause', 'playing']) video.addEventListener(type, () => this.showPlaying());
    video.addEventListener('waiting', () => root.classList.add('is-buffering'));
    video.addEventListener('playing', () => root.classList.remove('is-buffering', 'has-error'));
    video.addEventListener('timeupdate', () => this.track());
    video.addEventListener('emptied', () => {
      this.last = 0;
      root.classList.remove('is-buffering');
    });
    video.addEventListener('videounplayable', () => {
      root.classList.add('has-error');
      root.classList.remove('is-buffering');
    });
  }

  // Attach the source ahead of playing: "auto" buffers it so it starts at once.
  prepare(preload = 'metadata') {
    if (!hasSource(this.video)) {
      attachSource(this.video, { playlist: this.root.dataset.playlist, mp4: this.root.dataset.mp4 });
    }
    this.video.preload = preload;
  }

  release() {
    this.video.pause();
    delete this.video.dataset.wantsPlay;
    detachSource(this.video);
    this.root.classList.remove('is-playing', 'is-paused', 'is-buffering');
  }

  play() {
    this.userPaused = false;
    this.prepare('auto');
    const video = this.video;
    video.muted = sound.muted;
    video.volume = sound.volume;
    video.dataset.wantsPlay = 'true';
    video.play().catch((error) => {
      if (error.name !== 'NotAllowedError') return; // AbortError: a pause or another source came first
      if (video.muted) {
        this.blocked();
        return;
      }
      // Sound needs the viewer to have touched the page first: play muted then.
      sound.muted = true;
      showSoundEverywhere();
      video.play().catch(() => this.blocked());
    });
    this.showPlaying();
  }

  // The browser plays nothing by itself here (a data saver, a power mode): show the play sign.
  blocked() {
    this.userPaused = true;
    this.showPlaying();
  }

  pause() {
    delete this.video.dataset.wantsPlay;
    this.video.pause();
    this.showPlaying();
  }

  togglePlay() {
    if (this.video.paused) {
      this.play();
    } else {
      this.pause();
      this.userPaused = true;
      this.showPlaying();
    }
  }

  setMuted(muted) {
    sound.muted = muted;
    if (!muted && sound.volume === 0) sound.volume = 1;
    showSoundEverywhere();
    // Unmuting a paused video is asking to hear it.
    if (!muted && this.video.paused && this.root.classList.contains('is-current')) this.play();
  }

  setVolume(volume) {
    sound.volume = Math.min(1, Math.max(0, volume));
    sound.muted = sound.volume === 0;
    showSoundEverywhere();
  }

  toggleFullscreen() {
    if (document.fullscreenElement) {
      document.exitFullscreen().catch(() => {});
    } else if (this.fullscreenTarget.requestFullscreen) {
      this.fullscreenTarget.requestFullscreen().catch(() => {});
    } else if (this.video.webkitEnterFullscreen) {
      this.video.webkitEnterFullscreen(); // iPhone: only the video itself can go full screen
    }
  }

  showPlaying() {
    const playing = !this.video.paused;
    this.root.querySelector('[data-play-toggle]')?.setAttribute('aria-pressed', String(playing));
    this.root.classList.toggle('is-playing', playing);
    this.root.classList.toggle('is-paused', !playing && this.userPaused);
  }

  showSound() {
    const video = this.video;
    video.muted = sound.muted;
    video.volume = sound.volume;
    this.root.querySelector('[data-mute-toggle]')?.setAttribute('aria-pressed', String(sound.muted));
    const slider = this.root.querySelector('[data-volume]');
    if (slider) {
      slider.value = String(Math.round((sound.muted ? 0 : sound.volume) * 100));
      slider.setAttribute('aria-valuetext', sound.muted ? 'Muted' : `${slider.value}%`);
    }
    const pill = this.root.querySelector('[data-unmute]');
    if (pill) pill.hidden = !sound.muted;
  }

  showFullscreen() {
    const on = Boolean(document.fullscreenElement) && document.fullscreenElement === this.fullscreenTarget;
    this.root.querySelector('[data-fullscreen]')?.setAttribute('aria-pressed', String(on));
  }

  // Played time from timeupdate: steps forward count, a jump back from near the end is a loop.
  track() {
    const now = this.video.currentTime;
    const duration = this.duration;
    const step = now - this.last;
    let played = 0;
    let looped = false;
    if (step > 0 && step < NORMAL_STEP) {
      played = step;
    } else if (step < 0 && duration && this.last > duration - NORMAL_STEP) {
      played = Math.max(0, duration - this.last) + now;
      looped = true;
    }
    this.last = now;
    const bar = this.root.querySelector('[data-progress]');
    if (bar && duration) bar.style.transform = `scaleX(${Math.min(1, now / duration)})`;
    if (played <= 0) return;
    this.playedMs += played * 1000;
    if (this.session) {
      this.session.playedMs += played * 1000;
      if (looped) this.session.replays += 1;
      if (looped || (duration && now >= duration - 0.25)) this.session.completed = true;
    }
    if (this.playedMs >= VIEW_AFTER_MS && !viewed.has(this.postId)) this.countView();
  }

  countView() {
    const url = this.root.dataset.viewUrl;
    if (!url) return;
    viewed.add(this.postId);
    this.root.dataset.viewCounted = 'true';
    send(url).catch(() => {
      viewed.delete(this.postId); // try again on the next timeupdate
      delete this.root.dataset.viewCounted;
    });
  }

  // A watch starts when the video becomes the one being watched and ends when the viewer
  // leaves it (another video, another page, another tab).
  beginWatch() {
    if (!this.session) this.session = { playedMs: 0, replays: 0, completed: false };
  }

  endWatch() {
    const session = this.session;
    if (!session) return;
    this.session = null;
    const url = this.root.dataset.watchUrl;
    if (!url) return;
    const watched = Math.round(session.playedMs);
    const event = {
      watched_ms: watched,
      duration_ms: Math.round(this.duration * 1000),
      completed: session.completed,
      skipped: watched < SKIP_BEFORE_MS && !session.completed,
      replays: session.replays,
    };
    this.root.dataset.watchesSent = String(Number(this.root.dataset.watchesSent || 0) + 1);
    send(url, event).catch(() => {});
  }
}

function showSoundEverywhere() {
  for (const player of players) player.showSound();
}

document.addEventListener('fullscreenchange', () => {
  for (const player of players) player.showFullscreen();
});

// --- Follow and share, for every player on the page ---------------------------------------------

function showFollowing(username, following) {
  for (const form of document.querySelectorAll('form[data-follow]')) {
    if (form.dataset.follow !== username) continue;
    form.dataset.following = String(following);
    form.querySelector('button')?.setAttribute('aria-pressed', String(following));
    form.action = following ? form.dataset.unfollowUrl : form.dataset.followUrl;
  }
}

const followStates = new Map(); // username -> Promise<boolean|null>

// The follow buttons of a slide whose state the page did not know: ask the profile API once per
// person (signed-in viewers only; signed-out ones get "log in" links instead).
export function resolveFollowing(root) {
  for (const form of root.querySelectorAll('form[data-follow][data-following="unknown"]')) {
    const username = form.dataset.follow;
    if (!followStates.has(username)) {
      const url = form.dataset.profileApi;
      followStates.set(
        username,
        api(url)
          .then((profile) => profile?.relationship?.following ?? null)
          .catch(() => null),
      );
    }
    followStates.get(username).then((following) => {
      if (following !== null && form.dataset.following === 'unknown') showFollowing(username, following);
    });
  }
}

async function follow(form) {
  const username = form.dataset.follow;
  const following = form.dataset.following === 'true';
  try {
    const body = await api(form.dataset.api, { method: following ? 'DELETE' : 'POST' });
    followStates.set(username, Promise.resolve(body.following));
    showFollowing(username, body.following);
    toast(body.following ? `You now follow @${username}.` : `You no longer follow @${username}.`);
  } catch (error) {
    toast(failureMessage(error));
  }
}

sendByScript('form[data-follow]', follow);

shareLinks('a[data-video-share]', {
  title: (link) => link.dataset.title || document.title,
  copied: () => toast('Link copied'),
  failed: (_link, url) => toast(`Copy this link: ${url}`),
});

// --- Players outside the swipe feed (a video post's card or page) ------------------------------

const standalone = new WeakSet();
let hlsLoading = null;

function loadHls() {
  if (window.Hls) return Promise.resolve();
  hlsLoading ??= new Promise((resolve) => {
    const script = document.createElement('script');
    script.src = new URL('../../vendor/hls.js/hls.min.js', import.meta.url).href;
    script.onload = script.onerror = resolve; // without it, the native HLS or the MP4 plays
    document.head.append(script);
  });
  return hlsLoading;
}

async function startStandalone(found) {
  const roots = [...found].filter((root) => !standalone.has(root) && !root.closest('[data-swipe-feed]'));
  if (!roots.length || !('IntersectionObserver' in window)) return;
  toastRegion();
  await loadHls();
  for (const root of roots) {
    if (standalone.has(root)) continue;
    standalone.add(root);
    const player = new VideoPlayer(root);
    observer.observe(root);
    root.addEventListener('keydown', (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey || keyIsForControl(event)) return;
      const key = event.key.toLowerCase();
      if (key === ' ' || key === 'k') player.togglePlay();
      else if (key === 'm') player.setMuted(!sound.muted);
      else if (key === 'f') player.toggleFullscreen();
      else return;
      event.preventDefault();
    });
  }
}

const observer =
  'IntersectionObserver' in window &&
  new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        const player = entry.target.videoPlayer;
        if (!player) continue;
        if (entry.intersectionRatio >= 0.6) {
          entry.target.classList.add('is-current');
          player.beginWatch();
          if (!player.userPaused) player.play();
        } else {
          entry.target.classList.remove('is-current');
          if (player.session) {
            player.pause();
            player.endWatch();
          }
          if (entry.isIntersecting) player.prepare('metadata');
          else player.release();
        }
      }
    },
    { threshold: [0, 0.6] },
  );

function leaveStandalone(hidden) {
  for (const player of players) {
    if (player.root.closest('[data-swipe-feed]') || !player.session) continue;
    player.endWatch();
    if (hidden) player.pause();
  }
}

startStandalone(document.querySelectorAll('[data-video-player]'));
document.addEventListener('load-more:loaded', (event) => {
  const roots = event.detail.items.flatMap((item) =>
    item.matches?.('[data-video-player]') ? [item] : [...(item.querySelectorAll?.('[data-video-player]') ?? [])],
  );
  startStandalone(roots);
});
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') {
    leaveStandalone(true);
    return;
  }
  for (const player of players) {
    if (player.root.closest('[data-swipe-feed]') || !player.root.classList.contains('is-current')) continue;
    player.beginWatch();
    if (!player.userPaused) player.play();
  }
});
window.addEventListener('pagehide', () => leaveStandalone(false));
