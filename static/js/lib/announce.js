// What islands say to screen readers goes through a live region (role="status": read out
// politely, when the reader is idle). One helper for all of them:
//
//   announce(region, 'Marked read.', { again: true });       // a region the page has
//   announce(liveRegion(card, 'action-status', { className, place }), 'Link copied.');
//   announce(toastRegion, 'Link copied', { hideAfter: 3500 }); // a visible toast as well
//
// Options:
//   again      clear the region first and say it after a pause, so the same sentence twice is
//              read twice (a region whose text does not change is not read again)
//   hideAfter  ms after which the message goes; meanwhile the region has the class is-shown
//              (a toast: seen as well as heard)
const PAUSE_MS = 100;
const hideTimers = new WeakMap();

/** Say `message` in `region` (nothing when there is no region). */
export function announce(region, message, { again = false, hideAfter = 0 } = {}) {
  if (!region) return;
  if (again) {
    region.textContent = '';
    window.setTimeout(() => {
      region.textContent = message;
    }, PAUSE_MS);
  } else {
    region.textContent = message;
  }
  if (!hideAfter) return;
  region.classList.toggle('is-shown', Boolean(message));
  window.clearTimeout(hideTimers.get(region));
  hideTimers.set(
    region,
    window.setTimeout(() => {
      region.textContent = '';
      region.classList.remove('is-shown');
    }, hideAfter),
  );
}

/** The live region marked data-<hook> inside `within`; made (a <p> with `className`) and put in
 *  the page by place(region) when there is none yet. Made before the first message where it
 *  can be: a region that appears with its text in it is not always read. */
export function liveRegion(within, hook, { className, place }) {
  const attribute = `data-${hook}`;
  let region = within.querySelector(`[${attribute}]`);
  if (!region) {
    region = document.createElement('p');
    region.className = className;
    region.setAttribute('role', 'status');
    region.setAttribute('aria-live', 'polite');
    region.setAttribute(attribute, '');
    place(region);
  }
  return region;
}
