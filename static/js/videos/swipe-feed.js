// The vertical swipe feed (videos/feed.html): one video per screen in a scroll-snapped list, so
// wheel, touch swipes and the scroll bar move between videos; the arrow and page keys do too.
// The video mostly on screen plays (muted until the viewer unmutes) and loops; the others are
// paused. Only the previous, current and next videos hold a source (memory), and the next one
// buffers ahead so it starts at once. Near the end the next page of the feed API is fetched and
// its videos appended, built from the JSON with textContent (never as HTML).
import { api } from '../lib/api.js';
import { VideoPlayer, keyIsForControl, resolveFollowing, sound, toast } from './video-player.js';

const root = document.querySelector('[data-swipe-feed]');
const list = root?.querySelector('[data-feed-list]');
// The template hands over its URL patterns with these in place of the post, video or name.
const PLACEHOLDER = /123456789|USERNAME|TAGNAME/;

const reduceMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches;

if (list && 'IntersectionObserver' in window) start();

function start() {
  const status = list.querySelector('[data-feed-status]');
  const viewer = root.dataset.viewer || '';
  const seen = new Set([...list.querySelectorAll('[data-video-player]')].map((slide) => slide.dataset.postId));
  let nextUrl = root.dataset.nextUrl || null;
  let loading = false;
  let current = null;
  let moving = null; // the slide a key or wheel move is scrolling to
  let settling = null;

  const slides = () => [...list.querySelectorAll('[data-video-player], [data-feed-status]')];
  const playerOf = (slide) => {
    if (!slide?.matches('[data-video-player]')) return null; // the end slide has no player
    return slide.videoPlayer ?? new VideoPlayer(slide, { fullscreenTarget: root });
  };

  function showStatus(state) {
    status.dataset.state = state;
    for (const part of status.querySelectorAll('[data-when]')) part.hidden = part.dataset.when !== state;
  }

  // --- Which video plays ------------------------------------------------------------------------

  function setCurrent(slide) {
    if (!slide || slide === current) return;
    const before = current;
    current = slide;
    if (before) {
      before.classList.remove('is-current');
      const player = playerOf(before);
      if (player) {
        player.pause();
        player.endWatch();
      }
    }
    slide.classList.add('is-current');
    const all = slides();
    const index = all.indexOf(slide);
    all.forEach((other, at) => {
      if (!other.matches('[data-video-player]')) return;
      if (Math.abs(at - index) <= 1) {
        playerOf(other).prepare(at === index + 1 || at === index ? 'auto' : 'metadata');
        resolveFollowing(other);
      } else if (other.videoPlayer) {
        other.videoPlayer.release();
      }
    });
    const player = playerOf(slide);
    if (player) {
      player.beginWatch();
      if (document.visibilityState === 'visible') player.play();
    }
    if (index >= all.length - 3) loadMore();
  }

  const observer = new IntersectionObserver(
    (entries) => {
      if (moving) return; // slides passed on the way are not watched; settled() decides
      for (const entry of entries) {
        if (entry.isIntersecting && entry.intersectionRatio >= 0.6) setCurrent(entry.target);
      }
    },
    { root: list, threshold: [0.6] },
  );
  slides().forEach((slide) => observer.observe(slide));

  // A move scrolls to the slide before or after the one being moved to (so quick presses add
  // up); a second move while the first still glides jumps, because scroll-snap-stop would
  // otherwise stop the glide at the slide in between. Where the scroll ends is what plays.
  function move(step, { focus = true } = {}) {
    const all = slides();
    const from = moving ?? current;
    const target = all[Math.max(0, Math.min(all.length - 1, all.indexOf(from) + step))];
    if (!target || target === from) return;
    const focused = document.activeElement;
    const focusWasHere = !focused || focused === document.body || current?.contains(focused);
    target.scrollIntoView({ block: 'start', behavior: moving || reduceMotion ? 'instant' : 'smooth' });
    moving = target;
    setCurrent(target);
    // Keyboard users go on from the video they moved to, not one scrolled away.
    if (focus && focusWasHere) target.focus({ preventScroll: true });
    clearTimeout(settling);
    settling = setTimeout(settled, 1000); // where scrollend is missing
  }

  function settled() {
    clearTimeout(settling);
    if (!moving) return;
    moving = null;
    const shown = slides()[Math.round(list.scrollTop / list.clientHeight)];
    if (shown) setCurrent(shown);
  }
  list.addEventListener('scrollend', settled);

  // One wheel gesture, one video: a mouse notch (about 100 px) is too short for the snap to
  // move a whole screen, and a touchpad's flick goes on sending events for a second. A gesture
  // ends after a pause in its events. Touch swipes scroll and snap by themselves.
  let wheelSum = 0;
  let wheelMoved = false;
  let wheelPause = null;
  list.addEventListener(
    'wheel',
    (event) => {
      if (event.ctrlKey || Math.abs(event.deltaY) <= Math.abs(event.deltaX)) return;
      if (event.target instanceof Element && event.target.closest('.video-caption') && !wheelMoved) {
        const caption = event.target.closest('.video-caption');
        if (caption.scrollHeight > caption.clientHeight) return; // a long caption scrolls itself
      }
      event.preventDefault();
      clearTimeout(wheelPause);
      wheelPause = setTimeout(() => {
        wheelSum = 0;
        wheelMoved = false;
      }, 200);
      if (wheelMoved) return;
      wheelSum += event.deltaMode === WheelEvent.DOM_DELTA_LINE ? event.deltaY * 40 : event.deltaY;
      if (Math.abs(wheelSum) >= 40) {
        wheelMoved = true;
        move(Math.sign(wheelSum), { focus: false });
      }
    },
    { passive: false },
  );

  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    if (target !== document.body && !root.contains(target)) return; // the navbar's menus keep their keys
    if (keyIsForControl(event)) return;
    const player = playerOf(current);
    switch (event.key) {
      case 'ArrowDown':
      case 'PageDown':
        move(1);
        break;
      case 'ArrowUp':
      case 'PageUp':
        move(-1);
        break;
      case ' ':
      case 'k':
      case 'K':
        player?.togglePlay();
        break;
      case 'm':
      case 'M':
        player?.setMuted(!sound.muted);
        break;
      case 'f':
      case 'F':
        player?.toggleFullscreen();
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  document.addEventListener('visibilitychange', () => {
    const player = playerOf(current);
    if (!player) return;
    if (document.visibilityState === 'hidden') {
      player.pause();
      player.endWatch();
    } else {
      player.beginWatch();
      if (!player.userPaused) player.play();
    }
  });
  window.addEventListener('pagehide', () => playerOf(current)?.endWatch());
  // Back from another page (the browser's cache): watch again.
  window.addEventListener('pageshow', (event) => {
    const player = playerOf(current);
    if (event.persisted && player) {
      player.beginWatch();
      player.play();
    }
  });

  // --- More videos --------------------------------------------------------------------------------

  async function loadMore() {
    if (loading || !nextUrl) return;
    loading = true;
    showStatus('loading');
    list.setAttribute('aria-busy', 'true');
    try {
      const page = await api(nextUrl);
      const fresh = page.results.filter((post) => post.media?.video && !seen.has(String(post.id)));
      let position = list.querySelectorAll('[data-video-player]').length;
      const added = fresh.map((post) => {
        seen.add(String(post.id));
        position += 1;
        return buildSlide(post, position);
      });
      status.before(...added);
      added.forEach((slide) => observer.observe(slide));
      nextUrl = page.next_cursor ? pageUrl(page.next_cursor) : null;
      showStatus(nextUrl ? 'loading' : 'end');
      if (current === status && added.length) {
        // The viewer was waiting at the end: take them to the first new video.
        added[0].scrollIntoView({ block: 'start' });
        setCurrent(added[0]);
      } else if (current) {
        const keep = current;
        current = null;
        setCurrent(keep); // the new next video buffers now
      }
    } catch {
      showStatus('error');
      toast('Could not load more videos.');
    } finally {
      loading = false;
      list.setAttribute('aria-busy', 'false');
    }
  }

  function pageUrl(cursor) {
    const url = new URL(root.dataset.feedApi, window.location.href);
    url.searchParams.set('cursor', cursor);
    return url.toString();
  }

  status.querySelector('[data-feed-retry]')?.addEventListener('click', () => {
    toast('Trying again…');
    loadMore();
  });
  // Reaching the end slide asks for more even if the window above missed it.
  new IntersectionObserver((entries) => entries.some((entry) => entry.isIntersecting) && loadMore(), {
    root: list,
  }).observe(status);

  // --- A slide from the feed API's JSON (the same markup as videos/includes/player.html) ----------

  // url('api-like', 7) fills root's data-url-api-like="/api/posts/123456789/like/".
  function url(name, value) {
    const key = `url${name.replace(/(^|-)(\w)/g, (_match, _dash, letter) => letter.toUpperCase())}`;
    return root.dataset[key].replace(PLACEHOLDER, encodeURIComponent(String(value)));
  }

  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'className') node.className = value;
      else if (name === 'text') node.textContent = value;
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    node.append(...children.filter(Boolean));
    return node;
  }

  const icon = (name, extra = '') =>
    el('i', { className: `bi bi-${name}${extra ? ` ${extra}` : ''}`, 'aria-hidden': 'true' });
  const hidden = (text) => el('span', { className: 'visually-hidden', text });

  // One of theme.css's .avatar-hue-0 … .avatar-hue-11 (the policy allows no style attributes).
  function hue(text) {
    let sum = 0;
    for (const char of text) sum = (sum * 31 + char.codePointAt(0)) % 12;
    return sum;
  }

  function avatar(author) {
    if (author.avatar_small_url) {
      return el('img', { src: author.avatar_small_url, alt: '', className: 'avatar avatar-40', width: 40, height: 40 });
    }
    const name = author.display_name || author.username;
    return el('span', {
      className: `avatar avatar-initial avatar-40 avatar-hue-${hue(author.username)}`,
      'aria-hidden': 'true',
      text: name.slice(0, 1).toUpperCase(),
    });
  }

  // The caption with #tags and @mentions linked, like posts' linkify filter (posts/text.py:
  // a tag is word characters of any script, not only digits; Python's \w is JavaScript's
  // [\p{L}\p{N}_] here).
  const LINKABLE = new RegExp(
    [
      '(?<![\\p{L}\\p{N}_#&])#([\\p{L}\\p{N}_]*[\\p{L}\\p{Nl}\\p{No}_][\\p{L}\\p{N}_]*)',
      '(?<![\\p{L}\\p{N}_@])@([A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)',
    ].join('|'),
    'gu',
  );
  function caption(text) {
    const box = el('p', { className: 'video-caption' });
    let last = 0;
    const addText = (part) =>
      part.split('\n').forEach((line, at) => {
        if (at) box.append(el('br'));
        box.append(line);
      });
    for (const match of text.matchAll(LINKABLE)) {
      addText(text.slice(last, match.index));
      const href = match[1] ? url('tag', match[1].toLowerCase()) : url('profile', match[2].toLowerCase());
      box.append(el('a', { href, text: match[0] }));
      last = match.index + match[0].length;
    }
    addText(text.slice(last));
    return box;
  }

  function csrfInput() {
    return el('input', { type: 'hidden', name: 'csrfmiddlewaretoken', value: root.dataset.csrf });
  }

  function toggle(post, { action, label, icon: off, iconOn, counter, pressed }) {
    const count = el('span', { 'data-counter': counter, text: post[counter] });
    if (!viewer) {
      const loginLabel = hidden(`Log in to ${label.toLowerCase()}`);
      return el('a', { className: 'btn btn-action', href: url('login', '') }, icon(off), loginLabel, count);
    }
    return el(
      'form',
      {
        method: 'post',
        action: url(action, post.id),
        'data-post-action': action,
        'data-api': url(`api-${action}`, post.id),
      },
      csrfInput(),
      el('input', { type: 'hidden', name: 'next', value: window.location.pathname }),
      el('input', { type: 'hidden', name: 'undo', value: pressed ? '1' : '0' }),
      el(
        'button',
        { type: 'submit', className: `btn btn-action action-${action}`, 'aria-pressed': String(pressed) },
        icon(off, 'icon-off'),
        icon(iconOn, 'icon-on'),
        hidden(label),
        count,
      ),
    );
  }

  function followControl(author) {
    if (author.username === viewer) return null;
    const label = `Follow @${author.username}`;
    if (!viewer) {
      return el(
        'a',
        { className: 'btn btn-sm video-follow', href: url('login', '') },
        el('span', { 'aria-hidden': 'true', text: 'Follow' }),
        hidden(`Log in to follow @${author.username}`),
      );
    }
    const following = author.is_followed === undefined ? 'unknown' : String(author.is_followed);
    return el(
      'form',
      {
        method: 'post',
        className: 'video-follow-form',
        action: url(following === 'true' ? 'unfollow' : 'follow', author.username),
        'data-follow': author.username,
        'data-following': following,
        'data-api': url('api-user-follow', author.username),
        'data-profile-api': url('api-user', author.username),
        'data-follow-url': url('follow', author.username),
        'data-unfollow-url': url('unfollow', author.username),
      },
      csrfInput(),
      el('input', { type: 'hidden', name: 'next', value: window.location.pathname }),
      el(
        'button',
        { type: 'submit', className: 'btn btn-sm video-follow', 'aria-pressed': String(following === 'true') },
        el('span', { className: 'follow-off', 'aria-hidden': 'true' }, icon('plus-lg'), ' Follow'),
        el('span', { className: 'follow-on', 'aria-hidden': 'true' }, icon('check2'), ' Following'),
        hidden(label),
      ),
    );
  }

  function buildSlide(post, position) {
    const video = post.media.video;
    const author = post.author;
    const name = author.display_name || author.username;
    const profile = url('profile', author.username);
    const mediaElement = el('video', {
      className: 'video-media',
      'data-video': true,
      playsinline: true,
      muted: true,
      loop: true,
      preload: 'none',
      poster: video.poster_url,
      width: video.width,
      height: video.height,
      'aria-label': `Video by ${name}`,
    });
    mediaElement.muted = sound.muted;
    const stage = el(
      'div',
      { className: 'video-stage' },
      mediaElement,
      el('span', { className: 'video-paused-icon', 'aria-hidden': 'true' }, icon('play-fill')),
      el('span', { className: 'video-buffering spinner-border', 'aria-hidden': 'true' }),
      el('p', { className: 'video-error', text: 'This video cannot be played right now.' }),
      el(
        'button',
        { type: 'button', className: 'video-unmute', 'data-unmute': true, hidden: !sound.muted },
        icon('volume-mute-fill'),
        ' Tap to unmute',
      ),
      controls(),
      el(
        'div',
        { className: 'video-info' },
        el(
          'div',
          { className: 'video-byline' },
          el(
            'a',
            { className: 'video-author', href: profile, id: `video-${post.id}-by` },
            avatar(author),
            el('span', { className: 'video-author-name', text: name }),
            ' ',
            el('span', { className: 'video-handle', text: `@${author.username}` }),
          ),
          followControl(author),
        ),
        post.body ? caption(post.body) : null,
      ),
      el('div', { className: 'video-progress', 'aria-hidden': 'true' }, el('span', { 'data-progress': true })),
    );
    const actions = el(
      'div',
      { className: 'post-actions video-actions', role: 'group', 'aria-label': 'Actions on this video' },
      toggle(post, {
        action: 'like',
        label: 'Like',
        icon: 'heart',
        iconOn: 'heart-fill',
        counter: 'likes_count',
        pressed: post.is_liked,
      }),
      el(
        'a',
        { className: 'btn btn-action', href: `${url('detail', post.id)}#comments` },
        icon('chat'),
        hidden('Comments'),
        el('span', { 'data-counter': 'comments_count', text: post.comments_count }),
      ),
      toggle(post, {
        action: 'save',
        label: 'Save',
        icon: 'bookmark',
        iconOn: 'bookmark-fill',
        counter: 'saves_count',
        pressed: post.is_saved,
      }),
      el(
        'a',
        { className: 'btn btn-action', href: post.url, 'data-video-share': true, 'data-title': `Video by ${name}` },
        icon('share'),
        hidden('Share link'),
        el('span', { className: 'action-label', 'aria-hidden': 'true', text: 'Share' }),
      ),
    );
    return el(
      'article',
      {
        className: 'video-slide',
        id: `video-${post.id}`,
        tabindex: '-1',
        'data-video-player': true,
        'data-post-id': post.id,
        'data-video-id': video.id,
        'data-playlist': video.playlist_url || '',
        'data-mp4': video.mp4_url || '',
        'data-duration': video.duration ?? '',
        'data-view-url': url('api-view', post.id),
        'data-watch-url': url('api-watch', video.id),
        'aria-labelledby': `video-${post.id}-by`,
        'aria-posinset': position,
        'aria-setsize': '-1',
      },
      stage,
      actions,
    );
  }

  // A toggle of the control bar: `data` names it for video-player.js, `off`/`on` its icons.
  function control(data, { label, pressed, keys, off, on, extra = '' }) {
    return el(
      'button',
      {
        type: 'button',
        className: `video-control${extra}`,
        [data]: true,
        'aria-label': label,
        'aria-pressed': String(pressed),
        'aria-keyshortcuts': keys,
      },
      icon(off, 'icon-off'),
      icon(on, 'icon-on'),
    );
  }

  function controls() {
    const volume = el('input', {
      type: 'range',
      className: 'form-range video-volume',
      'data-volume': true,
      min: 0,
      max: 100,
      step: 5,
      value: 100,
    });
    return el(
      'div',
      { className: 'video-controls', role: 'group', 'aria-label': 'Video controls' },
      control('data-play-toggle', {
        label: 'Play',
        pressed: false,
        keys: 'k Space',
        off: 'play-fill',
        on: 'pause-fill',
      }),
      control('data-mute-toggle', {
        label: 'Mute',
        pressed: sound.muted,
        keys: 'm',
        off: 'volume-up-fill',
        on: 'volume-mute-fill',
      }),
      el('label', { className: 'video-volume-label' }, hidden('Volume'), volume),
      control('data-fullscreen', {
        label: 'Full screen',
        pressed: false,
        keys: 'f',
        off: 'fullscreen',
        on: 'fullscreen-exit',
        extra: ' ms-auto',
      }),
    );
  }

  // ?start=<post id>: the server put that video first; make sure it is the one on screen.
  const first = root.dataset.start && document.getElementById(`video-${root.dataset.start}`);
  if (first && first !== list.querySelector('[data-video-player]')) first.scrollIntoView({ block: 'start' });
  showStatus(nextUrl ? 'loading' : 'end');
}
