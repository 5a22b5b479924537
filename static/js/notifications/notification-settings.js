// The "Push notifications on this device" card of the notification settings page: says in
// words whether this browser gets push notifications, turns them on or off, and marks this
// browser in the device list. The Web Push work itself (service worker, permission,
// PushManager, telling the server) is push-subscribe.js.
import { fetchPage } from '../lib/api.js';
import { createPushSwitch } from './push-subscribe.js';

const card = document.querySelector('[data-push-card]');
const status = card.querySelector('[data-push-status]');
const button = card.querySelector('[data-push-toggle]');
const devices = card.querySelector('[data-push-devices]');

const WORDS = {
  pending: 'Working…',
  on: 'Push notifications are on for this device.',
  off: 'Push notifications are off for this device.',
  blocked:
    "This browser blocks notifications from this site. Allow them in the browser's site settings, then reload.",
  unsupported:
    'This browser cannot receive push notifications here (it needs a secure connection and Web Push support).',
  unavailable: 'This server has no Web Push keys yet.',
};
const ACTIONS = { on: 'Turn off on this device', off: 'Turn on for this device' };

function show({ state, error }) {
  status.textContent = error ? `${WORDS[state]} ${error}` : WORDS[state];
  button.hidden = !(state in ACTIONS) && state !== 'pending';
  if (ACTIONS[state]) button.textContent = ACTIONS[state];
  button.disabled = state === 'pending';
  card.setAttribute('aria-busy', String(state === 'pending'));
  if (state !== 'pending') button.dataset.state = state;
}

const push = createPushSwitch({
  vapidPublicKey: card.dataset.vapidPublicKey,
  apiUrl: card.dataset.subscriptionsApi,
  onChange: show,
});

// This browser's own subscription, to tell it apart in the list.
async function ownEndpoint() {
  try {
    const registration = await navigator.serviceWorker?.getRegistration('/');
    return (await registration?.pushManager.getSubscription())?.endpoint ?? null;
  } catch {
    return null;
  }
}

async function markThisDevice() {
  const endpoint = await ownEndpoint();
  for (const device of devices.querySelectorAll('[data-endpoint]')) {
    const mine = device.dataset.endpoint === endpoint;
    device.toggleAttribute('data-this-device', mine);
    device.querySelector('[data-this-device-label]').hidden = !mine;
  }
}

// The device list as the server has it now (this browser may just have joined or left it).
async function refreshDevices() {
  try {
    const page = await fetchPage(window.location.href);
    const fresh = page.querySelector('[data-push-devices]');
    if (fresh) devices.replaceChildren(...[...fresh.childNodes].map((node) => document.adoptNode(node)));
  } catch {
    // The list catches up at the next visit.
  }
  await markThisDevice();
}

button.addEventListener('click', async () => {
  await (button.dataset.state === 'on' ? push.disable() : push.enable());
  await refreshDevices();
});

// Removing this browser from the list also unsubscribes it here; otherwise it would sign
// itself up again at the next visit of this page.
devices.addEventListener(
  'submit',
  async (event) => {
    if (!event.target.closest('[data-this-device]')) return;
    event.preventDefault();
    await push.disable();
    await refreshDevices();
  },
  true,
);

status.textContent = 'Checking this browser…';
push.refresh().then(refreshDevices);
