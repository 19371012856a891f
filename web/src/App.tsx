// Providers and routes. Pages load lazily so the login and dashboard paint without the code of
// the other areas.
import { lazy, Suspense, type ReactNode } from 'react';
import { App as AntApp, ConfigProvider } from 'antd';
import antdZhCN from 'antd/locale/zh_CN';
import antdEnUS from 'antd/locale/en_US';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';
import { FullPageSpin } from './components/FullPageSpin.tsx';
import { LocaleProvider, useLocale } from './i18n/i18n.tsx';
import { useCan } from './permissions.ts';
import { RequireSession, SessionProvider } from './session.tsx';
import { reducedMotionTheme, theme } from './theme.ts';
import { usePrefersReducedMotion } from './motion.ts';

const AppLayout = lazy(() => import('./layout/AppLayout.tsx').then((m) => ({ default: m.AppLayout })));
const LoginPage = lazy(() => import('./pages/login/LoginPage.tsx'));
const DashboardPage = lazy(() => import('./pages/dashboard/DashboardPage.tsx'));
const CustomerListPage = lazy(() => import('./pages/customers/CustomerListPage.tsx'));
const OrdersPage = lazy(() => import('./pages/orders/OrdersPage.tsx'));
const CustomerDetailPage = lazy(() => import('./pages/customers/CustomerDetailPage.tsx'));
const StoresStaffPage = lazy(() => import('./pages/org/StoresStaffPage.tsx'));
const TagsPage = lazy(() => import('./pages/tags/TagsPage.tsx'));
const FormsPage = lazy(() => import('./pages/forms/FormsPage.tsx'));
const FormBuilderPage = lazy(() => import('./pages/forms/FormBuilderPage.tsx'));
const FormResultsPage = lazy(() => import('./pages/forms/FormResultsPage.tsx'));
const ImportsPage = lazy(() => import('./pages/imports/ImportsPage.tsx'));
const LayersPage = lazy(() => import('./pages/scores/LayersPage.tsx'));
const PromotionsPage = lazy(() => import('./pages/promotions/PromotionsPage.tsx'));
const ReferralPage = lazy(() => import('./pages/referral/ReferralPage.tsx'));
const BroadcastsPage = lazy(() => import('./pages/broadcasts/BroadcastsPage.tsx'));
const SegmentsPage = lazy(() => import('./pages/segments/SegmentsPage.tsx'));
const SegmentBuilderPage = lazy(() => import('./pages/segments/SegmentBuilderPage.tsx'));
const SegmentDetailPage = lazy(() => import('./pages/segments/SegmentDetailPage.tsx'));
const AnalyticsPage = lazy(() => import('./pages/analytics/AnalyticsPage.tsx'));
const DiagnosisPage = lazy(() => import('./pages/playbooks/DiagnosisPage.tsx'));
const MembershipPage = lazy(() => import('./pages/membership/MembershipPage.tsx'));
const ChannelsPage = lazy(() => import('./pages/channels/ChannelsPage.tsx'));
const CodesPage = lazy(() => import('./pages/codes/CodesPage.tsx'));
const WorkbenchPage = lazy(() => import('./pages/workbench/WorkbenchPage.tsx'));
const GroupsPage = lazy(() => import('./pages/groups/GroupsPage.tsx'));
const GroupDetailPage = lazy(() => import('./pages/groups/GroupDetailPage.tsx'));
const GroupRulesPage = lazy(() => import('./pages/groups/GroupRulesPage.tsx'));
const GroupInvitesPage = lazy(() => import('./pages/groups/GroupInvitesPage.tsx'));
const SopPage = lazy(() => import('./pages/sop/SopPage.tsx'));
const JourneysPage = lazy(() => import('./pages/journeys/JourneysPage.tsx'));
const JourneyBuilderPage = lazy(() => import('./pages/journeys/JourneyBuilderPage.tsx'));
const AccessPage = lazy(() => import('./pages/access/AccessPage.tsx'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage.tsx'));

const router = createBrowserRouter([
  {
    path: '/login',
    element: (
      <Suspense fallback={<FullPageSpin />}>
        <LoginPage />
      </Suspense>
    ),
  },
  {
    element: <RequireSession />,
    children: [
      {
        element: (
          <Suspense fallback={<FullPageSpin />}>
            <AppLayout />
          </Suspense>
        ),
        children: [
          { index: true, element: <HomePage /> },
          { path: 'customers', element: <CustomerListPage /> },
          { path: 'orders', element: <OrdersPage /> },
          { path: 'customers/:id', element: <CustomerDetailPage /> },
          { path: 'imports', element: <ImportsPage /> },
          { path: 'tags', element: <TagsPage /> },
          { path: 'forms', element: <FormsPage /> },
          { path: 'forms/new', element: <FormBuilderPage /> },
          { path: 'forms/:id/edit', element: <FormBuilderPage /> },
          { path: 'forms/:id', element: <FormResultsPage /> },
          { path: 'org', element: <StoresStaffPage /> },
          { path: 'access', element: <AccessPage /> },
          { path: 'layers', element: <LayersPage /> },
          { path: 'playbooks', element: <DiagnosisPage /> },
          { path: 'promotions', element: <PromotionsPage /> },
          { path: 'referral', element: <ReferralPage /> },
          { path: 'broadcasts', element: <BroadcastsPage /> },
          { path: 'segments', element: <SegmentsPage /> },
          { path: 'segments/new', element: <SegmentBuilderPage /> },
          { path: 'segments/:id/edit', element: <SegmentBuilderPage /> },
          { path: 'segments/:id', element: <SegmentDetailPage /> },
          { path: 'analytics', element: <AnalyticsPage /> },
          { path: 'membership', element: <MembershipPage /> },
          { path: 'channels', element: <ChannelsPage /> },
          { path: 'codes', element: <CodesPage /> },
          { path: 'workbench', element: <WorkbenchPage /> },
          { path: 'groups', element: <GroupsPage /> },
          { path: 'groups/rules', element: <GroupRulesPage /> },
          { path: 'groups/invites', element: <GroupInvitesPage /> },
          { path: 'groups/:id', element: <GroupDetailPage /> },
          { path: 'sop', element: <SopPage /> },
          { path: 'sop/scripts', element: <SopPage /> },
          { path: 'journeys', element: <JourneysPage /> },
          { path: 'journeys/:id', element: <JourneyBuilderPage /> },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
]);

/** The dashboard for those who may read analytics; a guide's home is their own customers. */
function HomePage() {
  return useCan('analytics:read') ? <DashboardPage /> : <Navigate to="/customers" replace />;
}

/** AntD's texts and dayjs's month names follow the console's language; its motion, the system's. */
function LocalisedAntd({ children }: { children: ReactNode }) {
  const { locale } = useLocale();
  dayjs.locale(locale === 'zh-CN' ? 'zh-cn' : 'en');
  const stillTheme = usePrefersReducedMotion() ? reducedMotionTheme : theme;
  return (
    <ConfigProvider locale={locale === 'zh-CN' ? antdZhCN : antdEnUS} theme={stillTheme}>
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}

export function App() {
  return (
    <LocaleProvider>
      <LocalisedAntd>
        <SessionProvider>
          <RouterProvider router={router} />
        </SessionProvider>
      </LocalisedAntd>
    </LocaleProvider>
  );
}
