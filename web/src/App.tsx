import { Navigate, Route, Routes, useLocation } from 'react-router';
import type { ReactNode } from 'react';
import { useAuth } from './auth/AuthContext.js';
import { LoginPage } from './auth/LoginPage.js';
import { RegisterPage } from './auth/RegisterPage.js';
import { AuditPage } from './moderation/AuditPage.js';
import { ReportQueuePage } from './moderation/ReportQueuePage.js';
import { ThreadPage } from './chat/ThreadPage.js';
import { Layout } from './ui/Layout.js';
import { ErrorNotice } from './ui/ErrorNotice.js';

function RequireAuth({ children }: { children: ReactNode }) {
  const { token, me, loading, error, retry } = useAuth();
  const location = useLocation();
  if (!token) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  if (loading) return <p className="page-status" role="status">Loading…</p>;
  if (!me) return <ErrorNotice error={error} onRetry={retry} />;
  return children;
}

function RequireModerator({ children }: { children: ReactNode }) {
  const { me } = useAuth();
  if (me?.role !== 'moderator' && me?.role !== 'admin') {
    return <p className="page-status">The report queue is for moderators.</p>;
  }
  return children;
}

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/register" element={<RegisterPage />} />
      <Route
        element={
          <RequireAuth>
            <Layout />
          </RequireAuth>
        }
      >
        <Route index element={<p className="page-status empty-pick">Pick a thread, or create one.</p>} />
        <Route path="threads/:threadId" element={<ThreadPage />} />
        <Route
          path="moderation"
          element={
            <RequireModerator>
              <ReportQueuePage />
            </RequireModerator>
          }
        />
        <Route path="moderation/threads/:threadId" element={<AuditPage />} />
      </Route>
      <Route path="*" element={<Navigate to="/" replace />} />
    </Routes>
  );
}
