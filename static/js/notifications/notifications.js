// The bell in the navbar and the live notifications page. Every tab of a signed-in person
// follows the stream "notifications" on the tab's one socket (socket.js): a new notification
// moves the unread count at once, is read out politely, and appears at the top of the bell's
// menu (when open) and of the notifications page; reads and removals made in other tabs apply
// here too. Events carry the whole unread count, so the badge never drifts. After a
// reconnect ("resumed") the tab asks the API for everything after the highest id it has seen,
// so nothing sent while the socket was down is lost.
import { api, csrfToken } from '../lib/api.js';
import { announce as say } from '../lib/announce.js';
import { subscribe } from '../lib/socket.js';
import { since } from '../lib/time.js';

const STREAM = 'notifications';
const MENU_SIZE = 8;
const MAX_CATCH_UP_PAGE = 100; // the API's largest page

const center = document.querySelector('[data-notification-bell]');
const pageRoot = document.querySelector('[data-notification-page]');
const announcer = document.querySelector('[data-notification-announcer]');
const urls = {
  list: center.dataset.listUrl,
  listApi: center.dataset.listApi,
  unreadApi: center.dataset.unreadApi,
  readAllApi: center.dataset.readAllApi,
  readApi: (id) => center.dataset.readApi.replace(/\/0\/(read\/)$/, `/${id}/$1`),
};
const baseTitle = document.title.replace(/^\(\d+\+?\) /, '');

let unread = Number(center.dataset.unread || 0);
let lastId = Number(pageRoot?.dataset.newestId || 0); // the highest notification id this tab has seen

// Reads are sent with keepalive: one sent just before leaving the page still arrives.
const READ = { method: 'POST', keepalive: true };

function seen(notifications) {
  for (const notification of notifications) lastId = Math.max(lastId, notification.id);
}

// --- The count ----------------------------------------------------------------------------------

function setUnread(count) {
  unread = Math.max(0, count);
  const shown = unread > 99 ? '99+' : String(unread);
  for (const badge of document.querySelectorAll('[data-notification-badge]')) {
    badge.textContent = shown;
    badge.hidden = unread === 0;
  }
  for (const label of document.querySelectorAll('[data-notification-label]')) {
    label.setAttribute('aria-label', unread ? `Notifications, ${unread} unread` : 'Notifications');
  }
  document.title = unread ? `(${shown}) ${baseTitle}` : baseTitle;
}

async function refreshCount() {
  try {
    setUnread((await api(urls.unreadApi)).unread);
  } catch {
    // The next event carries the count again.
  }
}

function announce(text) {
  say(announcer, text, { again: true }); // the same sentence twice is read twice
}

// --- Drawing a notification (as notifications/includes/item.html does) -------------------------

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function avatar(actor, size) {
  if (actor?.avatar_url) {
    const image = element('img', 'avatar');
    Object.assign(image, { src: actor.avatar_url, alt: '', width: size, height: size });
    image.style.setProperty('--avatar-size', `${size}px`);
    return image;
  }
  if (actor) {
    const letter = (actor.display_name || actor.username).slice(0, 1).toUpperCase();
    const initial = element('span', 'avatar avatar-initial', letter);
    initial.setAttribute('aria-hidden', 'true');
    initial.style.setProperty('--avatar-size', `${size}px`);
    return initial;
  }
  const site = element('span', 'notification-site-icon');
  site.setAttribute('aria-hidden', 'true');
  site.append(element('i', 'bi bi-lightning-charge-fill'));
  return site;
}

function timeOf(notification) {
  const time = element('time', '', since(notification.created_at));
  time.dateTime = notification.created_at;
  time.title = new Date(notification.created_at).toLocaleString();
  return time;
}

function unreadLabel() {
  const label = element('span', 'visually-hidden', ', unread');
  label.dataset.unreadLabel = '';
  return label;
}

function dot() {
  const mark = element('span', 'notification-dot');
  mark.setAttribute('aria-hidden', 'true');
  return mark;
}

function hiddenInput(name, value) {
  const input = element('input');
  Object.assign(input, { type: 'hidden', name, value });
  return input;
}

function pageItem(notification) {
  const item = element('li', `notification-item${notification.read ? '' : ' is-unread'}`);
  item.id = `notification-${notification.id}`;
  item.dataset.notificationId = notification.id;
  const picture = element('span', 'notification-avatar');
  picture.append(avatar(notification.actor, 40));
  const body = element('div', 'notification-body');
  const text = element(notification.url ? 'a' : 'span', 'notification-text', notification.text);
  if (notification.url) {
    text.href = notification.url;
    text.dataset.notificationLink = '';
  }
  body.append(text);
  if (notification.excerpt) body.append(element('p', 'notification-excerpt', notification.excerpt));
  const meta = element('div', 'notification-meta');
  meta.append(timeOf(notification));
  if (!notification.read) meta.append(unreadLabel());
  body.append(meta);
  item.append(picture, body);
  if (!notification.read) {
    const form = element('form', 'notification-read-form');
    form.method = 'post';
    form.action = pageRoot.dataset.readUrl.replace(/\/0\/(read\/)$/, `/${notification.id}/$1`);
    form.dataset.notificationRead = '';
    form.append(
      hiddenInput('csrfmiddlewaretoken', csrfToken()),
      hiddenInput('next', window.location.pathname + window.location.search),
    );
    const button = element('button', 'btn btn-sm btn-outline-primary');
    button.type = 'submit';
    button.setAttribute('aria-label', `Mark read: ${notification.text}`);
    const icon = element('i', 'bi bi-check2');
    icon.setAttribute('aria-hidden', 'true');
    button.append(icon, element('span', 'notification-read-label', 'Mark read'));
    form.append(button);
    item.append(form, dot());
  }
  return item;
}

function menuItem(notification) {
  const item = element('li', notification.read ? '' : 'is-unread');
  item.dataset.notificationId = notification.id;
  const link = element('a', 'dropdown-item notification-entry');
  link.href = notification.url || urls.list;
  link.dataset.notificationLink = '';
  const body = element('span', 'notification-body');
  body.append(element('span', 'notification-text', notification.text));
  if (notification.excerpt) body.append(element('span', 'notification-excerpt', notification.excerpt));
  const meta = element('span', 'notification-meta');
  meta.append(timeOf(notification));
  if (!notification.read) meta.append(unreadLabel());
  body.append(meta);
  link.append(avatar(notification.actor, 32), body);
  if (!notification.read) link.append(dot());
  item.append(link);
  return item;
}

function showRead(item) {
  item.classList.remove('is-unread');
  for (const node of item.querySelectorAll('[data-notification-read], .notification-dot, [data-unread-label]')) {
    node.remove();
  }
}

// --- A list of notifications kept in step with the events ------------------------------------

class NotificationList {
  constructor(list, { draw, unreadOnly = false, limit = Infinity, onChange = () => {} }) {
    Object.assign(this, { list, draw, unreadOnly, limit, onChange });
  }

  items() {
    return [...this.list.querySelectorAll(':scope > [data-notification-id]')];
  }

  item(id) {
    return this.list.querySelector(`:scope > [data-notification-id="${id}"]`);
  }

  /** Put `notification` in its place (newest first), instead of the group row it replaces. */
  upsert(notification, replaces = null) {
    if (replaces) this.item(replaces)?.remove();
    this.item(notification.id)?.remove();
    if (!(this.unreadOnly && notification.read)) {
      const after = this.items().find((item) => Number(item.dataset.notificationId) < notification.id);
      this.list.insertBefore(this.draw(notification), after ?? null);
      this.items().slice(this.limit).forEach((item) => item.remove());
    }
    this.onChange();
  }

  /** Show as read the notifications `ids`, or (ids null) all up to `upTo` (or all). */
  markRead(ids, upTo) {
    for (const item of this.items()) {
      const id = Number(item.dataset.notificationId);
      if (ids ? ids.includes(id) : upTo === null || upTo === undefined || id <= upTo) showRead(item);
    }
  }

  remove(ids) {
    ids.forEach((id) => this.item(id)?.remove());
    this.onChange();
  }

  replaceAll(notifications) {
    this.list.replaceChildren(...notifications.map((notification) => this.draw(notification)));
    this.onChange();
  }
}

// --- The bell's menu ------------------------------------------------------------------------------

const toggle = center.querySelector('[data-bs-toggle="dropdown"]');
const menuStatus = center.querySelector('[data-notification-menu-status]');
const menu = new NotificationList(center.querySelector('[data-notification-menu-list]'), {
  draw: menuItem,
  limit: MENU_SIZE,
  onChange: () => {
    if (menuState === 'ready' || menuState === 'empty') showMenuState(menu.items().length ? 'ready' : 'empty');
  },
});
let menuState = 'closed'; // closed, loading, ready, empty, failed

function showMenuState(state) {
  menuState = state;
  menuStatus.replaceChildren();
  menuStatus.hidden = state === 'ready';
  if (state === 'loading') {
    const spinner = element('span', 'spinner-border spinner-border-sm me-2');
    spinner.setAttribute('aria-hidden', 'true');
    menuStatus.append(spinner, 'Loading your notifications…');
  } else if (state === 'empty') {
    const icon = element('i', 'bi bi-bell-slash d-block fs-3 mb-1');
    icon.setAttribute('aria-hidden', 'true');
    menuStatus.append(icon, "You're all caught up.");
  } else if (state === 'failed') {
    menuStatus.append('Could not load your notifications. ');
    const again = element('button', 'btn btn-link btn-sm p-0 align-baseline', 'Try again');
    again.type = 'button';
    again.addEventListener('click', loadMenu);
    menuStatus.append(again);
  }
}

async function loadMenu() {
  showMenuState('loading');
  try {
    const page = await api(`${urls.listApi}?size=${MENU_SIZE}`);
    seen(page.results);
    menuState = 'ready';
    menu.replaceAll(page.results);
  } catch {
    menu.list.replaceChildren();
    showMenuState('failed');
  }
}

center.addEventListener('show.bs.dropdown', loadMenu);
center.addEventListener('hidden.bs.dropdown', () => {
  menuState = 'closed';
});
// The toggle is a link (the notifications page without JavaScript) acting as a button: a
// button opens with Space too.
toggle.addEventListener('keydown', (event) => {
  if (event.key === ' ') {
    event.preventDefault();
    toggle.click();
  }
});

// --- The notifications page ----------------------------------------------------------------------

const page = pageRoot
  ? new NotificationList(pageRoot.querySelector('#notification-list'), {
      draw: pageItem,
      unreadOnly: pageRoot.dataset.unreadOnly === 'true',
      onChange: () => {
        const empty = !pageRoot.querySelector('#notification-list > [data-notification-id]');
        pageRoot.querySelector('[data-notification-empty]').hidden = !empty;
        const readAll = pageRoot.querySelector('[data-notification-read-all]');
        if (readAll) {
          readAll.hidden = empty;
          // What "mark all" covers: everything shown, not what arrives after.
          readAll.querySelector('[data-up-to]').value = lastId || '';
        }
      },
    })
  : null;

/** After a reconnect: take the newest page again and make the rows shown agree with it
 * (a grouped notification re-issued while away leaves its old row behind otherwise). */
async function reconcilePage() {
  const shown = page.items();
  const size = Math.min(Math.max(shown.length, 20), MAX_CATCH_UP_PAGE);
  const fresh = await api(`${urls.listApi}?size=${size}${page.unreadOnly ? '&unread=1' : ''}`);
  const byId = new Map(fresh.results.map((notification) => [notification.id, notification]));
  const oldestFresh = fresh.results.length ? fresh.results[fresh.results.length - 1].id : 0;
  const floor = fresh.next_cursor ? oldestFresh : 0;
  for (const item of shown) {
    const id = Number(item.dataset.notificationId);
    if (id >= floor && !byId.has(id)) item.remove();
    else if (byId.get(id)?.read) showRead(item);
  }
  const oldestShown = Math.min(...page.items().map((item) => Number(item.dataset.notificationId)));
  const moreBelow = Boolean(pageRoot.querySelector('[data-load-more]'));
  for (const notification of fresh.results) {
    // Older rows than those shown come with "Load more"; drawing them now would show them twice.
    if (!page.item(notification.id) && (notification.id > oldestShown || !moreBelow)) page.upsert(notification);
  }
  seen(fresh.results);
  page.onChange();
}

// --- Reading --------------------------------------------------------------------------------------

function lists() {
  return [menuState === 'closed' ? null : menu, page].filter(Boolean);
}

function applyRead(ids, upTo) {
  lists().forEach((list) => list.markRead(ids, upTo));
}

async function markAllRead(upTo) {
  try {
    const answer = await api(urls.readAllApi, { ...READ, json: upTo ? { up_to: upTo } : {} });
    applyRead(null, upTo || null);
    setUnread(answer.unread);
    return true;
  } catch {
    announce('That did not work. Try again.');
    return false;
  }
}

center.querySelector('[data-notification-mark-all]').addEventListener('click', () => markAllRead(lastId));

// Opening a notification marks it read; a new tab or window opens at once, the same tab after
// the read is sent (keepalive: it arrives even though the page is left).
document.addEventListener('click', (event) => {
  const link = event.target.closest('a[data-notification-link]');
  const item = link?.closest('[data-notification-id].is-unread');
  if (!item) return;
  const read = api(urls.readApi(item.dataset.notificationId), READ).catch(() => null);
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  read.finally(() => window.location.assign(link.href));
});

// The page's forms go to the API instead (capture: before busy-forms.js marks them sent).
document.addEventListener(
  'submit',
  async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.matches('[data-notification-read]')) {
      event.preventDefault();
      const item = form.closest('[data-notification-id]');
      const id = Number(item.dataset.notificationId);
      form.setAttribute('aria-busy', 'true');
      try {
        await api(urls.readApi(id), READ);
        applyRead([id], null);
        await refreshCount();
        announce('Marked read.');
      } catch {
        form.removeAttribute('aria-busy');
        announce('That did not work. Try again.');
      }
    } else if (form.matches('[data-notification-read-all]')) {
      event.preventDefault();
      form.setAttribute('aria-busy', 'true');
      if (await markAllRead(Number(form.querySelector('[data-up-to]').value) || null)) announce('All caught up.');
      form.removeAttribute('aria-busy');
    }
  },
  true,
);

// --- Live events and catching up ----------------------------------------------------------------

function receive(notification, replaces) {
  seen([notification]);
  lists().forEach((list) => list.upsert(notification, replaces));
}

/** Apply what arrived while this tab was not listening: since the page was rendered (the
 * first subscription) or during an outage, after which the list page is also reconciled. */
async function catchUp(afterOutage) {
  await refreshCount();
  try {
    if (lastId) {
      const missed = await api(`${urls.listApi}?after=${lastId}`);
      if (missed.next_cursor === 'more') {
        // Too much to apply one by one: show the newest instead.
        if (menuState !== 'closed') loadMenu();
        if (page) pageRoot.querySelector('[data-notification-stale]').hidden = false;
        return;
      }
      missed.results.forEach((notification) => receive(notification, null));
      const fresh = missed.results.filter((notification) => !notification.read);
      if (fresh.length === 1) announce(fresh[0].text);
      else if (fresh.length > 1) announce(`${fresh.length} new notifications`);
    } else if (menuState !== 'closed') {
      loadMenu();
    }
    if (page && afterOutage) await reconcilePage();
  } catch {
    // Still offline: the next reconnect tries again.
  }
}

subscribe(STREAM, (event, data) => {
  if (event === 'notification') {
    receive(data.notification, data.replaces);
    setUnread(data.unread);
    announce(data.notification.text);
  } else if (event === 'read') {
    applyRead(data.ids, data.up_to);
    setUnread(data.unread);
  } else if (event === 'removed') {
    lists().forEach((list) => list.remove(data.ids));
    setUnread(data.unread);
  } else if (event === 'subscribed' || event === 'resumed') {
    catchUp(event === 'resumed');
  }
});

setUnread(unread);
