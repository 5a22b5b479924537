// Like, repost and save without leaving the page: the toggle forms (which work without
// JavaScript) are sent to the JSON API instead, and every copy of the post on the page (a post
// and a repost of it may both be in a feed) takes the answer: counters and pressed states.
// Share copies the post's address (or opens the system's share sheet where there is one).
import { csrfToken } from './csrf.js';
const FLAGS = { like: 'is_liked', save: 'is_saved', repost: 'is_reposted' };

function announce(card, message) {
  let status = card.querySelector('[data-action-status]');
  if (!status) {
    status = document.createElement('p');
    status.className = 'action-status small mb-0';
    status.setAttribute('role', 'status');
    status.dataset.actionStatus = '';
    card.querySelector('.post-actions').after(status);
  }
  status.textContent = message;
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
  form.setAttribute('aria-busy', 'true');
  try {
    const response = await fetch(form.dataset.api, {
      method: turnOn ? 'POST' : 'DELETE',
      headers: { Accept: 'application/json', 'X-CSRFToken': csrfToken() },
      credentials: 'same-origin',
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      announce(card, body.message ?? 'That did not work. Try again.');
      return;
    }
    // A new repost answers with the repost itself; its original carries the counters.
    showEngagement(body.repost_of ?? body);
    announce(card, '');
  } catch {
    announce(card, 'No connection. Try again.');
  } finally {
    form.removeAttribute('aria-busy');
  }
}

// Capture, so this runs before busy-forms.js marks the form as sent.
document.addEventListener(
  'submit',
  (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches('form[data-post-action]')) return;
    event.preventDefault();
    if (form.getAttribute('aria-busy') !== 'true') toggle(form);
  },
  true,
);

document.addEventListener('click', async (event) => {
  const link = event.target.closest('a[data-share]');
  if (!link || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  const url = link.href.split('#')[0];
  if (navigator.share) {
    try {
      await navigator.share({ url });
    } catch {
      // closed without sharing
    }
    return;
  }
  const card = link.closest('[data-post-id]');
  try {
    await navigator.clipboard.writeText(url);
    announce(card, 'Link copied.');
  } catch {
    window.location.href = url;
  }
});
