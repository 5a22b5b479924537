// Share links: a link marked for sharing opens the system's share sheet where there is one
// (phones), else copies its address; a click with a modifier key opens it as any link would.
//
//   shareLinks('a[data-share]', {
//     copied: (link) => …,            // the address is on the clipboard: say so
//     failed: (link, url) => …,       // neither worked (the clipboard is blocked here)
//     title: (link) => …,             // optional: the title the share sheet shows
//   });

/** Share `url` (with an optional `title`): resolves 'shared' (also when the sheet was closed
 *  without sharing), 'copied', or 'failed'. */
export async function share({ url, title }) {
  if (navigator.share) {
    try {
      await navigator.share(title === undefined ? { url } : { url, title });
    } catch {
      // closed without sharing
    }
    return 'shared';
  }
  try {
    await navigator.clipboard.writeText(url);
    return 'copied';
  } catch {
    return 'failed';
  }
}

/** Clicks on links matching `selector` share the link's address (without its #fragment). */
export function shareLinks(selector, { copied, failed, title = () => undefined }) {
  document.addEventListener('click', async (event) => {
    const link = event.target instanceof Element && event.target.closest(selector);
    if (!link || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    const url = link.href.split('#')[0];
    const result = await share({ url, title: title(link) });
    if (result === 'copied') copied(link, url);
    else if (result === 'failed') failed(link, url);
  });
}
