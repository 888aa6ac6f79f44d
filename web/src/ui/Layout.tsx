import { Link, NavLink, Outlet, useMatch } from 'react-router';
import { useAuth, useMe } from '../auth/AuthContext.js';
import { ThreadSidebar } from '../threads/ThreadSidebar.js';

export function Layout() {
  const me = useMe();
  const { logout } = useAuth();
  const inThread = useMatch('/threads/:threadId') !== null;
  const inModeration = useMatch('/moderation/*') !== null;
  const moderator = me.role === 'moderator' || me.role === 'admin';
  return (
    <div className={`app ${inThread || inModeration ? 'app--detail' : 'app--list'}`}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Link to="/" className="brand">
          Threadline
        </Link>
        <nav aria-label="Main">
          <NavLink to="/" end>
            Threads
          </NavLink>
          {moderator && <NavLink to="/moderation">Moderation</NavLink>}
        </nav>
        <span className="whoami" aria-label="Signed in as">
          {me.username}
          {me.role !== 'member' && <span className="badge">{me.role}</span>}
        </span>
        <button type="button" onClick={() => logout('You have been logged out.')}>
          Log out
        </button>
      </header>
      <div className="app-body">
        <aside className="sidebar" aria-label="Threads">
          <ThreadSidebar />
        </aside>
        <main id="main" className="content" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </div>
  );
}
