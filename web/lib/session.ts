// Who is signed in: one react-query for every feature. The last known user is remembered so a
// reload while offline still shows that account's history (the server stays the authority).
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type User } from './api.ts';

const KEY = 'bigbrain.lastUser';

export function readLastUser(): User | null {
  try {
    const v = localStorage.getItem(KEY);
    return v ? (JSON.parse(v) as User) : null;
  } catch {
    return null;
  }
}

export function rememberUser(user: User | null): void {
  try {
    if (user) localStorage.setItem(KEY, JSON.stringify(user));
    else localStorage.removeItem(KEY);
  } catch {
    /* private mode */
  }
}

export const meQueryKey = ['me'] as const;

export function useMe() {
  return useQuery({
    queryKey: meQueryKey,
    queryFn: async () => {
      const user = await api.me();
      rememberUser(user);
      return user;
    },
    initialData: readLastUser,
    initialDataUpdatedAt: 0,
    staleTime: 60_000,
    retry: false,
  });
}

export function useSetMe() {
  const qc = useQueryClient();
  return (user: User | null) => {
    rememberUser(user);
    qc.setQueryData(meQueryKey, user);
  };
}
