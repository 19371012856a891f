// PIPL requests about one person: everything held about them as a JSON file, and erasure. Erasing
// cannot be undone, so the user types the customer's name (or the start of the id of a nameless
// profile) to confirm.
import { useState } from 'react';
import { Alert, App, Button, Dropdown, Input, Modal } from 'antd';
import { DeleteOutlined, DownloadOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router';
import { api, type CustomerDetail } from '../../api.ts';
import { downloadText } from '../../download.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useCan } from '../../permissions.ts';
import { errorText } from '../../refusal-text.ts';

export function PrivacyActions({ customer }: { customer: CustomerDetail }) {
  const t = useT();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const canExport = useCan('customers:export');
  const canErase = useCan('privacy:erase');
  const [erasing, setErasing] = useState(false);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  if (!canExport && !canErase) return null;

  const phrase = customer.name.trim() || customer.id.slice(0, 8);
  const fail = (err: unknown) => message.error(errorText(t, err));

  const exportData = async () => {
    setBusy(true);
    try {
      const data = await api.personalData(customer.id);
      downloadText(`customer-${customer.id}.json`, JSON.stringify(data, null, 2), 'application/json');
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  const erase = async () => {
    setBusy(true);
    try {
      await api.eraseCustomer(customer.id);
      message.success(t('privacy.erased'));
      navigate('/customers', { replace: true });
    } catch (err) {
      fail(err);
      setBusy(false);
    }
  };

  return (
    <>
      <Dropdown
        trigger={['click']}
        menu={{
          items: [
            ...(canExport ? [{ key: 'export', icon: <DownloadOutlined />, label: <span data-testid="privacy-export">{t('privacy.export')}</span> }] : []),
            ...(canErase ? [{ key: 'erase', icon: <DeleteOutlined />, danger: true, label: <span data-testid="privacy-erase">{t('privacy.erase')}</span> }] : []),
          ],
          onClick: ({ key }) => {
            if (key === 'export') void exportData();
            if (key === 'erase') {
              setTyped('');
              setErasing(true);
            }
          },
        }}
      >
        <Button icon={<SafetyCertificateOutlined />} loading={busy && !erasing} data-testid="privacy-actions">
          {t('privacy.actions')}
        </Button>
      </Dropdown>
      <Modal
        open={erasing}
        title={t('privacy.eraseTitle')}
        okText={t('privacy.eraseConfirm')}
        okButtonProps={{ danger: true, disabled: typed.trim() !== phrase }}
        confirmLoading={busy}
        onOk={() => void erase()}
        onCancel={() => setErasing(false)}
        destroyOnHidden
      >
        <Alert type="error" showIcon title={t('privacy.eraseWarning')} className="erase-warning" />
        <p>{t('privacy.typeToConfirm', { phrase })}</p>
        <Input value={typed} onChange={(e) => setTyped(e.target.value)} placeholder={phrase} data-testid="privacy-erase-input" />
      </Modal>
    </>
  );
}
