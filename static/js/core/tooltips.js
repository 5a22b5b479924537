// Bootstrap tooltips for elements that ask for one (e.g. the notification bell placeholder).
for (const element of document.querySelectorAll('[data-bs-toggle="tooltip"]')) {
  window.bootstrap?.Tooltip.getOrCreateInstance(element);
}
