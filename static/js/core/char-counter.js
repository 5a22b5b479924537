// "12 / 300 characters" under text areas marked data-char-counter, announced politely.
for (const field of document.querySelectorAll('textarea[data-char-counter][maxlength]')) {
  const counter = document.createElement('div');
  counter.className = 'form-text text-end';
  counter.id = `${field.id}_counter`;
  counter.setAttribute('aria-live', 'polite');
  field.after(counter);
  field.setAttribute('aria-describedby', `${field.getAttribute('aria-describedby') ?? ''} ${counter.id}`.trim());
  const max = Number(field.maxLength);
  const update = () => {
    const left = max - field.value.length;
    counter.textContent = `${field.value.length} / ${max} characters`;
    counter.classList.toggle('text-danger', left < 20);
  };
  field.addEventListener('input', update);
  update();
}
