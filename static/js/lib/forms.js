// Forms that work without JavaScript, sent to the JSON API instead when it runs.

// `send(form)` handles each submit of a form matching `selector`, one at a time per form:
// aria-busy marks the form meanwhile, and a submit while it is busy is dropped. Listens in the
// capture phase, so it runs before core/busy-forms.js marks the form as sent.
export function sendByScript(selector, send) {
  document.addEventListener(
    'submit',
    (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.matches(selector)) return;
      event.preventDefault();
      if (form.getAttribute('aria-busy') === 'true') return;
      form.setAttribute('aria-busy', 'true');
      Promise.resolve(send(form)).finally(() => form.removeAttribute('aria-busy'));
    },
    true,
  );
}
