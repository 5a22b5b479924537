// Time as the pages word it. since(): "just now", "5 minutes ago", "3 days ago", then the date:
// the JavaScript twin of the `ago` template filter (core/templatetags/moments.py), for what
// scripts add to a page.
export function since(iso) {
  const moment = new Date(iso);
  const seconds = (Date.now() - moment.getTime()) / 1000;
  const plural = (count, unit) => `${count} ${unit}${count === 1 ? '' : 's'} ago`;
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return plural(Math.floor(seconds / 60), 'minute');
  if (seconds < 86400) return plural(Math.floor(seconds / 3600), 'hour');
  if (seconds < 7 * 86400) return plural(Math.floor(seconds / 86400), 'day');
  const options = { month: 'short', day: 'numeric' };
  if (seconds > 300 * 86400) options.year = 'numeric';
  return moment.toLocaleDateString('en-US', options);
}
