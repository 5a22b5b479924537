// Copy or download the recovery codes shown once after turning two-factor on.
const list = document.getElementById('recovery-code-list');
const actions = document.querySelector('[data-recovery-actions]');

if (list && actions) {
  const status = actions.querySelector('[data-codes-status]');
  const text = () => [...list.querySelectorAll('li')].map((item) => item.textContent.trim()).join('\n') + '\n';
  actions.hidden = false;

  actions.querySelector('[data-copy-codes]').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text());
      status.textContent = 'Copied.';
    } catch {
      status.textContent = 'Copying is blocked here; select the codes and copy them.';
    }
  });

  actions.querySelector('[data-download-codes]').addEventListener('click', (event) => {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([text()], { type: 'text/plain' }));
    link.download = event.currentTarget.dataset.filename;
    link.click();
    URL.revokeObjectURL(link.href);
    status.textContent = 'Downloaded.';
  });
}
