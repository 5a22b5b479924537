// Suggestions under the navbar search box as one types: hashtags by prefix (most used first)
// and people by name, as an ARIA combobox (the WAI-ARIA "list autocomplete" pattern). Up and
// Down move through the options, Enter opens the one chosen (or searches what was typed),
// Escape closes the list. Focus stays in the box throughout, so it works without a mouse.
// Without JavaScript the form simply opens the search page.
const DELAY_MS = 200; // after the last keystroke, so typing a word asks the server once
const PER_KIND = 5; // suggestions of each kind

async function fetchResults(url, params, signal) {
  const response = await fetch(`${url}?${new URLSearchParams(params)}`, {
    headers: { Accept: 'application/json' },
    credentials: 'same-origin',
    signal,
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return (await response.json()).results;
}

function optionElement(id, { icon, label, detail, href }) {
  const option = document.createElement('li');
  option.id = id;
  option.setAttribute('role', 'option');
  option.setAttribute('aria-selected', 'false');
  option.className = 'dropdown-item d-flex align-items-center gap-2';
  option.dataset.href = href;
  const symbol = document.createElement('i');
  symbol.className = `bi bi-${icon}`;
  symbol.setAttribute('aria-hidden', 'true');
  const name = document.createElement('span');
  name.className = 'text-truncate';
  name.textContent = label;
  option.append(symbol, name);
  if (detail) {
    const note = document.createElement('small');
    note.className = 'ms-auto text-nowrap'; // a muted colour would fade on the chosen option's green
    note.textContent = detail;
    option.append(note);
  }
  return option;
}

function setUp(form) {
  const input = form.querySelector('input[name="q"]');
  const list = form.querySelector('[role="listbox"]');
  const status = form.querySelector('[data-autocomplete-status]');
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', list.id);
  let timer = null;
  let request = null;
  let active = -1;

  const options = () => [...list.querySelectorAll('[role="option"]')];

  function highlight(index) {
    options().forEach((option, position) => {
      const chosen = position === index;
      option.classList.toggle('active', chosen);
      option.setAttribute('aria-selected', String(chosen));
      if (chosen) {
        input.setAttribute('aria-activedescendant', option.id);
        option.scrollIntoView({ block: 'nearest' });
      }
    });
    if (index < 0) input.removeAttribute('aria-activedescendant');
    active = index;
  }

  function show(visible) {
    list.hidden = !visible;
    input.setAttribute('aria-expanded', String(visible));
    if (!visible) highlight(-1);
  }

  function render(text, tags, people) {
    const items = [
      ...tags.map((tag) => ({
        icon: 'hash',
        label: `#${tag.name}`,
        detail: `${tag.uses} post${tag.uses === 1 ? '' : 's'}`,
        href: tag.url,
      })),
      ...people.map((person) => ({
        icon: 'person',
        label: person.display_name || person.username,
        detail: `@${person.username}`,
        href: form.dataset.profileUrl.replace('USERNAME', encodeURIComponent(person.username)),
      })),
      { icon: 'search', label: `Search for “${text}”`, href: `${form.action}?${new URLSearchParams({ q: text })}` },
    ];
    list.replaceChildren(...items.map((item, index) => optionElement(`${list.id}-${index}`, item)));
    const found = tags.length + people.length;
    status.textContent = found
      ? `${found} suggestion${found === 1 ? '' : 's'}. Use the up and down arrows to choose.`
      : 'No suggestions. Press Enter to search.';
    highlight(-1);
    show(document.activeElement === input); // not if the reader has moved on meanwhile
  }

  async function suggest() {
    const text = input.value.trim();
    request?.abort();
    if (!text) {
      show(false);
      list.replaceChildren();
      return;
    }
    request = new AbortController();
    list.setAttribute('aria-busy', 'true');
    // "#dj" asks only for tags; "@an" only for people.
    const tags = text.startsWith('@')
      ? []
      : fetchResults(form.dataset.tagsUrl, { prefix: text, size: PER_KIND }, request.signal);
    const people = text.startsWith('#')
      ? []
      : fetchResults(form.dataset.peopleUrl, { q: text.replace(/^@/, ''), size: PER_KIND }, request.signal);
    try {
      render(text, ...(await Promise.all([tags, people])));
    } catch (error) {
      if (error.name === 'AbortError') return; // a newer keystroke took over
      render(text, [], []); // searching still works
      status.textContent = 'Suggestions are unavailable. Press Enter to search.';
    } finally {
      list.removeAttribute('aria-busy');
    }
  }

  function open(option) {
    show(false);
    window.location.href = option.dataset.href;
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, DELAY_MS);
  });

  input.addEventListener('keydown', (event) => {
    const all = options();
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (!all.length) return;
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      show(true);
      highlight(active < 0 ? (step > 0 ? 0 : all.length - 1) : (active + step + all.length) % all.length);
    } else if (event.key === 'Enter' && !list.hidden && active >= 0) {
      event.preventDefault();
      open(all[active]);
    } else if (event.key === 'Escape' && !list.hidden) {
      event.preventDefault(); // close only; a second Escape clears the box as browsers do
      show(false);
    }
  });

  // Pressing an option must not blur the box first, or the list would close under the pointer.
  list.addEventListener('mousedown', (event) => event.preventDefault());
  list.addEventListener('click', (event) => {
    const option = event.target.closest('[role="option"]');
    if (option) open(option);
  });
  input.addEventListener('blur', () => show(false));
  input.addEventListener('focus', () => {
    if (input.value.trim() && options().length) show(true);
  });
}

document.querySelectorAll('form[data-autocomplete]').forEach(setUp);
