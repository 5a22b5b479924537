// The one way islands talk to the site: JSON in and out, same-origin credentials, Django's CSRF
// token on unsafe requests, and every failed answer in the project's one error body
// {code, message, fields} (core/exceptions.py). Two forms of the same call:
//
//   const post = await api(url, { method: 'POST', json: { body } });  // the answer's JSON (null
//                                   // for 204); throws ApiError for an HTTP error
//   const { ok, status, body } = await request(url);                   // never throws for an HTTP
//                                   // answer: for callers that branch on the status
//
// Both reject with the browser's own error (a TypeError, or an AbortError when `signal` fires)
// when no answer came: that is "no connection", which callers word themselves.

/** The token Django's CSRF check wants in the X-CSRFToken header of an unsafe request: the
 *  csrftoken cookie, else one the page rendered (a form's csrfmiddlewaretoken, or data-csrf). */
export function csrfToken() {
  const cookie = document.cookie.split('; ').find((part) => part.startsWith('csrftoken='));
  if (cookie) return decodeURIComponent(cookie.slice('csrftoken='.length));
  return (
    document.querySelector('[name="csrfmiddlewaretoken"]')?.value ||
    document.querySelector('[data-csrf]')?.dataset.csrf ||
    ''
  );
}

/** An HTTP error answer: `status`, and the error body's `code`, `message` and `fields`.
 *  `said` tells whether the message is the server's own (false: the answer had no error body,
 *  say an HTML error page from a proxy, and the message is made up from the status). */
export class ApiError extends Error {
  constructor(status, body, said) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code;
    this.fields = body.fields ?? {};
    this.body = body;
    this.said = said;
  }
}

function madeUpError(status) {
  return { code: `http_${status}`, message: `The server answered ${status}. Try again.`, fields: {} };
}

async function answer(url, { method = 'GET', json, signal, keepalive = false, accept = 'application/json' }) {
  const headers = { Accept: accept };
  if (method !== 'GET') headers['X-CSRFToken'] = csrfToken();
  if (json !== undefined) headers['Content-Type'] = 'application/json';
  return fetch(url, {
    method,
    headers,
    body: json === undefined ? undefined : JSON.stringify(json),
    credentials: 'same-origin',
    signal,
    keepalive, // the request outlives the page (a read or a watch sent while leaving it)
  });
}

async function parsed(response) {
  let body = null;
  if (response.status !== 204) body = await response.json().catch(() => null);
  const said = Boolean(body?.message);
  if (!response.ok && !said) body = madeUpError(response.status);
  return { ok: response.ok, status: response.status, body, said };
}

/** Resolves {ok, status, body} for any HTTP answer: body is the parsed JSON (null for none), and
 *  for an error always the error body. Options: method, json (a value sent as JSON), signal,
 *  keepalive. */
export async function request(url, options = {}) {
  const { ok, status, body } = await parsed(await answer(url, options));
  return { ok, status, body };
}

/** The answer's JSON (null for 204 No Content); an HTTP error throws ApiError. Options as
 *  request(). */
export async function api(url, options = {}) {
  const { ok, status, body, said } = await parsed(await answer(url, options));
  if (!ok) throw new ApiError(status, body, said);
  return body;
}

/** A page of the site as the browser would get it without JavaScript (the same server-rendered
 *  HTML), parsed, for islands that take their part of it; an HTTP error throws ApiError. */
export async function fetchPage(url, { signal } = {}) {
  const response = await answer(url, { accept: 'text/html', signal });
  if (!response.ok) throw new ApiError(response.status, madeUpError(response.status), false);
  return new DOMParser().parseFromString(await response.text(), 'text/html');
}

/** What to tell the person when a call failed: the server's own sentence, `refused` when the
 *  server gave none, `offline` when no answer came. */
export function failureMessage(
  error,
  { refused = 'That did not work. Try again.', offline = 'No connection. Try again.' } = {},
) {
  if (!(error instanceof ApiError)) return offline;
  return error.said ? error.message : refused;
}
