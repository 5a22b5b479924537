// The composer's pictures: show the chosen ones before anything is sent, and say at once when
// there are too many or one is not a picture (the server checks again either way).
for (const form of document.querySelectorAll('form[data-composer]')) {
  const input = form.querySelector('input[type="file"]');
  const maxPictures = Number(input.dataset.maxPictures);
  const previews = form.querySelector('[data-previews]');
  let urls = [];

  const clear = () => {
    urls.forEach((url) => URL.revokeObjectURL(url));
    urls = [];
    previews.replaceChildren();
  };

  const note = (text, isError) => {
    const line = document.createElement('p');
    line.className = `small mb-2 ${isError ? 'text-danger' : 'text-body-secondary'}`;
    line.textContent = text;
    previews.append(line);
    input.classList.toggle('is-invalid', isError);
  };

  input.addEventListener('change', () => {
    clear();
    const files = [...input.files];
    if (!files.length) return;
    const pictures = files.filter((file) => file.type.startsWith('image/'));
    if (pictures.length < files.length) {
      note('Some of these files are not pictures: choose JPEG, PNG, WebP or GIF files.', true);
    } else if (files.length > maxPictures) {
      note(`A post has at most ${maxPictures} pictures; you chose ${files.length}.`, true);
    } else {
      note(`${files.length} picture${files.length === 1 ? '' : 's'} ready. This is how they will look:`, false);
    }
    const grid = document.createElement('div');
    grid.className = 'composer-preview-grid';
    pictures.forEach((file, index) => {
      const url = URL.createObjectURL(file);
      urls.push(url);
      const image = document.createElement('img');
      image.src = url;
      image.alt = `Preview of picture ${index + 1}: ${file.name}`;
      grid.append(image);
    });
    previews.append(grid);
  });

  // Back on the text tab the chosen pictures are dropped: a text post has none.
  for (const radio of form.querySelectorAll('input[name="kind"]')) {
    radio.addEventListener('change', () => {
      if (radio.checked && radio.value === 'text') {
        clear();
        input.value = '';
        input.classList.remove('is-invalid');
      }
    });
  }
}
