import { useState } from 'react';
import { Alert, Button, Form, Input, Space, Tag } from 'antd';
import { BankOutlined, LockOutlined, MailOutlined } from '@ant-design/icons';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../../api.ts';
import { accessApi, type DemoLogins } from '../../api-access.ts';
import { useRemote } from '../../components/useRemote.ts';
import { roleLabel } from '../../labels.ts';
import { BrandLockup } from '../../components/BrandMark.tsx';
import { useT } from '../../i18n/i18n.tsx';
import { LanguageSwitch } from '../../layout/HeaderBar.tsx';
import { useSession } from '../../session.tsx';
import { errorText } from '../../refusal-text.ts';

interface Credentials {
  tenant: string;
  email: string;
  password: string;
}

const LAST_TENANT_KEY = 'yuchi.lastTenant';

function lastTenant(): string {
  try {
    return localStorage.getItem(LAST_TENANT_KEY) ?? '';
  } catch {
    return '';
  }
}

/** Only paths inside the console: a crafted ?next= must not send the user off-site. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export default function LoginPage() {
  const t = useT();
  const { state, login } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [submitting, setSubmitting] = useState(false);
  const [failure, setFailure] = useState<string>();
  const next = safeNext(params.get('next'));
  const demos = useRemote((signal) => accessApi.demoLogins({ signal }).catch(() => ({ demos: [] })), []);

  if (state.status === 'signed-in') return <Navigate to={next} replace />;

  const submit = async (values: Credentials) => {
    setSubmitting(true);
    setFailure(undefined);
    try {
      await login({ tenant: values.tenant.trim(), email: values.email.trim(), password: values.password });
      try {
        localStorage.setItem(LAST_TENANT_KEY, values.tenant.trim());
      } catch {
        // convenience only
      }
      navigate(next, { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setFailure(t('login.wrong'));
      else setFailure(t('login.failed', { message: errorText(t, err) }));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div className="login-page">
      <aside className="login-hero">
        <BrandLockup light />
        <div className="login-hero-body">
          <div className="login-hero-tagline">{t('brand.tagline')}</div>
          <h2 className="login-hero-slogan">{t('brand.slogan')}</h2>
          <ul className="login-hero-points">
            <li>{t('brand.pitch1')}</li>
            <li>{t('brand.pitch2')}</li>
            <li>{t('brand.pitch3')}</li>
          </ul>
        </div>
        <div className="login-hero-foot">{t('login.footer')}</div>
        <svg className="login-hero-waves" viewBox="0 0 600 120" preserveAspectRatio="none" aria-hidden="true">
          <path d="M0 60 Q75 20 150 60 T300 60 T450 60 T600 60 V120 H0Z" fill="rgba(255,255,255,0.08)" />
          <path d="M0 85 Q75 50 150 85 T300 85 T450 85 T600 85 V120 H0Z" fill="rgba(255,255,255,0.10)" />
        </svg>
      </aside>
      <main className="login-panel">
        <div className="login-topbar">
          <span className="login-mobile-brand">
            <BrandLockup />
          </span>
          <LanguageSwitch />
        </div>
        <div className="login-card">
          <h1 className="login-title">{t('login.title')}</h1>
          <p className="login-subtitle">{t('login.subtitle')}</p>
          {failure && <Alert type="error" showIcon title={failure} className="login-error" data-testid="login-error" />}
          <Form<Credentials>
            layout="vertical"
            size="large"
            requiredMark={false}
            initialValues={{ tenant: lastTenant(), email: '', password: '' }}
            onFinish={(values) => void submit(values)}
            disabled={submitting}
          >
            <Form.Item name="tenant" label={t('login.tenant')} rules={[{ required: true, whitespace: true, message: t('login.tenantRequired') }]}>
              <Input prefix={<BankOutlined />} placeholder={t('login.tenantPlaceholder')} autoComplete="organization" data-testid="login-tenant" />
            </Form.Item>
            <Form.Item name="email" label={t('login.email')} rules={[{ required: true, whitespace: true, message: t('login.emailRequired') }]}>
              <Input prefix={<MailOutlined />} placeholder={t('login.emailPlaceholder')} autoComplete="username" inputMode="email" data-testid="login-email" />
            </Form.Item>
            <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
              <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="login-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={submitting} data-testid="login-submit">
              {t('login.submit')}
            </Button>
          </Form>
          {(demos.data?.demos.length ?? 0) > 0 && (
            <DemoLoginList demos={demos.data?.demos ?? []} disabled={submitting} onPick={(login) => void submit(login)} />
          )}
        </div>
      </main>
    </div>
  );
}

/** The demo companies this server offers, one click each (only while they keep the demo password). */
function DemoLoginList({ demos, disabled, onPick }: { demos: DemoLogins[]; disabled: boolean; onPick: (login: Credentials) => void }) {
  const t = useT();
  return (
    <section className="login-demos" data-testid="login-demos">
      <div className="login-demos-title">{t('login.demo')}</div>
      <div className="muted login-demo-brand">{t('login.demoHint')}</div>
      {demos.map((d) => (
        <div className="login-demo" key={d.tenant} data-testid={`demo-${d.tenant}`}>
          <div>
            <div className="login-demo-name">
              {d.name} {d.model && <Tag color="blue">{t(`diag.model.${d.model}`)}</Tag>}
            </div>
            <div className="muted login-demo-brand">{d.brand ?? t('login.demoFirst')}</div>
          </div>
          <Space size={4} wrap>
            {d.logins.map((l) => (
              <Button key={l.email} size="small" disabled={disabled} onClick={() => onPick({ tenant: d.tenant, email: l.email, password: l.password })}
                data-testid={`demo-${d.tenant}-${l.role}`}>
                {d.logins.length > 1 ? roleLabel(t, l.role) : t('login.demoEnter')}
              </Button>
            ))}
          </Space>
        </div>
      ))}
    </section>
  );
}
