// The signed-in frame: sider (drawer on narrow screens), header, and the routed page.
import { Suspense, useState } from 'react';
import { Drawer, Grid, Layout } from 'antd';
import { Outlet } from 'react-router';
import { BrandLockup } from '../components/BrandMark.tsx';
import { FullPageSpin } from '../components/FullPageSpin.tsx';
import { HeaderBar } from './HeaderBar.tsx';
import { NavMenu } from './NavMenu.tsx';

const SIDER_WIDTH = 232;
const COLLAPSED_KEY = 'yuchi.siderCollapsed';

function storedCollapsed(): boolean {
  try {
    return localStorage.getItem(COLLAPSED_KEY) === '1';
  } catch {
    return false;
  }
}

export function AppLayout() {
  const screens = Grid.useBreakpoint();
  // Before the first measurement every breakpoint is undefined; assume a desktop.
  const mobile = screens.lg === false;
  const [collapsed, setCollapsed] = useState(storedCollapsed);
  const [drawerOpen, setDrawerOpen] = useState(false);

  const toggle = () => {
    if (mobile) {
      setDrawerOpen((open) => !open);
      return;
    }
    setCollapsed((was) => {
      try {
        localStorage.setItem(COLLAPSED_KEY, was ? '0' : '1');
      } catch {
        // remembered for this visit only
      }
      return !was;
    });
  };

  return (
    <Layout className="app-shell">
      {!mobile && (
        <Layout.Sider
          className="app-sider"
          width={SIDER_WIDTH}
          collapsedWidth={64}
          collapsed={collapsed}
          trigger={null}
          collapsible
          theme="light"
        >
          <div className="sider-brand">
            <BrandLockup collapsed={collapsed} />
          </div>
          <div className="sider-scroll">
            <NavMenu collapsed={collapsed} />
          </div>
        </Layout.Sider>
      )}
      {mobile && (
        <Drawer
          placement="left"
          open={drawerOpen}
          onClose={() => setDrawerOpen(false)}
          size={SIDER_WIDTH + 24}
          closable={false}
          styles={{ body: { padding: 0 } }}
          className="nav-drawer"
        >
          <div className="sider-brand">
            <BrandLockup />
          </div>
          <NavMenu onNavigate={() => setDrawerOpen(false)} />
        </Drawer>
      )}
      <Layout className="app-main">
        <Layout.Header className="app-header">
          <HeaderBar mobile={mobile} collapsed={collapsed} onToggle={toggle} />
        </Layout.Header>
        <Layout.Content className="app-content">
          <Suspense fallback={<FullPageSpin />}>
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
