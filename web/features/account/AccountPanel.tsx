// Sign in / sign up through POST /authorization (the server sets the httpOnly session cookie);
// sign out revokes the session. All calls are react-query mutations.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../../lib/api.ts';
import { useMe, useSetMe } from '../../lib/session.ts';

export function AccountPanel({ online }: { online: boolean }) {
  const me = useMe();
  const setMe = useSetMe();
  const qc = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  const signIn = useMutation({
    mutationFn: async ({ register }: { register: boolean }) => {
      if (register) await api.register(email, password);
      await api.signIn(email, password);
      return api.me();
    },
    onSuccess: (user) => {
      setMe(user);
      setPassword('');
      void qc.invalidateQueries({ queryKey: ['history'] });
    },
  });
  const signOut = useMutation({
    mutationFn: () => api.signOut(),
    onSettled: () => {
      setMe(null);
      void qc.invalidateQueries({ queryKey: ['history'] });
    },
  });

  const user = me.data;
  if (user) {
    return (
      <section className="account" aria-label="Account">
        <span>Signed in as <strong>{user.email}</strong></span>
        <button type="button" onClick={() => signOut.mutate()} disabled={signOut.isPending}>Sign out</button>
      </section>
    );
  }
  const submit = (register: boolean) => (e?: FormEvent) => {
    e?.preventDefault();
    signIn.mutate({ register });
  };
  const error = signIn.error instanceof ApiError || signIn.error instanceof Error ? signIn.error.message : null;
  return (
    <form className="account" aria-label="Sign in" onSubmit={submit(false)}>
      <label>
        Email <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        Password <input type="password" autoComplete="current-password" required minLength={8} value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      <button type="submit" disabled={!online || signIn.isPending}>Sign in</button>
      <button type="button" disabled={!online || signIn.isPending} onClick={() => submit(true)()}>Create account</button>
      {!online && <span className="muted">Offline: sign-in needs the network.</span>}
      {error && <span role="alert" className="error">{error}</span>}
    </form>
  );
}
