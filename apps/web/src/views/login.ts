import { api, ApiError } from '../api';
import { h, liveRegion, uid } from '../dom';
import type { View } from '../view';

/**
 * Log-in with an API key, traded for an HttpOnly session cookie (POST /v1/session): the key is
 * never stored by the page, and the cookie also authenticates <video>, <img> and Socket.IO.
 */
export function loginView(onLoggedIn: (ownerId: string) => void, reason?: string): View {
  const keyId = uid('api-key');
  const key = h('input', { id: keyId, type: 'password', name: 'apiKey', autocomplete: 'current-password', spellcheck: 'false', required: true, testid: 'api-key' });
  const status = liveRegion('login-status');
  const submit = h('button', { type: 'submit', class: 'primary', testid: 'login-submit' }, 'Log in');
  const form = h(
    'form',
    { class: 'card login', testid: 'login-form', 'aria-labelledby': 'login-heading', novalidate: true },
    h('h1', { id: 'login-heading' }, 'Log in'),
    h('p', { class: 'muted' }, 'Use an API key made with ', h('code', {}, 'pnpm babelfish keys create'), '.'),
    h('div', { class: 'field' }, h('label', { for: keyId }, 'API key'), key),
    h('div', { class: 'actions' }, submit),
    status,
  );
  if (reason) status.say(reason, 'error');

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = key.value.trim();
    key.setAttribute('aria-invalid', String(!value));
    if (!value) return status.say('Enter your API key.', 'error');
    submit.disabled = true;
    status.say('Logging in…');
    try {
      const { ownerId } = await api.login(value);
      key.value = '';
      onLoggedIn(ownerId);
    } catch (error) {
      key.setAttribute('aria-invalid', 'true');
      status.say(error instanceof ApiError ? error.message : String(error), 'error');
      key.focus();
    } finally {
      submit.disabled = false;
    }
  });

  queueMicrotask(() => key.focus());
  return { element: form, title: 'Babelfish — log in', dispose: () => undefined };
}
