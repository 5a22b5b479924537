// Live counters on every post card of the page (also cards that infinite scroll appends
// later), and on the Following feed a "N new posts" banner when people I follow post.
import { api } from '../lib/api.js';
import { subscribe, unsubscribe } from '../lib/socket.js';

const CARD = 'article.post-card[data-post-id]';
// The server lets one socket follow 200 streams; past this many cards, the ones highest up
// the page stop updating, so those infinite scroll appended last (where the reader is) do.
const MAX_LIVE_POSTS = 150;

const live = new Map(); // post id -> its handler

function showCounters(postId, counters) {
  document.querySelectorAll(`${CARD}[data-post-id="${postId}"]`).forEach((card) => {
    card.querySelectorAll('[data-counter]').forEach((counter) => {
      const value = counters[counter.dataset.counter];
      // A repost card may hold the original's card: its counters are that post's own.
      if (value !== undefined && counter.closest(CARD) === card) counter.textContent = String(value);
    });
  });
}

function follow(postId) {
  const handler = (event, data) => {
    if (event === 'counters') showCounters(postId, data);
  };
  live.set(postId, handler);
  subscribe(`post:${postId}`, handler);
}

function stop(postId) {
  unsubscribe(`post:${postId}`, live.get(postId));
  live.delete(postId);
}

function syncCards() {
  const shown = [...new Set([...document.querySelectorAll(CARD)].map((card) => card.dataset.postId))];
  const wanted = new Set(shown.slice(-MAX_LIVE_POSTS));
  [...live.keys()].filter((postId) => !wanted.has(postId)).forEach(stop);
  wanted.forEach((postId) => {
    if (!live.has(postId)) follow(postId);
  });
}

function touchesCards(mutation) {
  return [...mutation.addedNodes, ...mutation.removedNodes].some(
    (node) => node.nodeType === Node.ELEMENT_NODE && (node.matches(CARD) || node.querySelector(CARD)),
  );
}

function newPostsBanner(banner) {
  const button = banner.querySelector('button');
  const arrived = new Set();
  banner.setAttribute('aria-live', 'polite');
  const note = (postId) => {
    if (arrived.has(postId) || document.querySelector(`${CARD}[data-post-id="${postId}"]`)) return;
    arrived.add(postId);
    const render = () => {
      button.textContent = arrived.size === 1 ? '1 new post' : `${arrived.size} new posts`;
    };
    if (banner.hidden) {
      banner.hidden = false;
      // Change the text once the live region is shown, so screen readers announce it.
      window.requestAnimationFrame(render);
    } else {
      render();
    }
  };
  // Posts announced while the socket was down are lost: after a reconnect, the newest page of
  // the feed tells which came since the newest card shown.
  const catchUp = async () => {
    const { results } = await api(banner.dataset.catchUpUrl);
    const cards = [...document.querySelectorAll(CARD)].map((card) => Number(card.dataset.postId));
    const newest = Math.max(0, ...cards);
    results.filter((post) => post.id > newest).forEach((post) => note(post.id));
  };
  subscribe('feed:following', (event, data) => {
    if (event === 'new_post') note(data.id);
    else if (event === 'resumed') catchUp().catch(() => {});
  });
  button.addEventListener('click', () => {
    // The newest page, from its top: leave any cursor of pages loaded further down.
    window.scrollTo(0, 0);
    window.location.assign(window.location.pathname);
  });
}

syncCards();
new MutationObserver((mutations) => {
  if (mutations.some(touchesCards)) syncCards();
}).observe(document.body, { childList: true, subtree: true });

const banner = document.querySelector('[data-new-posts-banner]');
if (banner) newPostsBanner(banner);
