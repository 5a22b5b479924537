// Like, repost and save without leaving the page: the toggle forms (which work without
// JavaScript) are sent to the JSON API instead, and every copy of the post on the page (a post
// and a repost of it may both be in a feed) takes the answer: counters and pressed states.
// Share copies the post's address (or opens the system's share sheet where there is one).
import { api, failureMessage } from '../lib/api.js';
import { announce, liveRegion } from '../lib/announce.js';
import { sendByScript } from '../lib/forms.js';
import { shareLinks } from '../lib/share.js';

const FLAGS = { like: 'is_liked', save: 'is_saved', repost: 'is_reposted' };

// Under the card's actions, made at its first message.
function say(card, message) {
  const region = liveRegion(card, 'action-status', {
    className: 'action-status small mb-0',
    place: (status) => card.querySelector('.post-actions').after(status),
  });
  announce(region, message);
}

// `engagement`: the API's answer {id, likes_count, …, is_liked, is_saved, is_reposted}.
export function showEngagement(engagement) {
  for (const card of document.querySelectorAll(`[data-post-id="${engagement.id}"]`)) {
    for (const counter of card.querySelectorAll('[data-counter]')) {
      const value = engagement[counter.dataset.counter];
      if (value !== undefined) counter.textContent = value;
    }
    for (const form of card.querySelectorAll('form[data-post-action]')) {
      const pressed = engagement[FLAGS[form.dataset.postAction]];
      if (pressed === undefined) continue;
      form.querySelector('button[aria-pressed]').setAttribute('aria-pressed', String(pressed));
      form.querySelector('[name="undo"]').value = pressed ? '1' : '0';
    }
  }
}

async function toggle(form) {
  const button = form.querySelector('button[aria-pressed]');
  const card = form.closest('[data-post-id]');
  const turnOn = button.getAttribute('aria-pressed') !== 'true';
  try {
    const body = await api(form.dataset.api, { method: turnOn ? 'POST' : 'DELETE' });
    // A new repost answers with the repost itself; its original carries the counters.
    showEngagement(body.repost_of ?? body);
    say(card, '');
  } catch (error) {
    say(card, failureMessage(error));
  }
}

sendByScript('form[data-post-action]', toggle);

shareLinks('a[data-share]', {
  copied: (link) => say(link.closest('[data-post-id]'), 'Link copied.'),
  failed: (_link, url) => {
    window.location.href = url;
  },
});
