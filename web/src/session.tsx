// Who is signed in. The session itself is an httpOnly cookie the page cannot read, so the
// console asks the server (/auth/me) once at start and after that trusts 401s to say it ended.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';
import { api, ApiError, whenUnauthenticated, type Me } from './api.ts';
import { FullPageSpin } from './components/FullPageSpin.tsx';

type SessionState = { status: 'checking' } | { status: 'signed-out' } | { status: 'signed-in'; user: Me };

interface Session {
  state: SessionState;
  login: (input: { tenant: string; email: string; password: string }) => Promise<Me>;
  logout: () => Promise<void>;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'checking' });

  useEffect(() => {
    const controller = new AbortController();
    api
      .me({ signal: controller.signal })
      .then(({ user }) => setState({ status: 'signed-in', user }))
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        // Anything but a clear "signed in" shows the login page; a 5xx there is shown on submit.
        if (!(err instanceof ApiError) || err.status !== 401) console.warn('session check failed', err);
        setState({ status: 'signed-out' });
      });
    whenUnauthenticated(() => setState({ status: 'signed-out' }));
    return () => {
      controller.abort();
      whenUnauthenticated(undefined);
    };
  }, []);

  const login = useCallback(async (input: { tenant: string; email: string; password: string }) => {
    const { user } = await api.login(input);
    setState({ status: 'signed-in', user });
    return user;
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      setState({ status: 'signed-out' });
    }
  }, []);

  const value = useMemo(() => ({ state, login, logout }), [state, login, logout]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The signed-in user; only for pages under <RequireSession>. */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useMe needs a signed-in user');
  return state.user;
}

/** The tenant's time zone, in which every time on screen is shown. */
export function useTenantZone(): string {
  return useMe().tenant.timezone;
}

/** Routes inside need a session; others are sent to the login page and brought back after. */
export function RequireSession() {
  const { state } = useSession();
  const location = useLocation();
  if (state.status === 'checking') return <FullPageSpin />;
  if (state.status === 'signed-out') {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <Outlet />;
}
