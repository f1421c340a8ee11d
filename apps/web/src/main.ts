import './styles.css';
import { api, onUnauthorized } from './api';
import { h } from './dom';
import { resetRealtime } from './realtime';
import type { View } from './view';
import { homeView } from './views/home';
import { jobPage } from './views/job-page';
import { loginView } from './views/login';

/**
 * Hash router (`#/`, `#/jobs/<id>`) behind a log-in gate. Hash routes need no server-side
 * fallback, so the API serves this bundle as plain static files.
 */
const main = document.getElementById('main')!;
const sessionSlot = document.getElementById('session')!;
let current: View | undefined;
let loggedIn = false;
let firstRender = true;

function mount(view: View): void {
  // Dispose first: the old view's socket unsubscriptions must go out before the new view's subscriptions.
  current?.dispose();
  current = view;
  document.title = view.title;
  main.replaceChildren(view.element);
  // On navigation (not first load), move focus to the new content so screen readers follow.
  if (!firstRender) main.focus();
  firstRender = false;
}

function render(): void {
  const hash = location.hash || '#/';
  if (!hash.startsWith('#/') || !loggedIn) return; // in-page anchors are not routes
  const job = /^#\/jobs\/([^/?#]+)$/.exec(hash);
  mount(job ? jobPage(decodeURIComponent(job[1]!)) : homeView());
}

function showSession(ownerId: string, authMode: 'api-key' | 'none'): void {
  loggedIn = true;
  const logout = h('button', { type: 'button', testid: 'logout' }, 'Log out');
  logout.addEventListener('click', async () => {
    await api.logout().catch(() => undefined);
    showLogin();
  });
  sessionSlot.replaceChildren(h('span', { class: 'muted', testid: 'session-owner' }, `Signed in as ${ownerId}`), authMode === 'api-key' ? logout : '');
}

function showLogin(reason?: string): void {
  loggedIn = false;
  resetRealtime();
  sessionSlot.replaceChildren();
  mount(
    loginView((ownerId) => {
      resetRealtime(); // the next handshake must carry the new session cookie
      showSession(ownerId, 'api-key');
      render();
    }, reason),
  );
}

// Any 401 (expired or revoked session) brings the log-in form back, keeping the URL to return to.
onUnauthorized(() => {
  if (loggedIn) showLogin('Your session has ended. Log in again to continue.');
});

window.addEventListener('hashchange', render);

// The skip link targets #main; handle it here so it does not look like a route change.
document.querySelector<HTMLAnchorElement>('.skip-link')?.addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});

api.session().then(
  (session) => {
    showSession(session.ownerId, session.authMode);
    render();
  },
  () => showLogin(),
);
