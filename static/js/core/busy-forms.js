// Loading state for forms: the pressed button shows a spinner and a second press does nothing,
// so a slow answer never sends the same form twice. The button stays enabled on purpose: a
// disabled submitter would drop its name/value from the submission.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
  if (form.dataset.busy === 'true') {
    event.preventDefault();
    return;
  }
  form.dataset.busy = 'true';
  form.setAttribute('aria-busy', 'true');
  const button = event.submitter;
  if (button && !button.querySelector('.spinner-border')) {
    const spinner = document.createElement('span');
    spinner.className = 'spinner-border spinner-border-sm me-2';
    spinner.setAttribute('aria-hidden', 'true');
    button.prepend(spinner);
  }
});

// Coming back with the browser's back button restores the page from cache: clear the state.
window.addEventListener('pageshow', () => {
  for (const form of document.querySelectorAll('form[data-busy]')) {
    delete form.dataset.busy;
    form.removeAttribute('aria-busy');
    form.querySelectorAll('.spinner-border').forEach((spinner) => spinner.remove());
  }
});
