// The creator's studio: their videos, newest first, each with its state. Videos still being
// processed follow their stream "video:<id>" on the tab's one socket (socket.js), with a poll of
// the API as a fallback while the socket is not (or no longer) confirmed, so a bar never
// freezes. "Load more" reads the next page of GET /api/me/videos/; Delete asks first, then
// sends DELETE /api/videos/<id>/.
// The upload page follows its freshly published video with followVideo() from here.
import { request } from '../lib/api.js';
import { announce } from '../lib/announce.js';
import { subscribe } from '../lib/socket.js';
import { since } from '../lib/time.js';

const POLL_MS = 2000; // while the socket is not confirmed
const SAFETY_POLL_MS = 10000; // confirmed but silent this long: ask anyway (a dead socket is noticed late)
const LABELS = { uploaded: 'Uploaded', processing: 'Processing', ready: 'Ready', failed: 'Failed' };
const ICONS = { uploaded: 'hourglass-split', processing: 'gear-wide-connected', ready: 'check-circle-fill', failed: 'exclamation-triangle-fill' };

// --- Following a video (shared with video-upload.js) --------------------------------------------

export function isTerminal(video) {
  return video.state === 'ready' || video.state === 'failed';
}

/** Call onUpdate(video) with each news of video `id` (VideoOut or the stream's VideoOut-like
 *  event) until it is ready or failed, or onUpdate(null) if it is gone. Returns stop(). */
export function followVideo(url, id, onUpdate) {
  let stopped = false;
  let confirmed = false;
  let lastHeard = Date.now();
  let timer = null;
  let unsubscribe = () => {};

  function stop() {
    stopped = true;
    window.clearTimeout(timer);
    unsubscribe();
  }

  function deliver(video) {
    if (stopped) return;
    onUpdate(video);
    if (video === null || isTerminal(video)) stop();
  }

  async function ask() {
    lastHeard = Date.now();
    try {
      const answer = await request(url);
      if (answer.ok) deliver(answer.body);
      else if (answer.status === 404) deliver(null);
    } catch {
      // No connection: the next tick asks again.
    }
  }

  unsubscribe = subscribe(`video:${id}`, (event, data) => {
    lastHeard = Date.now();
    if (event === 'subscribed' || event === 'resumed') {
      // Whatever happened before the stream was confirmed was not sent to this tab.
      confirmed = true;
      ask();
    } else if (event === 'progress' && data) {
      confirmed = true;
      deliver(data);
    }
  });

  function tick() {
    if (stopped) return;
    if (Date.now() - lastHeard >= (confirmed ? SAFETY_POLL_MS : POLL_MS)) ask();
    timer = window.setTimeout(tick, POLL_MS);
  }
  timer = window.setTimeout(tick, POLL_MS);
  return stop;
}

// --- Formatting ------------------------------------------------------------------------------

export function seconds(duration) {
  return `${Number(duration).toFixed(1)} s`;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function icon(name) {
  const node = element('i', `bi bi-${name}`);
  node.setAttribute('aria-hidden', 'true');
  return node;
}

// --- The studio --------------------------------------------------------------------------------

function setUp(root) {
  const list = root.querySelector('[data-studio-list]');
  const empty = root.querySelector('[data-studio-empty]');
  const status = root.querySelector('[data-studio-status]');
  const more = root.querySelector('[data-studio-more]');
  const dialog = document.getElementById('delete-video-dialog');
  const videoUrl = (id) => root.dataset.videoUrl.replace(/\/0\/$/, `/${id}/`);
  const following = new Map(); // id -> stop()
  let toDelete = null;

  const say = (text) => announce(status, text, { again: true });

  // An item as studio.html draws it.
  function draw(video) {
    const item = element('li', 'studio-item card');
    item.id = `video-${video.id}`;
    item.dataset.videoId = video.id;
    item.setAttribute('aria-labelledby', `video-${video.id}-caption`);

    const poster = element('div', 'studio-poster');
    poster.dataset.poster = '';
    poster.append(posterContent(video));

    const body = element('div', 'studio-body');
    const caption = element('p', 'studio-caption', video.caption || 'No caption');
    caption.id = `video-${video.id}-caption`;
    if (!video.caption) caption.classList.add('is-empty');
    const meta = element('p', 'studio-meta');
    const badge = element('span', 'badge studio-badge');
    badge.dataset.stateBadge = '';
    const duration = element('span', 'studio-duration');
    duration.dataset.duration = '';
    if (video.duration) duration.textContent = seconds(video.duration);
    const time = element('time', '', since(video.created_at));
    time.dateTime = video.created_at;
    time.title = new Date(video.created_at).toLocaleString();
    meta.append(badge, duration, time);

    const progressBox = element('div', 'studio-progress');
    progressBox.dataset.progressBox = '';
    const bar = element('div', 'progress');
    bar.setAttribute('role', 'progressbar');
    bar.setAttribute('aria-label', `Processing progress of “${video.caption || 'your video'}”`);
    bar.setAttribute('aria-valuemin', '0');
    bar.setAttribute('aria-valuemax', '100');
    bar.dataset.progressBar = '';
    bar.append(element('div', 'progress-bar progress-bar-striped progress-bar-animated'));
    progressBox.append(bar);

    const reason = element('p', 'studio-reason small');
    reason.dataset.reason = '';

    const actions = element('div', 'studio-actions');
    const watch = element('a', 'btn btn-sm btn-primary');
    watch.dataset.watch = '';
    watch.append(icon('play-fill'), ' Watch');
    const remove = element('button', 'btn btn-sm btn-outline-danger');
    remove.type = 'button';
    remove.dataset.delete = '';
    remove.dataset.caption = video.caption || 'this video';
    remove.append(icon('trash'), ' Delete');
    actions.append(watch, remove);

    body.append(caption, meta, progressBox, reason, actions);
    item.append(poster, body);
    show(item, video);
    return item;
  }

  function posterContent(video) {
    if (video.poster_url) {
      const image = element('img');
      Object.assign(image, { src: video.poster_url, alt: '', loading: 'lazy' });
      return image;
    }
    const placeholder = element('span', 'studio-placeholder');
    placeholder.append(icon('film'));
    return placeholder;
  }

  // Bring an item in line with `video` (the whole VideoOut, or a stream event's part of it).
  function show(item, video) {
    const state = video.state;
    item.dataset.state = state;
    const badge = item.querySelector('[data-state-badge]');
    badge.className = `badge studio-badge state-${state}`;
    badge.replaceChildren(icon(ICONS[state] ?? 'circle'), ` ${LABELS[state] ?? state}`);

    const box = item.querySelector('[data-progress-box]');
    const working = state === 'uploaded' || state === 'processing';
    box.hidden = !working;
    if (working) {
      const percent = Math.max(0, Math.min(100, Math.round(video.progress ?? 0)));
      const bar = box.querySelector('[data-progress-bar]');
      bar.setAttribute('aria-valuenow', String(percent));
      const fill = bar.querySelector('.progress-bar');
      fill.style.width = `${percent}%`;
      fill.textContent = `${percent}%`;
    }

    const reason = item.querySelector('[data-reason]');
    reason.hidden = state !== 'failed';
    if (state === 'failed') {
      reason.replaceChildren(icon('info-circle'), ` ${video.failure_reason || 'The video could not be processed.'}`);
    }

    const watch = item.querySelector('[data-watch]');
    if (video.post_url) watch.href = video.post_url;
    watch.hidden = state !== 'ready' || !watch.getAttribute('href');
    if (video.duration) item.querySelector('[data-duration]').textContent = seconds(video.duration);
    if (video.poster_url && !item.querySelector('[data-poster] img')) {
      item.querySelector('[data-poster]').replaceChildren(posterContent(video));
    }
  }

  function follow(item) {
    const id = item.dataset.videoId;
    if (following.has(id) || !['uploaded', 'processing'].includes(item.dataset.state)) return;
    const stop = followVideo(videoUrl(id), id, async (video) => {
      if (video === null) {
        removeItem(item, false);
        return;
      }
      const before = item.dataset.state;
      show(item, video);
      if (isTerminal(video)) {
        following.delete(id);
        if (before !== video.state) {
          const name = item.querySelector('.studio-caption').textContent;
          say(video.state === 'ready' ? `“${name}” is ready.` : `“${name}” failed: ${video.failure_reason}`);
        }
        // The stream's event is short: the poster and the duration come with the whole video.
        if (video.poster_url === undefined) {
          try {
            const answer = await request(videoUrl(id));
            if (answer.ok) show(item, answer.body);
          } catch {
            // The page shows them after a reload.
          }
        }
      }
    });
    following.set(id, stop);
  }

  function showEmpty() {
    const none = !list.querySelector('[data-video-id]');
    empty.hidden = !none;
    list.hidden = none;
  }

  function removeItem(item, moveFocus) {
    const id = item.dataset.videoId;
    following.get(id)?.();
    following.delete(id);
    const next = item.nextElementSibling ?? item.previousElementSibling;
    item.remove();
    showEmpty();
    if (!moveFocus) return;
    const target = next?.querySelector('[data-delete]') ?? empty.querySelector('a') ?? document.getElementById('studio-title');
    target?.focus();
  }

  // --- Delete, after asking --------------------------------------------------------------------

  const modal = window.bootstrap ? window.bootstrap.Modal.getOrCreateInstance(dialog) : null;
  const dialogError = dialog.querySelector('[data-delete-error]');
  const confirmButton = dialog.querySelector('[data-delete-confirm]');

  list.addEventListener('click', (event) => {
    const button = event.target.closest('[data-delete]');
    if (!button) return;
    toDelete = button.closest('[data-video-id]');
    dialog.querySelector('[data-delete-name]').textContent = button.dataset.caption;
    dialogError.hidden = true;
    if (modal) {
      modal.show(button);
    } else if (window.confirm(`Delete “${button.dataset.caption}”? This cannot be undone.`)) {
      confirmButton.click();
    }
  });

  dialog.addEventListener('hidden.bs.modal', () => {
    // Back to the button that opened it, if the video is still there.
    if (toDelete?.isConnected) toDelete.querySelector('[data-delete]')?.focus();
  });

  confirmButton.addEventListener('click', async () => {
    if (!toDelete || confirmButton.getAttribute('aria-busy') === 'true') return;
    const item = toDelete;
    const name = item.querySelector('.studio-caption').textContent;
    confirmButton.setAttribute('aria-busy', 'true');
    confirmButton.querySelector('.spinner-border').classList.remove('d-none');
    try {
      const answer = await request(videoUrl(item.dataset.videoId), { method: 'DELETE' });
      if (!answer.ok && answer.status !== 404) throw new Error(answer.body.message);
      toDelete = null;
      modal?.hide();
      removeItem(item, true);
      say(`Deleted “${name}”.`);
    } catch (error) {
      dialogError.textContent = error instanceof TypeError ? 'No connection. Try again.' : error.message;
      dialogError.hidden = false;
    } finally {
      confirmButton.removeAttribute('aria-busy');
      confirmButton.querySelector('.spinner-border').classList.add('d-none');
    }
  });

  // --- Load more ---------------------------------------------------------------------------------

  more?.addEventListener('click', async () => {
    if (more.getAttribute('aria-busy') === 'true') return;
    more.setAttribute('aria-busy', 'true');
    more.querySelector('.spinner-border').classList.remove('d-none');
    say('Loading…');
    try {
      const answer = await request(more.dataset.nextUrl);
      if (!answer.ok) throw new Error(answer.body.message);
      const known = new Set([...list.querySelectorAll('[data-video-id]')].map((item) => item.dataset.videoId));
      const items = answer.body.results.filter((video) => !known.has(String(video.id))).map(draw);
      list.append(...items);
      items.forEach(follow);
      showEmpty();
      items[0]?.querySelector('a[href], button')?.focus();
      const cursor = answer.body.next_cursor;
      if (cursor) {
        const next = new URL(more.dataset.nextUrl, window.location.href);
        next.searchParams.set('cursor', cursor);
        more.dataset.nextUrl = next.toString();
      } else {
        more.closest('[data-studio-more-box]').hidden = true;
      }
      say(`${items.length} more loaded.`);
    } catch (error) {
      say(error instanceof TypeError ? 'No connection. Try again.' : `Could not load more: ${error.message}`);
    } finally {
      more.removeAttribute('aria-busy');
      more.querySelector('.spinner-border').classList.add('d-none');
    }
  });

  // The page renders each bar's value in aria-valuenow and its width is drawn here: the
  // Content-Security-Policy allows no style attributes.
  for (const bar of list.querySelectorAll('[data-progress-bar]')) {
    bar.querySelector('.progress-bar').style.width = `${bar.getAttribute('aria-valuenow')}%`;
  }
  for (const item of list.querySelectorAll('[data-video-id]')) follow(item);
  showEmpty();
}

const studio = document.querySelector('[data-video-studio]');
if (studio) setUp(studio);
