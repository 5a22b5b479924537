// "Load more" in place: fetch the next page (the same server-rendered HTML a click without
// JavaScript would open), append its items and take over its own "Load more" link.
// A link marked data-load-more-replace swaps the list for the fetched one instead (the first
// page of replies repeats those shown under a comment). Inside [data-infinite-scroll] the link
// loads by itself when it scrolls into view.
import { fetchPage } from '../lib/api.js';

const LOAD_MORE = '[data-load-more]';

async function loadMore(link, { moveFocus = true } = {}) {
  const list = document.querySelector(link.dataset.loadMore);
  const box = link.closest('[data-load-more-box]');
  const status = box.querySelector('[data-load-more-status]');
  const spinner = link.querySelector('.spinner-border');
  link.setAttribute('aria-disabled', 'true');
  link.classList.add('disabled');
  spinner?.classList.remove('d-none');
  box.setAttribute('aria-busy', 'true');
  status.textContent = 'Loading…';
  try {
    const page = await fetchPage(link.href);
    const items = [...(page.querySelector(link.dataset.loadMore)?.children ?? [])].map((item) => document.adoptNode(item));
    if ('loadMoreReplace' in link.dataset) {
      list.replaceChildren(...items);
      delete link.dataset.loadMoreReplace; // later pages follow on
    } else {
      list.append(...items);
    }
    if (moveFocus) items[0]?.querySelector('a[href]:not([tabindex="-1"])')?.focus();
    // The fetched page may hold other lists' links too (replies under comments): take this list's.
    const next = page.querySelector(`[data-load-more="${link.dataset.loadMore}"]`);
    if (next) {
      link.href = next.href;
    } else {
      link.remove();
    }
    status.textContent = `${items.length} more loaded.`;
    document.dispatchEvent(new CustomEvent('load-more:loaded', { detail: { list, items } }));
  } catch (error) {
    status.textContent = 'Could not load more. Try again.';
    window.location.href = link.href; // fall back to the plain page
  } finally {
    link.removeAttribute('aria-disabled');
    link.classList.remove('disabled');
    spinner?.classList.add('d-none');
    box.removeAttribute('aria-busy');
  }
}

document.addEventListener('click', (event) => {
  const link = event.target.closest(LOAD_MORE);
  if (!link || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  if (link.getAttribute('aria-disabled') !== 'true') loadMore(link);
});

if ('IntersectionObserver' in window) {
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        const link = entry.target;
        if (!entry.isIntersecting || link.getAttribute('aria-disabled') === 'true') continue;
        loadMore(link, { moveFocus: false }).then(() => {
          // Observing afresh reports the link again if a short page left it in view.
          observer.unobserve(link);
          if (link.isConnected) observer.observe(link);
        });
      }
    },
    { rootMargin: '0px 0px 400px 0px' },
  );
  for (const link of document.querySelectorAll(`[data-infinite-scroll] ${LOAD_MORE}`)) observer.observe(link);
}
