/** @type {import('tailwindcss').Config} */
// Tailwind v3, built with `npx --yes tailwindcss@3.4.19` by `make generate`.
// Go files are scanned too: class names built in Go (badge colours, flash kinds)
// must appear there as complete literal strings.
module.exports = {
  content: [
    './views/**/*.templ',
    './views/**/*_templ.go',
    './app/**/*.go',
    './static/js/**/*.js',
  ],
  safelist: [
    'badge',
    'badge-grey',
    'badge-blue',
    'badge-amber',
    'badge-green',
    'badge-red',
  ],
  theme: {
    extend: {},
  },
  plugins: [],
};
