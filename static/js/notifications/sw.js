// The service worker: shows Web Push notifications and opens the right page on a click.
// Served at /sw.js (scope "/") as a plain script: no imports, nothing from the pages.
//
// A push carries JSON from notifications/webpush.py:
//   {title, body, url, tag, icon, id, unread}
// `tag` makes a regrouped notification ("Ana and 3 others liked your post") replace the one
// already shown instead of stacking; `unread` sets the app badge where there is one.
const SUBSCRIPTIONS_API = '/api/notifications/push-subscriptions/';
const PREFERENCES_API = '/api/notifications/preferences/';
const INBOX = '/notifications/';

// Only pages of this site open from a notification: whatever host the server named in the
// link (SITE_URL may differ from the address the browser uses), the path is taken on ours.
function sameOriginUrl(url) {
  const link = new URL(url || INBOX, self.location.origin);
  return new URL(link.pathname + link.search + link.hash, self.location.origin).href;
}

function readPush(event) {
  if (!event.data) return {};
  try {
    return event.data.json();
  } catch {
    return { body: event.data.text() };
  }
}

async function setBadge(unread) {
  if (!('setAppBadge' in self.navigator) || typeof unread !== 'number') return;
  try {
    if (unread > 0) await self.navigator.setAppBadge(unread);
    else await self.navigator.clearAppBadge();
  } catch {
    // Badges are a nicety; a browser that refuses one still shows the notification.
  }
}

self.addEventListener('install', () => {
  // Nothing to cache: take over at once so a new version handles the next push.
  self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener('push', (event) => {
  const push = readPush(event);
  const options = {
    body: push.body || '',
    tag: push.tag || undefined,
    renotify: false, // a regrouped update replaces the shown one quietly
    data: { url: sameOriginUrl(push.url), id: push.id ?? null },
  };
  if (push.icon) options.icon = push.icon;
  // The browser requires every push to show something (userVisibleOnly), even an odd one.
  event.waitUntil(
    Promise.all([self.registration.showNotification(push.title || self.location.host, options), setBadge(push.unread)]),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = sameOriginUrl(event.notification.data?.url);
  event.waitUntil(
    (async () => {
      const tabs = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = tabs.find((tab) => tab.url === url);
      if (open) return open.focus();
      return self.clients.openWindow(url);
    })(),
  );
});

async function csrfToken() {
  // Service workers cannot read document.cookie; the Cookie Store API (Chromium) can.
  if (!self.cookieStore) return null;
  const cookie = await self.cookieStore.get('csrftoken');
  return cookie ? cookie.value : null;
}

async function applicationServerKey() {
  const response = await fetch(PREFERENCES_API, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!response.ok) return null;
  const { vapid_public_key: key } = await response.json();
  if (!key) return null;
  const base64 = (key + '='.repeat((4 - (key.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(base64), (character) => character.charCodeAt(0));
}

// The push service replaced or expired the subscription: make a new one and tell the site.
// Where this cannot finish (no Cookie Store for the CSRF token, signed out), the settings page
// sends the current subscription the next time it opens, and the server drops the old one
// when its push service answers 410.
self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil(
    (async () => {
      let subscription = event.newSubscription;
      if (!subscription) {
        const key = event.oldSubscription?.options?.applicationServerKey || (await applicationServerKey());
        if (!key) return;
        subscription = await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
      }
      const token = await csrfToken();
      if (!token) return;
      await fetch(SUBSCRIPTIONS_API, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': token },
        body: JSON.stringify(subscription.toJSON()),
      });
    })(),
  );
});
