// "Load more" in place: fetch the next page (the same server-rendered HTML a click without
// JavaScript would open), append its items and take over its own "Load more" link.
const LOAD_MORE = '[data-load-more]';

async function loadMore(link) {
  const list = document.querySelector(link.dataset.loadMore);
  const box = link.closest('[data-load-more-box]');
  const status = box.querySelector('[data-load-more-status]');
  const spinner = link.querySelector('.spinner-border');
  link.setAttribute('aria-disabled', 'true');
  link.classList.add('disabled');
  spinner?.classList.remove('d-none');
  status.textContent = 'Loading…';
  try {
    const response = await fetch(link.href, { headers: { Accept: 'text/html' }, credentials: 'same-origin' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    const items = [...(page.querySelector(link.dataset.loadMore)?.children ?? [])];
    list.append(...items.map((item) => document.adoptNode(item)));
    items[0]?.querySelector('a[href]:not([tabindex="-1"])')?.focus();
    const next = page.querySelector(LOAD_MORE);
    if (next) {
      link.href = next.href;
    } else {
      link.remove();
    }
    status.textContent = `${items.length} more loaded.`;
  } catch (error) {
    status.textContent = 'Could not load more. Try again.';
    window.location.href = link.href; // fall back to the plain page
  } finally {
    link.removeAttribute('aria-disabled');
    link.classList.remove('disabled');
    spinner?.classList.add('d-none');
  }
}

document.addEventListener('click', (event) => {
  const link = event.target.closest(LOAD_MORE);
  if (!link || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  if (link.getAttribute('aria-disabled') !== 'true') loadMore(link);
});
