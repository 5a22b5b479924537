// Suggestions as one types, as an ARIA "list autocomplete": Up and Down move through the
// options, Enter takes the one chosen, Escape closes the list, and focus stays in the field
// throughout, so it works without a mouse. Two kinds of field use it:
// - the navbar search box (form[data-autocomplete]): hashtags by prefix (most used first) and
//   people by name; Enter opens the one chosen (or searches what was typed). Without
//   JavaScript the form simply opens the search page.
// - text areas ([data-autocomplete="mentions"] around a textarea): when the word at the caret
//   is "@so…" it suggests people, when it is "#so…" hashtags; Enter or Tab puts the chosen
//   one in place of that word. Enter with no option chosen is a new line, as ever. The text
//   area keeps its own (multi-line textbox) role: ARIA's combobox is a one-line field, and
//   HTML allows no other role on a textarea; it carries the combobox's states instead.
import { api } from '../lib/api.js';

const DELAY_MS = 200; // after the last keystroke, so typing a word asks the server once
const PER_KIND = 5; // suggestions of each kind

async function fetchResults(url, params, signal) {
  return (await api(`${url}?${new URLSearchParams(params)}`, { signal })).results;
}

const plural = (count, word) => `${count} ${word}${count === 1 ? '' : 's'}`;

const tagItem = (tag, value) => ({ icon: 'hash', label: `#${tag.name}`, detail: plural(tag.uses, 'post'), value });

const personItem = (person, value) => ({
  icon: 'person',
  label: person.display_name || person.username,
  detail: `@${person.username}`,
  value,
});

function optionElement(id, { icon, label, detail, value }) {
  const option = document.createElement('li');
  option.id = id;
  option.setAttribute('role', 'option');
  option.setAttribute('aria-selected', 'false');
  option.className = 'dropdown-item d-flex align-items-center gap-2';
  option.dataset.value = value;
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

// What both kinds share: the field, its listbox and its polite status, driven by a source:
//   query()            what to ask about now ('' for nothing: the list closes)
//   load(text, signal) → { items, found } (items for optionElement; found: how many are real
//                      suggestions rather than actions), or throws
//   fallback(text)     the items to offer when loading failed
//   messages           { found(count), none, failed }: what the status says
//   choose(option)     take an option
//   multiline          a text area: the arrows move the caret while the list is closed,
//                      Tab also takes the chosen option, and moving the caret re-asks
//   place()            optional: position the list before it shows
function combobox(field, list, status, source) {
  field.setAttribute('aria-autocomplete', 'list');
  field.setAttribute('aria-expanded', 'false');
  field.setAttribute('aria-controls', list.id);
  let timer = null;
  let request = null;
  let active = -1;
  let shownFor = null; // the query the current options answer

  const options = () => [...list.querySelectorAll('[role="option"]')];

  function highlight(index) {
    options().forEach((option, position) => {
      const chosen = position === index;
      option.classList.toggle('active', chosen);
      option.setAttribute('aria-selected', String(chosen));
      if (chosen) {
        field.setAttribute('aria-activedescendant', option.id);
        option.scrollIntoView({ block: 'nearest' });
      }
    });
    if (index < 0) field.removeAttribute('aria-activedescendant');
    active = index;
  }

  function show(visible) {
    if (visible) source.place?.();
    list.hidden = !visible;
    field.setAttribute('aria-expanded', String(visible));
    if (!visible) highlight(-1);
  }

  function clear() {
    show(false);
    list.replaceChildren();
    status.textContent = '';
    shownFor = null;
  }

  function render(text, items, message) {
    list.replaceChildren(...items.map((item, index) => optionElement(`${list.id}-${index}`, item)));
    shownFor = text;
    status.textContent = message;
    highlight(-1);
    // Not if the reader has moved on meanwhile (left the field, or the caret left the word).
    show(items.length > 0 && document.activeElement === field && source.query() === text);
  }

  async function suggest() {
    const text = source.query();
    request?.abort();
    if (!text) {
      clear();
      return;
    }
    request = new AbortController();
    list.setAttribute('aria-busy', 'true');
    try {
      const { items, found } = await source.load(text, request.signal);
      render(text, items, found ? source.messages.found(found) : source.messages.none);
    } catch (error) {
      if (error.name === 'AbortError') return; // a newer keystroke took over
      render(text, source.fallback(text), source.messages.failed);
    } finally {
      list.removeAttribute('aria-busy');
    }
  }

  function later() {
    clearTimeout(timer);
    const text = source.query();
    if (!text) {
      // Nothing to ask about (the box is empty, the word is finished): close now, not later.
      request?.abort();
      if (shownFor !== null) clear();
      return;
    }
    // Options answer what is typed or the start of it; never offer those for another word.
    if (shownFor !== null && !text.startsWith(shownFor)) show(false);
    timer = setTimeout(suggest, DELAY_MS);
  }

  function close() {
    clearTimeout(timer);
    request?.abort();
    show(false);
  }

  function choose(option) {
    close();
    source.choose(option);
  }

  field.addEventListener('input', later);

  field.addEventListener('keydown', (event) => {
    if (event.isComposing) return; // the keys belong to the input method
    const all = options();
    const open = !list.hidden;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (!all.length || (source.multiline && !open)) return;
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      show(true);
      highlight(active < 0 ? (step > 0 ? 0 : all.length - 1) : (active + step + all.length) % all.length);
    } else if (
      open &&
      active >= 0 &&
      (event.key === 'Enter' || (source.multiline && event.key === 'Tab' && !event.shiftKey))
    ) {
      event.preventDefault();
      choose(all[active]);
    } else if (event.key === 'Escape' && open) {
      // Close only: a second Escape does what it would (clears a search box, closes a dialog).
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });

  if (source.multiline) {
    // The caret moved to another word (or out of one): ask again, or close.
    const moves = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown']);
    const moved = () => {
      if (source.query() !== (shownFor ?? '')) later();
    };
    field.addEventListener('keyup', (event) => {
      if (moves.has(event.key)) moved();
    });
    field.addEventListener('click', moved);
  }

  // Pressing an option must not blur the field first, or the list would close under the pointer.
  list.addEventListener('mousedown', (event) => event.preventDefault());
  list.addEventListener('click', (event) => {
    const option = event.target.closest('[role="option"]');
    if (option) choose(option);
  });
  field.addEventListener('blur', () => show(false));
  field.addEventListener('focus', () => {
    const text = source.query();
    if (text && text === shownFor && options().length) show(true);
  });
}

function setUpSearch(form) {
  const input = form.querySelector('input[name="q"]');
  input.setAttribute('role', 'combobox');
  const searchItem = (text) => ({
    icon: 'search',
    label: `Search for “${text}”`,
    value: `${form.action}?${new URLSearchParams({ q: text })}`,
  });
  combobox(input, form.querySelector('[role="listbox"]'), form.querySelector('[data-autocomplete-status]'), {
    query: () => input.value.trim(),
    async load(text, signal) {
      // "#dj" asks only for tags; "@an" only for people.
      const tags = text.startsWith('@')
        ? []
        : fetchResults(form.dataset.tagsUrl, { prefix: text, size: PER_KIND }, signal);
      const people = text.startsWith('#')
        ? []
        : fetchResults(form.dataset.peopleUrl, { q: text.replace(/^@/, ''), size: PER_KIND }, signal);
      const [foundTags, foundPeople] = await Promise.all([tags, people]);
      const profile = (person) =>
        form.dataset.profileUrl.replace('USERNAME', encodeURIComponent(person.username));
      return {
        items: [
          ...foundTags.map((tag) => tagItem(tag, tag.url)),
          ...foundPeople.map((person) => personItem(person, profile(person))),
          searchItem(text),
        ],
        found: foundTags.length + foundPeople.length,
      };
    },
    fallback: (text) => [searchItem(text)], // searching still works
    messages: {
      found: (count) => `${plural(count, 'suggestion')}. Use the up and down arrows to choose.`,
      none: 'No suggestions. Press Enter to search.',
      failed: 'Suggestions are unavailable. Press Enter to search.',
    },
    choose(option) {
      window.location.href = option.dataset.value;
    },
  });
}

// The word being typed at the caret, when it is a mention or a hashtag (as posts/text.py reads
// them: not glued to a word before it) with at least one character after the sign.
const WORD_BEFORE_CARET = /(?<![\p{L}\p{M}\p{N}_@#&])(?:@[A-Za-z0-9_][A-Za-z0-9_.-]*|#[\p{L}\p{M}\p{N}_]+)$/u;
const REST_OF_WORD = /^[\p{L}\p{M}\p{N}_.-]*/u;

function setUpMentions(root) {
  const field = root.querySelector('textarea');
  const list = root.querySelector('[role="listbox"]');
  field.setAttribute('aria-haspopup', 'listbox');

  function wordAtCaret() {
    if (field.selectionStart !== field.selectionEnd) return null;
    const caret = field.selectionStart;
    const match = field.value.slice(0, caret).match(WORD_BEFORE_CARET);
    if (!match) return null;
    const rest = field.value.slice(caret).match(REST_OF_WORD)[0];
    return { text: match[0], start: caret - match[0].length, end: caret + rest.length };
  }

  combobox(field, list, root.querySelector('[data-autocomplete-status]'), {
    multiline: true,
    query: () => wordAtCaret()?.text ?? '',
    async load(text, signal) {
      const words = text.slice(1);
      const items = text.startsWith('@')
        ? (await fetchResults(root.dataset.peopleUrl, { q: words, size: PER_KIND }, signal)).map((person) =>
            personItem(person, `@${person.username}`),
          )
        : (await fetchResults(root.dataset.tagsUrl, { prefix: words, size: PER_KIND }, signal)).map((tag) =>
            tagItem(tag, `#${tag.name}`),
          );
      return { items, found: items.length };
    },
    fallback: () => [], // typing goes on as if nothing were suggested
    messages: {
      found: (count) => `${plural(count, 'suggestion')}. Use the up and down arrows to choose, Enter to insert.`,
      none: 'No suggestions.',
      failed: 'Suggestions are unavailable.',
    },
    choose(option) {
      const word = wordAtCaret();
      if (!word) return;
      // One space after it, unless the text already goes on with one.
      const spaced = /^\s/.test(field.value.slice(word.end));
      field.setRangeText(`${option.dataset.value}${spaced ? '' : ' '}`, word.start, word.end, 'end');
      if (spaced) field.setSelectionRange(field.selectionEnd + 1, field.selectionEnd + 1);
      field.dispatchEvent(new Event('input', { bubbles: true })); // the character counter, and us
    },
    place() {
      // Just under the text area (its wrapper is the offset parent; a character counter may follow).
      list.style.top = `${field.offsetTop + field.offsetHeight + 2}px`;
    },
  });
}

// Sets up suggestions in `root` (a [data-autocomplete] element), once; for markup added later.
export function setUpAutocomplete(root) {
  if (root.dataset.autocompleteReady) return;
  root.dataset.autocompleteReady = 'true';
  if (root.dataset.autocomplete === 'mentions') setUpMentions(root);
  else setUpSearch(root);
}

document.querySelectorAll('[data-autocomplete]').forEach(setUpAutocomplete);
