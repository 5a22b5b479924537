// Avatar: preview the chosen picture at once, then upload it to the JSON API with a progress
// bar. Without JavaScript the form posts to the HTML endpoint instead.
const form = document.getElementById('avatar-form');

if (form) {
  const input = form.querySelector('input[type="file"]');
  const preview = document.getElementById('avatar-preview');
  const placeholder = document.getElementById('avatar-placeholder');
  const progress = document.getElementById('avatar-progress');
  const bar = progress.querySelector('.progress-bar');
  const status = document.getElementById('avatar-status');
  const csrfToken = form.querySelector('input[name="csrfmiddlewaretoken"]').value;
  let previewUrl = null;

  const showError = (message) => {
    input.classList.add('is-invalid');
    status.className = 'small mb-2 text-danger';
    status.textContent = message;
  };

  const setProgress = (percent) => {
    bar.style.width = `${percent}%`;
    progress.setAttribute('aria-valuenow', String(percent));
  };

  input.addEventListener('change', () => {
    input.classList.remove('is-invalid');
    status.textContent = '';
    const file = input.files[0];
    if (!file) return;
    if (!file.type.startsWith('image/')) {
      showError('Choose a picture (JPEG, PNG, WebP or GIF).');
      return;
    }
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = URL.createObjectURL(file);
    preview.src = previewUrl;
    preview.hidden = false;
    placeholder.hidden = true;
    status.className = 'small mb-2 text-body-secondary';
    status.textContent = 'Preview. Press "Upload picture" to keep it.';
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const file = input.files[0];
    if (!file) {
      showError('Choose a picture first.');
      input.focus();
      return;
    }
    const body = new FormData();
    body.append('avatar', file);
    const request = new XMLHttpRequest();
    request.open('PUT', form.dataset.apiUrl);
    request.setRequestHeader('X-CSRFToken', csrfToken);
    request.setRequestHeader('Accept', 'application/json');
    request.responseType = 'json';
    request.upload.addEventListener('progress', (progressEvent) => {
      if (progressEvent.lengthComputable) setProgress(Math.round((100 * progressEvent.loaded) / progressEvent.total));
    });
    request.addEventListener('load', () => {
      progress.hidden = true;
      form.removeAttribute('aria-busy');
      if (request.status >= 200 && request.status < 300) {
        preview.src = request.response.avatar_url;
        status.className = 'small mb-2 text-success-emphasis';
        status.textContent = 'Your new picture is up.';
        input.value = '';
        window.location.reload();
      } else {
        const error = request.response ?? {};
        showError(error.fields?.avatar?.[0] ?? error.message ?? 'The upload failed. Try again.');
      }
    });
    request.addEventListener('error', () => {
      progress.hidden = true;
      showError('The upload failed: check your connection and try again.');
    });
    setProgress(0);
    progress.hidden = false;
    form.setAttribute('aria-busy', 'true');
    status.className = 'small mb-2 text-body-secondary';
    status.textContent = 'Uploading…';
    request.send(body);
  });
}
