// Web Push on this device, for the notification settings page. The page gives the server's
// VAPID public key and the devices API; this module registers the service worker (/sw.js,
// scope "/"), asks the browser's permission when the person clicks, subscribes, and tells the
// server (POST PushSubscription.toJSON(); DELETE {endpoint} to stop).
//
//   const push = createPushSwitch({ vapidPublicKey, apiUrl, onChange: ({ state, label, error }) => … });
//   await push.refresh();                      // on load: what this device is doing now
//   button.addEventListener('click', () => push.enable());   // must run from a click
//   other.addEventListener('click', () => push.disable());
//
// Every call resolves to, and onChange receives, { state, label, error }: state is one of
// STATES' keys ("pending" while the browser and the server are asked); error is a sentence
// when the last step failed (state then tells where the device stands).

import { ApiError, api } from '../lib/api.js';

export const STATES = {
  pending: 'Working…',
  on: 'On on this device',
  off: 'Off on this device',
  blocked: 'Blocked by the browser',
  unsupported: 'Not supported',
  unavailable: 'Not available on this server',
};

// A browser that cannot reach its push service may never answer subscribe() (Chromium waits
// on Google's service); past this the person is told instead of waiting on a spinner.
const SUBSCRIBE_TIMEOUT = 30000;

function base64UrlBytes(text) {
  const base64 = (text + '='.repeat((4 - (text.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(base64), (character) => character.charCodeAt(0));
}

function sameBytes(buffer, bytes) {
  if (!buffer) return false;
  const view = new Uint8Array(buffer);
  return view.length === bytes.length && view.every((value, index) => value === bytes[index]);
}

export function pushSupported() {
  return (
    window.isSecureContext && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window
  );
}

export function createPushSwitch({ vapidPublicKey, apiUrl, serviceWorkerUrl = '/sw.js', onChange = () => {} }) {
  const key = vapidPublicKey ? base64UrlBytes(vapidPublicKey) : null;

  function report(state, error = '') {
    const result = { state, label: STATES[state], error };
    onChange(result);
    return result;
  }

  function blocker() {
    if (!pushSupported()) return 'unsupported';
    if (!key) return 'unavailable';
    if (Notification.permission === 'denied') return 'blocked';
    return null;
  }

  async function registration() {
    await navigator.serviceWorker.register(serviceWorkerUrl, { scope: '/' });
    return navigator.serviceWorker.ready; // subscribing needs an active worker
  }

  async function send(method, json) {
    try {
      await api(apiUrl, { method, json });
    } catch (error) {
      if (error instanceof ApiError && !error.said) throw new Error(`The server answered ${error.status}.`);
      throw error;
    }
  }

  // A subscription made under another server key (the keys were replaced) gets no pushes.
  async function currentSubscription(reg) {
    const subscription = await reg.pushManager.getSubscription();
    if (subscription && !sameBytes(subscription.options?.applicationServerKey, key)) {
      await subscription.unsubscribe();
      return null;
    }
    return subscription;
  }

  async function subscribeAndSave(reg) {
    let subscription = await currentSubscription(reg);
    subscription ??= await Promise.race([
      reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }),
      new Promise((resolve, reject) => {
        setTimeout(() => reject(new Error("The browser's push service did not answer.")), SUBSCRIBE_TIMEOUT);
      }),
    ]);
    try {
      await send('POST', subscription.toJSON());
    } catch (error) {
      await subscription.unsubscribe(); // the server would never push to it
      throw error;
    }
  }

  // What this device does now. With permission already given it re-sends the subscription,
  // so the server knows it again (after it dropped it, or when another person signed in here)
  // and a subscription under old keys is replaced without asking anything.
  async function refresh() {
    const blocked = blocker();
    if (blocked) return report(blocked);
    try {
      const reg = await registration();
      const subscribed = await reg.pushManager.getSubscription();
      if (!subscribed || Notification.permission !== 'granted') return report('off');
      await subscribeAndSave(reg);
      return report('on');
    } catch (error) {
      return report('off', error.message);
    }
  }

  // Turn pushes on; call it from a click (browsers ask permission only then).
  async function enable() {
    const blocked = blocker();
    if (blocked) return report(blocked);
    const permission = await Notification.requestPermission();
    if (permission === 'denied') return report('blocked');
    if (permission !== 'granted') return report('off'); // the question was dismissed
    report('pending');
    try {
      await subscribeAndSave(await registration());
      return report('on');
    } catch (error) {
      return report('off', error.message);
    }
  }

  async function disable() {
    if (!pushSupported()) return report('unsupported');
    report('pending');
    try {
      const reg = await navigator.serviceWorker.getRegistration('/');
      const subscription = await reg?.pushManager.getSubscription();
      if (subscription) {
        await send('DELETE', { endpoint: subscription.endpoint });
        await subscription.unsubscribe();
      }
      return report(blocker() ?? 'off');
    } catch (error) {
      return report('on', error.message);
    }
  }

  return { refresh, enable, disable };
}
