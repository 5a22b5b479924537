// 'Your data': ask for a download through the API and show its progress, asking every 2 s
// until it is ready or failed; then offer the zip. Without JavaScript the button posts the
// form and the page shows where the download stands.
import { api, failureMessage } from '../lib/api.js';

const POLL_MS = 2000;
const card = document.getElementById('data-export');

if (card) {
  const form = card.querySelector('[data-export-request]');
  const button = form.querySelector('button');
  const progress = card.querySelector('[data-export-progress]');
  const bar = card.querySelector('[data-export-bar]');
  const status = card.querySelector('[data-export-status]');
  const link = card.querySelector('[data-export-link]');
  const statusUrl = (id) => card.dataset.statusUrlTemplate.replace(/0\/$/, `${id}/`);

  const setProgress = (percent) => {
    bar.querySelector('.progress-bar').style.width = `${percent}%`;
    bar.setAttribute('aria-valuenow', String(percent));
  };

  const show = (exported) => {
    const working = exported.state === 'requested' || exported.state === 'building';
    progress.hidden = !working;
    button.disabled = working;
    setProgress(exported.progress);
    if (exported.state === 'ready') {
      link.href = exported.download_url;
      link.hidden = false;
      status.textContent = 'Your download is ready.';
    } else if (exported.state === 'failed') {
      status.textContent = `Your download could not be made: ${exported.failure_reason}`;
    } else {
      link.hidden = true;
      status.textContent = `Making your download… ${exported.progress}%`;
    }
    return working;
  };

  const follow = async (id) => {
    try {
      if (show(await api(statusUrl(id)))) setTimeout(() => follow(id), POLL_MS);
    } catch (error) {
      status.textContent = `${failureMessage(error)} Reload the page to see where your download stands.`;
    }
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    try {
      const exported = await api(card.dataset.requestUrl, { method: 'POST' });
      if (show(exported)) setTimeout(() => follow(exported.id), POLL_MS);
    } catch (error) {
      button.disabled = false;
      status.textContent = failureMessage(error);
    }
  });

  setProgress(Number(bar.getAttribute('aria-valuenow')));
  const state = card.dataset.exportState;
  if (state === 'requested' || state === 'building') follow(card.dataset.exportId);
}
