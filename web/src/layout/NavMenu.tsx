// The product's areas. Built ones link to their pages; the rest are on the map, disabled, so
// operators see where the console is going (the seeds' segments, groups, SOP, journeys,
// promotions, membership, referral, analytics and playbooks).
import type { ReactNode } from 'react';
import { Menu, type MenuProps } from 'antd';
import {
  ApartmentOutlined,
  ApiOutlined,
  BarChartOutlined,
  BranchesOutlined,
  BulbOutlined,
  CheckSquareOutlined,
  CalendarOutlined,
  CloudUploadOutlined,
  CommentOutlined,
  CrownOutlined,
  FormOutlined,
  GiftOutlined,
  HomeOutlined,
  KeyOutlined,
  PieChartOutlined,
  QrcodeOutlined,
  SendOutlined,
  ShareAltOutlined,
  ShopOutlined,
  TagsOutlined,
  ShoppingOutlined,
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
  /** On the map, not built yet. */
  soon?: boolean;
}

const TOP: Area[] = [
  { key: '/', label: 'nav.home', icon: <HomeOutlined />, needs: 'analytics:read' },
  { key: '/customers', label: 'nav.customers', icon: <TeamOutlined />, needs: 'customers:read' },
  { key: '/orders', label: 'nav.orders', icon: <ShoppingOutlined />, needs: 'orders:read' },
  { key: '/imports', label: 'nav.imports', icon: <CloudUploadOutlined />, needs: 'customers:import' },
  { key: '/org', label: 'nav.org', icon: <ShopOutlined />, needs: 'org:read' },
  { key: '/access', label: 'nav.access', icon: <KeyOutlined />, needs: 'access:write' },
];

const GROUPS: { group: MessageKey; areas: Area[] }[] = [
  {
    group: 'nav.operate',
    areas: [
      { key: '/tags', label: 'nav.tags', icon: <TagsOutlined />, needs: 'tags:write' },
      { key: '/forms', label: 'nav.forms', icon: <FormOutlined />, needs: 'forms:write' },
      { key: '/segments', label: 'nav.segments', icon: <ApartmentOutlined />, needs: 'analytics:read' },
      { key: '/workbench', label: 'nav.workbench', icon: <CheckSquareOutlined />, needs: 'customers:read' },
      { key: '/codes', label: 'nav.codes', icon: <QrcodeOutlined />, needs: 'org:read' },
      { key: '/groups', label: 'nav.groups', icon: <CommentOutlined />, needs: 'customers:read' },
      { key: '/sop', label: 'nav.sop', icon: <CalendarOutlined />, needs: 'customers:read' },
      { key: '/channels', label: 'nav.channels', icon: <ApiOutlined />, needs: 'channels:write' },
      { key: '/broadcasts', label: 'nav.broadcasts', icon: <SendOutlined />, needs: 'customers:read' },
      { key: '/journeys', label: 'nav.journeys', icon: <BranchesOutlined />, needs: 'analytics:read' },
    ],
  },
  {
    group: 'nav.grow',
    areas: [
      { key: '/promotions', label: 'nav.promotions', icon: <GiftOutlined />, needs: 'promotions:write' },
      { key: '/membership', label: 'nav.membership', icon: <CrownOutlined />, needs: 'promotions:write' },
      { key: '/referral', label: 'nav.referral', icon: <ShareAltOutlined />, needs: 'orders:read' },
    ],
  },
  {
    group: 'nav.insight',
    areas: [
      { key: '/layers', label: 'nav.layers', icon: <PieChartOutlined />, needs: 'analytics:read' },
      { key: '/analytics', label: 'nav.analytics', icon: <BarChartOutlined />, needs: 'analytics:read' },
      { key: '/playbooks', label: 'nav.playbooks', icon: <BulbOutlined />, needs: 'analytics:read' },
    ],
  },
];

const BUILT = [...TOP, ...GROUPS.flatMap((g) => g.areas)].filter((area) => !area.soon);

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

  const allowed = (area: Area) => !area.needs || can(role, area.needs);
  const item = (area: Area): MenuItem =>
    area.soon
      ? {
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
        }
      : {
          key: area.key,
          icon: area.icon,
          label: <span data-testid={`nav-${area.key === '/' ? 'home' : area.key.slice(1)}`}>{t(area.label)}</span>,
        };

  const items: MenuItem[] = [
    ...TOP.filter(allowed).map(item),
    ...GROUPS.map(({ group, areas }) => ({
      type: 'group' as const,
      key: group,
      label: collapsed ? null : t(group),
      children: areas.filter(allowed).map(item),
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
