// The product's areas. Built ones link to their pages; the rest are on the map, disabled, so
// operators see where the console is going (the seeds' tags, segments, groups, SOP, journeys,
// promotions, membership, referral, analytics and playbooks).
import type { ReactNode } from 'react';
import { Menu, type MenuProps } from 'antd';
import {
  ApartmentOutlined,
  BarChartOutlined,
  BranchesOutlined,
  BulbOutlined,
  CalendarOutlined,
  CommentOutlined,
  CrownOutlined,
  GiftOutlined,
  HomeOutlined,
  ShareAltOutlined,
  ShopOutlined,
  TagsOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import { useLocation, useNavigate } from 'react-router';
import { useT } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/zh-CN.ts';
import { can, type Permission } from '../permissions.ts';
import { useMe } from '../session.tsx';

type MenuItem = Required<MenuProps>['items'][number];

interface Area {
  key: string;
  label: MessageKey;
  icon: ReactNode;
  needs?: Permission;
}

const BUILT: Area[] = [
  { key: '/', label: 'nav.home', icon: <HomeOutlined />, needs: 'analytics:read' },
  { key: '/customers', label: 'nav.customers', icon: <TeamOutlined />, needs: 'customers:read' },
  { key: '/org', label: 'nav.org', icon: <ShopOutlined />, needs: 'org:read' },
];

const COMING: { group: MessageKey; areas: Area[] }[] = [
  {
    group: 'nav.operate',
    areas: [
      { key: 'tags', label: 'nav.tags', icon: <TagsOutlined /> },
      { key: 'segments', label: 'nav.segments', icon: <ApartmentOutlined /> },
      { key: 'groups', label: 'nav.groups', icon: <CommentOutlined /> },
      { key: 'sop', label: 'nav.sop', icon: <CalendarOutlined /> },
      { key: 'journeys', label: 'nav.journeys', icon: <BranchesOutlined /> },
    ],
  },
  {
    group: 'nav.grow',
    areas: [
      { key: 'promotions', label: 'nav.promotions', icon: <GiftOutlined /> },
      { key: 'membership', label: 'nav.membership', icon: <CrownOutlined /> },
      { key: 'referral', label: 'nav.referral', icon: <ShareAltOutlined /> },
    ],
  },
  {
    group: 'nav.insight',
    areas: [
      { key: 'analytics', label: 'nav.analytics', icon: <BarChartOutlined /> },
      { key: 'playbooks', label: 'nav.playbooks', icon: <BulbOutlined /> },
    ],
  },
];

/** The menu key of the page being shown: a customer's detail page lights up 客户. */
function selectedKey(pathname: string): string {
  const match = BUILT.find((area) => area.key !== '/' && (pathname === area.key || pathname.startsWith(`${area.key}/`)));
  return match?.key ?? '/';
}

export function NavMenu({ collapsed = false, onNavigate }: { collapsed?: boolean; onNavigate?: () => void }) {
  const t = useT();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const { role } = useMe();

  const items: MenuItem[] = [
    ...BUILT.filter((area) => !area.needs || can(role, area.needs)).map((area) => ({
      key: area.key,
      icon: area.icon,
      label: <span data-testid={`nav-${area.key === '/' ? 'home' : area.key.slice(1)}`}>{t(area.label)}</span>,
    })),
    ...COMING.map(({ group, areas }) => ({
      type: 'group' as const,
      key: group,
      label: collapsed ? null : t(group),
      children: areas.map((area) => ({
        key: area.key,
        icon: area.icon,
        disabled: true,
        title: `${t(area.label)} · ${t('nav.soon')}`,
        label: (
          <span className="nav-soon">
            <span>{t(area.label)}</span>
            <span className="nav-soon-pill">{t('nav.soon')}</span>
          </span>
        ),
      })),
    })),
  ];

  return (
    <Menu
      mode="inline"
      className="nav-menu"
      items={items}
      selectedKeys={[selectedKey(pathname)]}
      onClick={({ key }) => {
        navigate(key);
        onNavigate?.();
      }}
    />
  );
}
