// The bar above every page: menu toggle, the tenant, language, and who is signed in.
import { useState } from 'react';
import { Avatar, Button, Dropdown, Segmented, Tag, Tooltip } from 'antd';
import { BankOutlined, LockOutlined, LogoutOutlined, MenuFoldOutlined, MenuOutlined, MenuUnfoldOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router';
import { useLocale, type Locale } from '../i18n/i18n.tsx';
import { useMe, useSession } from '../session.tsx';
import { BrandMark } from '../components/BrandMark.tsx';
import { roleLabel } from '../labels.ts';
import { ChangePasswordModal } from './ChangePasswordModal.tsx';

interface HeaderBarProps {
  mobile: boolean;
  collapsed: boolean;
  onToggle: () => void;
}

export function HeaderBar({ mobile, collapsed, onToggle }: HeaderBarProps) {
  const { t } = useLocale();
  const me = useMe();
  const { logout } = useSession();
  const navigate = useNavigate();
  const [changingPassword, setChangingPassword] = useState(false);

  const toggleIcon = mobile ? <MenuOutlined /> : collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />;
  const toggleLabel = mobile || collapsed ? t('nav.expand') : t('nav.collapse');

  return (
    <div className="header-bar">
      <div className="header-left">
        <Tooltip title={toggleLabel}>
          <Button type="text" icon={toggleIcon} onClick={onToggle} aria-label={toggleLabel} data-testid="nav-toggle" />
        </Tooltip>
        {mobile && <BrandMark size={26} />}
        <span className="header-tenant" data-testid="header-tenant" title={me.tenant.slug}>
          {!mobile && <BankOutlined />}
          <span className="header-tenant-name">{me.tenant.name}</span>
        </span>
      </div>
      <div className="header-right">
        <LanguageSwitch />
        <Dropdown
          trigger={['click']}
          placement="bottomRight"
          // inside the sticky header, so the menu stays under its button while the page scrolls
          getPopupContainer={(button) => button.parentElement ?? document.body}
          menu={{
            items: [
              { key: 'who', disabled: true, label: <span className="header-menu-who">{me.email}</span> },
              { type: 'divider' },
              { key: 'password', icon: <LockOutlined />, label: <span data-testid="change-password">{t('password.change')}</span> },
              { key: 'logout', icon: <LogoutOutlined />, label: <span data-testid="logout">{t('header.logout')}</span> },
            ],
            onClick: ({ key }) => {
              if (key === 'password') setChangingPassword(true);
              if (key === 'logout') void logout().then(() => navigate('/login', { replace: true }));
            },
          }}
        >
          <button type="button" className="header-user" data-testid="header-user">
            <Avatar size={30} className="header-avatar">{me.name.slice(0, 1).toUpperCase()}</Avatar>
            {!mobile && <span className="header-user-name">{me.name}</span>}
            {!mobile && <Tag className="header-role" color="cyan" variant="filled">{roleLabel(t, me.role)}</Tag>}
          </button>
        </Dropdown>
        <ChangePasswordModal open={changingPassword} onClose={() => setChangingPassword(false)} />
      </div>
    </div>
  );
}

export function LanguageSwitch() {
  const { locale, setLocale, t } = useLocale();
  return (
    <Segmented<Locale>
      size="small"
      aria-label={t('header.language')}
      data-testid="language-switch"
      value={locale}
      onChange={setLocale}
      options={[
        { label: '中', value: 'zh-CN', title: '简体中文' },
        { label: 'EN', value: 'en-US', title: 'English' },
      ]}
    />
  );
}
