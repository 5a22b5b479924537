// The token Django's CSRF check wants in the X-CSRFToken header of an unsafe request: the
// csrftoken cookie, else one the page rendered (a form's csrfmiddlewaretoken, or data-csrf).
export function csrfToken() {
  const cookie = document.cookie.split('; ').find((part) => part.startsWith('csrftoken='));
  if (cookie) return decodeURIComponent(cookie.slice('csrftoken='.length));
  return (
    document.querySelector('[name="csrfmiddlewaretoken"]')?.value ||
    document.querySelector('[data-csrf]')?.dataset.csrf ||
    ''
  );
}
