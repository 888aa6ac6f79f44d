import { useState, type FormEvent } from 'react';
import { Link, Navigate } from 'react-router';
import { errorText } from '../ui/ErrorNotice.js';
import { useAuth } from './AuthContext.js';

export function RegisterPage() {
  const { token, register } = useAuth();
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (token) return <Navigate to="/" replace />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await register(username.trim(), email.trim(), password);
    } catch (cause) {
      setError(errorText(cause));
      setBusy(false);
    }
  }

  return (
    <main className="auth-page">
      <h1>Create an account</h1>
      <form onSubmit={submit} className="stack">
        <label htmlFor="register-username">Username</label>
        <input
          id="register-username"
          autoComplete="username"
          required
          minLength={3}
          maxLength={32}
          pattern="[A-Za-z0-9_.\-]+"
          aria-describedby="register-username-hint"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
        />
        <small id="register-username-hint">3 to 32 letters, digits, dots, dashes or underscores.</small>
        <label htmlFor="register-email">Email</label>
        <input id="register-email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <label htmlFor="register-password">Password</label>
        <input
          id="register-password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          maxLength={128}
          aria-describedby="register-password-hint"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <small id="register-password-hint">At least 8 characters.</small>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create account'}
        </button>
      </form>
      <p>
        Already registered? <Link to="/login">Log in</Link>
      </p>
    </main>
  );
}
